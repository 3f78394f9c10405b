# Guest script for `make run`: the Rust mirror target (rmirror) at work:
# create, write, fail a leg, read, resync, status. Lines the host shows
# start with "rmirror-demo:".
# The legs are null_blk devices from index 20 on, clear of lib.sh's test
# devices.
# On the replace kernel dm-mod has the Rust dm-io and rmirror is its
# in-tree module; elsewhere both come from the out-of-tree build.
[ ! -e /modules/dm_io_rs.ko ] || insmod /modules/dm_io_rs.ko
insmod /modules/dm_rmirror.ko
SZ=131072
say() { echo "rmirror-demo: $*"; }
sum() { dd if="$1" bs=1M count="$2" skip="${3:-0}" iflag=direct status=none | md5sum | cut -c1-12; }
wait_sync() {
	while :; do
		say "  status: $(dmsetup status "$1")"
		set -- "$1" $(dmsetup status "$1" | awk '{ n = $4; print $(5 + n), $(9 + n) }')
		[ "${2%/*}" = "${2#*/}" ] && [ "$3" = idle ] && return 0
		sleep 0.2
	done
}

nullb_create 21 64
nullb_create 22 64
nullb_create 23 64
dmsetup create rl0 --table "0 $SZ linear /dev/nullb21 0"
dmsetup create rl1 --table "0 $SZ linear /dev/nullb22 0"
say "create: dmsetup create m --table '0 $SZ rmirror 1024 2 /dev/mapper/rl0 /dev/mapper/rl1'"
dmsetup create m --table "0 $SZ rmirror 1024 2 /dev/mapper/rl0 /dev/mapper/rl1"
say "table:  $(dmsetup table m)"
wait_sync m
dd if=/dev/urandom of=/tmp/a bs=1M count=8 status=none
dd if=/tmp/a of=/dev/mapper/m bs=1M oflag=direct conv=notrunc status=none
say "write 8 MiB: data $(md5sum /tmp/a | cut -c1-12), mirror $(sum /dev/mapper/m 8), leg0 $(sum /dev/nullb21 8), leg1 $(sum /dev/nullb22 8)"
say "fail leg 1: dm-error under it"
dmsetup load rl1 --table "0 $SZ error"
dmsetup resume rl1
dd if=/tmp/a of=/dev/mapper/m bs=1M seek=16 oflag=direct conv=notrunc status=none && say "write after the failure: ok"
say "read through the mirror: $(sum /dev/mapper/m 8 16) (leg0 $(sum /dev/nullb21 8 16))"
say "status: $(dmsetup status m)"
say "replace leg 1 with a blank device and resync: dmsetup message m 0 resync"
dmsetup load rl1 --table "0 $SZ linear /dev/nullb23 0"
dmsetup resume rl1
dmsetup message m 0 resync
wait_sync m
say "$(dmesg | grep 'rmirror: resync done' | tail -n 1 | sed 's/.*rmirror: //')"
say "legs after resync: leg0 $(sum /dev/nullb21 64), leg1 $(sum /dev/nullb23 64)"
dmsetup remove m
dmsetup remove rl0
dmsetup remove rl1
rmmod dm_rmirror
[ ! -e /modules/dm_io_rs.ko ] || rmmod dm_io_rs
say "removed; module unloaded"
# The demo ends with this one KTAP result when every step passed.
printf 'KTAP version 1\n1..1\nok 1 rmirror_demo\n'
