# shellcheck shell=bash
# Guest script (bash, on the Debian root of scripts/build-guest-root.sh) for
# scripts/bench-fio.sh: fio on two-leg mirrors over null_blk legs, on the
# stock kernel (C dm-io) or the replace kernel (Rust dm-io in dm-mod).
#
# The payload holds this script as test.sh, tests/guest/lib.sh, fio.conf
# (ROUNDS, RUNTIME, TARGETS) and, when TARGETS names rmirror, the
# out-of-tree dm_io_rs.ko and dm_rmirror.ko built against this kernel.
#
# Prints "fio-bench: <target> <job> <round> <iops> <KiB/s>" per fio run,
# "fio-bench: dm-io <c|rust>" once, and ends with one KTAP result; fails
# if fio fails or reports an error for any job.
set -eu
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=tests/guest/lib.sh
. ./lib.sh
# shellcheck disable=SC1091
. ./fio.conf
: "${ROUNDS:=3}" "${RUNTIME:=3}" "${TARGETS:=dm-mirror}"

# Which dm-io is in this kernel (as tests/guest/dm.sh tells them apart).
if grep -q '10dm_io_rust' /proc/kallsyms; then
	echo "fio-bench: dm-io rust"
elif grep -q ' km_get_page$' /proc/kallsyms; then
	echo "fio-bench: dm-io c"
else
	echo "fio-bench: dm-io unknown"
	exit 1
fi
echo "fio-bench: $(fio --version), $ROUNDS rounds of $RUNTIME s, targets: $TARGETS"

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
	dmsetup create rm --table "0 $SZ rmirror 1024 2 /dev/nullb23 /dev/nullb24 nosync"
	echo "fio-bench: rmirror: $(dmsetup table rm)"
	;;
esac

# The four jobs: name, rw, block size.
jobs=(randwrite:randwrite:4k randread:randread:4k write:write:1M read:read:1M)

# run_fio TARGET JOB ROUND: one fio run; prints its result line.
run_fio() {
	local t="$1" job="$2" round="$3" rw bs dir out
	IFS=: read -r _ rw bs <<<"$(printf '%s\n' "${jobs[@]}" | grep "^$job:")"
	dir="read"
	case "$rw" in *write) dir="write" ;; esac
	out="/tmp/fio-$t-$job-$round.json"
	if ! fio --name="$job" --filename="/dev/mapper/${dev[$t]}" --rw="$rw" --bs="$bs" \
		--ioengine=libaio --iodepth=32 --direct=1 --time_based --runtime="$RUNTIME" \
		--norandommap --randrepeat=0 --gtod_reduce=1 \
		--output-format=json --output="$out" >"$out.err" 2>&1; then
		echo "# fio failed on $t ($job, round $round):"
		sed -e 's/^/# /' -e 's/WARNING:/Warning:/g' "$out.err" "$out"
		return 1
	fi
	# fio's JSON has one key per line; take the job's error and the first
	# "bw" (KiB/s) and "iops" of the direction the job ran.
	awk -v d="$dir" -v pre="fio-bench: $t $job $round" '
		/"error" :/ && err == "" { err = $3; sub(/,$/, "", err) }
		$0 ~ "\"" d "\" : \\{" { in_d = 1 }
		in_d && /"bw" :/ && bw == "" { bw = $3; sub(/,$/, "", bw) }
		in_d && /"iops" :/ && iops == "" { iops = $3; sub(/,$/, "", iops) }
		END {
			if (err != "0" || bw == "" || iops == "" || iops + 0 <= 0) {
				printf "# fio: error %s, bw %s, iops %s\n", err, bw, iops
				exit 1
			}
			printf "%s %.0f %d\n", pre, iops, bw
		}' "$out" || { sed -e 's/^/# /' "$out.err"; return 1; }
	rm -f "$out" "$out.err"
}

read -ra targets <<<"$TARGETS"
start=$SECONDS
for round in $(seq "$ROUNDS"); do
	for j in "${jobs[@]}"; do
		job="${j%%:*}"
		# Alternate which target goes first.
		order=("${targets[@]}")
		if [ $((round % 2)) -eq 0 ] && [ ${#targets[@]} -eq 2 ]; then
			order=("${targets[1]}" "${targets[0]}")
		fi
		for t in "${order[@]}"; do
			run_fio "$t" "$job" "$round"
		done
	done
	echo "fio-bench: round $round done, $((SECONDS - start)) s"
done

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
