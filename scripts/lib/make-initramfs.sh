#!/usr/bin/env bash
# Pack a busybox initramfs with the module(s) and a guest script.
#
#   make-initramfs.sh OUT.cpio.gz GUEST_SCRIPT MODULE.ko...
#
# GUEST_SCRIPT becomes /test.sh and is run by tests/guest/init; the
# modules land in /modules. Host programs listed one per line in
# GUEST_SCRIPT with .sh replaced by .bins (dmsetup, fio, ...) are copied to
# /usr/bin with the shared libraries ldd names for them.
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

bins="${script%.sh}.bins"
if [ -f "$bins" ]; then
	mkdir -p "$root/usr/bin"
	while read -r name; do
		case "$name" in '' | '#'*) continue ;; esac
		path="$(command -v "$name")" || die "$name is not installed on the host (setup-host.sh installs it)"
		cp "$path" "$root/usr/bin/$name"
		# ldd prints "lib => /path (addr)" and "/lib64/ld-linux... (addr)".
		for lib in $(ldd "$path" | grep -o '/[^ ]*'); do
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	done <"$bins"
fi
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$out"
