#!/usr/bin/env bash
# The Debian guest root for the consumers' own test suites (cryptsetup's
# integrity-compat-test and verity-compat-test; fio for benchmarks): a
# bookworm minbase with the packages below, our PID 1
# (tests/guest/debian-init) and cryptsetup's tests from Debian's source of
# the cryptsetup-bin it installs, packed into an ext4 image (mkfs.ext4 -d).
#
#   build-guest-root.sh       prints the image's path on the last line
#
# Cached in $CACHE_DIR/guest-root/<key>/ (key: this script, which holds the
# package list, and the init); a run that finds the image does nothing.
# Guests boot it with QEMU's snapshot=on: the image is never written.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUITE=bookworm
MIRROR=http://deb.debian.org/debian
# What the two cryptsetup scripts call, besides minbase's coreutils, grep,
# sed, ...: losetup, blockdev and fallocate (util-linux), hexdump
# (bsdextrautils), xxd, dmsetup, integritysetup/veritysetup, modprobe;
# busybox for the init's reboot (no systemd or sysvinit here).
PACKAGES=(bash coreutils util-linux cryptsetup-bin dmsetup xxd bsdextrautils
	kmod procps fio busybox)
# Room for the tests' image files (two of 64 MiB at most at a time, sparse
# ones of several GB) on top of the ~250 MB of packages.
IMAGE_SIZE=1G

init="$PROJECT_DIR/tests/guest/debian-init"
key="$(cat "${BASH_SOURCE[0]}" "$init" | sha256sum | cut -c1-12)"
dir="$CACHE_DIR/guest-root/$SUITE-$key"
image="$dir/root.ext4"

if [ -f "$image" ]; then
	info "Debian guest root cached at $image" >&2
	echo "$image"
	exit 0
fi
mkdir -p "$CACHE_DIR/guest-root"
exec 9>"$dir.lock"
flock 9
if [ -f "$image" ]; then
	info "Debian guest root was built meanwhile: $image" >&2
	echo "$image"
	exit 0
fi

start=$SECONDS
work="$dir.partial"
rm -rf "$work"
mkdir -p "$work/src"
root="$work/root"

step "debootstrap --variant=minbase $SUITE with ${PACKAGES[*]} (~3-5 min cold)" >&2
include="$(IFS=,; echo "${PACKAGES[*]}")"
timed debootstrap --variant=minbase --include="$include" "$SUITE" "$root" "$MIRROR" \
	>"$work/debootstrap.log" 2>&1 || {
	tail -n 20 "$work/debootstrap.log" >&2
	die "debootstrap failed; log: $work/debootstrap.log"
}

# The tests of exactly the cryptsetup version the root runs.
version="$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Version}' cryptsetup-bin)"
step "cryptsetup $version source: integrity-compat-test, verity-compat-test" >&2
# apt checks the files against the signed Release; dpkg-source has no
# keyring for the .dsc's own signature and would only warn.
(cd "$work/src" && apt-get source -q -o APT::Sandbox::User=root --download-only \
	"cryptsetup=$version" >"$work/apt-source.log" 2>&1) ||
	die "apt-get source cryptsetup=$version failed (a bookworm deb-src entry: setup-host.sh); log: $work/apt-source.log"
dpkg-source -x "$work/src"/cryptsetup_*.dsc "$work/src/cryptsetup" >"$work/dpkg-source.log" 2>&1 ||
	die "dpkg-source failed; log: $work/dpkg-source.log"
mkdir -p "$root/opt/cryptsetup-tests"
cp "$work/src/cryptsetup/tests/integrity-compat-test" \
	"$work/src/cryptsetup/tests/verity-compat-test" "$root/opt/cryptsetup-tests/"
echo "$version" >"$root/opt/cryptsetup-tests/VERSION"

install -m 755 "$init" "$root/sbin/dm-io-rs-init"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

step "mkfs.ext4 -d: $IMAGE_SIZE image" >&2
mkfs.ext4 -q -F -L dm-io-rs-root -d "$root" "$work/root.ext4" "$IMAGE_SIZE" >&2
rm -rf "$root" "$work/src"
mv "$work" "$dir"
info "Debian guest root built in $((SECONDS - start)) s: $image" >&2
echo "$image"
