// SPDX-License-Identifier: GPL-2.0

//! A reserve of bios and bio vector tables (`struct bio_set`).
//!
//! C header: [`include/linux/bio.h`](srctree/include/linux/bio.h)

use crate::{
    bindings, error::to_result, page::PAGE_SIZE, prelude::*, task::might_sleep, types::Opaque,
};

/// An initialised `struct bio_set`.
///
/// # Invariants
///
/// `inner` was initialised by `bioset_init()` and is exited only on drop.
/// It is pinned: bios allocated from it point back to it. `bvecs` says
/// whether it was initialised with `BIOSET_NEED_BVECS`.
#[pin_data(PinnedDrop)]
pub struct BioSet {
    #[pin]
    inner: Opaque<bindings::bio_set>,
    bvecs: bool,
}

// SAFETY: Allocations from a `bio_set` are internally synchronised.
unsafe impl Send for BioSet {}
// SAFETY: All shared operations are allocations and frees, which the
// `bio_set`'s mempools synchronise.
unsafe impl Sync for BioSet {}

/// The largest reserve a bio set may keep: dm-core's own largest
/// (`RESERVED_MAX_IOS`). Each reserved bio may come with a vector table of
/// a page, allocated up front.
const POOL_SIZE_MAX: u32 = 1024;

impl BioSet {
    /// `bioset_init(bs, pool_size, 0, BIOSET_NEED_BVECS)`: at least
    /// `pool_size` bios, with vector tables, are always available. `EINVAL`
    /// for more than 1024.
    ///
    /// Dropping a bio set sleeps. A bio of it that was leaked (with
    /// `core::mem::forget`) is never freed: `bioset_exit()` then warns that
    /// its cache still has objects.
    pub fn new(pool_size: u32) -> impl PinInit<Self, Error> {
        Self::with_front_pad(pool_size, 0)
    }

    /// As [`BioSet::new`], with `front_pad` bytes before each bio, which the
    /// bio groups of [`group`](super::bio::group) use
    /// ([`SOLO_FRONT_PAD`](super::bio::group::SOLO_FRONT_PAD)). `EINVAL`
    /// for a pad larger than a page or that would misalign the bios (not a
    /// multiple of a bio's alignment).
    pub fn with_front_pad(pool_size: u32, front_pad: u32) -> impl PinInit<Self, Error> {
        Self::init(pool_size, front_pad, true)
    }

    /// `bioset_init(bs, pool_size, front_pad, 0)`: bios without data pages
    /// of their own (clones, empty flushes, discards), with `front_pad`
    /// bytes before each ([`GROUP_FRONT_PAD`](super::bio::group::GROUP_FRONT_PAD)).
    /// Their slab objects are a bio and its front pad only.
    pub fn without_bvecs(pool_size: u32, front_pad: u32) -> impl PinInit<Self, Error> {
        Self::init(pool_size, front_pad, false)
    }

    fn init(pool_size: u32, front_pad: u32, bvecs: bool) -> impl PinInit<Self, Error> {
        // A bio sits at the pad's end of its slab object, aligned only if
        // the pad is; the block layer adds the pad to the size of its slab
        // objects in 32 bits, and allocates the reserve up front.
        let refused = front_pad as usize > PAGE_SIZE
            || front_pad as usize % core::mem::align_of::<bindings::bio>() != 0
            || pool_size > POOL_SIZE_MAX;
        let flags = if bvecs {
            bindings::BIOSET_NEED_BVECS as i32
        } else {
            0
        };
        try_pin_init!(Self {
            inner <- Opaque::try_ffi_init(|slot: *mut bindings::bio_set| {
                if refused {
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
impl PinnedDrop for BioSet {
    fn drop(self: Pin<&mut Self>) {
        // `bioset_exit()` takes a mutex to put its slab.
        might_sleep();
        // SAFETY: By the type invariant the bio set was initialised. Every bio
        // from it is gone or leaked: a `NewBio` borrows the bio set for as
        // long as its I/O runs, and a leaked one is never touched again.
        unsafe { bindings::bioset_exit(self.inner.get()) };
    }
}
