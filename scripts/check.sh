#!/usr/bin/env bash
# Everything the project tests: formatting, clippy, a warning-free build,
# then the KUnit suites in a QEMU guest on real block devices (guest and
# debug kernels), then the patch series and the kernel built from it (the
# replace kernel, with the Rust dm-io in dm-mod), then the kernel's own dm
# targets on the stock kernel (C dm-io) and on the replace kernel.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

total=$SECONDS
"$PROJECT_DIR/scripts/setup-host.sh"
export KDIR="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)}"
src="${KERNEL_SRC:-$(readlink -f "$KDIR/source" 2>/dev/null || "$PROJECT_DIR/scripts/fetch-kernel.sh" | tail -n1)}"

step "rustfmt --check"
mapfile -t rs < <(cd "$PROJECT_DIR" && find src tests -name '*.rs' | sort)
(cd "$PROJECT_DIR" && rustfmt --check --edition 2021 --config-path "$src/.rustfmt.toml" "${rs[@]}") ||
	die "rustfmt: run 'rustfmt --edition 2021 --config-path $src/.rustfmt.toml' on the files above"

# The judge's filter for the warnings tests expect (scripts/judge.sh).
python3 "$PROJECT_DIR/scripts/expected-warning.py" --self-test

# The debug kernel's modules are built beside the guest kernel's (kbuild
# runs one job at a time here). The clippy build is the guest's build:
# clippy-driver compiles as rustc does, and fails on the same warnings.
debug_kdir=
debug_build=
if [ "${DM_IO_RS_DEBUG_KERNEL:-1}" = 1 ]; then
	debug_kdir="$("$PROJECT_DIR/scripts/build-kernel.sh" debug | tail -n1)"
	debug_build="$PROJECT_DIR/out/module-build-debug.txt"
	mkdir -p "$PROJECT_DIR/out"
	KDIR="$debug_kdir" "$PROJECT_DIR/scripts/build-module.sh" >"$debug_build" 2>&1 &
	debug_build_pid=$!
fi
read -ra ko <<<"$("$PROJECT_DIR/scripts/build-module.sh" clippy | tail -n1)"
# The guest's fail-nth helper for the rmirror scenarios, found on PATH by
# make-initramfs.sh through tests/guest/rmirror.bins; the same for the
# memory-pressure scenarios' dirtier.
mkdir -p "$PROJECT_DIR/out/bin"
gcc -O2 -static -Wall -Wextra -Werror -o "$PROJECT_DIR/out/bin/dm-failnth" \
	"$PROJECT_DIR/tests/guest/dm-failnth.c"
# The memory-pressure scenarios' dirtier (tests/guest/swap.bins).
gcc -O2 -static -Wall -Wextra -Werror -o "$PROJECT_DIR/out/bin/dirty-mem" \
	"$PROJECT_DIR/tests/guest/dirty-mem.c"
export PATH="$PROJECT_DIR/out/bin:$PATH"
if [ -n "$debug_kdir" ]; then
	wait "$debug_build_pid" || { cat "$debug_build"; die "the debug kernel's module build failed"; }
	grep '^==>\|^    ' "$debug_build" | grep -v '^/' || true
	read -ra debug_ko <<<"$(tail -n1 "$debug_build")"
fi

# debug_run NAME: tests/guest/NAME.sh on the debug kernel (KASAN, lockdep,
# kmemleak, object debugging, fault injection: scripts/config/debug.config),
# which must end with a clean kmemleak scan.
debug_run() {
	[ -n "$debug_kdir" ] || return 0
	KDIR="$debug_kdir" DM_IO_RS_RUN="$1-debug" "$PROJECT_DIR/scripts/run-suite.sh" "$1" "${debug_ko[@]}"
	grep -q "dm-io-rs: kmemleak: no leaks" "$PROJECT_DIR/out/$1-debug/console.txt" ||
		die "the $1 run on the debug kernel did not report a clean kmemleak scan"
}

# The guest runs go in two lanes of about equal length: every guest has
# one vCPU, and the host two. This one, in the background: the KUnit
# suites on the debug kernel, the kernel's own dm targets on the stock
# kernel (C dm-io), and the rmirror target's dmsetup scenarios
# (tests/guest/rmirror.sh).
lane_log="$PROJECT_DIR/out/check-lane.log"
step "second lane started: KUnit on the debug kernel, dm scenarios on the stock kernel, rmirror scenarios (log: $lane_log)"
# A process group of its own (job control), to be stopped as one.
set -m
(
	debug_run kunit
	"$PROJECT_DIR/scripts/run-dm-scenarios.sh" stock
	"$PROJECT_DIR/scripts/run-suite.sh" rmirror "${ko[@]}"
) >"$lane_log" 2>&1 &
lane_pid=$!
set +m
# Failing or interrupted, the other lane does not outlive this script.
trap '[ -z "$lane_pid" ] || kill -- "-$lane_pid" 2>/dev/null || true' EXIT

"$PROJECT_DIR/scripts/run-suite.sh" kunit "${ko[@]}"

# The patch series (out/patches): the replace kernel is built from it,
# with CLIPPY=1 and no warning; then checkpatch, git am, kernel-doc,
# rustfmtcheck, rustdoc, the misuse tests, kunit.py and the build matrix.
replace_kdir="$("$PROJECT_DIR/scripts/build-kernel.sh" replace | tail -n1)"
"$PROJECT_DIR/scripts/series-checks.sh" "$replace_kdir"

# The rmirror scenarios under KASAN and lockdep as well.
debug_run rmirror

# The kernel's own dm targets (mirror, kcopyd, dm-log, snapshot, integrity,
# writecache) on the kernel whose dm-mod links the Rust dm-io in place of
# dm-io.c (the stock kernel's are in the other lane).
"$PROJECT_DIR/scripts/run-dm-scenarios.sh" replace
# cryptsetup's own dm-integrity and dm-verity suites, one Debian guest boot
# per kernel; ~15 min each under TCG, so only with DM_IO_RS_PEER_SUITES=1.
[ "${DM_IO_RS_PEER_SUITES:-0}" = 0 ] || "$PROJECT_DIR/scripts/run-peer-suites.sh" stock replace

step "waiting for the second lane"
status=0
wait "$lane_pid" || status=$?
lane_pid=
if [ "$status" != 0 ]; then
	cat "$lane_log"
	die "the second lane failed (log: $lane_log)"
fi
grep -E '^(==>|KUnit cases|PASS|    VM ran|    dm_)' "$lane_log"

# The kernel's dm targets print the same statuses, counters and messages
# on both kernels; tests/guest/dm.differences lists what may differ, and
# why.
step "dm scenarios: the same output on the stock and the replace kernel"
python3 "$PROJECT_DIR/scripts/compare-runs.py" "$PROJECT_DIR/out/dm-stock/console.txt" \
	"$PROJECT_DIR/out/dm-replace/console.txt" "$PROJECT_DIR/tests/guest/dm.differences" ||
	die "the dm scenarios printed differently on the two kernels"
step "make check passed in $((SECONDS - total)) s"
