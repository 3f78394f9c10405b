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
	while :; do
		set -- "$1" $(dmsetup status "$1")
		[ "${8%%/*}" = "${8##*/}" ] && return 0
		i=$((i + 1))
		[ "$i" -lt 600 ] || { echo "# $1 did not sync: $*"; return 1; }
		sleep 0.2
	done
}

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
