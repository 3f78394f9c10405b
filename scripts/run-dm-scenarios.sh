#!/usr/bin/env bash
# The real-consumer scenarios (tests/guest/dm.sh): the kernel's own dm
# targets on the stock kernel (C drivers/md/dm-io.c) and on the replace
# kernel (the project's Rust dm-io built into dm-mod), judged the same way;
# then swapping onto a mirror under memory pressure (tests/guest/swap.sh).
#
#   run-dm-scenarios.sh [KERNEL]...     (default: stock replace)
#
# KERNEL: stock or replace, optionally with more config fragments joined by
# '+' (stock+debug, replace+debug: the kernel's checkers, KASAN, lockdep,
# kmemleak...; see scripts/config/debug.config).
# Console logs: out/dm-KERNEL/. Prints each scenario's time on each kernel.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(stock replace)

for k in "${kernels[@]}"; do
	base="${k%%+*}"
	extra="${k#"$base"}"
	case "$base" in
	stock) variant="${extra#+}" impl=c ;;
	replace) variant="replace$extra" impl=rust ;;
	*) die "unknown kernel '$k' (stock or replace, optionally +fragment)" ;;
	esac
	variant="${variant:-guest}"
	start=$SECONDS
	kdir="$("$PROJECT_DIR/scripts/build-kernel.sh" "$variant" | tail -n1)"
	# kunit.enable=0: the replace kernel's built-in suites and doctests
	# are kunit.py's business (scripts/kunit-py.sh).
	KDIR="$kdir" DM_IO_RS_RUN="dm-$k" DM_IO_RS_CMDLINE="dmio=$impl kunit.enable=0 ${DM_IO_RS_CMDLINE:-}" \
		"$PROJECT_DIR/scripts/run-suite.sh" dm
	step "dm scenarios on the $k kernel ($impl dm-io) passed in $((SECONDS - start)) s"
	grep -E '^# dm_[a-z_]+: [0-9.]+ s$' "$PROJECT_DIR/out/dm-$k/console.txt" | sed 's/^# /    /'
	# Memory pressure (tests/guest/swap.sh): a guest of 192 MiB swaps onto
	# a mirror; the replace kernel's in-tree rmirror as well.
	start=$SECONDS
	rmirror=()
	[ "$impl" = c ] || rmirror=("$kdir/drivers/md/dm-rmirror/dm_rmirror.ko")
	KDIR="$kdir" DM_IO_RS_RUN="swap-$k" DM_IO_RS_VM_MEM=192M DM_IO_RS_SCRATCH_MB=1024 \
		DM_IO_RS_CMDLINE="dmio=$impl kunit.enable=0 ${DM_IO_RS_CMDLINE:-}" \
		"$PROJECT_DIR/scripts/run-suite.sh" swap "${rmirror[@]}"
	if [ "$impl" = rust ]; then
		grep -Eq '^ok [0-9]+ swap_rmirror$' "$PROJECT_DIR/out/swap-$k/console.txt" ||
			die "swap_rmirror did not pass on the $k kernel"
	fi
	step "memory-pressure scenarios on the $k kernel passed in $((SECONDS - start)) s"
	grep -E '^# (swap_[a-z_]+: [0-9.]+ s|pages swapped out.*)$' "$PROJECT_DIR/out/swap-$k/console.txt" | sed 's/^# /    /'
done
