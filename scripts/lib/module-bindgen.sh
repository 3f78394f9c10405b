#!/usr/bin/env bash
# Generate, for the out-of-tree modules, the bindings that the patch series
# gets from the kernel's own bindgen run (rust/bindings/bindings_helper.h and
# rust/helpers/): the device-mapper headers, constants, and our helpers.
#
#   module-bindgen.sh KDIR OUTDIR
#
# Uses the clang flags of KDIR's own bindgen command (rust/bindings/
# .bindings_generated.rs.cmd), so the layout matches that kernel's config.
# Writes OUTDIR/bindings_generated.rs and OUTDIR/bindings_helpers_generated.rs,
# rewritten only when their content changes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kdir="$(cd "$1" && pwd)"
out="$2"
mkdir -p "$out"
cmd="$kdir/rust/bindings/.bindings_generated.rs.cmd"
[ -f "$cmd" ] || die "$cmd missing: KDIR is not a built Rust kernel"
src="$(readlink -f "$kdir/source" 2>/dev/null || true)"
[ -n "$src" ] || src="$(sed -n 's/^savedcmd_[^ ]* := bindgen \([^ ]*\)\/rust\/bindings\/bindings_helper.h.*/\1/p' "$cmd")"
[ -d "$src/rust" ] || die "cannot find the source tree of $kdir"

# The clang arguments after `--`, without the dependency-file option.
clang_args="$(sed -n 's/^savedcmd_[^ ]* := .* -- //p' "$cmd" |
	sed -E 's/-Wp,-MMD,[^ ]*//; s/; sed .*//')"
params="$(grep -Ev '^#|^$' "$src/rust/bindgen_parameters")"
common="--rust-target 1.85 --use-core --with-derive-default --ctypes-prefix ffi
	--no-layout-tests --no-debug '.*' --enable-function-attribute-detection"

gen() { # gen OUT INPUT SED_SCRIPT BINDGEN_ARGS... [-- CLANG_ARGS...]
	local dst="$1" input="$2" script="$3" tmp
	shift 3
	tmp="$(mktemp "$out/.gen.XXXXXX")"
	# shellcheck disable=SC2086
	local args=() extra=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	[ $# -eq 0 ] || { shift; extra=("$@"); }
	(cd "$kdir" && eval bindgen "$input" $common $params "${args[@]}" -o "$tmp" -- $clang_args \
		"${extra[@]}") ||
		{ rm -f "$tmp"; die "bindgen failed on $input"; }
	sed -Ei "$script" "$tmp"
	if cmp -s "$tmp" "$dst"; then rm -f "$tmp"; else mv "$tmp" "$dst"; fi
}

# The device-mapper headers, without the types the kernel's bindings have:
# only what is named below, and everything else from `kernel::bindings`.
gen "$out/bindings_generated.rs" "$PROJECT_DIR/src/out_of_tree/bindings_helper.h" \
	's/pub const RUST_CONST_HELPER_([a-zA-Z0-9_]*)/pub const \1/g' \
	--no-recursive-allowlist \
	"--allowlist-type '(__)?u(8|16|32|64)_?|dm_(target|dev|table|io_.*|report_zones_args|.*_fn)|target_type|page_list|io_notify_fn|iterate_devices_callout_fn|status_type_t|map_info|mapped_device|dax_device|dax_access_mode|dm_bio_details'" \
	"--allowlist-function 'dm_(get_device|put_device|table_get_mode|table_event|per_bio_data|register_target|unregister_target|set_target_max_io_len|get_reserved_bio_based_ios|io_test_disk_.*)'" \
	"--allowlist-var 'RUST_CONST_HELPER_.*|DM_(MAPIO|ENDIO)_.*|STATUSTYPE_.*'" \
	-- "-I$src/rust/bindings"

# The helpers, as rust/Makefile generates bindings_helpers_generated.rs.
gen "$out/bindings_helpers_generated.rs" "$PROJECT_DIR/src/out_of_tree/helpers.c" \
	's/pub fn rust_helper_([a-zA-Z0-9_]*)/#[link_name="rust_helper_\1"]\n    pub fn \1/g' \
	"--blocklist-type '.*'" "--allowlist-var ''" "--allowlist-function 'rust_helper_.*'" \
	-- -Wno-missing-prototypes -Wno-missing-declarations "-I$src/rust/helpers"
