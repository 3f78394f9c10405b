#!/usr/bin/env bash
# The source tree of the `replace` kernel: the downloaded source with the
# patch series (out/patches, scripts/make-patches.sh) applied, so that the
# kernel `make check` tests is built from what is shipped.
#
#   prepare-series-tree.sh SOURCE_TREE PATCH_DIR
#
# The copy is made once with hard links (`cp -al`, cheap). The series is
# applied (`git apply`) to copies of the files it touches in a scratch
# directory; a file of the tree is replaced, by a new file (never written
# through a link: that would change the shared source), only when its
# content differs, so that kbuild rebuilds only what changed. Files of an
# earlier series that this one no longer has are put back as the source's.
# Nothing happens when the tree already has this very series. Prints the
# tree's path on the last line of stdout.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

src="$(cd "$1" && pwd)"
patches="$(cd "$2" && pwd)"
tree="$src-series"
[ -f "$src/drivers/md/dm-io.c" ] || die "$src is not a kernel source tree"

mapfile -t series < <(find "$patches" -name '[0-9]*.patch' ! -name '0000-*' | sort)
[ "${#series[@]}" -gt 0 ] || die "no patches in $patches"
sum="$(series_sum "${series[@]}")"
if [ "$(cat "$tree/.dm-io-rs-series" 2>/dev/null)" = "$sum" ]; then
	info "series tree $tree has series $sum" >&2
	echo "$tree"
	exit 0
fi

if [ ! -f "$tree/.dm-io-rs-series-tree" ]; then
	step "linking a copy of $src for the series" >&2
	rm -rf "$tree" "$tree.partial"
	cp -al "$src" "$tree.partial"
	touch "$tree.partial/.dm-io-rs-series-tree"
	mv "$tree.partial" "$tree"
fi
rm -f "$tree/.dm-io-rs-series"
mapfile -t files < <(python3 "$PROJECT_DIR/scripts/lib/series.py" files)
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for f in "${files[@]}"; do
	[ -e "$src/$f" ] || continue
	mkdir -p "$scratch/$(dirname "$f")"
	cp "$src/$f" "$scratch/$f"
done
step "applying ${#series[@]} patches for $tree" >&2
(cd "$scratch" && git apply --whitespace=error-all "${series[@]}") || die "the series does not apply to $src"
changed=0
for f in "${files[@]}"; do
	[ -e "$scratch/$f" ] || die "the series does not make $f"
	cmp -s "$scratch/$f" "$tree/$f" && continue
	mkdir -p "$tree/$(dirname "$f")"
	rm -f "$tree/$f"
	cp "$scratch/$f" "$tree/$f"
	changed=$((changed + 1))
done
# Files an earlier series wrote that this one does not touch.
declare -A in_series=()
for f in "${files[@]}"; do in_series[$f]=1; done
if [ -f "$tree/.dm-io-rs-series-files" ]; then
	while IFS= read -r f; do
		[ -z "${in_series[$f]:-}" ] || continue
		rm -f "$tree/$f"
		[ ! -e "$src/$f" ] || cp "$src/$f" "$tree/$f"
		changed=$((changed + 1))
	done <"$tree/.dm-io-rs-series-files"
fi
printf '%s\n' "${files[@]}" >"$tree/.dm-io-rs-series-files"
info "$changed files changed in $tree" >&2
echo "$sum" >"$tree/.dm-io-rs-series"
echo "$tree"
