// SPDX-License-Identifier: GPL-2.0

//! The block-layer objects dm-io builds on: bios, bio sets, block devices.
//!
//! C headers: [`include/linux/bio.h`](srctree/include/linux/bio.h),
//! [`include/linux/blkdev.h`](srctree/include/linux/blkdev.h).
//!
//! This is the thin `unsafe` layer under the dm-io logic, in the spirit of
//! `rust/kernel/block/mq/`: each wrapper states its invariants and every
//! `unsafe` block says why it holds.

pub mod bio;
pub mod bio_set;
pub mod block_device;
pub(crate) mod consts;
pub mod opf;
