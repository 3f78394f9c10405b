// SPDX-License-Identifier: GPL-2.0

//! An asynchronous request's io object, in an element of the client's
//! mempool (`async_io()`), or, where a bio can carry it, in that bio's
//! front pad ([`super::front_pad`]), which spares the pool.

use super::{endio, front_pad, submit_tagged, Group, Io, Notify, Solo, Submit};
use crate::{
    block::{
        bio::{Direction, NewBio},
        bio_set::BioSet,
    },
    mempool::{Mempool, PoolBox},
};
use core::ptr::NonNull;
use kernel::bindings;

/// Submits the bios of an asynchronous request ([`run_pooled`]).
///
/// The group is placed with the first bio that is not the request's last:
/// in its front pad if it comes from the host bio set
/// ([`Submit::host_bios`]), else in a pool element. A request that is a
/// single bio instead carries its callback in that bio's front pad.
///
/// # Invariants
///
/// In state `Group`, the pointer is an element of `pool` holding a group
/// of which this submitter owns dispatch's count; in state `Hosted`, the
/// same of a group in the front pad of its first bio. In state `Solo`, the
/// callback went out in the front pad of a submitted bio, and nothing more
/// is submitted. Not `Send` or `Sync` (raw pointers): nothing that runs in
/// completion context can hold one.
pub(crate) struct PooledSubmitter<N: Notify> {
    pool: &'static Mempool<Group<'static, N>>,
    bios: &'static BioSet<Solo<N>>,
    host_bios: &'static BioSet<Group<'static, N>>,
    state: Pooled<N>,
}

enum Pooled<N: Notify> {
    /// No bio submitted yet.
    Unsent(Io<'static, N>),
    /// Bios submitted as members of a group in a pool element.
    Group(NonNull<Group<'static, N>>),
    /// As `Group`, the group in the front pad of the request's first bio.
    Hosted(NonNull<Group<'static, N>>),
    /// The request's only bio went out with the callback.
    Solo,
    /// The pool gave no element: nothing was submitted, nor will be.
    NoMemory(Io<'static, N>),
}

impl<N: Notify> Submit<'static, 'static, N> for PooledSubmitter<N> {
    fn submit<D: Direction>(
        &mut self,
        bio: NewBio<'static, D>,
        index: usize,
        last: bool,
    ) -> Result<(), NewBio<'static, D>> {
        let (group, end_io): (_, unsafe extern "C" fn(*mut bindings::bio)) = match self.state {
            Pooled::Group(group) => (group, end_io_pooled::<N>),
            Pooled::Hosted(group) => (group, front_pad::end_io_hosted::<N>),
            _ => return self.submit_unsent(bio, index, last),
        };
        // SAFETY: By the type invariant dispatch's count keeps the group alive;
        // `end_io` is its placement's; the data is `'static`.
        unsafe { submit_tagged(group, bio, index, end_io) }
    }

    fn io(&self) -> Option<&Io<'static, N>> {
        match &self.state {
            Pooled::Unsent(io) | Pooled::NoMemory(io) => Some(io),
            Pooled::Group(group) | Pooled::Hosted(group) => {
                // SAFETY: By the type invariant dispatch's count keeps the
                // group alive.
                Some(unsafe { group.as_ref() }.io())
            }
            Pooled::Solo => None,
        }
    }

    fn host_bios(&self) -> Option<&'static BioSet<Group<'static, N>>> {
        match self.state {
            Pooled::Unsent(_) => Some(self.host_bios),
            _ => None,
        }
    }
}

impl<N: Notify> PooledSubmitter<N> {
    /// The request's first bio: it goes out alone with the callback if it
    /// is the last, or places the group, in its front pad or a pool
    /// element.
    // Once per request, out of line: the bios after the first keep the
    // registers that it would need.
    #[inline(never)]
    fn submit_unsent<D: Direction>(
        &mut self,
        bio: NewBio<'static, D>,
        index: usize,
        last: bool,
    ) -> Result<(), NewBio<'static, D>> {
        match core::mem::replace(&mut self.state, Pooled::Solo) {
            Pooled::Unsent(io) if last => match front_pad::submit_solo(self.bios, bio, index, io) {
                Ok(()) => Ok(()),
                Err((bio, io)) => self.submit_first(bio, index, io),
            },
            Pooled::Unsent(io) => match front_pad::submit_hosted(self.host_bios, bio, index, io) {
                Ok(group) => {
                    // INVARIANT: Dispatch's count of the group in the bio.
                    self.state = Pooled::Hosted(group);
                    Ok(())
                }
                Err((bio, io)) => self.submit_first(bio, index, io),
            },
            state => {
                self.state = state;
                Err(bio)
            }
        }
    }

    /// The first bio of a request of several: its group goes into a pool
    /// element (`mempool_alloc(GFP_NOIO)`), with dispatch's count.
    fn submit_first<D: Direction>(
        &mut self,
        bio: NewBio<'static, D>,
        index: usize,
        io: Io<'static, N>,
    ) -> Result<(), NewBio<'static, D>> {
        // The owner of a pooled group is its pool.
        let group = Group::new(io, NonNull::from(self.pool).cast(), 1);
        match self.pool.alloc(group) {
            Ok(elem) => {
                // INVARIANT: The element holds the group with dispatch's count.
                self.state = Pooled::Group(PoolBox::into_raw(elem));
                self.submit(bio, index, false)
            }
            Err((_, group)) => {
                self.state = Pooled::NoMemory(core::mem::ManuallyDrop::into_inner(group.io));
                Err(bio)
            }
        }
    }
}

