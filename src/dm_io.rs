// SPDX-License-Identifier: GPL-2.0

//! The device-mapper I/O service: clients, regions, memory and requests.
//!
//! C reference: [`drivers/md/dm-io.c`](srctree/drivers/md/dm-io.c),
//! [`include/linux/dm-io.h`](srctree/include/linux/dm-io.h).
//!
//! Everything here is safe Rust over the `blk` and `mm` layers, except the
//! few places that turn a `bi_private` word back into its io object.

pub mod client;
mod dispatch;
pub(crate) mod io;
pub mod memory;
pub mod region;
pub mod request;
pub(crate) mod sync_wait;
pub mod tag;

/// At most this many regions per request: one bit each in the error and
/// unsupported bit sets, and the region index fits the low bits of an
/// aligned io pointer (`DM_IO_MAX_REGIONS`).
pub const DM_IO_MAX_REGIONS: usize = usize::BITS as usize;

pub use client::DmIoClient;
pub use memory::DmIoMemory;
pub use region::Region;
pub use request::{async_io, IoBits, IoNotifyFn, IoScope, OwnedIo, RegionBuf};
