#!/usr/bin/env bash
# Everything the project tests: formatting, clippy, a warning-free build,
# then the guest runs of tests/guest/check.runs in two lanes: the KUnit
# suites in a QEMU guest on real block devices (stock and debug kernels),
# the patch series and the kernel built from it (the replace kernel, with
# the Rust dm-io in dm-mod), the kernel's own dm targets on the stock
# kernel (C dm-io) and on the replace kernel, the rmirror scenarios.
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

total=$SECONDS
export DM_IO_RS_T0="${DM_IO_RS_T0:-$(date +%s)}"
"$PROJECT_DIR/scripts/setup-host.sh"
export KDIR="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)}"
src="${KERNEL_SRC:-$(readlink -f "$KDIR/source" 2>/dev/null || "$PROJECT_DIR/scripts/lib/fetch-kernel.sh" | tail -n1)}"

step "rustfmt --check"
mapfile -t rs < <(cd "$PROJECT_DIR" && find src tests -name '*.rs' | sort)
(cd "$PROJECT_DIR" && rustfmt --check --edition 2021 --config-path "$src/.rustfmt.toml" "${rs[@]}") ||
	die "rustfmt: run 'rustfmt --edition 2021 --config-path $src/.rustfmt.toml' on the files above"

# The judge's filter for the warnings tests expect (scripts/lib/judge.sh).
python3 "$PROJECT_DIR/scripts/lib/expected-warning.py" --self-test

# The guest runs, as data: tests/guest/check.runs (RUN KERNEL LANE
# [MODULES]), comments and blank lines out, debug rows out on request.
rows=()
while read -r line; do
	line="${line%%#*}"
	read -r name kernel lane modules rest <<<"$line" || true
	[ -n "$name" ] || continue
	[ -z "$rest" ] && [ -n "$lane" ] || die "check.runs: '$line' is not RUN KERNEL LANE [MODULES]"
	case "$lane" in 1 | 2) ;; *) die "check.runs: '$line': lane 1 or 2" ;; esac
	[ "$name" = series ] || [ -f "$PROJECT_DIR/tests/guest/$name.sh" ] || die "check.runs: no tests/guest/$name.sh"
	kernel_spec "$kernel"
	[[ "${DM_IO_RS_DEBUG_KERNEL:-1}" != 1 && "$kernel" == *+debug* ]] && continue
	rows+=("$name $kernel $lane ${modules:-}")
done <"$PROJECT_DIR/tests/guest/check.runs"
series_lane=
for row in "${rows[@]}"; do
	read -r name kernel lane modules <<<"$row"
	if [ "$name" = series ]; then
		[ "$lane" = 1 ] || die "check.runs: the series row belongs in lane 1"
		series_lane=1
	elif [ "$lane" = 1 ] && [[ "$kernel" == replace* ]] && [ -z "$series_lane" ]; then
		die "check.runs: lane 1's $name on $kernel comes before the series row"
	fi
done

# This repository's modules for each kernel a row loads them on: the stock
# kernel's with clippy (clippy-driver compiles as rustc does, and fails on
# the same warnings), the others beside it (kbuild runs one job at a time
# here).
declare -A project_ko=()
builds=()
for row in "${rows[@]}"; do
	read -r name kernel lane modules <<<"$row"
	[ "$modules" = project ] && [ -z "${project_ko[$kernel]+set}" ] || continue
	project_ko[$kernel]=
	[ "$kernel" = stock ] || builds+=("$kernel")
done
mkdir -p "$PROJECT_DIR/out"
build_pids=()
for kernel in "${builds[@]}"; do
	log="$PROJECT_DIR/out/module-build-${kernel//+/-}.txt"
	kdir="$(kernel_kdir "$kernel")"
	KDIR="$kdir" "$PROJECT_DIR/scripts/build-module.sh" >"$log" 2>&1 &
	build_pids+=($!)
