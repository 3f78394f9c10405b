// SPDX-License-Identifier: GPL-2.0

//! Batching bio submission (`struct blk_plug`).
//!
//! C header: [`include/linux/blkdev.h`](srctree/include/linux/blkdev.h)

use crate::bindings;

/// Runs `f` under a block plug (`blk_start_plug()` ... `blk_finish_plug()`),
/// so the bios it submits reach the drivers as one batch.
pub fn with_plug<R>(f: impl FnOnce() -> R) -> R {
    let mut plug = core::mem::MaybeUninit::<bindings::blk_plug>::uninit();
    // SAFETY: `plug` lives on this stack frame, without moving, until
    // `blk_finish_plug()` below; `blk_start_plug()` initialises it.
    unsafe { bindings::blk_start_plug(plug.as_mut_ptr()) };
    let r = f();
    // SAFETY: `plug` was started above, on this task.
    unsafe { bindings::blk_finish_plug(plug.as_mut_ptr()) };
    r
}
