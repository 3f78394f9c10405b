#!/usr/bin/env bash
# Does each patch of the series build on its own, with no warning? Applies
# the patches one at a time to a copy of the source (hard links, as
# prepare-series-tree.sh makes) and builds the replace kernel's
# configuration incrementally after each, with CLIPPY=1. The first build
# starts from the guest kernel's (as the replace kernel's does); with one
# incremental build per patch, about 17 minutes on 2 cores: not part of
# `make check`.
#
#   bisect-check.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

src="$("$PROJECT_DIR/scripts/fetch-kernel.sh" | tail -n1)"
patches="$("$PROJECT_DIR/scripts/make-patches.sh" | tail -n1)"
mapfile -t series < <(find "$patches" -name '[0-9]*.patch' ! -name '0000-*' | sort)
replace="$("$PROJECT_DIR/scripts/build-kernel.sh" replace | tail -n1)"
guest="$("$PROJECT_DIR/scripts/build-kernel.sh" guest | tail -n1)"
tree="$src-bisect"
out="$CACHE_DIR/build/$(basename "$src")-bisect"

step "a fresh copy of $src"
rm -rf "$tree"
cp -al "$src" "$tree"
while IFS= read -r f; do
	rm -f "$tree/$f"
	[ ! -e "$src/$f" ] || cp "$src/$f" "$tree/$f"
done < <(python3 "$PROJECT_DIR/scripts/series.py" files)
step "starting from the guest kernel's build ($guest)"
exec 9>"$guest.lock"
flock 9
seed_build "$guest" "$out" "$src" "$tree"
exec 9>&-
cp "$replace/.config" "$out/.config"
mk() { make -C "$tree" O="$out" LLVM="$LLVM_SUFFIX" CLIPPY=1 "$@"; }

n=0
for p in "" "${series[@]}"; do
	if [ -n "$p" ]; then
		(cd "$tree" && git apply "$p") || die "$(basename "$p") does not apply"
		n=$((n + 1))
	fi
	name="${p:+$(basename "$p")}"
	step "building after ${name:-no patch}"
	start=$SECONDS
	mk -s olddefconfig >/dev/null
	mk -j"$(nproc)" bzImage modules >"$out/build-$n.log" 2>&1 || {
		tail -n 30 "$out/build-$n.log" >&2
		die "the build fails after ${name:-no patch}"
	}
	if grep -Eq "(^|: )(warning|error)(\[|:)" "$out/build-$n.log"; then
		grep -E -A 12 "(^|: )(warning|error)(\[|:)" "$out/build-$n.log" >&2
		die "warnings after ${name:-no patch}"
	fi
	info "built in $((SECONDS - start)) s"
done
info "each of the ${#series[@]} patches builds on its own with no warning"
