#!/usr/bin/env bash
# Configure and build the guest kernel in the cache, keyed by the Debian
# source version and the hash of the config fragment(s).
#
#   build-kernel.sh [VARIANT]     VARIANT: guest (default), debug, replace,
#                                 or fragments joined by '+': replace+debug
#
# VARIANT other than guest adds scripts/config/VARIANT.config. `replace`
# also builds from the source with the patch series applied
# (scripts/make-patches.sh, scripts/lib/prepare-series-tree.sh): dm-mod links
# the Rust dm-io in place of drivers/md/dm-io.c. The series' hash is part
# of its stamp: when it changes, the same build directory is rebuilt
# incrementally.
#
# Prints the build directory (usable as KDIR) on the last line of stdout.
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

variant="${1:-guest}"
src="$("$PROJECT_DIR/scripts/lib/fetch-kernel.sh" | tail -n1)"
version="$(cat "$src/.dm-io-rs-debian-version")"

# A variant may combine fragments with '+': replace+debug. Its base is the
# same variant without `replace` (guest, debug).
fragments=("$PROJECT_DIR/scripts/config/guest.config")
base_fragments=("${fragments[@]}")
base_parts=()
replace=0
IFS=+ read -ra parts <<<"$variant"
for part in "${parts[@]}"; do
	[ "$part" = guest ] || fragments+=("$PROJECT_DIR/scripts/config/$part.config")
	if [ "$part" = replace ]; then
		replace=1
	elif [ "$part" != guest ]; then
		base_fragments+=("$PROJECT_DIR/scripts/config/$part.config")
		base_parts+=("$part")
	fi
done
for f in "${fragments[@]}"; do [ -f "$f" ] || die "missing config fragment $f"; done
hash="$(cat "${fragments[@]}" | sha256sum | cut -c1-12)"
out="$CACHE_DIR/build/$version-$variant-$hash"
base_variant="$(IFS=+; echo "${base_parts[*]:-guest}")"
base="$CACHE_DIR/build/$version-$base_variant-$(cat "${base_fragments[@]}" | sha256sum | cut -c1-12)"

# The stamp of a finished build names what it was made from beyond the
# directory's key: for `replace`, the patch series.
stamp=""
if [ "$replace" = 1 ]; then
	patches="$("$PROJECT_DIR/scripts/make-patches.sh" | tail -n1)"
	mapfile -t series < <(find "$patches" -name '[0-9]*.patch' ! -name '0000-*' | sort)
	stamp="series $(series_sum "${series[@]}")"
fi

# config_is_ours: the options are still those this script configured (a
# tool run in the build directory, kunit.py say, may have changed them).
config_is_ours() {
	[ -f "$out/.dm-io-rs-config" ] && cmp -s <(grep '^CONFIG_' "$out/.config") "$out/.dm-io-rs-config"
}
if [ -f "$out/.dm-io-rs-built" ] && [ "$(cat "$out/.dm-io-rs-built")" = "$stamp" ] && config_is_ours; then
	info "kernel $version ($variant, fragment $hash${stamp:+, $stamp}) cached at $out" >&2
	echo "$out"
	exit 0
fi

mkdir -p "$out"
# One build per directory at a time (worktrees share the cache).
exec 9>"$out.lock"
flock 9
if [ -f "$out/.dm-io-rs-built" ] && [ "$(cat "$out/.dm-io-rs-built")" = "$stamp" ] && config_is_ours; then
	info "kernel $version ($variant) was built meanwhile: $out" >&2
	echo "$out"
	exit 0
fi
if [ "$replace" = 1 ]; then
	# Every replace build compiles the one series tree: one at a time, so
	# none sees it change under it.
	exec 8>"$src-series.lock"
	flock 8
	stock_src="$src"
	src="$("$PROJECT_DIR/scripts/lib/prepare-series-tree.sh" "$src" "$patches" | tail -n1)"

	# Never configured: start from the base's finished build, if there is
	# one. The series tree is a linked copy of the source, so kbuild then
	# compiles what the series and its options change (a few minutes), not
	# the whole kernel.
	if [ ! -f "$out/.dm-io-rs-configured" ] && [ -f "$base/.dm-io-rs-built" ] &&
		[ -z "$(cat "$base/.dm-io-rs-built")" ]; then
		step "starting the $variant build from the $base_variant build ($base)" >&2
		exec 7>"$base.lock"
		flock 7
		seed_build "$base" "$out" "$stock_src" "$src"
		exec 7>&-
	fi
fi

# The series' Rust is built with clippy (the kernel's CLIPPY=1), and the
# build must print no warning (below).
clippy=()
[ "$replace" = 0 ] || clippy=(CLIPPY=1)
mk() { make -C "$src" O="$out" LLVM="$LLVM_SUFFIX" "${clippy[@]}" "$@"; }

if [ -f "$out/.dm-io-rs-configured" ] && [ "$(cat "$out/.dm-io-rs-configured")" = "$hash" ] && config_is_ours; then
	info "kernel $version ($variant) already configured in $out; rebuilding ($stamp)" >&2
else
	step "configuring kernel $version ($variant, fragment $hash)" >&2
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
	grep '^CONFIG_' "$out/.config" >"$out/.dm-io-rs-config"
	echo "$hash" >"$out/.dm-io-rs-configured"
fi

step "building kernel (bzImage, modules; ~17 min from nothing on 2 cores, the debug kernel more; minutes when incremental)" >&2
rm -f "$out/.dm-io-rs-built"
start=$SECONDS
mk -j"$(nproc)" bzImage modules >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	die "kernel build failed; full log in $out/build.log"
}
# The kernel build does not fail on warnings; the project does for the
# tree it changed (the stock build prints none).
[ "$replace" = 0 ] || die_on_build_warnings "$out/build.log" "the replace kernel build"
info "kernel built in $((SECONDS - start)) s" >&2
grep '^CONFIG_' "$out/.config" >"$out/.dm-io-rs-config"
echo "$stamp" >"$out/.dm-io-rs-built"
echo "$out"
