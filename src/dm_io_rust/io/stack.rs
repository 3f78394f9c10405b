// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2003 Sistina Software
// Copyright (C) 2006 Red Hat GmbH

//! A synchronous request's io object, on the stack of the task that waits
//! for it (`sync_io()`): no pool element, and no wait when every bio
//! completed while it was submitted.

use super::{Io, PooledIo, Submit};
use crate::block::{
    bio::{
        shared::{scope, SharedRef},
        Direction, NewBio,
    },
    bio_set::BioSet,
};
use kernel::prelude::*;

/// Submits the bios of a request whose io object is on this stack; the bios
/// borrow their data for `'env`, which [`run_on_stack`] waits for.
pub(crate) struct StackSubmitter<'s, 'env, 'r> {
    io: &'s SharedRef<'env, Io<'r, ()>>,
}

impl<'env, 'r> Submit<'env, 'r, ()> for StackSubmitter<'_, 'env, 'r> {
    #[inline]
    fn submit<D: Direction>(
        &mut self,
        bio: NewBio<'env, D>,
        index: usize,
        _last: bool,
    ) -> Result<(), NewBio<'env, D>> {
        self.io.submit(bio, index)
    }

    fn io(&self) -> Option<&Io<'r, ()>> {
        Some(self.io.get())
    }

    fn host_bios(&self) -> Option<&'env BioSet<PooledIo<()>>> {
        None
    }
}

/// Runs a request's io object on this stack: `submit` submits its bios,
/// then this waits, accounted as I/O wait (`wait_for_completion_io()`),
/// until every one of them has completed, and returns the io object.
///
/// Sleeps: process context only. `EDEADLK` inside `submit_bio()` (a
/// target's map hook), where waiting would never end: nothing is sent.
pub(crate) fn run_on_stack<'env, 'r>(
    io: Io<'r, ()>,
    submit: impl FnOnce(&mut StackSubmitter<'_, 'env, 'r>),
) -> Result<Io<'r, ()>> {
    scope(io, |io| submit(&mut StackSubmitter { io })).map_err(|(err, _)| err)
}
