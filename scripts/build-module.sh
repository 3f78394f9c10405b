#!/usr/bin/env bash
# Build dm_io_rs.ko out of tree against KDIR (default: the cached guest
# kernel, built first if needed).
#
#   build-module.sh [clean|clippy|clippy-builtin]
# Fails on any compiler warning. Prints the module path last. Objects go to
# out/build/<kernel build name>/ (kbuild's MO=), so modules for several
# kernels (guest, debug, replace) can be built side by side.
# clippy-builtin: clippy and the C compiler on the in-tree link mode
# (`--cfg dm_io_builtin`, as scripts/prepare-replace-tree.sh builds it into
# dm-mod), compiled against KDIR from a copy in out/builtin-check; objects
# only, nothing is linked.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ -z "${KDIR:-}" ]; then
	"$PROJECT_DIR/scripts/setup-host.sh" >&2
	KDIR="$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)"
fi
[ -f "$KDIR/Module.symvers" ] || die "KDIR=$KDIR is not a built kernel tree"

MO_DIR="$PROJECT_DIR/out/build/$(basename "$(readlink -f "$KDIR")")"
mkdir -p "$MO_DIR"
mk() { make -C "$KDIR" M="$PROJECT_DIR" MO="$MO_DIR" LLVM="$LLVM_SUFFIX" "$@"; }

case "${1:-}" in
clean)
	rm -rf "$PROJECT_DIR/out/build"
	# Objects of an in-tree (no MO=) build would make kbuild refuse MO=.
	make -C "$KDIR" M="$PROJECT_DIR" LLVM="$LLVM_SUFFIX" clean >/dev/null
	exit 0
	;;
clippy-builtin)
	dir="$PROJECT_DIR/out/builtin-check"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$PROJECT_DIR/src" "$PROJECT_DIR/include" "$dir/"
	find "$dir/src" \( -name '*.o' -o -name '.*.cmd' -o -name '*.d' \) -delete
	cat >"$dir/Kbuild" <<'EOF'
obj-m := dm_io_builtin_check.o
dm_io_builtin_check-y := src/dm_io_rs.o src/helpers.o src/exports.o
ccflags-y += -I$(src)/src -I$(src)/include
RUSTFLAGS_src/dm_io_rs.o := --cfg dm_io_builtin
CFLAGS_src/exports.o := -DDM_IO_RS_BUILTIN
EOF
	log="$PROJECT_DIR/out/module-clippy-builtin.log"
	step "clippy of the in-tree link mode against $KDIR" >&2
	make -C "$KDIR" M="$dir" LLVM="$LLVM_SUFFIX" CLIPPY=1 src/dm_io_rs.o src/helpers.o src/exports.o >"$log" 2>&1 || {
		cat "$log" >&2
		die "in-tree link mode build failed; log: $log"
	}
	if grep -Eq "(^|: )(warning|error)(\[|:)" "$log"; then
		grep -E -A 12 "(^|: )(warning|error)(\[|:)" "$log" >&2
		die "in-tree link mode printed warnings; log: $log"
	fi
	nm "$dir/src/dm_io_rs.o" | grep -Eq ' T dm_io$' || die "in-tree link mode does not define dm_io"
	info "no warnings ($log)" >&2
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
log="$PROJECT_DIR/out/module-$what.log"
step "module $what against $KDIR" >&2
if ! mk "${extra[@]}" modules >"$log" 2>&1; then
	cat "$log" >&2
	die "module $what failed; log: $log"
fi
if grep -Eq "(^|: )(warning|error)(\[|:)" "$log"; then
	grep -E -A 12 "(^|: )(warning|error)(\[|:)" "$log" >&2
	die "module $what printed warnings; log: $log"
fi
info "no warnings ($log)" >&2
echo "$MO_DIR/dm_io_rs.ko"
