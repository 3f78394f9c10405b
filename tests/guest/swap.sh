# Guest script for the memory-pressure scenarios (run by make check on the
# stock kernel, C dm-io, and on the replace kernel, Rust dm-io, in a guest
# of little memory: tests/guest/swap.env): the swap area is a two-leg
# mirror on the virtio disk, and a process dirties more memory than the
# guest has, twice, then checks every page. Writeback to swap goes
# through dm-io, and through the mirror target's work queue: anything on
# that path that waits for memory reclaim would hang. dm-mirror on every
# kernel; rmirror where the kernel has it (dm_rmirror.ko in /modules, the
# replace kernel's in-tree module).
#
# Prints one KTAP document; tests/guest/swap.suites lists the names.

# Pages to dirty: more than the guest's memory, and its swap holds them.
MEM_MB=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
DIRTY_MB=$((MEM_MB * 3 / 2))
LEG_SECTORS=$(((DIRTY_MB + 64) * 2048))
# Hung tasks are reported after 30 s instead of 120 (judge.sh fails on it).
echo 30 >/proc/sys/kernel/hung_task_timeout_secs

# swap_on TARGET TABLE_ARGS: make a mirror of two dm-linear legs on vda,
# swap on it, dirty and check, then compare the legs over what swap wrote.
swap_on() {
	dmsetup create leg0 --table "0 $LEG_SECTORS linear /dev/vda 0"
	dmsetup create leg1 --table "0 $LEG_SECTORS linear /dev/vda $LEG_SECTORS"
	dmsetup create swapm --table "0 $LEG_SECTORS $1 $2"
	if [ "$1" = rmirror ]; then
		i=0
		until rmirror_synced swapm; do
			i=$((i + 1))
			[ $i -lt 3000 ] || { echo "# no initial sync: $(dmsetup status swapm)"; return 1; }
			sleep 0.1
		done
	fi
	mkswap /dev/mapper/swapm >/dev/null
	swapon /dev/mapper/swapm
	echo "# $1: ${MEM_MB} MiB of memory, dirtying ${DIRTY_MB} MiB"
	rc=0
	dirty-mem "$DIRTY_MB" || rc=$?
	grep -E '^(SwapTotal|SwapFree):' /proc/meminfo | sed 's/^/# /'
	swapped=$(awk '/^pswpout / { print $2 }' /proc/vmstat)
	echo "# pages swapped out so far: $swapped"
	swapoff /dev/mapper/swapm
	[ "$rc" = 0 ] || { echo "# dirty-mem found bad pages"; return 1; }
	[ "$swapped" -gt $((MEM_MB * 256 / 4)) ] || { echo "# too little swapped"; return 1; }
	dmsetup suspend swapm
	a=$(dd if=/dev/mapper/leg0 bs=1M count="$DIRTY_MB" iflag=direct status=none | md5sum)
	b=$(dd if=/dev/mapper/leg1 bs=1M count="$DIRTY_MB" iflag=direct status=none | md5sum)
	dmsetup resume swapm
	[ "$a" = "$b" ] || { echo "# the legs differ"; return 1; }
	dmsetup remove swapm
	dmsetup remove leg0 leg1
}

swap_dm_mirror() {
	# A core log, no initial resync: the legs start equal (zeroed).
	swap_on mirror "core 2 1024 nosync 2 /dev/mapper/leg0 0 /dev/mapper/leg1 0"
}

swap_rmirror() {
	# The module build's rmirror needs its dm-io module (the replace
	# kernel's is in dm-mod).
	[ ! -f /modules/dm_io_rs.ko ] || insmod /modules/dm_io_rs.ko
	insmod /modules/dm_rmirror.ko
	swap_on rmirror "1024 2 /dev/mapper/leg0 /dev/mapper/leg1"
}

# rmirror_synced NAME: every region in sync and the engine idle (an
# rmirror copies leg 0 to the others when it is made).
rmirror_synced() {
	set -- $(dmsetup status "$1" | awk '{ n = $4; print $(5 + n), $(9 + n) }')
	[ "${1%/*}" = "${1#*/}" ] && [ "$2" = idle ]
}

tests=swap_dm_mirror
[ -f /modules/dm_rmirror.ko ] && tests="$tests swap_rmirror"
# shellcheck disable=SC2086 # word splitting intended
ktap_run $tests
