// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only helpers (CONFIG_KUNIT): the kernel's own C dm_io(), used by the
 * KUnit suites as an independent path to read back what dm-io-rs wrote,
 * and as the oracle that the rdm_io() C ABI is compared against.
 */

#include <linux/dm-io.h>
#include <linux/err.h>
#include <linux/ioprio.h>
#include <dm-io-rs.h>

int rdm_test_dm_io(bool rust, blk_opf_t opf, struct dm_io_memory *mem,
		   unsigned int num_regions, struct dm_io_region *where,
		   unsigned long *error_bits, unsigned long *unsup_bits);

/* One request through either implementation, with a caller-built memory. */
int rdm_test_dm_io(bool rust, blk_opf_t opf, struct dm_io_memory *mem,
		   unsigned int num_regions, struct dm_io_region *where,
		   unsigned long *error_bits, unsigned long *unsup_bits)
{
	struct dm_io_client *client;
	struct dm_io_request req = {
		.bi_opf = opf,
		.mem = *mem,
		.notify.fn = NULL,
	};
	int r;

	client = rust ? rdm_io_client_create() : dm_io_client_create();
	if (IS_ERR(client))
		return PTR_ERR(client);
	req.client = client;
	if (rust)
		r = rdm_io(&req, num_regions, where, error_bits, unsup_bits,
			   IOPRIO_DEFAULT);
	else
		r = dm_io(&req, num_regions, where, error_bits, unsup_bits,
			  IOPRIO_DEFAULT);
	if (rust)
		rdm_io_client_destroy(client);
	else
		dm_io_client_destroy(client);
	return r;
}
