// SPDX-License-Identifier: GPL-2.0

#include "../../drivers/md/dm-bio-record.h"

__rust_helper void rust_helper_dm_bio_record(struct dm_bio_details *bd, struct bio *bio)
{
	dm_bio_record(bd, bio);
}

__rust_helper void rust_helper_dm_bio_restore(struct dm_bio_details *bd, struct bio *bio)
{
	dm_bio_restore(bd, bio);
}
