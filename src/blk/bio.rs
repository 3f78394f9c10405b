// SPDX-License-Identifier: GPL-2.0

//! Bios: building, submitting and completing them.
//!
//! C header: [`include/linux/bio.h`](srctree/include/linux/bio.h)

use super::{bio_set::BioSet, block_device::BlockDevice, consts::GFP_NOIO, opf::Opf};
use crate::{helpers, mm::page::PageRef};
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{bindings, ffi, types::Opaque};

/// A caller's bio, borrowed as a data source (`DM_IO_BIO`).
///
/// # Invariants
///
/// The wrapped bio is valid, and its data pages stay valid, for as long as
/// a reference to this type exists.
#[repr(transparent)]
pub struct Bio(Opaque<bindings::bio>);

impl Bio {
    /// Borrows a C `struct bio`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid bio whose pages stay valid for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::bio) -> &'a Self {
        // SAFETY: `Bio` is a transparent wrapper and the caller guarantees
        // validity for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// The raw pointer.
    pub fn as_raw(&self) -> *mut bindings::bio {
        self.0.get()
    }

    /// Bytes left in the bio's current range.
    pub fn size(&self) -> u32 {
        // SAFETY: By the type invariant the bio is valid.
        unsafe { (*self.as_raw()).bi_iter.bi_size }
    }

    /// Clears the first `bytes` of the bio's current range (its data for a
    /// failed read made through a clone).
    pub fn zero_fill_prefix(&self, bytes: u32) {
        // SAFETY: By the type invariant the bio and its pages are valid.
        unsafe { helpers::rdm_zero_fill_bio_prefix(self.as_raw(), bytes) };
    }
}

/// One segment of memory: a `struct bio_vec` (the seed's `DM_IO_BVEC`).
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct BioVec<'a>(bindings::bio_vec, PhantomData<PageRef<'a>>);

impl<'a> BioVec<'a> {
    /// A segment of `len` bytes at `offset` in `page`.
    pub fn new(page: PageRef<'a>, len: u32, offset: u32) -> Self {
        Self(
            bindings::bio_vec {
                bv_page: page.as_raw(),
                bv_len: len,
                bv_offset: offset,
            },
            PhantomData,
        )
    }

    /// Borrows a C bvec array.
    ///
    /// # Safety
    ///
    /// `ptr` must point to `len` valid bvecs whose pages stay valid for `'a`.
    pub unsafe fn slice_from_raw(ptr: *const bindings::bio_vec, len: usize) -> &'a [Self] {
        // SAFETY: `BioVec` is a transparent wrapper of `bio_vec` (the marker
        // is zero-sized), and the caller guarantees validity.
        unsafe { core::slice::from_raw_parts(ptr.cast(), len) }
    }

    /// The page.
    pub fn page(&self) -> PageRef<'a> {
        // SAFETY: The page was valid for `'a` when this bvec was made.
        unsafe { PageRef::from_raw(self.0.bv_page) }
    }

    /// Whether the segment is empty.
    pub fn is_empty(&self) -> bool {
        self.0.bv_len == 0
    }

    /// Length in bytes.
    pub fn len(&self) -> u32 {
        self.0.bv_len
    }

    /// Offset in the page.
    pub fn offset(&self) -> u32 {
        self.0.bv_offset
    }
}

/// What runs when a bio completes.
pub trait BioEndIo {
    /// Called once per bio, in completion context (possibly hard IRQ).
    fn end_io(bio: CompletedBio);
}

/// A freshly allocated bio that dm-io is filling in.
///
/// # Invariants
///
/// `ptr` is a bio from `bio_alloc_bioset()` or `bio_alloc_clone()` on which
/// this object holds the only reference, and it has not been submitted.
pub struct NewBio {
    ptr: NonNull<bindings::bio>,
}

impl NewBio {
    /// `bio_alloc_bioset(bdev, nr_vecs, opf, GFP_NOIO, bs)`.
    ///
    /// With `GFP_NOIO` the bio set's mempool makes this wait rather than
    /// fail, but a `None` is still handled by the caller.
    pub fn alloc(bs: &BioSet, bdev: &BlockDevice, nr_vecs: u16, opf: Opf) -> Option<Self> {
        // SAFETY: `bs` and `bdev` are valid by their type invariants.
        let ptr = unsafe {
            bindings::bio_alloc_bioset(bdev.as_raw(), nr_vecs, opf.as_raw(), GFP_NOIO, bs.as_raw())
        };
        // INVARIANT: a new bio comes with one reference, ours.
        NonNull::new(ptr).map(|ptr| Self { ptr })
    }

    /// `bio_alloc_clone(bdev, src, GFP_NOIO, bs)`: shares `src`'s bvecs.
    pub fn clone_of(bs: &BioSet, bdev: &BlockDevice, src: &Bio) -> Option<Self> {
        // SAFETY: All three are valid by their type invariants.
        let ptr = unsafe {
            bindings::bio_alloc_clone(bdev.as_raw(), src.as_raw(), GFP_NOIO, bs.as_raw())
        };
        // INVARIANT: as in `alloc`.
        NonNull::new(ptr).map(|ptr| Self { ptr })
    }

