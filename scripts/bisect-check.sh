#!/usr/bin/env bash
# Does each patch of the series build on its own, with no warning? Applies
# the patches one at a time to a copy of the source (hard links, as
# prepare-series-tree.sh makes) and builds incrementally after each, with
# CLIPPY=1:
#
#   x86_64  the replace kernel's configuration (bzImage, modules), starting
#           from the guest kernel's build (as the replace kernel does);
#           with one incremental build per patch, about 17 minutes on 2
#           cores
#   arm     ARMv7, the configuration of scripts/lib/cross-build.sh (vmlinux,
#           modules), starting from its build of the whole series
#
# Not part of `make check`.
#
#   bisect-check.sh [ARCH]        ARCH: x86_64 (default) or arm
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

arch="${1:-x86_64}"
src="$("$PROJECT_DIR/scripts/lib/fetch-kernel.sh" | tail -n1)"
patches="$("$PROJECT_DIR/scripts/make-patches.sh" | tail -n1)"
mapfile -t series < <(find "$patches" -name '[0-9]*.patch' ! -name '0000-*' | sort)
case "$arch" in
x86_64)
	config="$("$PROJECT_DIR/scripts/build-kernel.sh" replace | tail -n1)/.config"
	base="$("$PROJECT_DIR/scripts/build-kernel.sh" guest | tail -n1)"
	base_src="$src"
	targets=(bzImage modules)
	arch_make=()
	suffix=
	;;
arm)
	exec 8>"$src-series.lock"
	flock 8
	base_src="$("$PROJECT_DIR/scripts/lib/prepare-series-tree.sh" "$src" "$patches" | tail -n1)"
	exec 8>&-
	base="$("$PROJECT_DIR/scripts/lib/cross-build.sh" "$base_src" "$arch" | awk -v a="$arch" '$1 == a { print $2 }')"
	config="$base/.config"
	targets=(vmlinux modules)
	arch_make=(ARCH="$arch")
	suffix="-$arch"
	;;
*) die "usage: bisect-check.sh [x86_64|arm]" ;;
esac
tree="$src-bisect$suffix"
out="$CACHE_DIR/build/$(basename "$src")-bisect$suffix"
# The configuration of the whole series: olddefconfig drops the options
# that the patches applied so far do not know, so it is put back before
# each build, and an option comes in with the patch that adds it.
wanted="$(mktemp)"
trap 'rm -f "$wanted"' EXIT
cp "$config" "$wanted"

step "a fresh copy of $src"
rm -rf "$tree"
cp -al "$src" "$tree"
while IFS= read -r f; do
	rm -f "$tree/$f"
	[ ! -e "$src/$f" ] || cp "$src/$f" "$tree/$f"
done < <(python3 "$PROJECT_DIR/scripts/lib/series.py" files)
step "starting from the build in $base"
exec 9>"$base.lock"
flock 9
seed_build "$base" "$out" "$base_src" "$tree"
exec 9>&-
mk() { make -C "$tree" O="$out" "${arch_make[@]}" LLVM="$LLVM_SUFFIX" CLIPPY=1 "$@"; }

n=0
for p in "" "${series[@]}"; do
	if [ -n "$p" ]; then
		(cd "$tree" && git apply "$p") || die "$(basename "$p") does not apply"
		n=$((n + 1))
	fi
	name="${p:+$(basename "$p")}"
	step "building after ${name:-no patch}"
	start=$SECONDS
	cp "$wanted" "$out/.config"
	mk -s olddefconfig >/dev/null
	mk -j"$(nproc)" "${targets[@]}" >"$out/build-$n.log" 2>&1 || {
		tail -n 30 "$out/build-$n.log" >&2
		die "the build fails after ${name:-no patch}"
	}
	die_on_build_warnings "$out/build-$n.log" "the build after ${name:-no patch}"
	info "built in $((SECONDS - start)) s"
done
info "each of the ${#series[@]} patches builds on its own with no warning"
