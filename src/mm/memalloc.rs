// SPDX-License-Identifier: GPL-2.0

//! Allocation scopes of the current task (`memalloc_noio_save()`).
//!
//! C header: [`include/linux/sched/mm.h`](srctree/include/linux/sched/mm.h)

use crate::bindings;

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
