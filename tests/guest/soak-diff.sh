# Guest script for `make soak`, on the stock kernel: the differential
# suite of tests/c/abi_diff.c, SOAK_SHAPES random shapes from SOAK_SEED
# through rdm_io() and the kernel's dm_io(), stopping at the first
# mismatch. scripts/soak.sh puts SOAK_SHAPES and SOAK_SEED in front.
setup_test_devices
printf dm_io_rust_c_abi.c_abi_matches_dm_io >/sys/module/kunit/parameters/filter_glob
insmod /modules/dm_io_rs.ko
insmod /modules/dm_io_rust_kunit.ko diff_shapes="$SOAK_SHAPES" diff_seed="$SOAK_SEED"
rmmod dm_io_rust_kunit
rmmod dm_io_rs
