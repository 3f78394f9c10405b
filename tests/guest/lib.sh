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

# The devices every KUnit suite may use; see tests/kunit/devices.rs.
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
	if [ -s "$KMEMLEAK" ]; then
		echo "dm-io-rs: kmemleak report:"
		cat "$KMEMLEAK"
		return 1
	fi
	echo "dm-io-rs: kmemleak: no leaks"
}