/// Runs an asynchronous request's io object: `submit` submits its bios
/// through a [`PooledSubmitter`] and returns at once; the callback runs
/// when they have completed, or before this returns if none was submitted.
///
/// Gives the io object back, with nothing submitted, if no pool element
/// could be allocated.
///
/// Sleeps (the pool's `GFP_NOIO` allocations).
pub(crate) fn run_pooled<N: Notify>(
    pool: &'static Mempool<Group<'static, N>>,
    bios: &'static BioSet<Solo<N>>,
    host_bios: &'static BioSet<Group<'static, N>>,
    io: Io<'static, N>,
    submit: impl FnOnce(&mut PooledSubmitter<N>),
) -> Result<(), Io<'static, N>> {
    #[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
    kernel::task::might_sleep();
    let mut sub = PooledSubmitter {
        pool,
        bios,
        host_bios,
        state: Pooled::Unsent(io),
    };
    submit(&mut sub);
    match sub.state {
        Pooled::Unsent(io) => io.complete(),
        // SAFETY: Dispatch's count, not used afterwards.
        Pooled::Group(group) => unsafe { put_pooled(group) },
        // SAFETY: As above, of a group in its first bio's front pad.
        Pooled::Hosted(group) => unsafe { front_pad::put_hosted(group) },
        Pooled::Solo => {}
        Pooled::NoMemory(io) => return Err(io),
    }
    Ok(())
}

/// Drops a count of a pooled group; the last gives the element back and
/// then completes the io object.
///
/// # Safety
///
/// `group` is a pooled group of which the caller owns a count, and is not
/// used afterwards.
#[inline]
unsafe fn put_pooled<N: Notify>(group: NonNull<Group<'static, N>>) {
    // SAFETY: The caller's count keeps the group alive until it is dropped.
    if unsafe { group.as_ref() }.put() {
        // SAFETY: The count just dropped was the last.
        unsafe { release_pooled(group) };
    }
}

/// The `bi_end_io` of the bios of a pooled group.
///
/// # Safety
///
/// Only the block layer calls this, once, for a bio that a
/// [`PooledSubmitter`] submitted for a pooled group.
unsafe extern "C" fn end_io_pooled<N: Notify>(bio: *mut bindings::bio) {
    // SAFETY: A completed bio of a live pooled group (caller), completed once.
    let group = unsafe { endio::<N>(bio) };
    // SAFETY: The submitter's reference on the bio, dropped once, here.
    unsafe { bindings::bio_put(bio) };
    // SAFETY: The bio's count, dropped once, here.
    unsafe { put_pooled(group) };
}

/// What the last count of a pooled group does: gives the element back and
/// completes the io object.
///
/// # Safety
///
/// `group` is a pooled group whose last count the caller dropped.
#[inline(never)]
unsafe fn release_pooled<N: Notify>(group: NonNull<Group<'static, N>>) {
    // SAFETY: The owner of a pooled group is its pool, `'static`.
    let pool = unsafe {
        group
            .as_ref()
            .owner
            .cast::<Mempool<Group<'static, N>>>()
            .as_ref()
    };
    // SAFETY: The group is an element of `pool` that `submit_first` gave up,
    // and no count is left.
    let group = PoolBox::into_inner(unsafe { PoolBox::from_raw(pool, group) });
    core::mem::ManuallyDrop::into_inner(group.io).complete();
}
