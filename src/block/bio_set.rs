// SPDX-License-Identifier: GPL-2.0

//! A reserve of bios and bio vector tables (`struct bio_set`).
//!
//! C header: [`include/linux/bio.h`](srctree/include/linux/bio.h)

use crate::{
    bindings, error::to_result, page::PAGE_SIZE, prelude::*, task::might_sleep, types::Opaque,
};
use core::marker::PhantomData;

/// The largest reserve a bio set may keep: dm-core's own largest
/// (`RESERVED_MAX_IOS`). Each reserved bio may come with a vector table of
/// a page, allocated up front.
const POOL_SIZE_MAX: u32 = 1024;

/// An initialised `struct bio_set` whose bios carry a `P` in their front
/// pad, for their submitter to use (`()` for none): a value that travels
/// with a bio ([`NewBio::submit_with`]) or state that it hosts
/// ([`NewBio::submit_hosting`]).
///
/// Dropping a bio set sleeps. A bio of it that was leaked (with
/// `core::mem::forget`) is never freed: `bioset_exit()` then warns that its
/// cache still has objects, if no other bio set shares that cache.
///
/// [`NewBio::submit_with`]: super::bio::NewBio::submit_with
/// [`NewBio::submit_hosting`]: super::bio::NewBio::submit_hosting
///
/// # Invariants
///
/// `inner` was initialised by `bioset_init()` with a front pad of room for
/// a `P`, and is exited only on drop. It is pinned: bios allocated from it
/// point back to it. `bvecs` says whether it was initialised with
/// `BIOSET_NEED_BVECS`.
#[pin_data(PinnedDrop)]
pub struct BioSet<P = ()> {
    #[pin]
    inner: Opaque<bindings::bio_set>,
    bvecs: bool,
    /// Invariant in `P`: a set for one front-pad type is never taken for
    /// a set of another, such as one that borrows for less.
    _pad: PhantomData<fn(P) -> P>,
}

// SAFETY: Allocations from a `bio_set` are internally synchronised; the
// front pads are only reached by the submitters of their bios.
unsafe impl<P> Send for BioSet<P> {}
// SAFETY: All shared operations are allocations and frees, which the
// `bio_set`'s mempools synchronise.
unsafe impl<P> Sync for BioSet<P> {}

impl BioSet {
    /// `bioset_init(bs, pool_size, 0, BIOSET_NEED_BVECS)`: at least
    /// `pool_size` bios, with vector tables, are always available. `EINVAL`
    /// for more than 1024.
    pub fn new(pool_size: u32) -> impl PinInit<Self, Error> {
        Self::with_front_pad(pool_size)
    }
}

impl<P> BioSet<P> {
    /// The front pad: room for a `P`, rounded up so that the bio after it
    /// stays aligned (the block layer places a bio right after its pad). A
    /// `P` larger than a page does not build.
    pub(crate) const FRONT_PAD: u32 = {
        let bio_align = core::mem::align_of::<bindings::bio>();
        let size = core::mem::size_of::<P>();
        assert!(size <= PAGE_SIZE, "a front pad may be at most a page");
        (size.div_ceil(bio_align) * bio_align) as u32
    };

    /// As [`BioSet::new`], with room for a `P` before each bio.
    pub fn with_front_pad(pool_size: u32) -> impl PinInit<Self, Error> {
        Self::init(pool_size, true)
    }

    /// `bioset_init(bs, pool_size, front_pad, 0)`: bios without data pages
    /// of their own (clones, empty flushes, discards), with room for a `P`
    /// before each. Their slab objects are a bio and its front pad only.
    pub fn without_bvecs(pool_size: u32) -> impl PinInit<Self, Error> {
        Self::init(pool_size, false)
    }

    fn init(pool_size: u32, bvecs: bool) -> impl PinInit<Self, Error> {
        let front_pad = Self::FRONT_PAD;
        let flags = if bvecs {
            bindings::BIOSET_NEED_BVECS as i32
        } else {
            0
        };
        try_pin_init!(Self {
            inner <- Opaque::try_ffi_init(|slot: *mut bindings::bio_set| {
                // The reserve is allocated up front.
                if pool_size > POOL_SIZE_MAX {
                    return Err(EINVAL);
                }
                // SAFETY: `slot` is valid for writing a `bio_set`.
                // `bioset_init()` expects zeroed memory (C embeds bio sets in
                // zeroed structures): fields it does not set, such as the
                // per-cpu cache, must read as absent. On failure it cleans up
                // after itself.
                to_result(unsafe {
                    core::ptr::write_bytes(slot, 0, 1);
                    bindings::bioset_init(
                        slot,
                        pool_size,
                        front_pad,
                        flags,
                    )
                })
            }),
            bvecs,
            _pad: PhantomData,
        })
    }

    /// Whether bios from this set can have data pages of their own.
    #[inline]
    pub(crate) fn has_bvecs(&self) -> bool {
        self.bvecs
    }

    /// The raw pointer, for bio allocation.
    #[inline]
    pub(crate) fn as_raw(&self) -> *mut bindings::bio_set {
        self.inner.get()
    }
}

#[pinned_drop]
impl<P> PinnedDrop for BioSet<P> {
    fn drop(self: Pin<&mut Self>) {
        // `bioset_exit()` takes a mutex to put its slab.
        might_sleep();
        // SAFETY: By the type invariant the bio set was initialised. Every bio
        // from it is gone or leaked: a `NewBio` borrows the bio set for as
        // long as its I/O runs, and a leaked one is never touched again.
        unsafe { bindings::bioset_exit(self.inner.get()) };
    }
}
