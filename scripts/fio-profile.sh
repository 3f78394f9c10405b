#!/usr/bin/env bash
# Where the instructions of a fio job through a mirror go, per kernel
# function: scripts/bench-profile.sh for the fio benchmark
# (scripts/bench-fio.sh). Boots the stock kernel under QEMU's
# instruction-count clock with the instruction-count plugin
# (scripts/lib/insn-profile.c), both mirrors set up as bench-fio.sh sets them
# up, fio on one target alone for a fixed number of I/Os: twice per
# target, with NUMBER_IOS and with a quarter of it, so that the difference
# is the cost of the extra I/Os alone (not fio's start, which is not in
# the time it measures either). Prints each target's instructions per
# I/O, per function (scripts/report/insn-profile.py), the functions that differ
# most first.
#
#   fio-profile.sh [JOB [NUMBER_IOS [TARGETS]]]
#       (default: randwrite, 8192 I/Os per run, "dm-mirror rmirror")
#
# JOB is one of bench-fio.sh's jobs (randwrite randread write read);
# NUMBER_IOS must not exceed the blocks of the job on the 128 MiB mirror
# (32768 for the 4 KiB jobs, 128 for the 1 MiB ones). Boot logs, profiles
# and the table: out/fio-profile/.
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

job="${1:-randwrite}"
nios="${2:-8192}"
read -ra targets <<<"${3:-dm-mirror rmirror}"
out="$PROJECT_DIR/out/fio-profile"
root="$("$PROJECT_DIR/scripts/lib/build-guest-root.sh" | tail -n1)"
kdir="$(kernel_kdir stock)"
read -ra ko <<<"$(KDIR="$kdir" "$PROJECT_DIR/scripts/build-module.sh" | tail -n1)"
mkdir -p "$out" "$PROJECT_DIR/out/bin"
gcc -O2 -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror \
	-o "$PROJECT_DIR/out/bin/insn-profile.so" "$PROJECT_DIR/scripts/lib/insn-profile.c"

dirs=()
for run in "${targets[@]/%/:base}" "${targets[@]}"; do
	d="$out/${run/:/-}"
	n="$nios"
	[ "${run%:base}" = "$run" ] || n=$((nios / 4))
	rm -rf "$d"
	step "profiling fio $job on $run, $n I/Os per run"
	# Every boot sets up both mirrors, so that the modules sit at the same
	# addresses in each.
	DM_IO_RS_ICOUNT=3 DM_IO_RS_INSN_PROFILE="$d/profile.txt" \
		"$PROJECT_DIR/scripts/lib/run-suite.sh" -k stock -o "fio-profile/${run/:/-}" -r "$root" \
		-t "${DM_IO_RS_VM_TIMEOUT:-1800}" \
		-e "ROUNDS=1 TARGETS=\"dm-mirror rmirror\" RUN=${run%:base} JOBS=$job NUMBER_IOS=$n" \
		fio "${ko[0]}" "${ko[2]}"
	[ -s "$d/profile.txt" ] || die "no profile from the $run boot"
	[ "${run%:base}" != "$run" ] || dirs+=("$d:$d-base")
done
python3 "$PROJECT_DIR/scripts/report/insn-profile.py" "$kdir/System.map" "$out/${targets[0]}-base" "${dirs[@]}" \
	>"$out/table.txt"
head -n 50 "$out/table.txt"
info "table: $out/table.txt"
