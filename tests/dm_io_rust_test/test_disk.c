// SPDX-License-Identifier: GPL-2.0
/*
 * A memory-backed, bio-based test disk for the dm-io KUnit suites.
 *
 * Being bio-based, it sees each bio exactly as its submitter built it (the
 * block layer splits only for blk-mq disks), and records its operation,
 * flags, I/O priority and size, so that a test can check what dm-io sent:
 * bios cut at a limit, the I/O priority on every bio, an atomic write in
 * one bio. Its contents can be read and written directly, a path that
 * shares no code with dm-io. Each bio is advanced to its end before it
 * completes, as blk-mq does. Bios to a bad range or past the end fail;
 * discard and write-zeroes fail as unsupported when their limit is 0. The
 * limits are the queue's, for dm-io to read: the disk takes bios of any
 * size, so that the records show how dm-io itself cut them. With
 * completion_nsec, bios complete from a timer (in interrupt context) rather
 * than in submit_bio().
 */

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "test_disk.h"

/* The most bios a disk remembers; a test forgets them between steps. */
#define DM_IO_TEST_DISK_RECORDS 4096

struct dm_io_test_disk {
	struct gendisk *disk;
	struct dm_io_test_disk_config cfg;
	u8 *data;
	spinlock_t lock;	/* records, pending */
	struct dm_io_test_disk_bio records[DM_IO_TEST_DISK_RECORDS];
	size_t nr_bios;
	struct bio_list pending;
	struct hrtimer timer;
};

static DEFINE_IDA(dm_io_test_disk_ida);

static void dm_io_test_disk_record(struct dm_io_test_disk *d, struct bio *bio)
{
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	if (d->nr_bios < DM_IO_TEST_DISK_RECORDS)
		d->records[d->nr_bios] = (struct dm_io_test_disk_bio){
			.sector = bio->bi_iter.bi_sector,
			.size = bio->bi_iter.bi_size,
			.opf = (__force u32)bio->bi_opf,
			.ioprio = bio->bi_ioprio,
			.vcnt = bio_flagged(bio, BIO_CLONED) ? 0 : bio->bi_vcnt,
			/* A bio-based disk is called from its submitter. */
			.plugged = !!current->plug,
		};
	d->nr_bios++;
	spin_unlock_irqrestore(&d->lock, flags);
}

static blk_status_t dm_io_test_disk_do(struct dm_io_test_disk *d, struct bio *bio)
{
	u64 start = bio->bi_iter.bi_sector;
	u64 end = bio_end_sector(bio);
	struct bvec_iter iter;
	struct bio_vec bv;
	u8 *p;

	if (end > d->cfg.sectors || end < start)
		return BLK_STS_IOERR;
	if (d->cfg.bad_sectors && start < d->cfg.bad_start + d->cfg.bad_sectors &&
	    end > d->cfg.bad_start)
		return BLK_STS_IOERR;
	p = d->data + (start << SECTOR_SHIFT);

	switch (bio_op(bio)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		bio_for_each_segment(bv, bio, iter) {
			if (op_is_write(bio_op(bio)))
				memcpy_from_bvec(p, &bv);
			else
				memcpy_to_bvec(&bv, p);
			p += bv.bv_len;
		}
		return BLK_STS_OK;
	case REQ_OP_DISCARD:
		if (!d->cfg.max_discard_sectors)
			return BLK_STS_NOTSUPP;
		memset(p, 0, bio->bi_iter.bi_size);
		return BLK_STS_OK;
	case REQ_OP_WRITE_ZEROES:
		if (!d->cfg.max_write_zeroes_sectors)
			return BLK_STS_NOTSUPP;
		memset(p, 0, bio->bi_iter.bi_size);
		return BLK_STS_OK;
	case REQ_OP_FLUSH:
		return BLK_STS_OK;
	default:
		return BLK_STS_NOTSUPP;
	}
}

static void dm_io_test_disk_submit_bio(struct bio *bio)
{
	struct dm_io_test_disk *d = bio->bi_bdev->bd_disk->private_data;
	unsigned long flags;

	dm_io_test_disk_record(d, bio);
	bio->bi_status = dm_io_test_disk_do(d, bio);
	/*
	 * As blk-mq does, failed or not (blk_update_request()): whoever looks
	 * at the bio after it completed finds its iterator at the end.
	 */
	bio_advance(bio, bio->bi_iter.bi_size);
	if (!d->cfg.completion_nsec) {
		bio_endio(bio);
		return;
	}
	spin_lock_irqsave(&d->lock, flags);
	bio_list_add(&d->pending, bio);
	spin_unlock_irqrestore(&d->lock, flags);
	hrtimer_start(&d->timer, ns_to_ktime(d->cfg.completion_nsec), HRTIMER_MODE_REL);
}

static enum hrtimer_restart dm_io_test_disk_timer(struct hrtimer *timer)
{
	struct dm_io_test_disk *d = container_of(timer, struct dm_io_test_disk, timer);
	struct bio_list done;
	struct bio *bio;
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	done = d->pending;
	bio_list_init(&d->pending);
	spin_unlock_irqrestore(&d->lock, flags);
	while ((bio = bio_list_pop(&done)))
		bio_endio(bio);
	return HRTIMER_NORESTART;
}

static const struct block_device_operations dm_io_test_disk_fops = {
	.owner = THIS_MODULE,
	.submit_bio = dm_io_test_disk_submit_bio,
};

/**
 * dm_io_test_disk_create() - add a test disk
 * @cfg: its size and limits
 *
 * Return: the disk, or an ERR_PTR().
 */
