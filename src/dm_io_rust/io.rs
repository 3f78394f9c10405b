// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2003 Sistina Software
// Copyright (C) 2006 Red Hat GmbH

//! The io object of a request (`struct io`), and its completion.
//!
//! C reference: `struct io`, `endio()`, `dec_count()` and `complete_io()`
//! in [`drivers/md/dm-io.c`](srctree/drivers/md/dm-io.c).
//!
//! The io object gathers the regions' error bits as their bios complete,
//! keeps what a read owes its memory, and tells the caller once, after the
//! last bio: [`SharedEndIo::end_io`] for each bio (`endio()`), and
//! [`Io::complete`] once the last count is dropped (`dec_count()`,
//! `complete_io()`). It is [`Shared`] state of its bios: each carries it
//! and its region index in `bi_private` and holds a count of it, and
//! dispatch holds one more while it submits; the kernel crate keeps the
//! count and the encoding, this module what dm-io does with them. Where the
//! io object lives depends on the request, one file each:
//!
//! - [`stack`]: a synchronous request's, on the stack of the task that
//!   waits for it;
//! - [`pool`]: an asynchronous request's, in an element of the client's
//!   mempool, as in C;
//! - [`front_pad`]: an asynchronous request's, in the front pad of its first
//!   bio (a clone, a flush or a discard, which have no pages of their own),
//!   or, for a request that is a single bio, only its callback, in that
//!   bio's front pad.

mod front_pad;
mod pool;
mod stack;

pub(crate) use front_pad::Solo;
pub(crate) use pool::run_pooled;
pub(crate) use stack::run_on_stack;

use crate::block::{
    bio::{
        shared::{Shared, SharedEndIo, MAX_TAG},
        Bio, CompletedBio, Direction, NewBio, VmapInvalidate,
    },
    bio_set::BioSet,
};
use crate::device_mapper::region::{IoBits, DM_IO_MAX_REGIONS};
use core::sync::atomic::{AtomicUsize, Ordering};
use kernel::prelude::*;

/// How an asynchronous request tells its caller that it completed.
pub(crate) trait Notify: Send + Sync + 'static {
    /// Called once, with the request's bits.
    fn notify(self, bits: IoBits);
}

/// A synchronous request's: its caller waits for the bits instead.
impl Notify for () {
    fn notify(self, _bits: IoBits) {}
}

/// What a read owes its memory once every bio is over (`dp_init()`'s
/// `vma_invalidate_*`, and zeroing what a failed read leaves undefined).
pub(crate) enum AfterRead<'a> {
    /// Nothing.
    Nothing,
    /// A vmalloc buffer's alias is invalidated, failed or not.
    InvalidateVmap(VmapInvalidate<'a>),
    /// The caller's bio, which clones read into (their own progress through
    /// its pages is lost at completion): zeroed up to `len` if the read
    /// failed.
    ZeroOnError { bio: &'a Bio, len: u32 },
}

impl AfterRead<'_> {
    fn run(self, failed: bool) {
        match self {
            Self::Nothing => {}
            Self::InvalidateVmap(range) => range.run(),
            Self::ZeroOnError { bio, len } if failed => bio.zero_fill_front(len),
            Self::ZeroOnError { .. } => {}
        }
    }
}

/// One request's io object: the bits its bios leave, what a read owes its
/// memory, and how its caller is told.
///
/// The bit sets are set with relaxed `set_bit()` semantics; the group's
/// final, fully ordered decrement publishes them to the completion.
pub(crate) struct Io<'r, N> {
    error_bits: AtomicUsize,
    unsup_bits: AtomicUsize,
    after_read: AfterRead<'r>,
    notify: N,
}

impl<'r, N> Io<'r, N> {
    pub(crate) fn new(after_read: AfterRead<'r>, notify: N) -> Self {
        Self {
            error_bits: AtomicUsize::new(0),
            unsup_bits: AtomicUsize::new(0),
            after_read,
            notify,
        }
    }