    fn raw(&mut self) -> &mut bindings::bio {
        // SAFETY: By the type invariant the bio is valid and ours alone.
        unsafe { self.ptr.as_mut() }
    }

    /// Sets the starting sector.
    pub fn set_sector(&mut self, sector: u64) {
        self.raw().bi_iter.bi_sector = sector;
    }

    /// Sets the size in bytes (for no-data ops and clones).
    pub fn set_size(&mut self, bytes: u32) {
        self.raw().bi_iter.bi_size = bytes;
    }

    /// Sets the operation and flags.
    pub fn set_opf(&mut self, opf: Opf) {
        self.raw().bi_opf = opf.as_raw();
    }

    /// Sets the I/O priority.
    pub fn set_ioprio(&mut self, ioprio: u16) {
        self.raw().bi_ioprio = ioprio;
    }

    /// The size in bytes so far.
    pub fn size(&mut self) -> u32 {
        self.raw().bi_iter.bi_size
    }

    /// `bio_add_page()`: false when the bio cannot take this segment.
    pub fn add_page(&mut self, page: PageRef<'_>, len: u32, offset: u32) -> bool {
        // SAFETY: The bio is ours and unsubmitted; the page is valid.
        unsafe { bindings::bio_add_page(self.ptr.as_ptr(), page.as_raw(), len, offset) != 0 }
    }

    /// The bio as a data source, without submitting it (to hand a caller's
    /// bio to dm-io as `DM_IO_BIO`).
    pub fn as_bio(&self) -> &Bio {
        // SAFETY: We own a reference to the bio, so it is valid while
        // `self` is borrowed; its pages are the caller's.
        unsafe { Bio::from_raw(self.ptr.as_ptr()) }
    }

    /// Submits the bio; `E::end_io` runs once when it completes, and can
    /// read `private` back from the [`CompletedBio`].
    pub fn submit<E: BioEndIo>(mut self, private: usize) {
        let bio = self.raw();
        bio.bi_end_io = Some(end_io_trampoline::<E>);
        bio.bi_private = private as *mut ffi::c_void;
        let ptr = self.ptr.as_ptr();
        core::mem::forget(self);
        // SAFETY: The bio is fully set up; our reference passes to the
        // block layer and comes back to `end_io_trampoline`.
        unsafe { bindings::submit_bio(ptr) };
    }
}

impl Drop for NewBio {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we hold the only reference.
        unsafe { bindings::bio_put(self.ptr.as_ptr()) };
    }
}

/// # Safety
///
/// Only the block layer calls this, once, for a bio submitted by
/// [`NewBio::submit`] with the same `E`.
unsafe extern "C" fn end_io_trampoline<E: BioEndIo>(bio: *mut bindings::bio) {
    // INVARIANT: the submitter's reference comes back with the completion.
    E::end_io(CompletedBio {
        // SAFETY: The block layer passes the completed, non-null bio.
        ptr: unsafe { NonNull::new_unchecked(bio) },
    })
}

/// A bio whose I/O has finished; dropping it releases the submitter's
/// reference (`bio_put()`).
///
/// # Invariants
///
/// `ptr` is a completed bio on which this object holds the submitter's
/// reference.
pub struct CompletedBio {
    ptr: NonNull<bindings::bio>,
}

impl CompletedBio {
    fn raw(&self) -> &bindings::bio {
        // SAFETY: By the type invariant the bio is valid.
        unsafe { self.ptr.as_ref() }
    }

    /// The completion status (`bi_status`).
    pub fn status(&self) -> bindings::blk_status_t {
        self.raw().bi_status
    }

    /// The value given to [`NewBio::submit`].
    pub fn private(&self) -> usize {
        self.raw().bi_private as usize
    }

    /// `bio_data_dir(bio) == READ`.
    pub fn is_read(&self) -> bool {
        // SAFETY: By the type invariant the bio is valid.
        unsafe { helpers::rdm_bio_is_read(self.ptr.as_ptr()) }
    }

    /// Clears every segment of a bio built with [`NewBio::add_page`], so a
    /// failed read leaks nothing. (`zero_fill_bio()` would clear nothing:
    /// at completion the iterator has reached the end.)
    ///
    /// Must not be used on a clone, whose segments are another bio's.
    pub fn zero_fill_all(&mut self) {
        // SAFETY: The bio is valid, its I/O is over, and it owns its
        // segment table.
        unsafe { helpers::rdm_zero_fill_bio_all(self.ptr.as_ptr()) };
    }
}

impl Drop for CompletedBio {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we hold a reference.
        unsafe { bindings::bio_put(self.ptr.as_ptr()) };
    }
}

/// Runs `f` under a block plug (`blk_start_plug()`), so the bios it
/// submits reach the driver as one batch.
pub fn with_plug<R>(f: impl FnOnce() -> R) -> R {
    let mut plug = core::mem::MaybeUninit::<bindings::blk_plug>::uninit();
    // SAFETY: `plug` lives on this stack frame until `blk_finish_plug()`
    // below, and does not move in between.
    unsafe { bindings::blk_start_plug(plug.as_mut_ptr()) };
    let r = f();
    // SAFETY: `plug` was started above on this task.
    unsafe { bindings::blk_finish_plug(plug.as_mut_ptr()) };
    r
}
