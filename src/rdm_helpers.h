/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C helpers of dm-io-rs (src/helpers.c), declared for src/helpers.rs,
 * and constants that the Rust side mirrors (src/blk/consts.rs) because
 * bindgen cannot evaluate the kernel's __force-cast macros. helpers.c
 * checks each constant against the real definition at compile time.
 */
#ifndef RDM_HELPERS_H
#define RDM_HELPERS_H

#include <linux/mempool.h>
#include <linux/types.h>

#define RDM_BLK_STS_NOTSUPP	1
#define RDM_BLK_STS_IOERR	10
#define RDM_BLK_STS_INVAL	19
#define RDM_BLK_STS_RESOURCE	9
#define RDM_GFP_NOIO		0xc00
#define RDM_BLK_OPEN_READ	1
#define RDM_BLK_OPEN_WRITE	2
#define RDM_REQ_OP_MASK		0xff


struct bio;
struct block_device;
struct kmem_cache;
struct page;


unsigned int rdm_bdev_max_discard_sectors(struct block_device *bdev);
unsigned int rdm_bdev_write_zeroes_sectors(struct block_device *bdev);
sector_t rdm_bdev_nr_sectors(struct block_device *bdev);
unsigned int rdm_bdev_max_sectors(struct block_device *bdev);
unsigned int rdm_bdev_logical_block_size(struct block_device *bdev);
unsigned int rdm_bdev_atomic_write_unit_max_bytes(struct block_device *bdev);
void rdm_zero_fill_bio_all(struct bio *bio);
void rdm_zero_fill_bio_prefix(struct bio *bio, unsigned int bytes);
bool rdm_bio_is_read(struct bio *bio);
struct page *rdm_virt_to_page(const void *addr);
bool rdm_virt_addr_valid(const void *addr);
bool rdm_is_vmalloc_addr(const void *addr);
void rdm_flush_kernel_vmap_range(void *addr, int size);
void rdm_invalidate_kernel_vmap_range(void *addr, int size);
int rdm_mempool_init_slab_pool(mempool_t *pool, int min_nr, struct kmem_cache *cache);
unsigned int rdm_reserved_bio_based_ios(void);
unsigned long rdm_sync_wait_slice(void);
unsigned int rdm_memalloc_noio_save(void);
void rdm_memalloc_noio_restore(unsigned int flags);

#endif
