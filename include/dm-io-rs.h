/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2003 Sistina Software
 * Copyright (C) 2004 - 2008 Red Hat, Inc. All rights reserved.
 *
 * dm-io-rs: the Rust device-mapper I/O service, for C callers.
 *
 * The same types and semantics as <linux/dm-io.h>, under an rdm_ prefix so
 * the module coexists with the built-in C dm-io. A client from
 * rdm_io_client_create() must only be passed to rdm_io*() functions.
 *
 * Differences from dm_io(), all on input that upstream does not check:
 *  - NULL request, client or region array, more than BITS_PER_LONG
 *    regions, an unknown memory type, a NULL memory pointer for a region
 *    that moves data (a NULL pointer is fine for empty flushes, discards
 *    and write-zeroes, as upstream callers use it), a page-list offset of
 *    PAGE_SIZE or more, a region needing I/O with a NULL bdev,
 *    or a DM_IO_BIO region larger than the bio: -EINVAL, no callback;
 *  - memory that runs out before a region is covered (a page list that
 *    ends early, a page_list node without a page): that region fails as
 *    unsupported (its bit in unsup_bits) instead of a NULL dereference;
 *  - REQ_ALLOC_CACHE in bi_opf (a target passing its bio's flags on) is
 *    dropped; upstream copies it onto its DM_IO_BIO clones and bio_put()
 *    then oopses looking for a per-cpu cache the client's bio_set lacks;
 *  - a REQ_ATOMIC region that does not fit one bio is not split: it fails
 *    as unsupported (its bit in unsup_bits), nothing of it is written, with
 *    the same WARN_ON_ONCE();
 *  - a synchronous request inside submit_bio() (a target's map hook):
 *    -EDEADLK, nothing sent, where upstream waits forever.
 */
#ifndef _DM_IO_RS_H
#define _DM_IO_RS_H

#include <linux/dm-io.h>

/*
 * An extension from the original dm-io design: mem.ptr.addr points to a
 * struct bio_vec array, consumed as far as the largest region needs.
 */
#define RDM_IO_BVEC ((enum dm_io_mem_type)4)

struct dm_io_client *rdm_io_client_create(void);
void rdm_io_client_destroy(struct dm_io_client *client);
int rdm_io_client_resize(unsigned int num_pages, struct dm_io_client *client);
int rdm_io(struct dm_io_request *io_req, unsigned int num_regions,
	   struct dm_io_region *region, unsigned long *sync_error_bits,
	   unsigned long *sync_unsup_bits, unsigned short ioprio);

#endif /* _DM_IO_RS_H */
