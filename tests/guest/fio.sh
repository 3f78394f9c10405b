# shellcheck shell=bash
# Guest script (bash, on the Debian root of scripts/lib/build-guest-root.sh) for
# scripts/bench-fio.sh: fio on two-leg mirrors over null_blk legs, on the
# stock kernel (C dm-io) or the replace kernel (Rust dm-io in dm-mod).
#
# The payload (scripts/lib/run-suite.sh -r) holds this script as test.sh, with
# a line in front that sets ROUNDS, RUNTIME, TARGETS and JOBS, beside
# tests/guest/lib.sh and, when TARGETS names rmirror, the out-of-tree
# dm_io_rs.ko and dm_rmirror.ko built against this kernel. CONTROL=1 sets
# up a dm-mirror where rmirror would be (its results still say rmirror).
# For scripts/fio-profile.sh, the line may also set RUN (the targets fio
# runs on, of TARGETS; default all of them, none if empty) and NUMBER_IOS
# (each run does that many I/Os instead of RUNTIME seconds); the script
# then prints the module symbols ("fio-bench: ksym ...") and the I/Os the
# runs did ("fio-bench: profiled ops=N").
#
# Prints "fio-bench: <target> <job> <round> <iops> <KiB/s>" per fio job,
# "dm-io-rs: dm-io is <c|rust>" once, and ends with one KTAP result; fails
# if fio fails or reports an error for any job.
set -eu
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=tests/guest/lib.sh
. ./lib.sh
: "${ROUNDS:=3}" "${RUNTIME:=3}" "${TARGETS:=dm-mirror}" "${JOBS:=randwrite randread write read}"
: "${RUN=$TARGETS}" "${NUMBER_IOS:=}"

# Which dm-io is in this kernel (as tests/guest/dm.sh tells them apart).
if grep -q '10dm_io_rust' /proc/kallsyms; then
	echo "dm-io-rs: dm-io is rust"
elif grep -q ' km_get_page$' /proc/kallsyms; then
	echo "dm-io-rs: dm-io is c"
else
	echo "dm-io-rs: dm-io is unknown"
	exit 1
fi
echo "fio-bench: $(fio --version), $ROUNDS rounds of $RUNTIME s, targets: $TARGETS, jobs: $JOBS"

SZ=262144 # 128 MiB per leg, in sectors
# dev_of TARGET: the dm device's name.
declare -A dev=([dm-mirror]=cm [rmirror]=rm)
# No memory, no completion delay: what is measured is the I/O path.
# Each target gets two legs of its own (a leg is opened exclusively).
nullb_create 21 128 memory_backed=0 irqmode=0 completion_nsec=0
nullb_create 22 128 memory_backed=0 irqmode=0 completion_nsec=0
dmsetup create cm --table "0 $SZ mirror core 2 1024 nosync 2 /dev/nullb21 0 /dev/nullb22 0"
echo "fio-bench: dm-mirror: $(dmsetup table cm)"
case " $TARGETS " in
*" rmirror "*)
	insmod ./dm_io_rs.ko
	insmod ./dm_rmirror.ko
	nullb_create 23 128 memory_backed=0 irqmode=0 completion_nsec=0
	nullb_create 24 128 memory_backed=0 irqmode=0 completion_nsec=0
	if [ "${CONTROL:-0}" = 1 ]; then
		# The control run: a second dm-mirror in rmirror's place, so
		# that the table shows what the place alone makes of the ratio.
		dmsetup create rm --table "0 $SZ mirror core 2 1024 nosync 2 /dev/nullb23 0 /dev/nullb24 0"
	else
		dmsetup create rm --table "0 $SZ rmirror 1024 2 /dev/nullb23 /dev/nullb24 nosync"
	fi
	echo "fio-bench: rmirror: $(dmsetup table rm)"
	;;
esac

# The four jobs: name, rw, block size; JOBS picks some of them.
all_jobs=(randwrite:randwrite:4k randread:randread:4k write:write:1M read:read:1M)
jobs=()
for j in $JOBS; do
	for a in "${all_jobs[@]}"; do
		[ "${a%%:*}" != "$j" ] || jobs+=("$a")
	done
