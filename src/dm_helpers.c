// SPDX-License-Identifier: GPL-2.0
/*
 * The device-mapper side of dm-io-rs's target layer (src/dm.rs): fills and
 * registers a struct target_type whose hooks are Rust functions, and
 * gives Rust the few fields and static inlines of <linux/device-mapper.h>
 * it needs.
 *
 * Why C: <linux/device-mapper.h> is not in the kernel crate's bindings,
 * and struct dm_target has bitfields and config-dependent members whose
 * layout a hand-written Rust mirror could get silently wrong. Here the
 * compiler reads the real header; the Rust side sees only opaque pointers
 * and plain integers.
 */

#include <linux/bio.h>
#include <linux/blk-integrity.h>
#include <linux/device-mapper.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "rdm_dm.h"

static_assert(RDM_DM_MAPIO_SUBMITTED == DM_MAPIO_SUBMITTED);
static_assert(RDM_DM_MAPIO_REMAPPED == DM_MAPIO_REMAPPED);
static_assert(RDM_DM_MAPIO_KILL == DM_MAPIO_KILL);
static_assert(RDM_DM_ENDIO_DONE == DM_ENDIO_DONE);
static_assert(RDM_DM_ENDIO_INCOMPLETE == DM_ENDIO_INCOMPLETE);
static_assert(RDM_STATUSTYPE_INFO == STATUSTYPE_INFO);
static_assert(RDM_STATUSTYPE_TABLE == STATUSTYPE_TABLE);
static_assert(RDM_STATUSTYPE_IMA == STATUSTYPE_IMA);

struct target_type *rdm_target_register(const char *name, const unsigned int *version,
					dm_ctr_fn ctr, dm_dtr_fn dtr, dm_map_fn map,
					dm_endio_fn end_io, dm_presuspend_fn presuspend,
					dm_postsuspend_fn postsuspend, dm_resume_fn resume,
					dm_status_fn status, dm_message_fn message,
					dm_iterate_devices_fn iterate_devices)
{
	struct target_type *tt = kzalloc(sizeof(*tt), GFP_KERNEL);
	int r;

	if (!tt)
		return ERR_PTR(-ENOMEM);
	tt->name = name;
	tt->module = THIS_MODULE;
	tt->version[0] = version[0];
	tt->version[1] = version[1];
	tt->version[2] = version[2];
	tt->ctr = ctr;
	tt->dtr = dtr;
	tt->map = map;
	tt->end_io = end_io;
	tt->presuspend = presuspend;
	tt->postsuspend = postsuspend;
	tt->resume = resume;
	tt->status = status;
	tt->message = message;
	tt->iterate_devices = iterate_devices;
	r = dm_register_target(tt);
	if (r) {
		kfree(tt);
		return ERR_PTR(r);
	}
	return tt;
}

void rdm_target_unregister(struct target_type *tt)
{
	dm_unregister_target(tt);
	kfree(tt);
}

sector_t rdm_ti_begin(struct dm_target *ti)
{
	return ti->begin;
}

sector_t rdm_ti_len(struct dm_target *ti)
{
	return ti->len;
}

void *rdm_ti_private(struct dm_target *ti)
{
	return ti->private;
}

void rdm_ti_set_private(struct dm_target *ti, void *private)
{
	ti->private = private;
}

void rdm_ti_set_error(struct dm_target *ti, const char *error)
{
	/* dm-core only prints it: a static string is enough. */
	ti->error = (char *)error;
}

/*
 * The per-bio data of every target of the Rust layer: two words for the
 * target, and what a remapped bio needs to be sent again after it failed
 * (as dm_bio_record() in drivers/md/dm-bio-record.h, a private header).
 */
struct rdm_per_bio {
	u64 words[2];
	bool recorded;
	struct block_device *bi_bdev;
	int __bi_remaining;
	unsigned long bi_flags;
	struct bvec_iter bi_iter;
	bio_end_io_t *bi_end_io;
#if defined(CONFIG_BLK_DEV_INTEGRITY)
	struct bio_integrity_payload *bi_integrity;
#endif
};

static struct rdm_per_bio *per_bio(struct bio *bio)
{
	return dm_per_bio_data(bio, sizeof(struct rdm_per_bio));
}

u64 *rdm_per_bio_words(struct bio *bio)
{
	return per_bio(bio)->words;
}

void rdm_bio_record(struct bio *bio)
{
	struct rdm_per_bio *bd = per_bio(bio);

	bd->recorded = true;
	bd->bi_bdev = bio->bi_bdev;
	bd->bi_flags = bio->bi_flags;
	bd->bi_iter = bio->bi_iter;
	bd->__bi_remaining = atomic_read(&bio->__bi_remaining);
	bd->bi_end_io = bio->bi_end_io;
#if defined(CONFIG_BLK_DEV_INTEGRITY)
	bd->bi_integrity = bio_integrity(bio);
#endif
}

/* A new bio in map: nothing recorded yet. */
void rdm_bio_map_start(struct bio *bio)
{
	per_bio(bio)->recorded = false;
}

/* Puts back what rdm_bio_record() saved; false if it never ran. */
bool rdm_bio_restore(struct bio *bio)
{
	struct rdm_per_bio *bd = per_bio(bio);

	if (!bd->recorded)
		return false;
	bd->recorded = false;
	bio->bi_bdev = bd->bi_bdev;
	bio->bi_flags = bd->bi_flags;
	bio->bi_iter = bd->bi_iter;
	atomic_set(&bio->__bi_remaining, bd->__bi_remaining);
	bio->bi_end_io = bd->bi_end_io;
#if defined(CONFIG_BLK_DEV_INTEGRITY)
	bio->bi_integrity = bd->bi_integrity;
#endif
	bio->bi_status = BLK_STS_OK;
	return true;
}

void rdm_bio_resubmit(struct bio *bio, struct block_device *bdev, sector_t sector)
{
	/* It may fail again and be taken back again. */
	rdm_bio_record(bio);
	bio_set_dev(bio, bdev);
	bio->bi_iter.bi_sector = sector;
	submit_bio_noacct(bio);
}

int rdm_ti_setup(struct dm_target *ti, unsigned int num_flush_bios,
		 unsigned int num_discard_bios, sector_t max_io_len)
{
	ti->num_flush_bios = num_flush_bios;
	ti->num_discard_bios = num_discard_bios;
	ti->per_io_data_size = sizeof(struct rdm_per_bio);
	return max_io_len ? dm_set_target_max_io_len(ti, max_io_len) : 0;
}

void rdm_ti_event(struct dm_target *ti)
{
	dm_table_event(ti->table);
}

int rdm_get_device(struct dm_target *ti, const char *path, struct dm_dev **result)
{
	return dm_get_device(ti, path, dm_table_get_mode(ti->table), result);
}

void rdm_put_device(struct dm_target *ti, struct dm_dev *dev)
{
	dm_put_device(ti, dev);
}

struct block_device *rdm_dev_bdev(struct dm_dev *dev)
{
	return dev->bdev;
}

const char *rdm_dev_name(struct dm_dev *dev)
{
	return dev->name;
}

void rdm_bio_remap(struct bio *bio, struct block_device *bdev, sector_t sector)
{
	bio_set_dev(bio, bdev);
	bio->bi_iter.bi_sector = sector;
}

void rdm_bio_endio(struct bio *bio, u8 status)
{
	bio->bi_status = (__force blk_status_t)status;
	bio_endio(bio);
}