    /// Records that region `index` failed with `err`: `EOPNOTSUPP`
    /// (`BLK_STS_NOTSUPP`) and `EINVAL` (`BLK_STS_INVAL`) are not media
    /// errors and go to the unsupported set.
    pub(crate) fn fail(&self, index: usize, err: Error) {
        let bit = region_bit(index);
        if is_unsupported(err) {
            self.unsup_bits.fetch_or(bit, Ordering::Relaxed);
        } else {
            self.error_bits.fetch_or(bit, Ordering::Relaxed);
        }
    }

    /// Whether the io object is a fresh one with nothing to do after a
    /// read: its callback is all a single-bio request needs to keep.
    fn is_bare(&self) -> bool {
        self.error_bits.load(Ordering::Relaxed) == 0
            && self.unsup_bits.load(Ordering::Relaxed) == 0
            && matches!(self.after_read, AfterRead::Nothing)
    }

    /// `complete_io()`, less the notification: the bits, once every bio is
    /// over and what a read owes its memory is done.
    pub(crate) fn finish(self) -> (IoBits, N) {
        let bits = IoBits {
            error_bits: self.error_bits.into_inner(),
            unsup_bits: self.unsup_bits.into_inner(),
        };
        self.after_read.run(bits.error_bits != 0);
        (bits, self.notify)
    }
}

impl<N: Notify> Io<'_, N> {
    /// `complete_io()`: tells the caller.
    fn complete(self) {
        let (bits, notify) = self.finish();
        notify.notify(bits);
    }
}

impl<N: Notify> SharedEndIo for Io<'_, N> {
    /// `endio()`, less the `bio_put()` and `dec_count()` that follow it.
    #[inline]
    fn end_io(&self, index: usize, bio: &mut CompletedBio<'_>) {
        if let Some(err) = bio_error(bio) {
            self.fail(index, err);
        }
    }

    fn complete(self) {
        Io::complete(self)
    }
}

/// The bit of region `index` in a set of [`IoBits`].
#[inline]
fn region_bit(index: usize) -> usize {
    1usize << (index % DM_IO_MAX_REGIONS)
}

/// Whether a bio's error is not a media error: `EOPNOTSUPP`
/// (`BLK_STS_NOTSUPP`) or `EINVAL` (`BLK_STS_INVAL`).
#[inline]
fn is_unsupported(err: Error) -> bool {
    err == EOPNOTSUPP || err == EINVAL
}

/// The error of a completed bio, if it failed; a failed read of its own
/// pages is zeroed (a clone's are its source's: the request's [`AfterRead`]
/// zeroes those).
#[inline]
fn bio_error(bio: &mut CompletedBio<'_>) -> Option<Error> {
    let err = bio.status().err()?;
    if !bio.opf().is_write() {
        let _ = bio.zero_fill();
    }
    Some(err)
}

// A region index fits in a bio's tag.
const _: () = assert!(DM_IO_MAX_REGIONS <= MAX_TAG + 1);

/// A pooled request's io object, as its pool element or its host bio's
/// front pad holds it.
pub(crate) type PooledIo<N> = Shared<Io<'static, N>>;

// An io object and its count fit in 64 bytes, as C's `struct io`, on 64-bit
// and 32-bit alike (with a callback of two words).
const _: () = assert!(core::mem::size_of::<Shared<Io<'static, [usize; 2]>>>() == 64);

/// Submitting the bios of a request, wherever its io object lives: the
/// dispatch code is the same for every placement.
pub(crate) trait Submit<'env, 'r, N> {
    /// Submits `bio` for region `index`; `last` says that no other bio of
    /// the request follows. Gives the bio back if it cannot be submitted.
    fn submit<D: Direction>(
        &mut self,
        bio: NewBio<'env, D>,
        index: usize,
        last: bool,
    ) -> Result<(), NewBio<'env, D>>;

    /// The io object, unless it went out with the request's only bio.
    fn io(&self) -> Option<&Io<'r, N>>;

    /// The bio set to take the next bio from if it has no data pages of
    /// its own and is not the request's last, for it to hold the group in
    /// its front pad: until the io object is placed.
    fn host_bios(&self) -> Option<&'env BioSet<PooledIo<N>>>;
}
