// SPDX-License-Identifier: GPL-2.0
/*
 * The C ABI of dm-io-rs: exports of the functions defined in src/c_abi.rs,
 * and compile-time checks that the Rust mirrors of the dm-io structures
 * match <linux/dm-io.h>.
 *
 * Built into dm-mod in place of drivers/md/dm-io.c (DM_IO_RS_BUILTIN, see
 * scripts/prepare-replace-tree.sh), the same Rust functions carry the
 * upstream names and are exported as drivers/md/dm-io.c exports them.
 */

#include <linux/module.h>
#include <linux/stddef.h>
#include <dm-io-rs.h>

static_assert(sizeof(struct dm_io_region) == 24);
static_assert(offsetof(struct dm_io_region, sector) == 8);
static_assert(offsetof(struct dm_io_region, count) == 16);
static_assert(offsetof(struct dm_io_request, bi_opf) == 0);
static_assert(offsetof(struct dm_io_request, mem) == 8);
static_assert(offsetof(struct dm_io_request, mem.type) == 8);
static_assert(offsetof(struct dm_io_request, mem.offset) == 12);
static_assert(offsetof(struct dm_io_request, mem.ptr) == 16);
static_assert(offsetof(struct dm_io_request, notify.fn) == 24);
static_assert(offsetof(struct dm_io_request, notify.context) == 32);
static_assert(offsetof(struct dm_io_request, client) == 40);
static_assert(sizeof(struct page_list) == 16);
static_assert(offsetof(struct page_list, page) == 8);
static_assert(DM_IO_PAGE_LIST == 0 && DM_IO_BIO == 1 && DM_IO_VMA == 2 &&
	      DM_IO_KMEM == 3);

#ifdef DM_IO_RS_BUILTIN
/* dm_io_init() and dm_io_exit(), which dm.c calls, are in src/c_abi.rs. */
EXPORT_SYMBOL(dm_io_client_create);
EXPORT_SYMBOL(dm_io_client_destroy);
EXPORT_SYMBOL(dm_io);
#else
EXPORT_SYMBOL_GPL(rdm_io_client_create);
EXPORT_SYMBOL_GPL(rdm_io_client_destroy);
EXPORT_SYMBOL_GPL(rdm_io_client_resize);
EXPORT_SYMBOL_GPL(rdm_io);
#endif
