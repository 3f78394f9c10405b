#!/usr/bin/env bash
# `make soak`: long randomised runs against rare events; not part of
# `make check`. Each part boots its own guest and is judged like the
# check's runs (no kernel report, no leak, every expected test passing):
#
#   stress   the mixed load of tests/c/stress.c on the debug kernel, in
#            rounds until SOAK_REQUESTS requests (100000) from 4 threads,
#            with allocation failures, a device failing bios at random
#            (fail_make_request) and one powered off and on mid-run;
#            every read and the final contents checked
#   diff     tests/c/abi_diff.c on the stock kernel: SOAK_SHAPES random
#            shapes (100000) through rdm_io() and the kernel's dm_io()
#   rmirror  tests/guest/rmirror-faults.sh on the debug kernel: the rmirror
#            constructor and a write under fail-nth, resyncs under
#            allocation failures in the workqueue's workers
#
# SOAK_SEED (default: the time) seeds the stress and diff parts; each
# prints how to replay what failed. SOAK_PARTS picks parts (default all).
# DM_IO_RS_VM_TIMEOUT, if set, is every part's time limit (default: 4 h,
# 8 h and 2 h).
# Stops nothing early: every part runs, the summary says which failed.
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

total=$SECONDS
SOAK_REQUESTS="${SOAK_REQUESTS:-100000}"
SOAK_SHAPES="${SOAK_SHAPES:-100000}"
SOAK_SEED="${SOAK_SEED:-$(date +%s)}"
SOAK_PARTS="${SOAK_PARTS:-stress diff rmirror}"
summary="$PROJECT_DIR/out/soak-summary.txt"

"$PROJECT_DIR/scripts/setup-host.sh"
stock_kdir="$(kernel_kdir stock)"
debug_kdir="$(kernel_kdir stock+debug)"
# Each a space-separated list of the three modules.
stock_ko="$(KDIR="$stock_kdir" "$PROJECT_DIR/scripts/build-module.sh" | tail -n1)"
debug_ko="$(KDIR="$debug_kdir" "$PROJECT_DIR/scripts/build-module.sh" | tail -n1)"
mkdir -p "$PROJECT_DIR/out/bin"
gcc -O2 -static -Wall -Wextra -Werror -o "$PROJECT_DIR/out/bin/dm-failnth" \
	"$PROJECT_DIR/tests/guest/dm-failnth.c"
export PATH="$PROJECT_DIR/out/bin:$PATH"

step "soak: seed $SOAK_SEED ($SOAK_REQUESTS requests, $SOAK_SHAPES shapes; replay with SOAK_SEED=$SOAK_SEED)"
: >"$summary"
failed=()

# part NAME KERNEL MODULES SCRIPT TIMEOUT HEADER: boot tests/guest/SCRIPT.sh
# with HEADER in front on KERNEL, judged against SCRIPT.suites.
part() {
	local name="$1" kernel="$2" ko="$3" script="$4" limit="${DM_IO_RS_VM_TIMEOUT:-$5}" header="$6"
	local out="$PROJECT_DIR/out/soak-$name" start=$SECONDS kos=() headers=()

	read -ra kos <<<"$ko"
	[ -z "$header" ] || headers=(-e "$header")
	if "$PROJECT_DIR/scripts/lib/run-suite.sh" -k "$kernel" -o "soak-$name" -t "$limit" "${headers[@]}" \
		"$script" "${kos[@]}"; then
		echo "$name: passed in $((SECONDS - start)) s" >>"$summary"
	else
		echo "$name: FAILED after $((SECONDS - start)) s (out/soak-$name/console.txt)" >>"$summary"
		failed+=("$name")
	fi
	# The part's own summary lines, for the report.
	tr -d '\r' <"$out/console.log" | sed -n '/dm-io-rs: guest up/,$p' |
		grep -E "dm-io-rs (soak|diff): (passed|FAILED|mismatch|round|[0-9]+ shapes of seed)|power cycle:|dm-failnth: |^# [0-9]+ resyncs|^# round [0-9]+: resync stalled|^(not )?ok [0-9]+ [a-z_]+$" |
		sed "s/^/    $name: /" >>"$summary" || true
}

for p in $SOAK_PARTS; do
	case "$p" in
	stress)
		part stress stock+debug "$debug_ko" soak 14400 \
			"SOAK_REQUESTS=$SOAK_REQUESTS SOAK_SEED=$SOAK_SEED"
		;;
	diff)
		part diff stock "$stock_ko" soak-diff 28800 \
			"SOAK_SHAPES=$SOAK_SHAPES SOAK_SEED=$SOAK_SEED"
		;;
	rmirror)
		part rmirror stock+debug "$debug_ko" rmirror-faults 7200 ""
		;;
	*) die "unknown soak part '$p' (stress, diff, rmirror)" ;;
	esac
done

step "soak summary (seed $SOAK_SEED, $((SECONDS - total)) s)"
sed 's/^/    /' "$summary"
echo "soak: seed $SOAK_SEED, $((SECONDS - total)) s" >>"$summary"
[ "${#failed[@]}" -eq 0 ] || die "soak parts failed: ${failed[*]}"
step "make soak passed in $((SECONDS - total)) s"
