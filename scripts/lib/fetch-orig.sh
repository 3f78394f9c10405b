#!/usr/bin/env bash
# The files of the upstream kernel source that the patch series changes,
# from Debian's `linux_<upstream>.orig.tar.xz` (the source package of the
# linux-source-7.3 that scripts/lib/fetch-kernel.sh unpacks), for the series'
# apply check. Cached by version. Prints the directory on the last line.
# DM_IO_RS_ORIG_TARBALL=<path> uses a tarball at hand. Exits with 2 when
# the tarball cannot be had (a mirror without source packages).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

src="$("$PROJECT_DIR/scripts/lib/fetch-kernel.sh" | tail -n1)"
version="$(cat "$src/.dm-io-rs-debian-version")"
upstream="${version%%-*}"
dir="$CACHE_DIR/src/linux-orig-$upstream"
if [ -f "$dir/.dm-io-rs-unpacked" ]; then
	info "upstream source $upstream (the series' files) cached at $dir" >&2
	echo "$dir"
	exit 0
fi

tmp="$(mktemp -d "$CACHE_DIR/src/orig.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # apt downloads as _apt when it can
orig="${DM_IO_RS_ORIG_TARBALL:-$tmp/linux_$upstream.orig.tar.xz}"
if [ -z "${DM_IO_RS_ORIG_TARBALL:-}" ]; then
	step "downloading linux_$upstream.orig.tar.xz (source package linux $version, ~150 MB)" >&2
	if ! apt-cache showsrc linux 2>/dev/null | grep -x "Version: $version" >/dev/null; then
		step "apt-get update (deb-src indices)" >&2
		apt-get update -q >&2 || true
	fi
	if ! (cd "$tmp" && apt-get source -q --download-only --tar-only "linux=$version" >&2); then
		info "cannot download the source package linux=$version from the apt sources" >&2
		exit 2
	fi
fi
[ -f "$orig" ] || die "no $orig"

# The pre-images: every file the series changes that the release has.
mapfile -t files < <(python3 "$PROJECT_DIR/scripts/lib/series.py" files |
	while IFS= read -r f; do [ ! -e "$src/$f" ] || echo "linux-$upstream/$f"; done)
step "unpacking the ${#files[@]} files the series changes" >&2
mkdir -p "$tmp/x"
tar -C "$tmp/x" -xJf "$orig" "${files[@]}" || die "$orig lacks files the series changes"
rm -rf "$dir"
mv "$tmp/x/linux-$upstream" "$dir"
touch "$dir/.dm-io-rs-unpacked"
echo "$dir"
