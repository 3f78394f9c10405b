/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A memory-backed test disk for the dm-io KUnit suites: created in the
 * kernel, with the limits a test asks for, and a record of every bio that
 * reaches it.
 */
#ifndef DM_IO_TEST_DISK_H
#define DM_IO_TEST_DISK_H

#include <linux/types.h>

struct block_device;
struct dm_io_test_disk;

/**
 * struct dm_io_test_disk_config - what a test disk looks like
 * @sectors: size in 512-byte sectors
 * @logical_block_size: in bytes; 0 for 512
 * @max_sectors: the queue's max_hw_sectors; 0 for no limit
 * @max_discard_sectors: 0 if the disk cannot discard
 * @max_write_zeroes_sectors: 0 if the disk cannot write zeroes
 * @atomic_write_max_bytes: largest atomic write; 0 without atomic writes
 * @bad_start: first sector of a range whose I/O fails
 * @bad_sectors: length of that range; 0 for none
 * @completion_nsec: complete bios from a timer this long after submission;
 *	0 to complete them in submit_bio()
 */
struct dm_io_test_disk_config {
	u64 sectors;
	u32 logical_block_size;
	u32 max_sectors;
	u32 max_discard_sectors;
	u32 max_write_zeroes_sectors;
	u32 atomic_write_max_bytes;
	u64 bad_start;
	u64 bad_sectors;
	u32 completion_nsec;
};

/**
 * struct dm_io_test_disk_bio - a bio as it reached the disk
 * @sector: its first sector
 * @size: its size in bytes
 * @opf: its operation and flags
 * @ioprio: its I/O priority
 * @vcnt: its segments (bi_vcnt; 0 for a clone, whose are its source's)
 * @plugged: whether its submitter held a plug (current->plug)
 */
struct dm_io_test_disk_bio {
	u64 sector;
	u32 size;
	u32 opf;
	u16 ioprio;
	u16 vcnt;
	u8 plugged;
};

struct dm_io_test_disk *dm_io_test_disk_create(const struct dm_io_test_disk_config *cfg);
void dm_io_test_disk_destroy(struct dm_io_test_disk *disk);
struct block_device *dm_io_test_disk_bdev(struct dm_io_test_disk *disk);
int dm_io_test_disk_read(struct dm_io_test_disk *disk, u64 sector, void *buf, size_t len);
int dm_io_test_disk_write(struct dm_io_test_disk *disk, u64 sector, const void *buf,
			  size_t len);
size_t dm_io_test_disk_bios(struct dm_io_test_disk *disk, struct dm_io_test_disk_bio *bios,
			    size_t max);
void dm_io_test_disk_forget(struct dm_io_test_disk *disk);

#endif /* DM_IO_TEST_DISK_H */
