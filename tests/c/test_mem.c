// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only: request memory of every dm-io kind over the same bytes; see
 * test_mem.h.
 */

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <dm-io-rs.h>
#include "test_mem.h"

int rdm_test_mem_alloc(struct rdm_test_mem *m, size_t size)
{
	unsigned int i;

	m->nr_pages = DIV_ROUND_UP(size, PAGE_SIZE);
	m->pages = kcalloc(m->nr_pages, sizeof(*m->pages), GFP_KERNEL);
	m->pl = kcalloc(m->nr_pages, sizeof(*m->pl), GFP_KERNEL);
	m->bvecs = kcalloc(m->nr_pages, sizeof(*m->bvecs), GFP_KERNEL);
	m->vbuf = vmalloc(size);
	m->kbuf = kmalloc(size, GFP_KERNEL);
	if (!m->pages || !m->pl || !m->bvecs || !m->vbuf || !m->kbuf)
		return -ENOMEM;
	for (i = 0; i < m->nr_pages; i++) {
		m->pages[i] = alloc_page(GFP_KERNEL);
		if (!m->pages[i])
			return -ENOMEM;
		m->pl[i].page = m->pages[i];
		m->pl[i].next = i + 1 < m->nr_pages ? &m->pl[i + 1] : NULL;
	}
	return 0;
}

/* Also after a failed rdm_test_mem_alloc(). */
void rdm_test_mem_free(struct rdm_test_mem *m)
{
	unsigned int i;

	kfree(m->kbuf);
	vfree(m->vbuf);
	for (i = 0; m->pages && i < m->nr_pages; i++)
		if (m->pages[i])
			__free_page(m->pages[i]);
	kfree(m->bvecs);
	kfree(m->pl);
	kfree(m->pages);
}

/* Copies len bytes between linear and the memory of kind, from offset. */
void rdm_test_mem_copy(struct rdm_test_mem *m, unsigned int kind,
		       unsigned int offset, u8 *linear, size_t len, bool to_mem)
{
	size_t at = offset, done = 0;

	while (done < len) {
		size_t l = len - done;
		u8 *p;

		if (kind == DM_IO_VMA) {
			p = (u8 *)m->vbuf + at;
		} else if (kind == DM_IO_KMEM) {
			p = (u8 *)m->kbuf + at;
		} else {
			l = min_t(size_t, l, PAGE_SIZE - at % PAGE_SIZE);
			p = (u8 *)page_address(m->pages[at / PAGE_SIZE]) + at % PAGE_SIZE;
		}
		if (to_mem)
			memcpy(p, linear + done, l);
		else
			memcpy(linear + done, p, l);
		at += l;
		done += l;
	}
}

/* Describes len bytes of the memory of kind, from offset, for a request. */
void rdm_test_mem_describe(struct rdm_test_mem *m, unsigned int kind,
			   unsigned int offset, size_t len,
			   struct dm_io_memory *out)
{
	out->type = kind;
	out->offset = 0;
	switch (kind) {
	case DM_IO_PAGE_LIST:
		out->ptr.pl = m->pl;
		out->offset = offset;
		break;
	case DM_IO_BIO:
	case RDM_IO_BVEC: {
		size_t left = len, off = offset;
		unsigned int n = 0;

		bio_init(&m->bio, NULL, m->bvecs, m->nr_pages, 0);
		while (left) {
			size_t l = min_t(size_t, PAGE_SIZE - off, left);

			__bio_add_page(&m->bio, m->pages[n++], l, off);
			left -= l;
			off = 0;
		}
		if (kind == DM_IO_BIO)
			out->ptr.bio = &m->bio;
		else
			out->ptr.addr = m->bvecs;
		break;
	}
	case DM_IO_VMA:
		out->ptr.vma = (u8 *)m->vbuf + offset;
		break;
	default:
		out->ptr.addr = (u8 *)m->kbuf + offset;
		break;
	}
}
