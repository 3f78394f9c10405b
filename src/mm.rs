// SPDX-License-Identifier: GPL-2.0

//! The memory objects dm-io builds on: pages, slab caches and mempools.
//!
//! C headers: [`include/linux/mempool.h`](srctree/include/linux/mempool.h),
//! [`include/linux/slab.h`](srctree/include/linux/slab.h),
//! [`include/linux/dm-io.h`](srctree/include/linux/dm-io.h) (`page_list`).
//!
//! Part of the thin `unsafe` layer: each wrapper states its invariants.

pub mod mempool;
pub mod page;
pub mod slab;
