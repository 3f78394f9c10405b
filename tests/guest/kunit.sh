# Guest script for `make check`: dm_io_rs.ko, then the KUnit suites of
# dm_io_rust_kunit.ko, which run when it loads: the Rust suites on test disks
# they make themselves, the C suites on the devices made here.
setup_test_devices
setup_fault_injection
kmemleak_clear
insmod /modules/dm_io_rs.ko
insmod /modules/dm_io_rust_kunit.ko
# Unloading must be clean: every client and io object gone.
rmmod dm_io_rust_kunit
rmmod dm_io_rs
report_faults
kmemleak_check
