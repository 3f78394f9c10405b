#!/usr/bin/env bash
# Configure and build the guest kernel in the cache, keyed by the Debian
# source version and the hash of the config fragment(s).
#
#   build-kernel.sh [VARIANT]     VARIANT: guest (default)
#
# Prints the build directory (usable as KDIR) on the last line of stdout.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

variant="${1:-guest}"
src="$("$PROJECT_DIR/scripts/fetch-kernel.sh" | tail -n1)"
version="$(cat "$src/.dm-io-rs-debian-version")"

fragments=("$PROJECT_DIR/scripts/config/guest.config")
[ "$variant" = guest ] || fragments+=("$PROJECT_DIR/scripts/config/$variant.config")
for f in "${fragments[@]}"; do [ -f "$f" ] || die "missing config fragment $f"; done
hash="$(cat "${fragments[@]}" | sha256sum | cut -c1-12)"
out="$CACHE_DIR/build/$version-$variant-$hash"

if [ -f "$out/.dm-io-rs-built" ]; then
	info "kernel $version ($variant, fragment $hash) cached at $out" >&2
	echo "$out"
	exit 0
fi

mk() { make -C "$src" O="$out" LLVM="$LLVM_SUFFIX" "$@"; }

step "configuring kernel $version ($variant, fragment $hash)" >&2
mkdir -p "$out"
mk -s allnoconfig >&2
(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${fragments[@]}" >/dev/null)
mk -s olddefconfig >&2

# merge_config warns but goes on when an option does not survive; a
# missing option here would only show up as a confusing failure later.
for f in "${fragments[@]}"; do
	while IFS= read -r line; do
		case "$line" in CONFIG_*=y) ;; *) continue ;; esac
		grep -qx "$line" "$out/.config" || die "$line did not survive olddefconfig"
	done <"$f"
done
mk -s rustavailable >&2 || die "Rust is not available for this kernel build"

step "building kernel (bzImage, modules; ~4 min cold on 2 cores)" >&2
start=$SECONDS
mk -j"$(nproc)" bzImage modules >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	die "kernel build failed; full log in $out/build.log"
}
info "kernel built in $((SECONDS - start)) s" >&2
touch "$out/.dm-io-rs-built"
echo "$out"
