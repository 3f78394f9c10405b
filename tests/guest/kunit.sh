# Guest script for `make check`: the KUnit suites run when the module loads.
setup_test_devices
setup_fault_injection
kmemleak_clear
# Every suite but the fail-nth one (the only name ending in "h"), which
# needs fault settings of its own and runs in a second load below.
printf 'dm_io_rs_*[!h]' >/sys/module/kunit/parameters/filter_glob
insmod /modules/dm_io_rs.ko
# Unloading must be clean: every client and io object gone.
rmmod dm_io_rs
report_faults
# The fail-nth suite (tests/c_failnth.c): its 64-region shapes only where
# they are cheap, not on the debug kernel (kmemleak is its mark).
setup_failnth_faults
printf dm_io_rs_failnth >/sys/module/kunit/parameters/filter_glob
start="$(now)"
if [ -e "$KMEMLEAK" ]; then insmod /modules/dm_io_rs.ko; else insmod /modules/dm_io_rs.ko failnth_all=1; fi
echo "dm-io-rs: the fail-nth suite took $(awk "BEGIN { printf \"%.1f\", $(now) - $start }") s"
rmmod dm_io_rs
kmemleak_check
