// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2003 Sistina Software
// Copyright (C) 2006 Red Hat GmbH

//! An asynchronous request's io object (`async_io()`): in an element of the
//! client's mempool, as in C, or where a bio can carry it, in that bio's
//! front pad, which spares the pool.
//!
//! - Hosted: the io object goes with the request's first bio when that is
//!   not its last and comes from the client's bio set for bios without
//!   pages of their own (clones, empty flushes, discards: most of
//!   dm-raid1's and dm-integrity's requests), which keeps it in its front
//!   pad at no size cost; the bio is freed with it.
//! - Solo: a request that is a single bio carries only its callback
//!   ([`super::front_pad`]).

use super::{front_pad, Io, Notify, PooledIo, Solo, Submit};
use crate::{
    alloc::flags::GFP_NOIO,
    block::{
        bio::{shared::SharedRef, Direction, NewBio},
        bio_set::BioSet,
    },
    mempool::Mempool,
};

/// Submits the bios of an asynchronous request ([`run_pooled`]).
///
/// The io object is placed with the first bio that is not the request's
/// last: in its front pad if it comes from the host bio set
/// ([`Submit::host_bios`]), else in a pool element. A request that is a
/// single bio instead carries its callback in that bio's front pad.
pub(crate) struct PooledSubmitter<N: Notify> {
    pool: &'static Mempool<PooledIo<N>>,
    bios: &'static BioSet<Solo<N>>,
    host_bios: &'static BioSet<PooledIo<N>>,
    state: Pooled<N>,
}

enum Pooled<N: Notify> {
    /// No bio submitted yet.
    Unsent(Io<'static, N>),
    /// Bios submitted with the io object, of which dispatch holds a count.
    Placed(SharedRef<'static, Io<'static, N>>),
    /// The request's only bio went out with the callback.
    Solo,
    /// The pool gave no element: nothing was submitted, nor will be.
    NoMemory(Io<'static, N>),
}

impl<N: Notify> Submit<'static, 'static, N> for PooledSubmitter<N> {
    #[inline]
    fn submit<D: Direction>(
        &mut self,
        bio: NewBio<'static, D>,
        index: usize,
        last: bool,
    ) -> Result<(), NewBio<'static, D>> {
        match &self.state {
            Pooled::Placed(io) => io.submit(bio, index),
            _ => self.submit_unsent(bio, index, last),
        }
    }

    fn io(&self) -> Option<&Io<'static, N>> {
        match &self.state {
            Pooled::Unsent(io) | Pooled::NoMemory(io) => Some(io),
            Pooled::Placed(io) => Some(io.get()),
            Pooled::Solo => None,
        }
    }

    fn host_bios(&self) -> Option<&'static BioSet<PooledIo<N>>> {
        match self.state {
            Pooled::Unsent(_) => Some(self.host_bios),
            _ => None,
        }
    }
}

impl<N: Notify> PooledSubmitter<N> {
    /// The request's first bio: it goes out alone with the callback if it
    /// is the last, or places the io object, in its front pad or a pool
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
            Pooled::Unsent(io) => match bio.submit_hosting(self.host_bios, io, index) {
                Ok(io) => {
                    self.state = Pooled::Placed(io);
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

    /// The first bio of a request of several: its io object goes into a
    /// pool element (`mempool_alloc(GFP_NOIO)`).
    fn submit_first<D: Direction>(
        &mut self,
        bio: NewBio<'static, D>,
        index: usize,
        io: Io<'static, N>,
    ) -> Result<(), NewBio<'static, D>> {
        match PooledIo::in_pool(self.pool, io, GFP_NOIO) {
            Ok(io) => {
                let sent = io.submit(bio, index);
                self.state = Pooled::Placed(io);
                sent
            }
            Err(io) => {
                self.state = Pooled::NoMemory(io);
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
    pool: &'static Mempool<PooledIo<N>>,
    bios: &'static BioSet<Solo<N>>,
    host_bios: &'static BioSet<PooledIo<N>>,
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
        // Dispatch's count: the last completes the io object.
        Pooled::Placed(io) => drop(io),
        Pooled::Solo => {}
        Pooled::NoMemory(io) => return Err(io),
    }
    Ok(())
}
