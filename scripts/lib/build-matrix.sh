#!/usr/bin/env bash
# The series' build matrix: CONFIG_DM_IO_RUST on and off, CONFIG_BLK_DEV_DM
# y and m. The replace kernel is (on, y), built in full; the other three
# cells are made from its configuration and build directory with those
# options changed, and build rust/ and drivers/md/ (every file the series
# compiles), each in its own directory, with CLIPPY=1 and no warning
# allowed. Cached by the series' hash.
#
#   build-matrix.sh REPLACE_KDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kdir="$(cd "${1:?usage: build-matrix.sh REPLACE_KDIR}" && pwd)"
tree="$(readlink -f "$kdir/source")"
series="$(cat "$tree/.dm-io-rs-series")"
grep -qx "CONFIG_DM_IO_RUST=y" "$kdir/.config" && grep -qx "CONFIG_BLK_DEV_DM=y" "$kdir/.config" ||
	die "$kdir is not the (DM_IO_RUST=y, BLK_DEV_DM=y) cell"
info "DM_IO_RUST=y BLK_DEV_DM=y: the replace kernel ($kdir)"

# cell NAME SCRIPTS_CONFIG_ARGS...
cell() {
	local name="$1" dir="${kdir%-replace-*}-matrix-$1"
	shift
	local stamp="series $series; $*"
	if [ "$(cat "$dir/.dm-io-rs-built" 2>/dev/null)" = "$stamp" ]; then
		info "$name: built ($dir)"
		return
	fi
	step "build matrix: $name (rust/ and drivers/md/)"
	# A new cell starts as a copy of the replace kernel's build: kbuild
	# then compiles only what the changed options touch.
	[ -f "$dir/.config" ] || seed_build "$kdir" "$dir"
	rm -f "$dir/.dm-io-rs-built"
	cp "$kdir/.config" "$dir/.config"
	# Doctests and the tests are the replace kernel's business.
	"$tree/scripts/config" --file "$dir/.config" -d RUST_KERNEL_DOCTESTS "$@"
	local mk=(make -C "$tree" O="$dir" LLVM="$LLVM_SUFFIX" CLIPPY=1)
	"${mk[@]}" -s olddefconfig >/dev/null
	local start=$SECONDS
	{ "${mk[@]}" -j"$(nproc)" prepare && "${mk[@]}" -j"$(nproc)" rust/ &&
		"${mk[@]}" -j"$(nproc)" drivers/md/; } >"$dir/build.log" 2>&1 || {
		tail -n 40 "$dir/build.log" >&2
		die "$name does not build; log: $dir/build.log"
	}
	die_on_build_warnings "$dir/build.log" "the $name build"
	info "$name: built in $((SECONDS - start)) s"
	echo "$stamp" >"$dir/.dm-io-rs-built"
}

# Off, dm-mod built in: dm-io.c, and the Rust device-mapper API and rmirror
# over it.
cell dm_io_rust-n-dm-y -d DM_IO_RUST
# On, dm-mod a module: the Rust dm-io inside dm-mod.ko.
cell dm_io_rust-y-dm-m -m BLK_DEV_DM
# Off, dm-mod a module.
cell dm_io_rust-n-dm-m -d DM_IO_RUST -m BLK_DEV_DM
