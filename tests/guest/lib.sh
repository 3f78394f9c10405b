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
}
