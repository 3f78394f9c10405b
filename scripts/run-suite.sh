#!/usr/bin/env bash
# Boot the guest with a test script and judge the console log.
#
#   run-suite.sh NAME [MODULE.ko...]
# NAME picks tests/guest/NAME.sh and tests/guest/NAME.suites (the KTAP
# tests, KUnit suites or scenarios, that must appear and pass).
# KDIR: the kernel build to boot (default: the stock guest kernel).
# DM_IO_RS_RUN: the name of the run's directory under out/ (default NAME).
# DM_IO_RS_CMDLINE: extra kernel command line (see run-qemu.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

name="$1"
shift
KDIR="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)}"
src="$(readlink -f "$KDIR/source" 2>/dev/null || "$PROJECT_DIR/scripts/fetch-kernel.sh" | tail -n1)"
out="$PROJECT_DIR/out/${DM_IO_RS_RUN:-$name}"
mkdir -p "$out"

step "guest run '$name' on $(basename "$KDIR")"
"$PROJECT_DIR/scripts/make-initramfs.sh" "$out/initramfs.cpio.gz" \
	"$PROJECT_DIR/tests/guest/$name.sh" "$@"
"$PROJECT_DIR/scripts/run-qemu.sh" "$KDIR/arch/x86/boot/bzImage" \
	"$out/initramfs.cpio.gz" "$out/console.log"
suites=()
[ -f "$PROJECT_DIR/tests/guest/$name.suites" ] &&
	mapfile -t suites < <(grep -v '^#' "$PROJECT_DIR/tests/guest/$name.suites" | grep .)
"$PROJECT_DIR/scripts/judge.sh" "$out/console.log" "$src" "${suites[@]}"
