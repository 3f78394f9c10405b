#!/usr/bin/env bash
# Build dm_io_rs.ko out of tree against KDIR (default: the cached guest
# kernel, built first if needed).
#
#   build-module.sh [clean|clippy]
# Fails on any compiler warning. Prints the modules' paths last, on one
# line (dm_io_rs.ko, dm_io_rust_kunit.ko, dm_rmirror.ko). Objects go to
# out/build/<kernel build name>/ (kbuild's MO=), so modules for several
# kernels can be built side by side. The bindings the patch series gets
# from the kernel's bindgen run are generated first, into gen/ there
# (scripts/lib/module-bindgen.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

if [ -z "${KDIR:-}" ]; then
	"$PROJECT_DIR/scripts/setup-host.sh" >&2
	KDIR="$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)"
fi
[ -f "$KDIR/Module.symvers" ] || die "KDIR=$KDIR is not a built kernel tree"

MO_DIR="$PROJECT_DIR/out/build/$(basename "$(readlink -f "$KDIR")")"
mkdir -p "$MO_DIR"
export DM_IO_RS_GEN="$MO_DIR/gen"
mk() { make -C "$KDIR" M="$PROJECT_DIR" MO="$MO_DIR" LLVM="$LLVM_SUFFIX" "$@"; }

case "${1:-}" in
clean)
	rm -rf "$PROJECT_DIR/out/build"
	# Objects of an in-tree (no MO=) build would make kbuild refuse MO=.
	make -C "$KDIR" M="$PROJECT_DIR" LLVM="$LLVM_SUFFIX" clean >/dev/null
	exit 0
	;;
clippy)
	# Force Rust objects to rebuild so clippy sees every file.
	find "$MO_DIR" -name '*.o' -delete
	extra=(CLIPPY=1)
	what="clippy"
	;;
*)
	extra=()
	what="build"
	;;
esac

mkdir -p "$PROJECT_DIR/out"
"$PROJECT_DIR/scripts/lib/module-bindgen.sh" "$KDIR" "$DM_IO_RS_GEN" >&2
# One log per kernel: check.sh builds for two kernels at once.
log="$MO_DIR/module-$what.log"
step "module $what against $KDIR" >&2
if ! mk "${extra[@]}" modules >"$log" 2>&1; then
	cat "$log" >&2
	die "module $what failed; log: $log"
fi
die_on_build_warnings "$log" "module $what"
info "no warnings ($log)" >&2
echo "$MO_DIR/dm_io_rs.ko $MO_DIR/dm_io_rust_kunit.ko $MO_DIR/dm_rmirror.ko"
