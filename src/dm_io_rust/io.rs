// SPDX-License-Identifier: GPL-2.0

//! The io object of a request (`struct io`), and its completion.
//!
//! C reference: `struct io`, `endio()`, `dec_count()` and `complete_io()`
//! in [`drivers/md/dm-io.c`](srctree/drivers/md/dm-io.c).
//!
//! The io object gathers the regions' error bits as their bios complete,
//! keeps what a read owes its memory, and tells the caller once, after the
//! last bio: [`Group::endio`] for each bio (`endio()`), [`Group::put`] for
//! each count dropped (`dec_count()`), [`Io::complete`] at the end
//! (`complete_io()`). Each bio carries its group and region index in
//! `bi_private` ([`Tag`]) and holds one count of it; dispatch holds one
//! more while it submits. Where the io object lives depends on the request,
//! one file each:
//!
//! - [`stack`]: a synchronous request's, on the stack of the task that
//!   waits for it;
//! - [`pool`]: an asynchronous request's, in an element of the client's
//!   mempool, as in C;
//! - [`front_pad`]: an asynchronous request's, in the front pad of its first
//!   bio (a clone, a flush or a discard, which have no pages of their own),
//!   or, for a request that is a single bio, only its callback, in that
//!   bio's front pad.
//!
//! This module and its placements are the driver's only `unsafe` besides
//! the C entry points: `bi_private` and the front pads are raw memory.

mod front_pad;
mod pool;
mod stack;

pub(crate) use front_pad::Solo;
pub(crate) use pool::run_pooled;
pub(crate) use stack::run_on_stack;

use crate::block::{
    bio::{Bio, CompletedBio, Direction, NewBio, VmapInvalidate},
    bio_set::BioSet,
};
use core::{
    mem::ManuallyDrop,
    ptr::NonNull,
    sync::atomic::{AtomicU32, AtomicUsize, Ordering},
};
use kernel::{bindings, ffi, prelude::*};

/// At most this many regions per request: one bit each in the error and
/// unsupported bit sets, one index each in the low bits of `bi_private`.
pub(crate) const DM_IO_MAX_REGIONS: usize = usize::BITS as usize;

/// The outcome of a request: which regions failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct IoBits {
    /// Regions with an I/O error (bit *i* for region *i*).
    pub(crate) error_bits: usize,
    /// Regions the device refused as unsupported or invalid: not media
    /// errors.
    pub(crate) unsup_bits: usize,
}

impl IoBits {
    /// The synchronous `dm_io()` return value: `EIO` if any region failed,
    /// else `EOPNOTSUPP` if any was unsupported.
    pub(crate) fn to_result(self) -> Result {
        if self.error_bits != 0 {
            Err(EIO)
        } else if self.unsup_bits != 0 {
            Err(EOPNOTSUPP)
        } else {
            Ok(())
        }
    }
}

/// How an asynchronous request tells its caller that it completed.
pub(crate) trait Notify: Send + Sync + 'static {
    /// Called once, with the request's bits.
    fn notify(self, bits: IoBits);
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
        let bit = 1usize << (index % DM_IO_MAX_REGIONS);
        if err == EOPNOTSUPP || err == EINVAL {
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

/// `endio()` of one bio: its error, if it failed, into `io`'s bits, its
/// data zeroed if it was a read of its own pages (a clone's are its
/// source's: the request's [`AfterRead`] zeroes those).
#[inline]
fn bio_error(bio: &mut CompletedBio<'_>) -> Option<Error> {
    let err = bio.status().err()?;
    if !bio.opf().is_write() {
        let _ = bio.zero_fill();
    }
    Some(err)
}

/// The alignment of a group (`repr(align)` below): its address leaves the
/// low bits of `bi_private` free for a region index.
const GROUP_ALIGN: usize = 64;

/// The largest region index a bio of a group carries.
const MAX_INDEX: usize = GROUP_ALIGN - 1;

const _: () = assert!(DM_IO_MAX_REGIONS <= GROUP_ALIGN);

/// An io object with its count (`struct io` with `io->count`): 64 bytes,
/// with an io object of up to 48, as C's `struct io`.
///
/// # Invariants
///
/// `refs` counts the group's submitted, uncompleted bios plus one while
/// its dispatch may still submit. When it drops to zero the group is
/// completed, exactly once; until then the memory holding it stays valid.
/// Every bio submitted with a tag of this group holds one of the counts.
/// `owner` is where the group lives, which its placement knows how to
/// release: the `Completion` that the task whose stack holds it waits on,
/// the mempool it is an element of, or the bio in whose front pad it is.
#[repr(C, align(64))]
pub(crate) struct Group<'r, N> {
    refs: AtomicU32,
    owner: NonNull<()>,
    io: ManuallyDrop<Io<'r, N>>,
}

// SAFETY: The owner is used only by whoever drops the last count; the io
// object is reached through `&Io`, whose fields are atomics and values that
// may be moved and dropped in any task (`N: Send`, `AfterRead` is `Send`).
unsafe impl<N: Send> Send for Group<'_, N> {}
// SAFETY: Shared access is atomic (`refs`, the bits) or reads nothing else.
unsafe impl<N: Send> Sync for Group<'_, N> {}

