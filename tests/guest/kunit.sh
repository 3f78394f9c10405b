# Guest script for `make check`: dm_io_rs.ko, then the KUnit suites of
# dm_io_rust_kunit.ko, which run when it loads: the Rust suites on test disks
# they make themselves, the C suites on the devices made here.
setup_test_devices
setup_fault_injection
kmemleak_clear
# Every suite but the fail-nth one, whose cases are the only "very slow"
# ones (their attribute) and which needs fault settings of its own: it
# runs in a second load below.
printf 'speed>very_slow' >/sys/module/kunit/parameters/filter
insmod /modules/dm_io_rs.ko
# Its io objects come from a slab cache of their own, as dm-io.c's
# (KMEM_CACHE(io, 0)), which /sys/kernel/slab and slab debugging see.
[ -e /sys/kernel/slab/rdm_io ] || { echo "dm-io-rs: no rdm_io slab cache"; exit 1; }
insmod /modules/dm_io_rust_kunit.ko
# Unloading must be clean: every client and io object gone, and the cache.
rmmod dm_io_rust_kunit
rmmod dm_io_rs
[ ! -e /sys/kernel/slab/rdm_io ] || { echo "dm-io-rs: rdm_io slab cache left"; exit 1; }
report_faults
# The fail-nth suite (tests/c/failnth.c): its 64-region shapes only where
# they are cheap, not on the debug kernel (kmemleak is its mark).
setup_failnth_faults
printf 'speed>=very_slow' >/sys/module/kunit/parameters/filter
printf dm_io_rust_failnth >/sys/module/kunit/parameters/filter_glob
start="$(now)"
insmod /modules/dm_io_rs.ko
if [ -e "$KMEMLEAK" ]; then
	insmod /modules/dm_io_rust_kunit.ko
else
	insmod /modules/dm_io_rust_kunit.ko failnth_all=1
fi
echo "dm-io-rs: the fail-nth suite took $(awk "BEGIN { printf \"%.1f\", $(now) - $start }") s"
rmmod dm_io_rust_kunit
rmmod dm_io_rs
kmemleak_check
