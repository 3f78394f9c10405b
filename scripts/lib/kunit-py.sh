#!/usr/bin/env bash
# The dm-io KUnit suites and the kernel crate's doctests with the kernel's
# own runner, as a kernel developer runs them:
#
#   tools/testing/kunit/kunit.py run [--arch=x86_64] \
#       --kunitconfig=drivers/md/dm-io-rust/tests --make_options LLVM=-19
#
# on the series-applied tree, with no user space: the suites make their
# test disks in the kernel. x86_64 runs in kunit.py's own QEMU, on the
# replace kernel's build directory; um (UML, kunit.py's default
# architecture and how most Rust-for-Linux developers run KUnit) runs the
# kernel as a host process, on the UML build of scripts/cross-build.sh. The
# build directory's configuration already holds the .kunitconfig's
# options, so kunit.py reuses the build. kunit.py keeps the options it last
# used in the build directory (last_used_kunitconfig) and replaces the
# whole configuration with them when that copy differs or is missing; it
# is written here first, as kunit.py would, so that it does not.
#
# um-c runs the same suites on UML against dm-io.c (CONFIG_DM_IO_RUST=n):
# the tests go through dm_io(), whichever dm-io dm-mod links. Its build
# directory is KDIR's with "-dm-io-c" appended, made once as a copy of
# KDIR's build (lib.sh's seed_build) with that one option changed, and
# built incrementally after that.
#
#   kunit-py.sh KDIR [ARCH]     ARCH: x86_64 (default, KDIR the replace
#                               kernel's), um or um-c (KDIR cross-build.sh's
#                               UML build)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kdir="$(cd "${1:?usage: kunit-py.sh KDIR [ARCH]}" && pwd)"
arch="${2:-x86_64}"
tree="$(readlink -f "$kdir/source")"
suite_dir=drivers/md/dm-io-rust/tests
[ -f "$tree/$suite_dir/.kunitconfig" ] || die "$tree has no $suite_dir/.kunitconfig"
out="$PROJECT_DIR/out/kunit-py"
[ "$arch" = x86_64 ] || out+="-$arch"
mkdir -p "$out"
kconfig_add=()
if [ "$arch" = um-c ]; then
	arch=um
	c="$kdir-dm-io-c"
	exec 8>"$c.lock"
	flock 8
	if [ ! -f "$c/.dm-io-rs-seeded" ]; then
		step "the UML build with dm-io.c: $c, from $kdir"
		exec 7>"$kdir.lock"
		flock 7
		seed_build "$kdir" "$c"
		exec 7>&-
		ln -sfn "$tree" "$c/source"
		"$tree/scripts/config" --file "$c/.config" --disable DM_IO_RUST
		make -s -C "$tree" O="$c" ARCH=um LLVM="$LLVM_SUFFIX" olddefconfig
		touch "$c/.dm-io-rs-seeded"
	fi
	# The run below takes the build directory's lock itself.
	exec 8>&-
	kdir="$c"
	kconfig_add=(--kconfig_add CONFIG_DM_IO_RUST=n)
fi

# kunit.py's options for the architecture first, then the suite's.
{
	case "$arch" in
	x86_64) printf 'CONFIG_SERIAL_8250=y\nCONFIG_SERIAL_8250_CONSOLE=y\n' ;;
	um) grep '^CONFIG_' "$tree/tools/testing/kunit/configs/arch_uml.config" ;;
	*) die "kunit-py.sh runs x86_64 and um, not $arch" ;;
	esac
	grep '^CONFIG_' "$tree/$suite_dir/.kunitconfig" |
		if [ ${#kconfig_add[@]} -gt 0 ]; then
			sed 's/^CONFIG_DM_IO_RUST=y$/# CONFIG_DM_IO_RUST is not set/'
		else
			cat
		fi
} >"$out/kunitconfig"
while IFS= read -r line; do
	grep -qx "$line" "$kdir/.config" || die "$line is not in $kdir/.config: kunit.py would reconfigure the build"
done <"$out/kunitconfig"
cp "$out/kunitconfig" "$kdir/last_used_kunitconfig"
rm -f "$kdir/.kunitconfig"

step "kunit.py run --arch=$arch --kunitconfig=$suite_dir (build directory $kdir)"
exec 9>"$kdir.lock"
flock 9
start=$SECONDS
rc=0
kunit=(python3 tools/testing/kunit/kunit.py run --arch="$arch"
	--build_dir="$kdir" --kunitconfig="$suite_dir"
	--make_options "LLVM=$LLVM_SUFFIX" --make_options CLIPPY=1 "${kconfig_add[@]}"
	--jobs="$(nproc)" --timeout="${DM_IO_RS_VM_TIMEOUT:-900}")
# kunit.py asks QEMU (not UML) for KVM first, and nested KVM on this
# machine kind fails in boot (see run-qemu.sh): unless DM_IO_RS_ACCEL=kvm,
# QEMU gets a /dev/kvm that is not one (in a mount namespace of its own)
# and takes TCG.
if [ "$arch" != um ] && [ "${DM_IO_RS_ACCEL:-tcg}" != kvm ] && [ -e /dev/kvm ] &&
	unshare --mount --propagation private true 2>/dev/null; then
	(cd "$tree" && unshare --mount --propagation private \
		sh -c 'mount --bind /dev/null /dev/kvm && exec "$@"' sh "${kunit[@]}") >"$out/kunit.log" 2>&1 || rc=$?
else
	(cd "$tree" && "${kunit[@]}") >"$out/kunit.log" 2>&1 || rc=$?
fi
grep -E "^\[[0-9:]+\] (Testing complete|.*(FAILED|CRASHED)|=+ .* =+$)" "$out/kunit.log" | sed 's/^/    /' | tail -n 25
! grep -q "Regenerating .config" "$out/kunit.log" ||
	die "kunit.py replaced the configuration of $kdir; log: $out/kunit.log"
[ "$rc" = 0 ] || { tail -n 60 "$out/kunit.log" >&2; die "kunit.py failed (rc $rc); log: $out/kunit.log"; }
# kunit.py passes a suite whatever the kernel printed beside it: its log
# (test.log in the build directory) is judged as a guest's console is.
kernel_reports "$kdir/test.log" "$out/reports.txt" || die "kunit.py: the kernel reported a problem; log: $kdir/test.log"
# A skipped case fails too: "passed" must be every test.
grep -Eq "Testing complete\. Ran ([0-9]+) tests: passed: \1$" "$out/kunit.log" ||
	die "kunit.py: not every test passed; log: $out/kunit.log"
for s in dm_io_rust_memory dm_io_rust_regions dm_io_rust_async dm_io_rust_failures dm_io_rust_flags rust_doctests_kernel; do
	grep -Eq "\[PASSED\] $s\$|=+ \[PASSED\] $s =+" "$out/kunit.log" || die "kunit.py: suite $s did not pass; log: $out/kunit.log"
done
info "kunit.py: $(sed -nE 's/.*Testing complete\. Ran ([0-9]+) tests.*/\1/p' "$out/kunit.log" | tail -n1) tests passed in $((SECONDS - start)) s; log: $out/kunit.log"
