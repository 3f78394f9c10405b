#!/usr/bin/env bash
# Where the instructions of one benchmark workload go, per kernel function,
# for the C dm-io, the Rust dm-io and the floor: `perf` for a TCG guest,
# which has no PMU. Boots `make bench` under QEMU's instruction-count clock
# (DM_IO_RS_ICOUNT) with a plugin that counts the instructions executed per
# code block (scripts/lib/insn-profile.c): once with no implementation running
# (the boot and the benchmark's own loop), then once per implementation,
# and prints each one's instructions per operation, per function
# (scripts/report/insn-profile.py), the functions that differ most first.
#
#   bench-profile.sh WORKLOAD [IMPLS]   (IMPLS: default "c rust floor")
#
# WORKLOAD is matched as DM_IO_BENCH_ONLY is, on the device that stores
# nothing (mb0: the submission path alone); DM_IO_RS_PROFILE_DEV=mb1 takes
# the memory-backed one. Boot logs, profiles and the table:
# out/bench-profile/.
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

workload="${1:?usage: bench-profile.sh WORKLOAD [IMPLS]}"
read -ra impls <<<"${2:-c rust floor}"
case "${DM_IO_RS_PROFILE_DEV:-mb0}" in
mb0) dev=/dev/nullb0 ;; mb1) dev=/dev/nullb1 ;;
*) die "DM_IO_RS_PROFILE_DEV: mb0 or mb1" ;;
esac
out="$PROJECT_DIR/out/bench-profile"
kdir="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)}"
mkdir -p "$out" "$PROJECT_DIR/out/bin"
gcc -O2 -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror \
	-o "$PROJECT_DIR/out/bin/insn-profile.so" "$PROJECT_DIR/scripts/lib/insn-profile.c"

dirs=()
for impl in none "${impls[@]}"; do
	case "$impl" in
	none) bits=0 ;; c) bits=1 ;; rust) bits=2 ;; floor) bits=4 ;; c2) bits=8 ;;
	*) die "unknown implementation '$impl' (c, rust, floor, c2)" ;;
	esac
	d="$out/$impl"
	rm -rf "$d"
	mkdir -p "$d"
	step "profiling $workload: $impl"
	KDIR="$kdir" DM_IO_RS_ICOUNT=3 DM_IO_RS_INSN_PROFILE="$d/profile.txt" \
		DM_IO_BENCH_ONLY="$workload" DM_IO_BENCH_ROUNDS=1 \
		DM_IO_RS_CMDLINE="dm_io_bench.impls=$bits dm_io_bench.devs=$dev dm_io_bench.names=${DM_IO_RS_PROFILE_DEV:-mb0} dm_io_bench_ksyms=1 dm_io_bench_mem=0 ${DM_IO_RS_CMDLINE:-}" \
		"$PROJECT_DIR/scripts/bench.sh" >"$d/bench.log" 2>&1 ||
		{ tail -n 20 "$d/bench.log" >&2; die "the benchmark boot failed; log: $d/bench.log"; }
	cp "$PROJECT_DIR/out/bench/console.txt" "$d/"
	[ -s "$d/profile.txt" ] || die "no profile from the $impl boot"
	[ "$impl" = none ] || dirs+=("$d")
done
python3 "$PROJECT_DIR/scripts/report/insn-profile.py" "$kdir/System.map" "$out/none" "${dirs[@]}" >"$out/table.txt"
head -n 40 "$out/table.txt"
info "table: $out/table.txt"
