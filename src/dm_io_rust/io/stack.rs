// SPDX-License-Identifier: GPL-2.0

//! A synchronous request's io object, on the stack of the task that waits
//! for it (`sync_io()`): no pool element, and no wait when every bio
//! completed while it was submitted.

use super::{endio, submit_tagged, Group, Io, Submit};
use crate::{
    block::{
        bio::{in_submit_bio, Direction, NewBio},
        bio_set::BioSet,
    },
    sync::Completion,
};
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{bindings, task::might_sleep, types::NotThreadSafe};

/// Submits the bios of a request whose io object is on this stack.
///
/// Bios borrow their data for `'env`, which [`run_on_stack`] waits for
/// before it returns; `'env` is invariant, as in `std::thread::scope`. Not
/// `Sync`: nothing that runs in completion context can hold one.
pub(crate) struct StackSubmitter<'g, 'env, 'r> {
    group: &'g Group<'r, ()>,
    /// Inside `submit_bio()` (a target's map hook) bios are held until the
    /// caller returns, which would wait for them: every bio is given back.
    refuse: bool,
    _env: PhantomData<&'env mut &'env ()>,
    _not_sync: NotThreadSafe,
}

impl<'env, 'r> Submit<'env, 'r, ()> for StackSubmitter<'_, 'env, 'r> {
    fn submit<D: Direction>(
        &mut self,
        bio: NewBio<'env, D>,
        index: usize,
        _last: bool,
    ) -> Result<(), NewBio<'env, D>> {
        if self.refuse {
            return Err(bio);
        }
        // SAFETY: The submitter's count keeps the group alive;
        // `end_io_stack` completes a bio of a stack group; the data is
        // borrowed for `'env`, which `run_on_stack` outlasts by waiting.
        unsafe { submit_tagged(NonNull::from(self.group), bio, index, end_io_stack) }
    }

    fn io(&self) -> Option<&Io<'r, ()>> {
        Some(self.group.io())
    }

    fn host_bios(&self) -> Option<&'env BioSet<Group<'static, ()>>> {
        None
    }
}

/// Runs a request's io object on this stack: `submit` submits its bios,
/// then this waits, accounted as I/O wait (`wait_for_completion_io()`),
/// until every one of them has completed, and returns the io object.
///
/// Sleeps: process context only, which `might_sleep()` checks (also when
/// every bio completed before it had to wait).
pub(crate) fn run_on_stack<'env, 'r>(
    io: Io<'r, ()>,
    submit: impl FnOnce(&mut StackSubmitter<'_, 'env, 'r>),
) -> Io<'r, ()> {
    might_sleep();
    pin_init::stack_pin_init!(let done = Completion::new());
    // INVARIANT: Dispatch's count; the owner is the completion this task
    // waits on below.
    let group = Group::new(io, NonNull::from(&*done).cast(), 1);
    submit(&mut StackSubmitter {
        group: &group,
        refuse: in_submit_bio(),
        _env: PhantomData,
        _not_sync: NotThreadSafe,
    });
    // Dispatch's count. If it is the last, every bio has completed already
    // (a driver that completes in the submitting context): nothing to wake
    // or wait for. Otherwise the last bio completes `done`.
    if !group.put() {
        done.wait_for_completion_io();
    }
    core::mem::ManuallyDrop::into_inner(group.io)
}

/// The `bi_end_io` of the bios of a group on a stack.
///
/// # Safety
///
/// Only the block layer calls this, once, for a bio that a
/// [`StackSubmitter`] submitted.
unsafe extern "C" fn end_io_stack(bio: *mut bindings::bio) {
    // SAFETY: A completed bio of a live stack group (caller), completed once.
    let group = unsafe { endio::<()>(bio) };
    // SAFETY: The submitter's reference on the bio, dropped once, here.
    unsafe { bindings::bio_put(bio) };
    // SAFETY: The bio's count keeps the group alive until it is dropped.
    if unsafe { group.as_ref() }.put() {
        // SAFETY: The count just dropped was the last: the waiter owns the
        // group and may return as soon as this wakes it. The owner of a stack
        // group is its waiter's completion, which lives until it is woken.
        unsafe { group.as_ref().owner.cast::<Completion>().as_ref() }.complete_all();
    }
}
