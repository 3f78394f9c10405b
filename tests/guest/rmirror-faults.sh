# Guest script for `make soak` (debug kernel): the rmirror target under
# allocation failures. One KTAP line per test; kmemleak after rmmod.
#
#  - ctr_*: a table load with each of its allocations failing in turn
#    (fail-nth in the ioctl's task, tests/guest/dm-failnth.c): it fails
#    cleanly or succeeds, and the device resumes and removes.
#  - write_fail_nth: an O_DIRECT write through the mirror with each of
#    the writer's allocations failing in turn must still succeed.
#  - resync_alloc_failures: the resync runs in the system workqueue's
#    workers, which fail-nth (per task, armed by the task itself) cannot
#    reach: those workers get make-it-fail and FAILSLAB/FAIL_PAGE_ALLOC
#    fail a share of their allocations (task-filter) during each resync;
#    every resync must finish with identical legs and no leg failed.
kmemleak_clear
insmod /modules/dm_io_rs.ko
insmod /modules/dm_rmirror.ko
# fail-nth counts sleeping allocations and single pages (tests/guest/lib.sh).
setup_failnth_faults

SZ=16384	# sectors per leg used: 8 MiB

# legs: three 64 MiB null_blk devices, 16 MiB of random data each (written
# once, so null_blk allocates no page later).
legs() {
	for i in 21 22 23; do
		nullb_create $i 64
		dd if=/dev/urandom of=/dev/nullb$i bs=1M count=16 oflag=direct status=none
	done
}

# A device with the mirror's table type stays while the loops run, so that
# dm-core's bio slab of that size exists: a failed kmem_cache_create()
# dumps a stack (and, once failed, the same name fails with -EINVAL).
keep() {
	dmsetup create keep --table "0 $SZ rmirror 8 1 /dev/nullb23"
}

ctr_two_legs() {
	legs
	keep
	dm-failnth load mfn $SZ rmirror "8 2 /dev/nullb21 /dev/nullb22"
}

ctr_three_legs_nosync() {
	legs
	keep
	# Region 1024: 8 copy jobs of 32 pages each.
	dm-failnth load mfn $SZ rmirror "1024 3 /dev/nullb21 /dev/nullb22 /dev/nullb23 nosync"
}

write_fail_nth() {
	legs
	dmsetup create mw --table "0 $SZ rmirror 8 2 /dev/nullb21 /dev/nullb22 nosync"
	dm-failnth write /dev/mapper/mw 4096
	a=$(dd if=/dev/nullb21 bs=4096 count=1 skip=512 iflag=direct status=none | md5sum)
	b=$(dd if=/dev/nullb22 bs=4096 count=1 skip=512 iflag=direct status=none | md5sum)
	[ "$a" = "$b" ] || { echo "# the legs differ after the writes"; return 1; }
}

# mstat NAME: "<in_sync>/<total> <health> <state>".
mstat() {
	dmsetup status "$1" | awk '{ n = $4; print $(5 + n), $(7 + n), $(9 + n) }'
}

# mark_kworkers 0|1: make-it-fail for the per-CPU pools' workers (the
# system workqueue runs the mirror's work item), not the high-priority
# ones (kblockd) nor the unbound ones.
mark_kworkers() {
	for p in /proc/[0-9]*; do
		case "$(cat "$p/comm" 2>/dev/null)" in
		kworker/[0-9]*:[0-9]*H*) ;;
		kworker/[0-9]*:[0-9]*) echo "$1" >"$p/make-it-fail" 2>/dev/null || true ;;
		esac
	done
}

RESYNC_ROUNDS=${RESYNC_ROUNDS:-10}
RESYNC_PERCENT=${RESYNC_PERCENT:-30}

resync_disarm() {
	touch /tmp/stop-marking
	wait 2>/dev/null || true
	mark_kworkers 0
	fault_attr failslab 0
	fault_attr fail_page_alloc 0
}

resync_alloc_failures() {
	legs
	trap resync_disarm EXIT
	stalls=0
	total=0
	for round in $(seq "$RESYNC_ROUNDS"); do
		dd if=/dev/urandom of=/dev/nullb22 bs=1M count=16 oflag=direct status=none
		fault_attr failslab "$RESYNC_PERCENT" task-filter=Y ignore-gfp-wait=N
		fault_attr fail_page_alloc "$RESYNC_PERCENT" task-filter=Y ignore-gfp-wait=N \
			ignore-gfp-highmem=N min-order=0
		rm -f /tmp/stop-marking
		mark_kworkers 1
		# New workers appear while the resync runs: mark them too.
		( while [ ! -e /tmp/stop-marking ]; do mark_kworkers 1; sleep 0.2; done ) &
		# 16 MiB in regions of 64 sectors: 512 regions, one copy step each.
		dmsetup create mr --table "0 $((2 * SZ)) rmirror 64 2 /dev/nullb21 /dev/nullb22"
		last=""
		still=0
		while :; do
			s="$(mstat mr)"
			case "$s" in *" idle") break ;; esac
			[ "$s" = "$last" ] && still=$((still + 1)) || still=0
			last="$s"
			# 20 s without progress: stalled. Kick it, so that the
			# device can go (suspend and remove wait for the copy
			# jobs), and count the round as failed.
			if [ "$still" -ge 100 ]; then
				echo "# round $round: resync stalled at '$s'"
				stalls=$((stalls + 1))
				dmsetup message mr 0 resync
				still=0
			fi
			sleep 0.2
		done
		inj=$((2 * FAULT_TIMES - $(cat /sys/kernel/debug/failslab/times) -
			$(cat /sys/kernel/debug/fail_page_alloc/times)))
		total=$((total + inj))
		resync_disarm
		[ "$(mstat mr)" = "512/512 AA idle" ] ||
			{ echo "# round $round: status $(dmsetup status mr)"; return 1; }
		same /dev/nullb22 /dev/nullb21 16
		dmsetup remove mr
		echo "# round $round: resync done, $inj allocations failed in the workers"
	done
	echo "# $RESYNC_ROUNDS resyncs, $total allocation failures injected, $stalls stalled"
	[ "$stalls" -eq 0 ]
}

ktap_run ctr_two_legs ctr_three_legs_nosync write_fail_nth resync_alloc_failures
rmmod dm_rmirror
rmmod dm_io_rs
kmemleak_check
