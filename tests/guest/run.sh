# Guest script for `make run`, on the replace kernel (dm-mod runs the Rust
# dm-io in place of drivers/md/dm-io.c). Each demo is a function; add yours
# to the list at the end.

say() { echo "dm-io-rs: $*"; }

# Which dm-io the kernel's own dm targets use.
demo_kernel() {
	say "kernel: $(dmesg | grep -o 'dm_io: Rust dm-io.*' || echo 'C dm-io (no Rust dm_io_init line)')"
	say "kernel: $(grep -c '8dm_io_rs' /proc/kallsyms) symbols of the Rust crate dm_io_rs in vmlinux"
}

# The module: its KUnit suites exercise every memory source, op and
# completion mode (their C oracle, the kernel's dm_io(), is Rust here too).
demo_module() {
	setup_test_devices
	# The stress suite injects faults and powers a device off under load.
	setup_fault_injection
	say "devices: $(ls /sys/block | tr '\n' ' ')"
	# Not the fail-nth suite (needs tests/guest/kunit.sh's fault settings).
	printf 'dm_io_rs_*[!h]' >/sys/module/kunit/parameters/filter_glob
	insmod /modules/dm_io_rs.ko
	say "module loaded; slab caches: $(grep -o '^dm_io[a-z_]*' /proc/slabinfo 2>/dev/null | tr '\n' ' ')"
	rmmod dm_io_rs
	say "module unloaded cleanly"
	report_faults
	nullb_remove_all
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
demo_module
demo_mirror
