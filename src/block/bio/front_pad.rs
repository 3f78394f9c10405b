// SPDX-License-Identifier: GPL-2.0

//! A value that travels with a bio in its front pad, from its submission to
//! its completion: what a bio needs to know when it completes, without an
//! allocation of its own.

use super::{CompletedBio, Direction, NewBio};
use crate::{bindings, block::bio_set::BioSet};
use core::ptr::NonNull;

/// What a bio submitted with [`NewBio::submit_with`] does as it completes.
pub trait FrontPadEndIo: Send + Sized + 'static {
    /// What [`FrontPadEndIo::end_io`] learns from the bio for
    /// [`FrontPadEndIo::complete`], kept on the completion's stack rather
    /// than in the front pad: every byte of the front pad is in every bio
    /// of the set.
    type Outcome;

    /// The bio completed. Runs once, in its completion context (possibly
    /// hard IRQ): must not sleep. The bio is freed after this returns.
    fn end_io(&mut self, bio: &mut CompletedBio<'_>) -> Self::Outcome;

    /// Runs once, right after [`FrontPadEndIo::end_io`], in the same
    /// context (must not sleep), with the value moved out of the front pad
    /// and the bio freed: nothing it does, such as telling a caller who
    /// then frees the bio set, can still reach the bio.
    fn complete(self, outcome: Self::Outcome);
}

impl<D: Direction> NewBio<'static, D> {
    /// Submits this bio with `value` in its front pad, given back to
    /// [`FrontPadEndIo`] when it completes. Gives both back if the bio is
    /// not from `bs` or cannot be submitted yet (see [`NewBio::alloc`]).
    #[inline]
    pub fn submit_with<T: FrontPadEndIo>(self, bs: &BioSet<T>, value: T) -> Result<(), (Self, T)> {
        let Some(slot) = self.front_pad(bs) else {
            return Err((self, value));
        };
        // SAFETY: `slot` is room for a `T` in the bio's front pad, which only
        // its submitter uses; the value stays there until `end_io_front_pad`
        // moves it out, before the bio is freed.
        unsafe { slot.as_ptr().write(value) };
        // SAFETY: `end_io_front_pad::<T>` takes over the bio's reference and
        // moves the `T` out of the front pad that `bi_private` points to; the
        // data and the value (`T: 'static`) outlive any completion.
        match unsafe { self.submit(end_io_front_pad::<T>, slot.as_ptr().cast()) } {
            Ok(()) => Ok(()),
            // SAFETY: Written just above, and not submitted: moved back out.
            Err(bio) => Err((bio, unsafe { slot.as_ptr().read() })),
        }
    }
}

/// The `bi_end_io` of a bio submitted with a value in its front pad.
///
/// # Safety
///
/// Only the block layer calls this, once, for a bio that
/// [`NewBio::submit_with`] submitted with a `T`, which `bi_private` points
/// to.
unsafe extern "C" fn end_io_front_pad<T: FrontPadEndIo>(bio: *mut bindings::bio) {
    // SAFETY: Written at submission and moved out once, here, before the bio
    // (and its front pad) is freed.
    let mut value = unsafe { (*bio).bi_private.cast::<T>().read() };
    // SAFETY: The completed bio, submitted as a `NewBio`, referenced until it
    // is put below.
    let mut done = unsafe { CompletedBio::from_raw(NonNull::new_unchecked(bio)) };
    let outcome = value.end_io(&mut done);
    // SAFETY: The submitter's reference on the bio, dropped once, here.
    unsafe { bindings::bio_put(bio) };
    value.complete(outcome);
}
