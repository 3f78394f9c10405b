#!/usr/bin/env bash
# Benchmark the Rust mirror target (rmirror) against the kernel's C
# dm-mirror over identical null_blk legs, in one guest boot, interleaved
# over several rounds; write the ratios into BENCHMARKS.md.
#
#   bench-rmirror.sh [ROUNDS] [SECONDS]
#   RMIRROR_BENCH_REUSE=1 bench-rmirror.sh ROUNDS SECONDS   (no new run)
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

rounds="${1:-5}"
secs="${2:-3}"
# RMIRROR_BENCH_REUSE=1 rewrites the section from the last run's log.
if [ "${RMIRROR_BENCH_REUSE:-0}" != 1 ]; then
	"$PROJECT_DIR/scripts/setup-host.sh"
	export KDIR="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)}"
	read -ra ko <<<"$("$PROJECT_DIR/scripts/build-module.sh" | tail -n1)"

	# The guest's load generator: a static binary, found on PATH by
	# make-initramfs.sh through tests/guest/rmirror-bench.bins.
	mkdir -p "$PROJECT_DIR/out/bin"
	gcc -O2 -static -Wall -Wextra -Werror -o "$PROJECT_DIR/out/bin/rmirror-load" \
		"$PROJECT_DIR/tests/guest/rmirror-load.c"
	export PATH="$PROJECT_DIR/out/bin:$PATH"

	step "rmirror benchmark: $rounds rounds of $secs s"
	"$PROJECT_DIR/scripts/lib/run-suite.sh" -o rmirror-bench -e "ROUNDS=$rounds RUNTIME=$secs" \
		-t "${DM_IO_RS_VM_TIMEOUT:-$((600 + rounds * secs * 8 * 3))}" rmirror-bench "${ko[@]}" \
		>"$PROJECT_DIR/out/rmirror-bench.run.txt" ||
		{ cat "$PROJECT_DIR/out/rmirror-bench.run.txt"; die "the rmirror benchmark's boot failed"; }
else
	export KDIR="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)}"
fi

log="$PROJECT_DIR/out/rmirror-bench/console.txt"
results="$PROJECT_DIR/out/rmirror-bench/results.txt"
grep -E '^rmirror-bench: (rmirror|dm-mirror) [a-z]+ [0-9]+ [0-9]+$' "$log" | cut -d' ' -f2- >"$results"
[ -s "$results" ] || die "no benchmark results in $log"

table="$(awk '
	{ sum[$1 " " $2] += $4; n[$1 " " $2]++ }
	END {
		split("write randwrite read randread", wl, " ")
		split("sequential 4 KiB writes|random 4 KiB writes|sequential 4 KiB reads|random 4 KiB reads", label, "|")
		for (i = 1; i <= 4; i++) {
			r = sum["rmirror " wl[i]] / n["rmirror " wl[i]]
			c = sum["dm-mirror " wl[i]] / n["dm-mirror " wl[i]]
			printf "| %s | %.0f | %.0f | %.2f |\n", label[i], r, c, (c > 0 ? r / c : 0)
		}
	}' "$results")"
spread="$(awk '
	{ v[$1 " " $2 " " $3] = $4; if ($3 > max) max = $3 }
	END {
		split("write randwrite read randread", wl, " ")
		for (i = 1; i <= 4; i++) {
			lo = 1e9; hi = 0
			for (r = 1; r <= max; r++) {
				c = v["dm-mirror " wl[i] " " r]
				if (c > 0) { q = v["rmirror " wl[i] " " r] / c; if (q < lo) lo = q; if (q > hi) hi = q }
			}
			printf "%s%s %.2f-%.2f", (i > 1 ? ", " : ""), wl[i], lo, hi
		}
	}' "$results")"
resync="$(grep -o 'rmirror: resync done: .*' "$PROJECT_DIR/out/rmirror-stock/console.txt" 2>/dev/null | head -n 1 || true)"

section="$(cat <<EOT
## With the synchronous load generator (scripts/bench-rmirror.sh)

\`scripts/bench-rmirror.sh $rounds $secs\` ($(date -u +%Y-%m-%d), QEMU TCG guest on
2 shared cores, kernel $(basename "$KDIR")). Two-leg mirrors over
identical null_blk legs (128 MiB, \`memory_backed=0 irqmode=0
completion_nsec=0\`, so the I/O path is what is measured), region size
1024 sectors, \`nosync\`; the C target is the kernel's dm-mirror with a
core log (\`mirror core 2 1024 nosync 2 ...\`). One thread of synchronous
O_DIRECT 4 KiB I/O (\`tests/guest/rmirror-load.c\`; the guest's fio needs
System V IPC), $secs s per run, $rounds rounds, the two targets alternating
which goes first. Mean I/Os per second:

| workload | rmirror | dm-mirror | ratio rmirror / dm-mirror |
|---|---|---|---|
$table

Per-round ratios (the machine's two cores are shared, so single runs
vary by 10-20 %): $spread.

Reads: both remap the bio to one leg (rmirror records it in its per-bio
data so that end_io can send a failed read to another leg) and both
take a lock to look up the region's sync state; rmirror's read path
also goes through the Rust trampolines and an IRQ-safe spinlock, and
measures at or a little below dm-mirror. Writes: both send one DM_IO_BIO dm-io request to all legs,
but dm-mirror hands every write to its single worker (kmirrord) and its
region hash first, while rmirror sends it from the submitter's context
with a per-region pending count; under TCG that hand-off dominates.
${resync:+Resync throughput (the first resync of \`make check\`: 64 MiB, two memory-backed null_blk legs, 8 copy jobs of 128 KiB in flight, TCG): ${resync#rmirror: resync done: }.}
EOT
)"

md="$PROJECT_DIR/BENCHMARKS.md"
replace_md_section "$md" '## With the synchronous load generator (scripts/bench-rmirror.sh)' \
	"$section" '# rmirror vs dm-mirror'

step "rmirror vs dm-mirror"
printf '%s\n' "$table" | sed 's/^/    /'
info "written to $md"
