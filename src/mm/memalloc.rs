// SPDX-License-Identifier: GPL-2.0

//! Allocation scopes of the current task (`memalloc_noio_save()`), and
//! waiting before an allocation is tried again.
//!
//! C header: [`include/linux/sched/mm.h`](srctree/include/linux/sched/mm.h)

#[cfg(dm_io_rs_out_of_tree)]
use crate::alloc::FlagsAsRaw;
use crate::{alloc::Flags, bindings};

/// Runs `f` with the current task's allocations restricted as `GFP_NOIO`:
/// its `GFP_KERNEL` allocations may sleep and reclaim, but never start I/O
/// (`memalloc_noio_save()` ... `memalloc_noio_restore()`). For code on an
/// I/O path, which reclaim could otherwise wait on.
pub fn memalloc_noio_scope<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: No preconditions; restored below on the same task.
    let flags = unsafe { bindings::memalloc_noio_save() };
    let r = f();
    // SAFETY: Restores what the save above returned, on the same task, with
    // the saves and restores of `f` balanced in between.
    unsafe { bindings::memalloc_noio_restore(flags) };
    r
}

/// Waits a little before an allocation with `gfp` that failed is tried
/// again (`memalloc_retry_wait()`): for code that must not fail for want of
/// memory, as reclaim makes progress meanwhile. Sleeps: process context
/// only, which `might_sleep()` checks.
pub fn memalloc_retry_wait(gfp: Flags) {
    crate::task::might_sleep();
    // SAFETY: No preconditions beyond process context, which sleeping needs.
    unsafe { bindings::memalloc_retry_wait(gfp.as_raw()) };
}
