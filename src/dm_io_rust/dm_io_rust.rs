// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2003 Sistina Software
// Copyright (C) 2006 Red Hat GmbH

//! dm-io: the device-mapper I/O service, in Rust.
//!
//! C reference: [`drivers/md/dm-io.c`](srctree/drivers/md/dm-io.c); API:
//! [`include/linux/dm-io.h`](srctree/include/linux/dm-io.h).
//!
//! A client holds a mempool of io objects and a bio set. A request names up
//! to `BITS_PER_LONG` regions (block device, sector, count) and one memory
//! source, and is split into bios, each of which carries its io object and
//! region index in `bi_private`. It completes synchronously, with the
//! regions' error bits returned, or through a callback that runs exactly
//! once.
//!
//! With `CONFIG_DM_IO_RUST`, dm-mod links this in place of `dm-io.c`: every
//! caller of `dm_io()` uses it. The modules below are layered: regions and
//! memory, the io object, the client, dispatch (regions into bios), then
//! requests and, on top, the C entry points, the only place that turns C
//! pointers into typed references.

mod c_abi;
mod client;
mod dispatch;
mod io;
mod memory;
mod request;

#[cfg(dm_io_rs_out_of_tree)]
include!("../out_of_tree/dm_io_rs.rs");