done
[ ${#jobs[@]} -gt 0 ] || { echo "fio-bench: no job in '$JOBS'"; exit 1; }

# run_round ROUND TARGET...: one fio process runs every job on every
# target in turn (stonewall: one at a time), in the order given and then
# in the reverse order (A B B A: a load on the host that grows or fades
# during the round weighs on both alike); prints a result line per job
# and target, the mean of its two runs.
run_round() {
	local round="$1" j t name rw bs f="/tmp/fio-round-$1"
	shift
	# fio would make a regular file of a missing device node.
	for t in "$@"; do
		[ -b "/dev/mapper/${dev[$t]}" ] || { echo "# /dev/mapper/${dev[$t]} ($t) is not a block device"; return 1; }
	done
	{
		echo "[global]"
		echo "ioengine=libaio"
		echo "iodepth=32"
		echo "direct=1"
		if [ -n "$NUMBER_IOS" ]; then
			echo "number_ios=$NUMBER_IOS"
		else
			echo "time_based"
			echo "runtime=$RUNTIME"
		fi
		echo "norandommap"
		echo "randrepeat=0"
		echo "gtod_reduce=1"
		echo "stonewall"
		for j in "${jobs[@]}"; do
			IFS=: read -r name rw bs <<<"$j"
			for t in "$@" $(printf '%s\n' "$@" | tac); do
				echo "[$t.$name]"
				echo "filename=/dev/mapper/${dev[$t]}"
				echo "rw=$rw"
				echo "bs=$bs"
			done
		done
	} >"$f.fio"
	if ! fio --output-format=json --output="$f.json" "$f.fio" >"$f.err" 2>&1; then
		echo "# fio failed in round $round:"
		sed -e 's/^/# /' -e 's/WARNING:/Warning:/g' "$f.err" "$f.json"
		return 1
	fi
	# fio's JSON has one key per line. Per job ("jobname"): its "error",
	# then the first "bw" (KiB/s) and "iops" of its "read" and of its
	# "write" section; a job reports the direction it ran.
	awk -v round="$round" -v want="$((2 * $# * ${#jobs[@]}))" '
		function val() { v = $3; sub(/,$/, "", v); gsub(/"/, "", v); return v }
		# Job k (1-based) of the output; its values go to job name (a
		# name appears twice).
		/"jobname" :/ { job = val(); n++; if (!(job in runs)) order[++names] = job; runs[job]++; d = ""; e = ""; next }
		job == "" { next }
		/"error" :/ && e == "" { e = val(); if (e != "0") err[job] = e }
		/"(read|write|trim|sync)" : \{/ { d = $1; gsub(/"/, "", d); got_bw = got_iops = 0 }
		/"bw" :/ && d != "" && !got_bw { bw[job, d] += val(); got_bw = 1 }
		/"iops" :/ && d != "" && !got_iops { iops[job, d] += val(); if (val() + 0 <= 0) zero[job, d] = 1; got_iops = 1 }
		END {
			if (n != want) { printf "# fio: %d jobs in the output, %d expected\n", n, want; exit 1 }
			bad = 0
			for (i = 1; i <= names; i++) {
				job = order[i]
				split(job, p, ".")
				d = (p[2] ~ /write$/) ? "write" : "read"
				if ((job in err) || ((job, d) in zero) || runs[job] != 2) {
					printf "# fio job %s: error %s, %d runs, iops %s\n", job, err[job], runs[job], iops[job, d]
					bad = 1
					continue
				}
				printf "fio-bench: %s %s %d %.0f %d\n", p[1], p[2], round, iops[job, d] / 2, bw[job, d] / 2
			}
			exit bad
		}' "$f.json" || { sed -e 's/^/# /' -e 's/WARNING:/Warning:/g' "$f.err"; return 1; }
	rm -f "$f.fio" "$f.json" "$f.err"
}

if [ -n "$NUMBER_IOS" ]; then
	grep -E '\[[a-z_]+\]' /proc/kallsyms | sed 's/^/fio-bench: ksym /'
fi
read -ra targets <<<"$RUN"
[ -z "$NUMBER_IOS" ] || echo "fio-bench: before: $(grep '^cpu' /proc/stat | tr '\n' ' ')"
start=$SECONDS
for round in $(seq "$ROUNDS"); do
	[ ${#targets[@]} -gt 0 ] || break
	# Alternate which target goes first.
	order=("${targets[@]}")
	if [ $((round % 2)) -eq 0 ] && [ ${#targets[@]} -eq 2 ]; then
		order=("${targets[1]}" "${targets[0]}")
	fi
	run_round "$round" "${order[@]}"
	echo "fio-bench: round $round done, $((SECONDS - start)) s"
done
if [ -n "$NUMBER_IOS" ]; then
	echo "fio-bench: after: $(grep '^cpu' /proc/stat | tr '\n' ' ')"
	# Each job ran twice per target and round (A B B A).
	echo "fio-bench: profiled ops=$((2 * ${#targets[@]} * ROUNDS * NUMBER_IOS * $(wc -w <<<"$JOBS")))"
fi

dmsetup remove cm
case " $TARGETS " in
*" rmirror "*)
	dmsetup remove rm
	rmmod dm_rmirror
	rmmod dm_io_rs
	;;
esac
nullb_remove_all
# The run ends with this one KTAP result when every fio run succeeded.
printf 'KTAP version 1\n1..1\nok 1 fio_bench\n'
