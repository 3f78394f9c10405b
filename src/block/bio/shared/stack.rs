// SPDX-License-Identifier: GPL-2.0

//! Shared state on the stack of a task that waits for its bios, as
//! `submit_bio_wait()` does for one: no allocation, and the bios may borrow
//! the task's data.

use super::{Owner, Shared, SharedEndIo, SharedRef};
use crate::{
    block::bio::in_submit_bio,
    error::{code::EDEADLK, Error},
    sync::Completion,
    task::might_sleep,
};
use core::{marker::PhantomData, mem::ManuallyDrop, ptr::NonNull};

/// Runs `value` as state shared by the bios that `submit` submits, then
/// waits, accounted as I/O wait (`wait_for_completion_io()`), until every
/// one of them has completed, and returns the value.
///
/// The bios borrow their data for `'env`, which outlives this call.
/// `EDEADLK`, with the value and without calling `submit`, inside
/// `submit_bio()` (a device-mapper target's map hook): bios are held there
/// until that call returns, so waiting for them would never end.
///
/// Sleeps: process context only, which `might_sleep()` checks (also when
/// every bio completed before it had to wait).
///
/// # Examples
///
/// ```ignore
/// let io = scope(Io::new(), |s| {
///     for (tag, bio) in bios.into_iter().enumerate() {
///         let _ = s.submit(bio, tag);
///     }
/// })?;
/// ```
pub fn scope<'env, T: SharedEndIo>(
    value: T,
    submit: impl FnOnce(&SharedRef<'env, T>),
) -> Result<T, (Error, T)> {
    might_sleep();
    if in_submit_bio() {
        return Err((EDEADLK, value));
    }
    pin_init::stack_pin_init!(let done = Completion::new());
    let shared = Shared::new(value, Owner::Stack, NonNull::from(&*done).cast(), 1);
    // INVARIANT: The state holds this count; it lives on this stack, and its
    // owner, this call, outlasts `'env`'s bios by waiting for them below.
    // The count is dropped below, not by this reference, which `submit` only
    // borrows.
    let this = ManuallyDrop::new(SharedRef {
        ptr: NonNull::from(&shared),
        _env: PhantomData,
    });
    submit(&this);
    // This count. If it is the last, every bio completed already (a driver
    // that completes in the submitting context): nothing to wait for.
    // Otherwise the last bio completes `done`.
    if !shared.put() {
        done.wait_for_completion_io();
    }
    Ok(shared.into_value())
}
