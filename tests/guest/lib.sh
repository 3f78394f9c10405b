# Helpers for guest test scripts (busybox sh).

# nullb_create INDEX SIZE_MB [ATTR=VALUE...]: a memory-backed null_blk
# device /dev/nullbINDEX made through configfs.
nullb_create() {
	idx="$1"
	size="$2"
	shift 2
	d="/sys/kernel/config/nullb/nullb$idx"
	mkdir "$d"
	echo "$idx" >"$d/index"
	echo "$size" >"$d/size"
	echo 1 >"$d/memory_backed"
	for kv in "$@"; do
		echo "${kv#*=}" >"$d/${kv%%=*}"
	done
	echo 1 >"$d/power"
	[ -b "/dev/nullb$idx" ] || { echo "nullb$idx did not appear"; return 1; }
}

# The devices every KUnit suite may use; see tests/dm_io_rust_test/guest_devices.rs.
setup_test_devices() {
	nullb_create 0 1024
	nullb_create 1 1024
	nullb_create 2 256 discard=1
	nullb_create 3 256 max_sectors=64
	nullb_create 4 256
	echo "+1024-2047" >/sys/kernel/config/nullb/nullb4/badblocks
	# The stress suite's devices: completions from a timer, so that
	# many requests are in flight; one failing on demand; one to lose.
	nullb_create 5 1024 irqmode=2 completion_nsec=50000
	nullb_create 6 1024 irqmode=2 completion_nsec=200000
	nullb_create 7 1024
	echo 1 >/sys/block/nullb7/make-it-fail
	nullb_create 8 64 irqmode=2 completion_nsec=100000
}

FAULT_TIMES=1000000

# fault_attr NAME PROBABILITY [ATTR=VALUE...]: arm a fault-injection
# attribute with a countdown, so that the faults injected can be counted.
fault_attr() {
	d="/sys/kernel/debug/$1"
	echo "$2" >"$d/probability"
	echo 1 >"$d/interval"
	echo "$FAULT_TIMES" >"$d/times"
	echo 0 >"$d/verbose"
	shift 2
	for kv in "$@"; do
		echo "${kv#*=}" >"$d/${kv%%=*}"
	done
}

# Fault injection for the stress suite: bios to nullb7 fail at random; slab
# and page allocations fail at random, but only in a task that asks for it
# (the suite sets current->make_it_fail around the calls it tests).
setup_fault_injection() {
	fault_attr fail_make_request 25
	fault_attr failslab 3 task-filter=Y ignore-gfp-wait=N
	fault_attr fail_page_alloc 30 task-filter=Y ignore-gfp-wait=N ignore-gfp-highmem=N
	# Power nullb8 off once the suite says its requests are in flight.
	(
		while ! dmesg | grep -q "dm-io-rs: power-off window open"; do sleep 0.1; done
		echo 0 >/sys/kernel/config/nullb/nullb8/power
		echo "dm-io-rs: nullb8 powered off"
	) &
}

# Fault settings for the fail-nth suite (tests/c/failnth.c), which runs in
# a module load of its own: current->fail_nth must count every slab and
# page allocation, sleeping ones and single pages included, and a task
# that sets make_it_fail gets every allocation failed (its forward-progress
# cases); no other task is touched. verbose=0: no stack dump per fault.
setup_failnth_faults() {
	fault_attr failslab 100 task-filter=Y ignore-gfp-wait=N
	fault_attr fail_page_alloc 100 task-filter=Y ignore-gfp-wait=N ignore-gfp-highmem=N min-order=0
}

# Prints how many faults each attribute injected.
report_faults() {
	for a in fail_make_request failslab fail_page_alloc; do
		echo "dm-io-rs: faults injected by $a: $((FAULT_TIMES - $(cat /sys/kernel/debug/$a/times)))"
	done
}

KMEMLEAK=/sys/kernel/debug/kmemleak

# Forget what kmemleak found before the module ran (debug kernel only).
kmemleak_clear() {
	[ -e "$KMEMLEAK" ] || return 0
	echo scan >"$KMEMLEAK"
	echo clear >"$KMEMLEAK"
}

