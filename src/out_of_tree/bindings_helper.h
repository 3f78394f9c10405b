/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the patch series adds to rust/bindings/bindings_helper.h, for the
 * out-of-tree modules (scripts/lib/module-bindgen.sh): the device-mapper
 * headers and constants that bindgen cannot evaluate.
 */

#include <linux/device-mapper.h>
#include <linux/dm-io.h>
#include <linux/gfp.h>

/* The series adds it for CONFIG_DM_IO_RUST_KUNIT_TEST, as Binder does its own. */
#include "../../tests/dm_io_rust_test/test_disk.h"

/* As the series' rust/bindings/bindings_helper.h has it (-I rust/bindings). */
#include "../../drivers/md/dm-bio-record.h"

const gfp_t RUST_CONST_HELPER_GFP_NOIO = GFP_NOIO;

/* The series moves this from drivers/md/dm.h to <linux/device-mapper.h>. */
unsigned int dm_get_reserved_bio_based_ios(void);

/*
 * The series adds DM_IO_BVEC to enum dm_io_mem_type; the module's C ABI
 * takes it as RDM_IO_BVEC (include/dm-io-rs.h).
 */
const unsigned int RUST_CONST_HELPER_dm_io_mem_type_DM_IO_BVEC = 4;
