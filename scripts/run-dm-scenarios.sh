#!/usr/bin/env bash
# The real-consumer scenarios (tests/guest/dm.sh): the kernel's own dm
# targets on the stock kernel (C drivers/md/dm-io.c) and on the replace
# kernel (the project's Rust dm-io built into dm-mod), judged the same way.
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
done
