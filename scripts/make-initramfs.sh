#!/usr/bin/env bash
# Pack a busybox initramfs with the module(s) and a guest script.
#
#   make-initramfs.sh OUT.cpio.gz GUEST_SCRIPT MODULE.ko...
#
# GUEST_SCRIPT becomes /test.sh and is run by tests/guest/init; the
# modules land in /modules.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out="$1"
script="$2"
shift 2

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,modules,etc,mnt}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
cp "$PROJECT_DIR/tests/guest/init" "$root/init"
cp "$PROJECT_DIR/tests/guest/lib.sh" "$root/lib.sh"
cp "$script" "$root/test.sh"
chmod +x "$root/init" "$root/test.sh"
for m in "$@"; do cp "$m" "$root/modules/"; done
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$out"
