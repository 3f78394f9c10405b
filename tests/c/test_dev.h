/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only: the guest's test disks for the C suites (tests/c/abi_diff.c,
 * tests/c/failnth.c, tests/c/stress.c).
 */
#ifndef _DM_IO_RS_TEST_DEV_H
#define _DM_IO_RS_TEST_DEV_H

#include <linux/blkdev.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <kunit/test.h>

/*
 * tests/dm_io_rust_test/guest_devices.rs: the device number of test disk
 * @index, resolved at module load; 0 when the guest lacks it.
 */
u32 rdm_test_devt(unsigned int index);

/*
 * Opens test disk @index for reading and writing: its file (fput() it) or
 * an ERR_PTR, -ENODEV when the guest lacks it.
 */
static inline struct file *rdm_test_open_dev(struct kunit *test, unsigned int index)
{
	u32 devt = rdm_test_devt(index);

	if (!devt) {
		kunit_err(test, "test device %u missing", index);
		return ERR_PTR(-ENODEV);
	}
	return bdev_file_open_by_dev(devt, BLK_OPEN_READ | BLK_OPEN_WRITE, NULL, NULL);
}

#endif /* _DM_IO_RS_TEST_DEV_H */
