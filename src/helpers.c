// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers for dm-io-rs: static inline functions and macros of the block
 * and mm layers that bindgen cannot see, plus compile-time checks that the
 * constants mirrored in src/blk/consts.rs match the C headers.
 */

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/highmem.h>
#include <linux/mempool.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/sysctl.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "rdm_helpers.h"

/* Exported by dm-mod; declared only in drivers/md/dm.h. */
unsigned int dm_get_reserved_bio_based_ios(void);

static_assert(RDM_BLK_STS_NOTSUPP == (__force u8)BLK_STS_NOTSUPP);
static_assert(RDM_BLK_STS_IOERR == (__force u8)BLK_STS_IOERR);
static_assert(RDM_BLK_STS_INVAL == (__force u8)BLK_STS_INVAL);
static_assert(RDM_BLK_STS_RESOURCE == (__force u8)BLK_STS_RESOURCE);
static_assert(RDM_GFP_NOIO == (__force unsigned int)GFP_NOIO);
static_assert(RDM_BLK_OPEN_READ == (__force unsigned int)BLK_OPEN_READ);
static_assert(RDM_BLK_OPEN_WRITE == (__force unsigned int)BLK_OPEN_WRITE);
static_assert(RDM_REQ_OP_MASK == (__force unsigned int)REQ_OP_MASK);

unsigned int rdm_bdev_max_discard_sectors(struct block_device *bdev)
{
	return bdev_max_discard_sectors(bdev);
}

unsigned int rdm_bdev_write_zeroes_sectors(struct block_device *bdev)
{
	return bdev_get_queue(bdev)->limits.max_write_zeroes_sectors;
}

sector_t rdm_bdev_nr_sectors(struct block_device *bdev)
{
	return bdev_nr_sectors(bdev);
}

unsigned int rdm_bdev_max_sectors(struct block_device *bdev)
{
	return queue_max_sectors(bdev_get_queue(bdev));
}

unsigned int rdm_bdev_logical_block_size(struct block_device *bdev)
{
	return bdev_logical_block_size(bdev);
}

unsigned int rdm_bdev_atomic_write_unit_max_bytes(struct block_device *bdev)
{
	return bdev_atomic_write_unit_max_bytes(bdev);
}

bool rdm_bio_is_read(struct bio *bio)
{
	return bio_data_dir(bio) == READ;
}

struct page *rdm_virt_to_page(const void *addr)
{
	return virt_to_page(addr);
}

bool rdm_virt_addr_valid(const void *addr)
{
	return virt_addr_valid(addr);
}

bool rdm_is_vmalloc_addr(const void *addr)
{
	return is_vmalloc_addr(addr);
}

void rdm_flush_kernel_vmap_range(void *addr, int size)
{
	flush_kernel_vmap_range(addr, size);
}

void rdm_invalidate_kernel_vmap_range(void *addr, int size)
{
	invalidate_kernel_vmap_range(addr, size);
}

int rdm_mempool_init_slab_pool(mempool_t *pool, int min_nr,
			       struct kmem_cache *cache)
{
	return mempool_init_slab_pool(pool, min_nr, cache);
}

unsigned int rdm_reserved_bio_based_ios(void)
{
	return dm_get_reserved_bio_based_ios();
}

/*
 * How long a synchronous wait sleeps before it wakes to tell the hung-task
 * detector it is still alive: half its default timeout (the sysctl itself
 * is not exported to modules), or a minute without one.
 */
unsigned long rdm_sync_wait_slice(void)
{
#if defined(CONFIG_DETECT_HUNG_TASK) && CONFIG_DEFAULT_HUNG_TASK_TIMEOUT > 0
	return max(CONFIG_DEFAULT_HUNG_TASK_TIMEOUT * HZ / 2, 1);
#else
	return 60 * HZ;
#endif
}

/*
 * Zero every segment of a bio that dm-io built itself (not a clone). At
 * completion blk-mq has advanced bi_iter to the end, so zero_fill_bio()
 * would see nothing left to clear.
 */
void rdm_zero_fill_bio_all(struct bio *bio)
{
	struct bio_vec *bv;
	struct bvec_iter_all iter_all;

	bio_for_each_segment_all(bv, bio, iter_all)
		memzero_bvec(bv);
}

/* Zero the first @bytes of @bio's current range (a caller's source bio). */
void rdm_zero_fill_bio_prefix(struct bio *bio, unsigned int bytes)
{
	struct bvec_iter start = bio->bi_iter, iter;
	struct bio_vec bv;

	start.bi_size = min(start.bi_size, bytes);
	__bio_for_each_segment(bv, bio, iter, start)
		memzero_bvec(&bv);
}

/* memalloc_noio_save() / _restore(): allocations in between act as GFP_NOIO. */
unsigned int rdm_memalloc_noio_save(void)
{
	return memalloc_noio_save();
}

void rdm_memalloc_noio_restore(unsigned int flags)
{
	memalloc_noio_restore(flags);
}
