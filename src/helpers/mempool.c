// SPDX-License-Identifier: GPL-2.0

#include <linux/mempool.h>

__rust_helper int rust_helper_mempool_init_kmalloc_pool(mempool_t *pool, int min_nr, size_t size)
{
	return mempool_init_kmalloc_pool(pool, min_nr, size);
}
