#!/usr/bin/env bash
# Fetch Debian's current linux-source-7.3 and unpack it into the cache.
# Prints the path of the unpacked tree on the last line of stdout.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PKG="linux-source-$KERNEL_SERIES"
SRC_ROOT="$CACHE_DIR/src"
mkdir -p "$SRC_ROOT"

# The version apt offers today; Debian replaces old point releases.
candidate="$(apt-cache policy "$PKG" 2>/dev/null | awk '/Candidate:/ {print $2}')"
if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
	step "apt-get update (no candidate for $PKG yet)"
	apt-get update -q >&2
	candidate="$(apt-cache policy "$PKG" | awk '/Candidate:/ {print $2}')"
fi
[ -n "$candidate" ] && [ "$candidate" != "(none)" ] || die "$PKG not available from apt"

tree="$SRC_ROOT/$PKG-$candidate"
if [ -f "$tree/.dm-io-rs-unpacked" ]; then
	info "kernel source $PKG $candidate cached at $tree" >&2
else
	step "downloading $PKG $candidate (~170 MB)" >&2
	tmp="$(mktemp -d "$SRC_ROOT/dl.XXXXXX")"
	chmod 755 "$tmp" # apt downloads as _apt when it can
	(cd "$tmp" && apt-get download -q "$PKG=$candidate" >&2)
	step "unpacking $PKG" >&2
	dpkg-deb -x "$tmp"/*.deb "$tmp/deb"
	rm -rf "$tree"
	mkdir -p "$tree.partial"
	tar -C "$tree.partial" --strip-components=1 -xJf "$tmp/deb/usr/src/$PKG.tar.xz"
	rm -rf "$tmp"
	echo "$candidate" >"$tree.partial/.dm-io-rs-debian-version"
	touch "$tree.partial/.dm-io-rs-unpacked"
	mv "$tree.partial" "$tree"
	info "unpacked to $tree" >&2
fi
echo "$tree"