# Scan for leaks after the module is gone; any report fails the run.
kmemleak_check() {
	[ -e "$KMEMLEAK" ] || return 0
	# An object must be older than the minimum age (5 s) to be reported.
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	# A debugfs file has no size: read it.
	if grep -q . "$KMEMLEAK"; then
		echo "dm-io-rs: kmemleak report:"
		cat "$KMEMLEAK"
		return 1
	fi
	echo "dm-io-rs: kmemleak: no leaks"
}

# nullb_remove_all: power off and remove every configfs null_blk device.
nullb_remove_all() {
	for d in /sys/kernel/config/nullb/nullb*; do
		[ -d "$d" ] || continue
		echo 0 >"$d/power"
		rmdir "$d"
	done
}

# pattern FILE MIB: MIB MiB of random data.
pattern() {
	dd if=/dev/urandom of="$1" bs=1M count="$2" 2>/dev/null
}

# put FILE DEST [SEEK_MIB]: write FILE into DEST at SEEK_MIB MiB; a block
# device gets direct I/O and a final fsync (a flush through the stack).
put() {
	if [ -b "$2" ]; then
		dd if="$1" of="$2" bs=1M seek="${3:-0}" oflag=direct conv=fsync 2>/dev/null
	else
		dd if="$1" of="$2" bs=1M seek="${3:-0}" conv=notrunc 2>/dev/null
	fi
}

# same DEV FILE [MIB]: the first MIB MiB (default: all of FILE) of DEV,
# read with direct I/O, equal those of FILE. differs: the opposite.
equal() {
	mib="${3:-$(($(stat -c %s "$2") / 1048576))}"
	a="$(dd if="$1" bs=1M count="$mib" iflag=direct 2>/dev/null | md5sum)"
	b="$(dd if="$2" bs=1M count="$mib" 2>/dev/null | md5sum)"
	[ "${a%% *}" = "${b%% *}" ]
}
same() {
	equal "$@" && return 0
	echo "# $1: the first ${3:-all} MiB differ from $2"
	return 1
}
differs() {
	equal "$@" || return 0
	echo "# $1: the first ${3:-all} MiB equal $2"
	return 1
}

# wait_mirror_sync NAME: until every region of the dm mirror NAME is in
# sync ("<in-sync>/<regions>" in its status), at most 2 minutes.
wait_mirror_sync() {
	i=0
	# "0 <len> mirror <legs> <leg>... <in-sync>/<regions> ...".
	while ! dmsetup status "$1" | awk '{ split($(5 + $4), r, "/"); exit r[1] != r[2] }'; do
		i=$((i + 1))
		[ "$i" -lt 600 ] || { echo "# $1 did not sync: $(dmsetup status "$1")"; return 1; }
		sleep 0.2
	done
}

# blkstat DEV FIELD: a field of /sys/block/DEV/stat (3: sectors read,
# 12: discards, 14: sectors discarded, 16: flushes).
blkstat() { awk -v f="$2" '{ print $f }' "/sys/block/$1/stat"; }

# now: seconds since boot, with hundredths.
now() { cut -d' ' -f1 /proc/uptime; }

# ktap_run TEST...: run each shell function in a subshell with `set -e`,
# print its time and a KTAP result line, clean up dm and null_blk devices
# after it; fails if any test failed.
ktap_run() {
	echo "KTAP version 1"
	echo "1..$#"
	n=0
	failed=0
	for t in "$@"; do
		n=$((n + 1))
		start="$(now)"
		set +e
		(
			set -e
			"$t"
		)
		rc=$?
		set -e
		echo "# $t: $(awk "BEGIN { printf \"%.1f\", $(now) - $start }") s"
		dmsetup remove_all >/dev/null 2>&1 || true
		nullb_remove_all
		rm -f /tmp/p[0-9] /tmp/exp*
		if [ "$rc" -eq 0 ]; then
			echo "ok $n $t"
		else
			echo "not ok $n $t"
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
}