done
read -ra ko <<<"$("$PROJECT_DIR/scripts/build-module.sh" clippy | tail -n1)"
project_ko[stock]="${ko[*]}"
# The guest's helpers, found on PATH by make-initramfs.sh through
# tests/guest/*.bins: the fail-nth driver of the rmirror scenarios, the
# memory-pressure scenarios' dirtier.
mkdir -p "$PROJECT_DIR/out/bin"
gcc -O2 -static -Wall -Wextra -Werror -o "$PROJECT_DIR/out/bin/dm-failnth" \
	"$PROJECT_DIR/tests/guest/dm-failnth.c"
gcc -O2 -static -Wall -Wextra -Werror -o "$PROJECT_DIR/out/bin/dirty-mem" \
	"$PROJECT_DIR/tests/guest/dirty-mem.c"
export PATH="$PROJECT_DIR/out/bin:$PATH"
for i in "${!builds[@]}"; do
	kernel="${builds[$i]}"
	log="$PROJECT_DIR/out/module-build-${kernel//+/-}.txt"
	wait "${build_pids[$i]}" || { cat "$log"; die "the module build for the $kernel kernel failed"; }
	grep '^==>\|^    ' "$log" | grep -v '^/' || true
	project_ko[$kernel]="$(tail -n1 "$log")"
done

# run_row RUN KERNEL [MODULES]: one row of check.runs.
series_ready="$PROJECT_DIR/out/.check-series-ready"
rm -f "$series_ready"
run_row() {
	local name="$1" kernel="$2" modules="${3:-}" kos=() kdir
	if [ "$name" = series ]; then
		# The patch series (out/patches): the replace kernel is built from
		# it, with CLIPPY=1 and no warning; then checkpatch, git am,
		# kernel-doc, rustfmtcheck, rustdoc, the misuse tests, kunit.py and
		# the build matrix.
		kdir="$(kernel_kdir "$kernel")"
		"$PROJECT_DIR/scripts/lib/series-checks.sh" "$kdir"
		kernel_spec "$kernel"
		echo "DM_IO_RS_KDIR_${spec_variant//[^a-z]/_}=$kdir" >"$series_ready.tmp"
		mv "$series_ready.tmp" "$series_ready"
		return
	fi
	if [ -n "$series_lane" ] && [[ "$kernel" == replace* ]]; then
		while [ ! -f "$series_ready" ]; do sleep 2; done
		# The kernel the series row built, not made again.
		export "$(cat "$series_ready")"
	fi
	case "$modules" in
	'') ;;
	project) read -ra kos <<<"${project_ko[$kernel]}" ;;
	*) kos=("$(kernel_kdir "$kernel")/$modules") ;;
	esac
	"$PROJECT_DIR/scripts/lib/run-suite.sh" -k "$kernel" "$name" "${kos[@]}"
}
run_lane() {
	local row name kernel lane modules
	for row in "${rows[@]}"; do
		read -r name kernel lane modules <<<"$row"
		[ "$lane" = "$1" ] || continue
		run_row "$name" "$kernel" "$modules"
	done
}

lane_log="$PROJECT_DIR/out/check-lane.log"
step "second lane started (tests/guest/check.runs; log: $lane_log)"
# A process group of its own (job control), to be stopped as one.
set -m
run_lane 2 >"$lane_log" 2>&1 &
lane_pid=$!
set +m
# Failing or interrupted, the other lane does not outlive this script.
trap '[ -z "$lane_pid" ] || kill -- "-$lane_pid" 2>/dev/null || true' EXIT
run_lane 1

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
grep -E '^(==>|KUnit cases|PASS|    )' "$lane_log"

# The kernel's dm targets print the same statuses, counters and messages
# on both kernels; tests/guest/dm.differences lists what may differ, and
# why.
if [ -f "$PROJECT_DIR/out/dm-stock/console.txt" ] && [ -f "$PROJECT_DIR/out/dm-replace/console.txt" ]; then
	step "dm scenarios: the same output on the stock and the replace kernel"
	python3 "$PROJECT_DIR/scripts/report/compare-runs.py" "$PROJECT_DIR/out/dm-stock/console.txt" \
		"$PROJECT_DIR/out/dm-replace/console.txt" "$PROJECT_DIR/tests/guest/dm.differences" ||
		die "the dm scenarios printed differently on the two kernels"
fi
step "make check passed in $((SECONDS - total)) s"
