// SPDX-License-Identifier: GPL-2.0

//! Batching bio submission (`struct blk_plug`).
//!
//! C header: [`include/linux/blkdev.h`](srctree/include/linux/blkdev.h)

use crate::bindings;

/// Runs `f` under a block plug (`blk_start_plug()` ... `blk_finish_plug()`)
/// if `plug` is true, so the bios it submits reach the drivers as one
/// batch; else just runs `f`. Inside a plug of the task's own, the inner
/// one does nothing, as in C.
///
/// With a plug, process context only: finishing it may run drivers that
/// sleep.
///
/// One call site for both cases keeps `f` inlined once.
#[inline]
pub fn with_plug_if<R>(plug: bool, f: impl FnOnce() -> R) -> R {
    let mut blk_plug = core::mem::MaybeUninit::<bindings::blk_plug>::uninit();
    if plug {
        #[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
        crate::task::might_sleep();
        // SAFETY: `blk_plug` lives on this stack frame, without moving, until
        // `blk_finish_plug()` below. `blk_start_plug()` initialises it, or
        // leaves it alone if the task has a plug already; either way it is
        // only ever compared with the task's plug after that.
        unsafe { bindings::blk_start_plug(blk_plug.as_mut_ptr()) };
    }
    let r = f();
    if plug {
        // SAFETY: `blk_plug` was started above, on this task.
        unsafe { bindings::blk_finish_plug(blk_plug.as_mut_ptr()) };
    }
    r
}
