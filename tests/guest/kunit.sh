# Guest script for `make check`: the KUnit suites run when the module loads.
setup_test_devices
setup_fault_injection
kmemleak_clear
insmod /modules/dm_io_rs.ko
# Unloading must be clean: every client and io object gone.
rmmod dm_io_rs
report_faults
kmemleak_check
