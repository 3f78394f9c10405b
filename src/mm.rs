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

/// Runs `f` in a `memalloc_noio_save()` scope: its `GFP_KERNEL`
/// allocations behave as `GFP_NOIO`, so an I/O path (a target's map
/// function) cannot recurse into I/O through reclaim.
pub fn with_noio<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: No preconditions; paired with the restore below on this task.
    let flags = unsafe { crate::helpers::rdm_memalloc_noio_save() };
    let r = f();
    // SAFETY: Restores what the save above returned, on the same task.
    unsafe { crate::helpers::rdm_memalloc_noio_restore(flags) };
    r
}