struct dm_io_test_disk *dm_io_test_disk_create(const struct dm_io_test_disk_config *cfg)
{
	u32 lbs = cfg->logical_block_size ?: SECTOR_SIZE;
	struct queue_limits lim = {
		.logical_block_size = lbs,
		.physical_block_size = lbs,
		.max_hw_sectors = cfg->max_sectors ?: UINT_MAX,
		.max_hw_discard_sectors = cfg->max_discard_sectors,
		.max_write_zeroes_sectors = cfg->max_write_zeroes_sectors,
		.features = BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA,
	};
	struct dm_io_test_disk *d;
	int id, r;

	if (!cfg->sectors)
		return ERR_PTR(-EINVAL);
	if (cfg->max_discard_sectors)
		lim.discard_granularity = lbs;
	if (cfg->atomic_write_max_bytes) {
		lim.features |= BLK_FEAT_ATOMIC_WRITES;
		lim.atomic_write_hw_max = cfg->atomic_write_max_bytes;
		lim.atomic_write_hw_unit_min = lbs;
		lim.atomic_write_hw_unit_max = cfg->atomic_write_max_bytes;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->cfg = *cfg;
	spin_lock_init(&d->lock);
	bio_list_init(&d->pending);
	hrtimer_setup(&d->timer, dm_io_test_disk_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	r = -ENOMEM;
	d->data = vzalloc(cfg->sectors << SECTOR_SHIFT);
	if (!d->data)
		goto free;
	id = ida_alloc(&dm_io_test_disk_ida, GFP_KERNEL);
	if (id < 0) {
		r = id;
		goto free_data;
	}
	d->disk = blk_alloc_disk(&lim, NUMA_NO_NODE);
	if (IS_ERR(d->disk)) {
		r = PTR_ERR(d->disk);
		goto free_id;
	}
	d->disk->fops = &dm_io_test_disk_fops;
	d->disk->private_data = d;
	/* No major: a number from the extended dev_t space. */
	d->disk->flags |= GENHD_FL_NO_PART;
	snprintf(d->disk->disk_name, DISK_NAME_LEN, "dmiotest%d", id);
	set_capacity(d->disk, cfg->sectors);
	r = add_disk(d->disk);
	if (r)
		goto put_disk;
	return d;

put_disk:
	put_disk(d->disk);
free_id:
	ida_free(&dm_io_test_disk_ida, id);
free_data:
	vfree(d->data);
free:
	kfree(d);
	return ERR_PTR(r);
}

/**
 * dm_io_test_disk_destroy() - remove a test disk
 * @d: the disk, with no I/O in flight
 */
void dm_io_test_disk_destroy(struct dm_io_test_disk *d)
{
	int id;

	if (IS_ERR_OR_NULL(d))
		return;
	if (sscanf(d->disk->disk_name, "dmiotest%d", &id) != 1)
		id = -1;
	del_gendisk(d->disk);
	hrtimer_cancel(&d->timer);
	put_disk(d->disk);
	if (id >= 0)
		ida_free(&dm_io_test_disk_ida, id);
	vfree(d->data);
	kfree(d);
}

/**
 * dm_io_test_disk_bdev() - the block device of a test disk
 * @d: the disk
 *
 * Return: the whole-disk block device, valid until the disk is destroyed.
 */
struct block_device *dm_io_test_disk_bdev(struct dm_io_test_disk *d)
{
	return d->disk->part0;
}

static int dm_io_test_disk_range(struct dm_io_test_disk *d, u64 sector, size_t len)
{
	u64 bytes = d->cfg.sectors << SECTOR_SHIFT;

	if (sector > d->cfg.sectors || len > bytes - (sector << SECTOR_SHIFT))
		return -EINVAL;
	return 0;
}

/**
 * dm_io_test_disk_read() - read the disk's contents directly
 * @d: the disk
 * @sector: from this sector
 * @buf: into this buffer
 * @len: this many bytes
 *
 * Return: 0, or -EINVAL for a range outside the disk.
 */
int dm_io_test_disk_read(struct dm_io_test_disk *d, u64 sector, void *buf, size_t len)
{
	int r = dm_io_test_disk_range(d, sector, len);

	if (!r)
		memcpy(buf, d->data + (sector << SECTOR_SHIFT), len);
	return r;
}

/**
 * dm_io_test_disk_write() - write the disk's contents directly
 * @d: the disk
 * @sector: from this sector
 * @buf: from this buffer
 * @len: this many bytes
 *
 * Return: 0, or -EINVAL for a range outside the disk.
 */
int dm_io_test_disk_write(struct dm_io_test_disk *d, u64 sector, const void *buf, size_t len)
{
	int r = dm_io_test_disk_range(d, sector, len);

	if (!r)
		memcpy(d->data + (sector << SECTOR_SHIFT), buf, len);
	return r;
}

/**
 * dm_io_test_disk_bios() - the bios that reached the disk
 * @d: the disk
 * @bios: where to copy their records, in arrival order
 * @max: room in @bios
 *
 * Return: how many bios reached the disk since it was created or last
 * forgot them (which may be more than were recorded or copied).
 */
size_t dm_io_test_disk_bios(struct dm_io_test_disk *d, struct dm_io_test_disk_bio *bios,
			    size_t max)
{
	unsigned long flags;
	size_t n;

	spin_lock_irqsave(&d->lock, flags);
	n = min3(d->nr_bios, max, (size_t)DM_IO_TEST_DISK_RECORDS);
	memcpy(bios, d->records, n * sizeof(*bios));
	n = d->nr_bios;
	spin_unlock_irqrestore(&d->lock, flags);
	return n;
}

/**
 * dm_io_test_disk_forget() - forget the bios recorded so far
 * @d: the disk
 */
void dm_io_test_disk_forget(struct dm_io_test_disk *d)
{
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	d->nr_bios = 0;
	spin_unlock_irqrestore(&d->lock, flags);
}
