# Guest script for `make run`: devices, the module (its suites exercise
# every memory source, op and completion mode), then a clean unload.
setup_test_devices
# The stress suite injects faults and powers a device off under load.
setup_fault_injection
echo "dm-io-rs: devices: $(ls /sys/block | tr '\n' ' ')"
insmod /modules/dm_io_rs.ko
echo "dm-io-rs: module loaded; slab cache: $(grep -c dm_io_rs_io /proc/slabinfo 2>/dev/null || echo n/a)"
rmmod dm_io_rs
echo "dm-io-rs: module unloaded cleanly"
report_faults
