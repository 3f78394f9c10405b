#!/usr/bin/env bash
# End-to-end benchmark with fio (tests/guest/fio.sh) in the Debian guest
# root: a two-leg dm-mirror over null_blk legs on the stock kernel (C
# dm-io) and on the replace kernel (Rust dm-io in dm-mod), and, in the
# stock kernel's boots, the Rust mirror target rmirror beside dm-mirror
# over identical legs, interleaved per round. Four fio jobs (libaio,
# iodepth 32, O_DIRECT): 4 KiB random writes and reads, 1 MiB sequential
# writes and reads.
#
#   bench-fio.sh [ROUNDS [SECONDS [BOOTS]]]    (default: 10 rounds, 1 s
#                                               per fio job, 2 boots per
#                                               kernel)
#
# A round is one fio process that runs each job on each target in turn,
# twice, in A B B A order (A A with one target), SECONDS each; the round's
# figure for a target is the mean of its two runs. The host's other load
# moves single runs by 20-50 % on a shared machine: the tables give
# medians, and the range of the ratios.
# The boots alternate: stock, replace, stock, replace, ... Prints two
# tables and writes them to out/bench-fio/results.md:
#   job | stock | replace | replace/stock   (dm-mirror; across boots)
#   job | dm-mirror | rmirror | rmirror/dm-mirror   (within stock boots)
# Fails if fio fails or reports an error, or a guest console shows a
# kernel report (scripts/lib/judge.sh). Console logs: out/bench-fio/KERNEL-N/.
# DM_IO_RS_FIO_REUSE=1 makes the tables again from the last run's logs.
# DM_IO_RS_FIO_CONTROL=1 is the control run of the second table: a second
# dm-mirror, on rmirror's legs, in rmirror's place.
# DM_IO_RS_FIO_KERNELS (default "stock replace") and DM_IO_RS_FIO_JOBS
# (default "randwrite randread write read") narrow a run, for instance to
# rmirror vs dm-mirror on the stock kernel alone. DM_IO_RS_FIO_KO="DM_IO_RS.KO
# DM_RMIRROR.KO" boots those modules instead of building them (to compare
# builds of the target).
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

rounds="${1:-10}"
secs="${2:-1}"
boots="${3:-2}"
read -ra kernels <<<"${DM_IO_RS_FIO_KERNELS:-stock replace}"
fio_jobs="${DM_IO_RS_FIO_JOBS:-randwrite randread write read}"
out="$PROJECT_DIR/out/bench-fio"
results="$out/results.txt"
start=$SECONDS

