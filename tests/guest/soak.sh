# Guest script for `make soak`, on the debug kernel: the mixed load of
# tests/c/stress.c in rounds until SOAK_REQUESTS requests, from SOAK_SEED,
# with stress_faults: allocation failures in the submitting threads (the
# fault attributes below, task-filtered), the flaky nullb7 as a fourth
# device (fail_make_request), nullb8 powered off and on halfway through.
# scripts/soak.sh puts SOAK_REQUESTS and SOAK_SEED in front.
setup_test_devices
fault_attr fail_make_request 25
fault_attr failslab 3 task-filter=Y ignore-gfp-wait=N
fault_attr fail_page_alloc 30 task-filter=Y ignore-gfp-wait=N ignore-gfp-highmem=N

# wait_line TEXT: until the kernel log has TEXT.
wait_line() {
	while ! dmesg | grep -q "$1"; do sleep 0.2; done
}
(
	wait_line "dm-io-rs: soak: power-off window open"
	echo 0 >/sys/kernel/config/nullb/nullb8/power
	echo "dm-io-rs: soak: nullb8 powered off"
	wait_line "dm-io-rs: soak: power-on window open"
	echo 1 >/sys/kernel/config/nullb/nullb8/power
	echo "dm-io-rs: soak: nullb8 powered on"
) &
watcher=$!

kmemleak_clear
printf dm_io_rust_stress.stress_mixed_load >/sys/module/kunit/parameters/filter_glob
insmod /modules/dm_io_rs.ko
insmod /modules/dm_io_rust_kunit.ko stress_requests="$SOAK_REQUESTS" stress_seed="$SOAK_SEED" stress_faults=1
rmmod dm_io_rust_kunit
rmmod dm_io_rs
kill "$watcher" 2>/dev/null || true
report_faults
kmemleak_check
