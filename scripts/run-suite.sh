#!/usr/bin/env bash
# Boot the guest with a test script and judge the console log.
#
#   run-suite.sh NAME MODULE.ko [LABEL]
# NAME picks tests/guest/NAME.sh and tests/guest/NAME.suites (the KUnit
# suites that must appear and pass); the logs go to out/LABEL (default
# NAME). KDIR picks the kernel (default: the cached guest kernel).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

name="$1"
ko="$2"
KDIR="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)}"
src="$(readlink -f "$KDIR/source" 2>/dev/null || "$PROJECT_DIR/scripts/fetch-kernel.sh" | tail -n1)"
label="${3:-$name}"
out="$PROJECT_DIR/out/$label"
mkdir -p "$out"

step "guest run '$label' on $(basename "$KDIR")"
"$PROJECT_DIR/scripts/make-initramfs.sh" "$out/initramfs.cpio.gz" \
	"$PROJECT_DIR/tests/guest/$name.sh" "$ko"
"$PROJECT_DIR/scripts/run-qemu.sh" "$KDIR/arch/x86/boot/bzImage" \
	"$out/initramfs.cpio.gz" "$out/console.log"
suites=()
[ -f "$PROJECT_DIR/tests/guest/$name.suites" ] &&
	mapfile -t suites < <(grep -v '^#' "$PROJECT_DIR/tests/guest/$name.suites" | grep .)
"$PROJECT_DIR/scripts/judge.sh" "$out/console.log" "$src" "${suites[@]}"