if [ "${DM_IO_RS_FIO_REUSE:-0}" != 1 ]; then
	root="$("$PROJECT_DIR/scripts/lib/build-guest-root.sh" | tail -n1)"
	stock="$(kernel_kdir stock)"
	if [ -n "${DM_IO_RS_FIO_KO:-}" ]; then
		read -ra ko <<<"$DM_IO_RS_FIO_KO"
		[ ${#ko[@]} -eq 2 ] || die "DM_IO_RS_FIO_KO: dm_io_rs.ko and dm_rmirror.ko"
		ko=("${ko[0]}" - "${ko[1]}")
	else
		read -ra ko <<<"$(KDIR="$stock" "$PROJECT_DIR/scripts/build-module.sh" | tail -n1)"
	fi
	rm -rf "$out"
	mkdir -p "$out"
	: >"$results"
	# Per boot: fio startup and the VM's boot (about a minute under TCG),
	# generously.
	runs_stock=$((rounds * 4 * 2 * 2))
	limit="${DM_IO_RS_VM_TIMEOUT:-$((600 + runs_stock * (secs + 10)))}"

	for b in $(seq "$boots"); do
		for k in "${kernels[@]}"; do
			dir="$out/$k-$b"
			mods=()
			kernel_spec "$k"
			if [ "$spec_impl" = c ]; then
				# rmirror on its own modules, built for this kernel: dm_io_rs.ko
				# and dm_rmirror.ko (not the KUnit module).
				[ "$k" = stock ] || die "the kernel with C dm-io for fio is stock, not $k"
				targets="dm-mirror rmirror"
				mods=("${ko[0]}" "${ko[2]}")
			else
				targets="dm-mirror"
			fi
			step "fio boot $b/$boots on the $k kernel ($spec_impl dm-io; $targets; $rounds rounds of $fio_jobs, $secs s each)"
			t0=$SECONDS
			"$PROJECT_DIR/scripts/lib/run-suite.sh" -k "$k" -o "bench-fio/$k-$b" -r "$root" -t "$limit" \
				-e "ROUNDS=$rounds RUNTIME=$secs TARGETS=\"$targets\" JOBS=\"$fio_jobs\" CONTROL=${DM_IO_RS_FIO_CONTROL:-0}" \
				fio "${mods[@]}" >"$out/run-$k-$b.txt" ||
				{ cat "$out/run-$k-$b.txt"; die "the fio boot failed; console: $dir/console.txt"; }
			# "<kernel> <boot> <target> <job> <round> <iops> <KiB/s>"
			grep -E '^fio-bench: (dm-mirror|rmirror) [a-z]+ [0-9]+ [0-9]+ [0-9]+$' "$dir/console.txt" |
				sed "s/^fio-bench: /$k $b /" >>"$results"
			info "$(grep -c "^$k $b " "$results") results (job, target, round), boot and runs took $((SECONDS - t0)) s"
		done
	done
fi
[ -s "$results" ] || die "no results in $results"

# Medians. Table 1: dm-mirror on each kernel, the median over every round
# of every boot of that kernel; the ratio of the two medians, and in
# parentheses the range of the per-boot-pair ratios (boot N's medians).
# Table 2: per round of a stock boot, rmirror / dm-mirror; the median and
# range of those ratios, and each target's median IOPS.
table="$(CONTROL="${DM_IO_RS_FIO_CONTROL:-0}" python3 - "$results" <<'EOF'
import os
import sys
from statistics import median
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
jobs = [("randwrite", "4 KiB random write"), ("randread", "4 KiB random read"),
        ("write", "1 MiB sequential write"), ("read", "1 MiB sequential read")]
def sel(k=None, b=None, t=None, j=None, r=None):
    return [x for x in rows if (k is None or x[0] == k) and (b is None or x[1] == b)
            and (t is None or x[2] == t) and (j is None or x[3] == j) and (r is None or x[4] == r)]
boots = sorted({x[1] for x in rows}, key=int)
jobs = [(j, label) for j, label in jobs if sel(None, None, None, j)]
both = sel("stock") and sel("replace")
nround = {len(sel(k, None, "dm-mirror", jobs[0][0])) for k in ("stock", "replace")}
if both:
    print("dm-mirror, stock kernel (C dm-io) vs replace kernel (Rust dm-io): "
          f"{len(boots)} boot(s) per kernel, median over {'/'.join(map(str, sorted(nround)))} rounds per job")
    print()
    print("| job | stock IOPS | replace IOPS | stock MiB/s | replace MiB/s | replace/stock (per-boot range) |")
    print("|---|---|---|---|---|---|")
for j, label in jobs:
    s = sel("stock", None, "dm-mirror", j)
    p = sel("replace", None, "dm-mirror", j)
    if not s or not p:
        continue
    si, pi = median(float(x[5]) for x in s), median(float(x[5]) for x in p)
    sb, pb = median(float(x[6]) for x in s) / 1024, median(float(x[6]) for x in p) / 1024
    per = []
    for b in boots:
        bs, bp = sel("stock", b, "dm-mirror", j), sel("replace", b, "dm-mirror", j)
        if bs and bp:
            per.append(median(float(x[5]) for x in bp) / median(float(x[5]) for x in bs))
    print(f"| {label} | {si:,.0f} | {pi:,.0f} | {sb:,.1f} | {pb:,.1f} | "
          f"{pi / si:.2f} ({min(per):.2f}-{max(per):.2f}) |")
nr = len(sel("stock", None, "rmirror", jobs[0][0]))
if not nr:
    sys.exit(0)
if both:
    print()
if os.environ.get("CONTROL") == "1":
    print("CONTROL RUN: a second dm-mirror, on rmirror's legs, in the rmirror column")
    print()
print(f"rmirror vs dm-mirror, stock kernel, interleaved per round: {nr} rounds "
      f"in {len(boots)} boot(s); ratios are per round")
print()
print("| job | dm-mirror IOPS | rmirror IOPS | dm-mirror MiB/s | rmirror MiB/s | rmirror/dm-mirror (min-max) |")
print("|---|---|---|---|---|---|")
for j, label in jobs:
    c = sel("stock", None, "dm-mirror", j)
    r = sel("stock", None, "rmirror", j)
    if not c or not r:
        continue
    q = []
    for x in r:
        m = sel("stock", x[1], "dm-mirror", j, x[4])
        if m:
            q.append(float(x[5]) / float(m[0][5]))
    ci, ri = median(float(x[5]) for x in c), median(float(x[5]) for x in r)
    cb, rb = median(float(x[6]) for x in c) / 1024, median(float(x[6]) for x in r) / 1024
    print(f"| {label} | {ci:,.0f} | {ri:,.0f} | {cb:,.1f} | {rb:,.1f} | "
          f"{median(q):.2f} ({min(q):.2f}-{max(q):.2f}) |")
EOF
)"

{
	echo "# fio end to end"
	echo
	echo "\`scripts/bench-fio.sh $rounds $secs $boots\` ($(date -u +%Y-%m-%d), QEMU TCG guest, 2 shared cores)."
	echo "fio $(grep -m1 -o 'fio-[0-9][0-9.]*' "$out"/stock-1/console.txt 2>/dev/null || echo '?'), libaio, iodepth 32, direct, time_based ${secs} s per run, each job twice per round and target (A B B A);"
	echo "mirrors of two null_blk legs (128 MiB, memory_backed=0 irqmode=0 completion_nsec=0), region 1024 sectors, nosync."
	echo
	echo "$table"
	[ "${DM_IO_RS_FIO_REUSE:-0}" = 1 ] || { echo; echo "Whole run: $((SECONDS - start)) s (the boots, and any kernel or module build they needed)."; }
} >"$out/results.md"
step "fio results ($((SECONDS - start)) s)"
sed 's/^/    /' "$out/results.md"
info "written to $out/results.md"
