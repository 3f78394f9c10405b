// SPDX-License-Identifier: GPL-2.0

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/sched.h>

__rust_helper void *rust_helper_blk_mq_rq_to_pdu(struct request *rq)
{
	return blk_mq_rq_to_pdu(rq);
}

__rust_helper struct request *rust_helper_blk_mq_rq_from_pdu(void *pdu)
{
	return blk_mq_rq_from_pdu(pdu);
}

__rust_helper const struct queue_limits *
rust_helper_bdev_limits(struct block_device *bdev)
{
	return bdev_limits(bdev);
}

__rust_helper sector_t rust_helper_bdev_nr_sectors(struct block_device *bdev)
{
	return bdev_nr_sectors(bdev);
}

__rust_helper bool rust_helper_current_in_submit_bio(void)
{
	return current->bio_list;
}

__rust_helper bool rust_helper_bio_flagged(const struct bio *bio, unsigned int bit)
{
	return bio_flagged(bio, bit);
}
