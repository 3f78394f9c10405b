#!/usr/bin/env bash
# The series on other architectures than x86_64, with LLVM (clang and rustc
# target each of them: no other toolchain), CLIPPY=1 and no warning
# allowed:
#
#   arm      ARMv7 as multi_v7_defconfig: 32-bit words, highmem; vmlinux
#            and the modules, as the link is what finds a u64 division (a
#            call to __aeabi_uldivmod, which the kernel does not have)
#   arm64    64 KiB pages, other bindings (c_char is unsigned); rust/ and
#            drivers/md/, what the series compiles
#   um       UML on x86_64, kunit.py's default architecture; its build
#            directory is also kunit.py's (scripts/lib/kunit-py.sh KDIR um)
#   powerpc  32-bit PowerPC: big-endian, 32-bit words (not by default)
#
# Each is allnoconfig plus scripts/config/cross.config and
# cross-ARCH.config (what rust/ and drivers/md/ need). A build directory
# is keyed by its fragments and stamped with the series' hash: a run with
# the series unchanged builds nothing, and a changed series rebuilds only
# what it changes.
#
#   cross-build.sh SERIES_TREE [ARCH...]      (default: arm arm64 um)
#
# Prints each build directory as "ARCH DIR" on stdout; the progress goes to
# stderr.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tree="$(cd "${1:?usage: cross-build.sh SERIES_TREE [ARCH...]}" && pwd)"
shift
[ $# -gt 0 ] || set -- arm arm64 um
[ -f "$tree/.dm-io-rs-series" ] || die "$tree is not a series tree (prepare-series-tree.sh)"
version="$(cat "$tree/.dm-io-rs-debian-version")"

# The series tree changes only under this lock (build-kernel.sh replace).
exec 8>"$tree.lock"
flock 8
series="$(cat "$tree/.dm-io-rs-series")"

declare -A targets=([arm]="vmlinux modules" [arm64]="prepare rust/ drivers/md/" [um]="linux modules"
	[powerpc]="vmlinux modules")
# What the stock kernel prints on an architecture whatever the series, to
# be told from what the series prints. UML with clang: asm-generic/io.h
# adds port numbers to PCI_IOBASE, NULL there (UML_PCI, which kunit.py's
# arch_uml.config selects); FORTIFY_SOURCE's build-time self-test under
# lib/test_fortify/ (clang folds the calls it looks for); the stub's
# -mno-3dnow, which clang ignores; the RWX segment of the host link.
stock_um=(
	'include/asm-generic/io.h:[0-9]+:[0-9]+: warning: performing pointer arithmetic on a null pointer has undefined behavior \[-Wnull-pointer-arithmetic\]$'
	"^warning: unsafe [a-z]+\(\) usage lacked '__[a-z_]+' symbol in .*/lib/test_fortify/[-_a-z]+\.c$"
	"^clang-[0-9]+: warning: argument unused during compilation: '-mno-3dnow' \[-Wunused-command-line-argument\]$"
	'^/usr/bin/ld: warning: (\.tmp_vmlinux[0-9]|vmlinux\.unstripped) has a LOAD segment with RWX permissions$'
)
declare -A stock=([arm]='^$' [arm64]='^$' [um]="$(IFS='|' && echo "${stock_um[*]}")" [powerpc]='^$')
built=()
for arch in "$@"; do
	[ -n "${targets[$arch]:-}" ] || die "unknown architecture $arch (arm, arm64, um, powerpc)"
	fragments=("$PROJECT_DIR/scripts/config/cross.config" "$PROJECT_DIR/scripts/config/cross-$arch.config")
	hash="$(cat "${fragments[@]}" | sha256sum | cut -c1-12)"
	dir="$CACHE_DIR/build/$version-cross-$arch-$hash"
	stamp="series $series"
	built+=("$arch $dir")
	# A tool run in the directory (kunit.py) may have changed the options.
	if [ "$(cat "$dir/.dm-io-rs-built" 2>/dev/null)" = "$stamp" ] &&
		cmp -s <(grep '^CONFIG_' "$dir/.config") "$dir/.dm-io-rs-config"; then
		info "$arch: built for series $series ($dir)" >&2
		continue
	fi
	mkdir -p "$dir"
	exec 9>"$dir.lock"
	flock 9
	mk() { make -C "$tree" O="$dir" ARCH="$arch" LLVM="$LLVM_SUFFIX" CLIPPY=1 "$@"; }
	# A directory made from another tree would keep its file names in
	# kbuild's dependency lists: it starts anew.
	if [ "$(readlink -f "$dir/source" 2>/dev/null)" != "$tree" ] ||
		[ "$(cat "$dir/.dm-io-rs-configured" 2>/dev/null)" != "$hash" ] ||
		! cmp -s <(grep '^CONFIG_' "$dir/.config") "$dir/.dm-io-rs-config"; then
		step "cross build: configuring $arch (allnoconfig + fragment $hash)" >&2
		find "$dir" -mindepth 1 -delete
		mk -s allnoconfig >&2
		(cd "$dir" && "$tree/scripts/kconfig/merge_config.sh" -m -O "$dir" "$dir/.config" "${fragments[@]}" >/dev/null)
		mk -s olddefconfig >&2
		for f in "${fragments[@]}"; do
			while IFS= read -r line; do
				case "$line" in CONFIG_*=[ym]) ;; *) continue ;; esac
				grep -qx "$line" "$dir/.config" || die "$arch: $line did not survive olddefconfig"
			done <"$f"
		done
		mk -s rustavailable >/dev/null || die "Rust is not available for ARCH=$arch"
		grep '^CONFIG_' "$dir/.config" >"$dir/.dm-io-rs-config"
		echo "$hash" >"$dir/.dm-io-rs-configured"
	fi
	step "cross build: $arch (${targets[$arch]}; several minutes from nothing)" >&2
	rm -f "$dir/.dm-io-rs-built"
	start=$SECONDS
	# One make per target, as build-matrix.sh does.
	(for target in ${targets[$arch]}; do mk -j"$(nproc)" "$target" || exit; done) >"$dir/build.log" 2>&1 || {
		tail -n 40 "$dir/build.log" >&2
		die "$arch: the series does not build; log: $dir/build.log"
	}
	die_on_build_warnings "$dir/build.log" "the $arch build" "${stock[$arch]}"
	info "$arch: built in $((SECONDS - start)) s" >&2
	echo "$stamp" >"$dir/.dm-io-rs-built"
	exec 9>&-
done
printf '%s\n' "${built[@]}"
