/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C side of dm-io-rs's device-mapper target layer (src/dm_helpers.c),
 * declared for src/dm.rs, with the constants the Rust side mirrors;
 * dm_helpers.c checks each against <linux/device-mapper.h>.
 */
#ifndef RDM_DM_H
#define RDM_DM_H

#include <linux/types.h>

#define RDM_DM_MAPIO_SUBMITTED	0
#define RDM_DM_MAPIO_REMAPPED	1
#define RDM_DM_MAPIO_KILL	4
#define RDM_DM_ENDIO_DONE	0
#define RDM_DM_ENDIO_INCOMPLETE	1
#define RDM_STATUSTYPE_INFO	0
#define RDM_STATUSTYPE_TABLE	1
#define RDM_STATUSTYPE_IMA	2

#include <linux/device-mapper.h>

struct target_type *rdm_target_register(const char *name, const unsigned int *version,
					dm_ctr_fn ctr, dm_dtr_fn dtr, dm_map_fn map,
					dm_endio_fn end_io, dm_presuspend_fn presuspend,
					dm_postsuspend_fn postsuspend, dm_resume_fn resume,
					dm_status_fn status, dm_message_fn message,
					dm_iterate_devices_fn iterate_devices);
void rdm_target_unregister(struct target_type *tt);
sector_t rdm_ti_begin(struct dm_target *ti);
sector_t rdm_ti_len(struct dm_target *ti);
void *rdm_ti_private(struct dm_target *ti);
void rdm_ti_set_private(struct dm_target *ti, void *private);
void rdm_ti_set_error(struct dm_target *ti, const char *error);
int rdm_ti_setup(struct dm_target *ti, unsigned int num_flush_bios,
		 unsigned int num_discard_bios, sector_t max_io_len);
void rdm_ti_event(struct dm_target *ti);
int rdm_get_device(struct dm_target *ti, const char *path, struct dm_dev **result);
void rdm_put_device(struct dm_target *ti, struct dm_dev *dev);
struct block_device *rdm_dev_bdev(struct dm_dev *dev);
const char *rdm_dev_name(struct dm_dev *dev);
u64 *rdm_per_bio_words(struct bio *bio);
void rdm_bio_record(struct bio *bio);
void rdm_bio_map_start(struct bio *bio);
bool rdm_bio_restore(struct bio *bio);
void rdm_bio_resubmit(struct bio *bio, struct block_device *bdev, sector_t sector);
void rdm_bio_remap(struct bio *bio, struct block_device *bdev, sector_t sector);
void rdm_bio_endio(struct bio *bio, u8 status);

#endif
