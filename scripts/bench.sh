#!/usr/bin/env bash
# `make bench`: build dm_io_rs.ko and the benchmark module, boot the guest,
# time C dm_io() against rdm_io() and a hand-built floor, print the table
# and write it to out/bench/results.md.
#
# Every cell also runs C dm_io() through a second client, the control whose
# C/C ratio is the band a Rust/C ratio must leave; after the timed rounds
# the same boot measures the memory each request shape holds in flight.
#
# DM_IO_BENCH_ROUNDS (default 7) and DM_IO_BENCH_MS (milliseconds per
# implementation and cell, default 150) size the run; DM_IO_BENCH_ONLY=NAME
# runs only the workloads whose name contains NAME.
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

total=$SECONDS
rounds="${DM_IO_BENCH_ROUNDS:-7}"
ms="${DM_IO_BENCH_MS:-150}"
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
if ! [[ "${DM_IO_RS_CMDLINE:-}" == *dm_io_bench_mem=0* ]]; then
	grep -q "dm-io-bench: memory phase done" "$out/console.txt" ||
		die "the memory phase did not finish; console: $out/console.txt"
fi
if grep -E "dm-io-bench: cell .* err=[1-9]" "$out/console.txt"; then
	die "I/O errors during the benchmark; console: $out/console.txt"
fi

step "results"
python3 "$PROJECT_DIR/scripts/report/bench-report.py" "$out/console.txt" "$out/results.md"
info "table written to $out/results.md"
step "make bench finished in $((SECONDS - total)) s"
