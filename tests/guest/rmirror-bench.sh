# Guest script for scripts/bench-rmirror.sh: the Rust mirror (rmirror) next
# to the kernel's C dm-mirror over identical null_blk legs, with fio.
# Prints "rmirror-bench: <target> <workload> <round> <iops>" lines.
# The legs are null_blk devices from index 20 on, clear of lib.sh's test
# devices.
insmod /modules/dm_io_rs.ko
insmod /modules/dm_rmirror.ko
SZ=262144                       # 128 MiB per leg
ROUNDS=${ROUNDS:-3}
RUNTIME=${RUNTIME:-3}
# No memory, no completion delay: what is measured is the I/O path.
for i in 21 22 23 24; do
	nullb_create $i 128 memory_backed=0 irqmode=0 completion_nsec=0
done
dmsetup create rm --table "0 $SZ rmirror 1024 2 /dev/nullb21 /dev/nullb22 nosync"
dmsetup create cm --table "0 $SZ mirror core 2 1024 nosync 2 /dev/nullb23 0 /dev/nullb24 0"
echo "rmirror-bench: rmirror: $(dmsetup table rm)"
echo "rmirror-bench: mirror:  $(dmsetup table cm)"

run() { # DEV RW
	rmirror-load "$1" "$2" "$RUNTIME" 128
}

for round in $(seq "$ROUNDS"); do
	for wl in write randwrite read randread; do
		# Alternate which target goes first.
		if [ $((round % 2)) -eq 1 ]; then order="rm cm"; else order="cm rm"; fi
		for t in $order; do
			iops=$(run /dev/mapper/$t $wl)
			name=rmirror
			[ $t = cm ] && name=dm-mirror
			echo "rmirror-bench: $name $wl $round ${iops:-0}"
		done
	done
done
dmsetup remove rm
dmsetup remove cm
rmmod dm_rmirror
rmmod dm_io_rs
# The run ends with this one KTAP result when every round finished.
printf 'KTAP version 1\n1..1\nok 1 rmirror_bench\n'
