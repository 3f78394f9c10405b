// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2003 Sistina Software
 * Copyright (C) 2006 Red Hat GmbH
 *
 * dm-io in Rust: the exports of <linux/dm-io.h>, as drivers/md/dm-io.c
 * exports them. The functions are defined in c_abi.rs.
 */

#include <linux/dm-io.h>
#include <linux/export.h>

/* dm_io_client_create(): c_abi.rs */
EXPORT_SYMBOL(dm_io_client_create);
/* dm_io_client_destroy(): c_abi.rs */
EXPORT_SYMBOL(dm_io_client_destroy);
/* dm_io(): c_abi.rs */
EXPORT_SYMBOL(dm_io);
