// SPDX-License-Identifier: GPL-2.0

//! Waiting for I/O: a `struct completion` waited on with I/O accounting.
//!
//! C header: [`include/linux/completion.h`](srctree/include/linux/completion.h)

use crate::helpers;
use kernel::{bindings, prelude::*, types::Opaque};

/// A completion that a task waits on for I/O.
///
/// # Invariants
///
/// `inner` was initialised by `init_completion()`; it is pinned because
/// the waiter's and the completer's pointers refer to it.
#[pin_data]
pub(crate) struct IoCompletion {
    #[pin]
    inner: Opaque<bindings::completion>,
}

// SAFETY: Completions are designed to be signalled from any context.
unsafe impl Send for IoCompletion {}
// SAFETY: See above.
unsafe impl Sync for IoCompletion {}

impl IoCompletion {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            inner <- Opaque::ffi_init(|slot: *mut bindings::completion| {
                // SAFETY: `slot` is valid for writing a completion.
                unsafe { bindings::init_completion(slot) }
            }),
        })
    }

    /// `complete()`: wakes the waiter. The waiter may free the memory
    /// holding `self` as soon as this returns.
    pub(crate) fn complete(&self) {
        // SAFETY: By the type invariant the completion is initialised.
        unsafe { bindings::complete(self.inner.get()) };
    }

    /// `wait_for_completion_io()`, woken periodically so that a long wait
    /// (a slow flush) does not trip the hung-task detector.
    pub(crate) fn wait_io(&self) {
        // SAFETY: No preconditions; reads a sysctl.
        let slice = unsafe { helpers::rdm_sync_wait_slice() };
        // SAFETY: By the type invariant the completion is initialised.
        while unsafe { bindings::wait_for_completion_io_timeout(self.inner.get(), slice) } == 0 {}
    }
}
