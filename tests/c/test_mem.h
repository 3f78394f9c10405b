/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only: request memory of every dm-io kind over the same bytes, for
 * the C suites (tests/c/abi_diff.c, tests/c/stress.c).
 */
#ifndef _DM_IO_RS_TEST_MEM_H
#define _DM_IO_RS_TEST_MEM_H

#include <linux/bio.h>
#include <linux/dm-io.h>

/* size bytes each of pages (page list, bio, bvec), vmalloc and kmalloc. */
struct rdm_test_mem {
	unsigned int nr_pages;
	struct page **pages;
	struct page_list *pl;
	struct bio_vec *bvecs;
	struct bio bio;
	void *vbuf;
	void *kbuf;
};

int rdm_test_mem_alloc(struct rdm_test_mem *m, size_t size);
void rdm_test_mem_free(struct rdm_test_mem *m);
void rdm_test_mem_copy(struct rdm_test_mem *m, unsigned int kind,
		       unsigned int offset, u8 *linear, size_t len, bool to_mem);
void rdm_test_mem_describe(struct rdm_test_mem *m, unsigned int kind,
			   unsigned int offset, size_t len,
			   struct dm_io_memory *out);

#endif /* _DM_IO_RS_TEST_MEM_H */
