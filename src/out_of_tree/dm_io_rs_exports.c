// SPDX-License-Identifier: GPL-2.0
/*
 * The C ABI of dm_io_rs.ko (include/dm-io-rs.h): the entry points of
 * src/dm_io_rust/c_abi.rs under their rdm_ names.
 */

#include <linux/module.h>
#include <dm-io-rs.h>

EXPORT_SYMBOL_GPL(rdm_io_client_create);
EXPORT_SYMBOL_GPL(rdm_io_client_destroy);
EXPORT_SYMBOL_GPL(rdm_io);
EXPORT_SYMBOL_GPL(rdm_io_client_resize);
