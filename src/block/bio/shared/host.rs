// SPDX-License-Identifier: GPL-2.0

//! Shared state in the front pad of its first bio, instead of a pool
//! element: the bio is freed with the state.
//!
//! dm core keeps its `struct dm_io` in the front pad of a request's first
//! clone the same way.

use super::{end_io, Owner, Shared, SharedEndIo, SharedRef, MAX_TAG};
use crate::block::{
    bio::{Direction, NewBio},
    bio_set::BioSet,
};
use core::marker::PhantomData;

impl<D: Direction> NewBio<'static, D> {
    /// Submits this bio with `tag` and new shared state in its front pad,
    /// and returns a count of that state for the caller, with which it
    /// submits the bios that follow. The bio is freed with the state, once
    /// every count of it is dropped.
    ///
    /// Gives the bio and the value back if the bio is not from `bs`, if
    /// `tag` is above [`MAX_TAG`], or if the bio cannot be submitted yet.
    #[inline]
    pub fn submit_hosting<T: SharedEndIo + 'static>(
        self,
        bs: &BioSet<Shared<T>>,
        value: T,
        tag: usize,
    ) -> Result<SharedRef<'static, T>, (Self, T)> {
        let Some(slot) = self.front_pad(bs).filter(|_| tag <= MAX_TAG) else {
            return Err((self, value));
        };
        // Two counts: the caller's and this bio's. The owner is this bio, whose
        // reference passes to the state.
        let shared = Shared::new(value, Owner::Host, self.as_raw().cast(), 2);
        // SAFETY: `slot` is room for a `Shared<T>` in the bio's front pad,
        // aligned (its low bits are free for the tag), which only the bio's
        // submitter uses; the state stays there until its last count frees
        // the bio.
        unsafe { slot.as_ptr().write(shared) };
        let private = (slot.as_ptr() as usize | tag) as *mut core::ffi::c_void;
        // SAFETY: `end_io::<T>` records the bio in the state and drops its
        // count, leaving the host's reference to the state; the data and the
        // state (`T: 'static`) outlive any completion.
        match unsafe { self.submit(end_io::<T>, private) } {
            // INVARIANT: The state is live with the caller's count; its owner,
            // the bio, holds `'static` data, and the state borrows nothing
            // shorter.
            Ok(()) => Ok(SharedRef {
                ptr: slot,
                _env: PhantomData,
            }),
            Err(bio) => {
                // SAFETY: Written just above, and never shared: moved back out.
                let shared = unsafe { slot.as_ptr().read() };
                Err((bio, shared.into_value()))
            }
        }
    }
}