// The io object fits the 48 bytes that a 64-byte group leaves it, on 64-bit
// and 32-bit alike.
const _: () = assert!(core::mem::size_of::<Group<'static, [usize; 2]>>() == GROUP_ALIGN);

impl<'r, N> Group<'r, N> {
    /// A group with `counts` counts (dispatch's, and any its placement
    /// holds), living at `owner`.
    fn new(io: Io<'r, N>, owner: NonNull<()>, counts: u32) -> Self {
        // INVARIANT: The caller's counts.
        Self {
            refs: AtomicU32::new(counts),
            owner,
            io: ManuallyDrop::new(io),
        }
    }

    /// The io object, for dispatch to record a region's failure.
    pub(crate) fn io(&self) -> &Io<'r, N> {
        &self.io
    }

    /// Takes a count for a bio about to be submitted.
    fn get(&self) {
        self.refs.fetch_add(1, Ordering::Relaxed);
    }

    /// `dec_count()`: drops a count; true for the last one, after which
    /// the caller completes the group, and nobody else touches it.
    #[inline]
    fn put(&self) -> bool {
        self.refs.fetch_sub(1, Ordering::AcqRel) == 1
    }
}

/// A group's address with a region index in its low bits: what a bio
/// carries in `bi_private`.
#[derive(Clone, Copy)]
struct Tag(usize);

impl Tag {
    /// `group`'s tag for region `index`; `None` for an index a group
    /// cannot carry.
    fn new<N>(group: NonNull<Group<'_, N>>, index: usize) -> Option<Self> {
        (index <= MAX_INDEX).then_some(Self(group.as_ptr() as usize | index))
    }

    fn as_private(self) -> *mut ffi::c_void {
        self.0 as *mut ffi::c_void
    }

    /// The tag that `bio`'s `bi_private` holds.
    ///
    /// # Safety
    ///
    /// `bio` is a valid bio submitted with a tag.
    unsafe fn of(bio: *mut bindings::bio) -> Self {
        // SAFETY: Valid (caller).
        Self(unsafe { (*bio).bi_private } as usize)
    }

    fn index(self) -> usize {
        self.0 & MAX_INDEX
    }

    /// The group.
    ///
    /// # Safety
    ///
    /// The tag was made for a group of `'r` and `N` that is still alive.
    unsafe fn group<'r, N>(self) -> NonNull<Group<'r, N>> {
        // SAFETY: A group's address, aligned, not null (caller).
        unsafe { NonNull::new_unchecked((self.0 & !MAX_INDEX) as *mut Group<'r, N>) }
    }
}

/// `endio()`: one bio of a group completed. Records its error in the io
/// object, and returns the group, alive until the bio's count is dropped;
/// the caller then frees the bio (unless the group holds it) and drops the
/// count (`dec_count()`).
///
/// # Safety
///
/// `bio` is a completed bio submitted with a tag of a live group of `'r`
/// and `N`, which holds one of its counts; this is its only completion.
#[inline]
unsafe fn endio<'r, N>(bio: *mut bindings::bio) -> NonNull<Group<'r, N>> {
    // SAFETY: The completed bio, submitted as a `NewBio`, referenced until
    // the caller frees it (caller).
    let mut done = unsafe { CompletedBio::from_raw(NonNull::new_unchecked(bio)) };
    // SAFETY: Submitted with a tag of a group that its count keeps alive.
    let tag = unsafe { Tag::of(bio) };
    // SAFETY: As above.
    let group = unsafe { tag.group::<'r, N>() };
    if let Some(err) = bio_error(&mut done) {
        // SAFETY: Alive while the bio's count is held; only shared access.
        unsafe { group.as_ref() }.io.fail(tag.index(), err);
    }
    group
}

/// Submits `bio` for region `index` as a member of `group`, completed by
/// `end_io`; gives it back if the index is too large for a tag or the bio
/// cannot be submitted.
///
/// # Safety
///
/// `group` is live while a count of it is held, which the caller holds;
/// `end_io` completes a bio of it ([`endio`]) and drops its count; the
/// bio's data outlives its I/O.
unsafe fn submit_tagged<'env, N, D: Direction>(
    group: NonNull<Group<'_, N>>,
    bio: NewBio<'env, D>,
    index: usize,
    end_io: unsafe extern "C" fn(*mut bindings::bio),
) -> Result<(), NewBio<'env, D>> {
    let Some(tag) = Tag::new(group, index) else {
        return Err(bio);
    };
    // SAFETY: The caller's count keeps the group alive.
    let g = unsafe { group.as_ref() };
    g.get();
    // SAFETY: `end_io` takes over the bio's reference and the count just
    // taken (caller); the data outlives the I/O (caller).
    match unsafe { bio.submit(end_io, tag.as_private()) } {
        Ok(()) => Ok(()),
        Err(bio) => {
            // Not submitted: the count goes back; the caller's keeps the
            // group alive.
            g.put();
            Err(bio)
        }
    }
}

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
    /// its front pad: until the group is placed.
    fn host_bios(&self) -> Option<&'env BioSet<Group<'static, N>>>;
}
