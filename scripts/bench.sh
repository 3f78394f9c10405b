#!/usr/bin/env bash
# `make bench`: build dm_io_rs.ko and the benchmark module, boot the guest,
# time C dm_io() against rdm_io() and a hand-built floor, print the table
# and write it to out/bench/results.md.
#
# Every cell also runs C dm_io() through a second client, the control whose
# C/C ratio is the band a Rust/C ratio must leave; after the timed rounds
# the same boot measures the memory each request shape holds in flight.
#
# DM_IO_BENCH_ROUNDS (default 6) and DM_IO_BENCH_MS (milliseconds per
# implementation and cell, default 140) size the run; DM_IO_BENCH_ONLY=NAME
# runs only the workloads whose name contains NAME. DM_IO_BENCH_RECORD=1
# writes the tables into BENCHMARKS.md ("Latest table", or "Latest table,
# instruction-count clock" under DM_IO_RS_ICOUNT, whose boots leave the
# memory phase out: memory does not depend on the clock).
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

total=$SECONDS
rounds="${DM_IO_BENCH_ROUNDS:-6}"
ms="${DM_IO_BENCH_MS:-140}"
only="${DM_IO_BENCH_ONLY:-}"
"$PROJECT_DIR/scripts/setup-host.sh"
export KDIR="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)}"
read -ra kos <<<"$("$PROJECT_DIR/scripts/build-module.sh" | tail -n1)"
ko="${kos[0]}" # dm_io_rs.ko

out="$PROJECT_DIR/out/bench"
mkdir -p "$out"
log="$out/module-build.log"
step "bench module build against $KDIR"
if ! make -C "$KDIR" M="$PROJECT_DIR/bench" LLVM="$LLVM_SUFFIX" \
	KBUILD_EXTRA_SYMBOLS="$(dirname "$ko")/Module.symvers" modules >"$log" 2>&1; then
	cat "$log" >&2
	die "bench module build failed; log: $log"
fi
die_on_build_warnings "$log" "the bench module build"
info "no warnings ($log)"

args="kunit.enable=0 dm_io_bench.rounds=$rounds dm_io_bench.ms=$ms"
[ -z "${DM_IO_RS_ICOUNT:-}" ] || args="$args dm_io_bench_mem=0"
[ -z "$only" ] || args="$args dm_io_bench.only=$only"
# Two CPUs really online, for the 2cpu_* rows (see run-qemu.sh). The same
# kernel reports that fail `make check` fail the benchmark.
step "benchmark: $rounds rounds, $ms ms per cell"
DM_IO_RS_SMP="${DM_IO_RS_SMP:-2,sockets=2,cores=1,threads=1}" \
	DM_IO_RS_CMDLINE="$args ${DM_IO_RS_CMDLINE:-}" \
	"$PROJECT_DIR/scripts/lib/run-suite.sh" bench "$ko" "$PROJECT_DIR/bench/dm_io_bench.ko" >"$out/run.txt" ||
	{ cat "$out/run.txt"; die "the benchmark's boot failed; console: $out/console.txt"; }
grep -q "dm-io-bench: done" "$out/console.txt" ||
	die "the benchmark did not finish; console: $out/console.txt"
if ! [[ "$args ${DM_IO_RS_CMDLINE:-}" == *dm_io_bench_mem=0* ]]; then
	grep -q "dm-io-bench: memory phase done" "$out/console.txt" ||
		die "the memory phase did not finish; console: $out/console.txt"
fi
if grep -E "dm-io-bench: cell .* err=[1-9]" "$out/console.txt"; then
	die "I/O errors during the benchmark; console: $out/console.txt"
fi

step "results"
python3 "$PROJECT_DIR/scripts/report/bench-report.py" "$out/console.txt" "$out/results.md"
info "table written to $out/results.md"
if [ "${DM_IO_BENCH_RECORD:-0}" != 0 ]; then
	heading="## Latest table"
	clock="wall clock (the TSC)"
	if [ -n "${DM_IO_RS_ICOUNT:-}" ]; then
		heading="## Latest table, instruction-count clock"
		clock="QEMU's instruction-count clock (-icount shift=$DM_IO_RS_ICOUNT: a count of guest instructions)"
	fi
	replace_md_section "$PROJECT_DIR/BENCHMARKS.md" "$heading" "$heading

Written by \`DM_IO_BENCH_RECORD=1 make bench\` at $(git -C "$PROJECT_DIR" describe --always --dirty)
on $(date -u +%Y-%m-%d): $rounds rounds, $ms ms per implementation and cell, $clock,
${DM_IO_BENCH_ONLY:+only the workloads matching '$DM_IO_BENCH_ONLY', }$(nproc) host cores; the run took $((SECONDS - total)) s.

$(tail -n +3 "$out/results.md")"
	info "written into BENCHMARKS.md ($heading)"
fi
step "make bench finished in $((SECONDS - total)) s"
