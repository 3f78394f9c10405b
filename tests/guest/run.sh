# Guest script for `make run`, on the replace kernel (dm-mod runs the Rust
# dm-io in place of drivers/md/dm-io.c). Each demo is a function; add yours
# to the list at the end.

say() { echo "dm-io-rs: $*"; }

# Which dm-io the kernel's own dm targets use.
demo_kernel() {
	say "kernel: $(dmesg | grep -o 'dm_io: Rust dm-io.*' || echo 'C dm-io (no Rust dm_io_init line)')"
	say "kernel: $(grep -c '10dm_io_rust' /proc/kallsyms) symbols of the Rust crate dm_io_rust in vmlinux"
}

# The KUnit suites, built into this kernel, ran at boot against the
# kernel's own dm_io(), the Rust one here: their results.
demo_kunit() {
	say "KUnit at boot: $(dmesg | grep -cE '^\[[ 0-9.]+\]     ok [0-9]+ ') cases passed, $(dmesg | grep -cE '^\[[ 0-9.]+\]     not ok [0-9]+ ') failed"
	dmesg | grep -E '^\[[ 0-9.]+\] +(not )?ok [0-9]+ dm_io_rust' | sed 's/^\[[ 0-9.]*\] */dm-io-rs:   /'
}

# A dm mirror over two devices, as a user builds it with dmsetup: the
# kernel's dm-raid1, dm-log and dm-kcopyd, all calling dm_io().
demo_mirror() {
	nullb_create 10 32
	nullb_create 11 32
	sz="$(blockdev --getsz /dev/nullb10)"
	dmsetup create leg0 --table "0 $sz linear /dev/nullb10 0"
	dmsetup create leg1 --table "0 $sz linear /dev/nullb11 0"
	dmsetup create mirr --table "0 $sz mirror core 1 1024 2 /dev/mapper/leg0 0 /dev/mapper/leg1 0"
	say "mirror: $(dmsetup table mirr)"
	wait_mirror_sync mirr
	say "mirror in sync: $(dmsetup status mirr)"

	pattern /tmp/data 8
	put /tmp/data /dev/mapper/mirr
	say "wrote 8 MiB: md5 $(md5sum </tmp/data | cut -c1-32)"
	for dev in /dev/mapper/mirr /dev/nullb10 /dev/nullb11; do
		same "$dev" /tmp/data
		say "  read back from $dev: same"
	done

	dmsetup suspend leg1
	dmsetup load leg1 --table "0 $sz error"
	dmsetup resume leg1
	say "leg1 failed (dm-error under the mirror)"
	pattern /tmp/data 8
	put /tmp/data /dev/mapper/mirr
	say "wrote 8 new MiB through the mirror"
	say "mirror status: $(dmsetup status mirr)"
	dmsetup status mirr | grep -q ' AD '
	say "  leg0 alive (A), leg1 dead on write (D)"
	same /dev/mapper/mirr /tmp/data
	same /dev/nullb10 /tmp/data
	say "  data read back through the mirror and from leg0: same"
	differs /dev/nullb11 /tmp/data
	say "  leg1's device did not get the write"
	dmsetup remove mirr
	dmsetup remove leg1
	dmsetup remove leg0
	nullb_remove_all
	say "mirror removed"
}

demo_kernel
demo_kunit
demo_mirror
# The KUnit suites ran at boot, in a KTAP document of their own; the demos
# end with this one result when every step passed.
printf 'KTAP version 1\n1..1\nok 1 run_demo\n'
