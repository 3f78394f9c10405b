#!/usr/bin/env bash
# The source tree of the `replace` kernel: the downloaded source with the
# patch series (out/patches, scripts/make-patches.sh) applied, so that the
# kernel `make check` tests is built from what is shipped.
#
#   prepare-series-tree.sh SOURCE_TREE PATCH_DIR
#
# The copy is made once with hard links (`cp -al`, cheap). Each time, the
# files the series touches are put back as copies of the source's (never
# as links: patching them must not change the shared source), then the
# series is applied with `git apply`. Nothing happens when the tree already
# has this very series. Prints the tree's path on the last line of stdout.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

src="$(cd "$1" && pwd)"
patches="$(cd "$2" && pwd)"
tree="$src-series"
[ -f "$src/drivers/md/dm-io.c" ] || die "$src is not a kernel source tree"

mapfile -t series < <(find "$patches" -name '[0-9]*.patch' ! -name '0000-*' | sort)
[ "${#series[@]}" -gt 0 ] || die "no patches in $patches"
sum="$(cat "${series[@]}" | sha256sum | cut -c1-12)"
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
while IFS= read -r f; do
	rm -f "$tree/$f"
	[ ! -e "$src/$f" ] || cp "$src/$f" "$tree/$f"
done < <(python3 "$PROJECT_DIR/scripts/series.py" files)
# Directories the series adds go too (a file that left the series).
rm -rf "$tree/drivers/md/dm-io-rust" "$tree/drivers/md/dm-rmirror" \
	"$tree/rust/kernel/device_mapper" "$tree/rust/kernel/block/bio"
step "applying ${#series[@]} patches to $tree" >&2
(cd "$tree" && git apply --whitespace=error-all "${series[@]}") || die "the series does not apply to $src"
echo "$sum" >"$tree/.dm-io-rs-series"
echo "$tree"
