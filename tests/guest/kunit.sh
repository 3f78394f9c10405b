# Guest script for `make check`: the KUnit suites run when the module loads.
setup_test_devices
insmod /modules/dm_io_rs.ko
# Unloading must be clean: every client and io object gone.
rmmod dm_io_rs
