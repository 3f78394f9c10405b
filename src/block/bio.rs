// SPDX-License-Identifier: GPL-2.0

//! Bios: borrowed from their owner, built and submitted, completed.
//!
//! C header: [`include/linux/bio.h`](srctree/include/linux/bio.h)
//!
//! A [`Bio`] is a bio that someone else owns and lends, for example a
//! caller's bio that is the memory of a request. A [`NewBio`] is a bio
//! allocated from a [`BioSet`] and being filled in; it is submitted as a
//! member of a [`group::BioGroup`], whose handler sees it again as a
//! [`CompletedBio`].

pub mod group;
mod kernel_buf;
mod vec;

pub use kernel_buf::{AfterRead, KernelBuf, KernelBufKind};
pub use vec::Segment;

use super::{
    bdev::BlockDevice,
    bio_set::BioSet,
    opf::{Opf, ReqFlag},
};
use crate::{
    bindings,
    error::{code::*, to_result, Result},
    page::{BorrowedPage, PAGE_SIZE},
    types::Opaque,
};
use core::{marker::PhantomData, ptr::NonNull};

/// A bio that its owner lends: its pages may be read from or written to
/// for I/O, and its fields are not changed while it is lent.
///
/// # Invariants
///
/// The wrapped bio, its vector table and its pages are valid, and its
/// fields stay unchanged, for as long as a shared reference to this type
/// exists.
#[repr(transparent)]
pub struct Bio(Opaque<bindings::bio>);

impl Bio {
    /// Borrows a C `struct bio`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a bio whose fields, vector table and pages stay
    /// valid, and whose fields stay unchanged, for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::bio) -> &'a Self {
        // SAFETY: `Bio` is a transparent wrapper of `bio`, and the caller
        // guarantees validity for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// The raw pointer.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::bio {
        self.0.get()
    }

    #[inline]
    fn raw(&self) -> &bindings::bio {
        // SAFETY: By the type invariant the bio is valid and unchanged while
        // `self` is borrowed.
        unsafe { &*self.as_raw() }
    }

    /// Bytes left in the bio's current range (`bi_iter.bi_size`).
    #[inline]
    pub fn size(&self) -> u32 {
        self.raw().bi_iter.bi_size
    }

    /// The first sector of its current range.
    #[inline]
    pub fn sector(&self) -> u64 {
        self.raw().bi_iter.bi_sector
    }

    /// The operation and flags.
    #[inline]
    pub fn opf(&self) -> Opf {
        Opf::from_raw(self.raw().bi_opf)
    }

    /// Zeroes the first `bytes` of the current range of a read bio, as data
    /// that a failed read leaves undefined. Nothing for any other bio: the
    /// pages of a write are only lent for reading, and a discard or
    /// write-zeroes bio has none.
    pub fn zero_fill_front(&self, bytes: u32) {
        let bio = self.raw();
        if !Opf::from_raw(bio.bi_opf).is_read() || bio.bi_io_vec.is_null() {
            return;
        }
        // SAFETY: By the type invariant the vector table and the pages of the
        // current range are valid and lent for I/O, which for a read writes
        // them.
        unsafe { zero_range(bio.bi_io_vec, bio.bi_iter, bytes) };
    }
}

/// Zeroes the first `bytes` of the range `iter` of the vector table `bvecs`.
///
/// # Safety
///
/// `bvecs` must be valid for the range, and its pages valid for writes.
unsafe fn zero_range(bvecs: *const bindings::bio_vec, mut iter: bindings::bvec_iter, bytes: u32) {
    let mut left = iter.bi_size.min(bytes);
    while left > 0 {
        // SAFETY: `bi_idx` stays inside the range, which the caller vouches
        // for.
        let bv = unsafe { &*bvecs.add(iter.bi_idx as usize) };
        let len = (bv.bv_len - iter.bi_offset).min(left);
        let mut pos = (bv.bv_offset + iter.bi_offset) as usize;
        let end = pos + len as usize;
        while pos < end {
            let n = (PAGE_SIZE - pos % PAGE_SIZE).min(end - pos);
            // SAFETY: Multi-page segments are physically contiguous, so the
            // page `pos / PAGE_SIZE` after `bv_page` is valid (caller).
            let page = unsafe {
                BorrowedPage::from_raw(NonNull::new_unchecked(bv.bv_page.add(pos / PAGE_SIZE)))
            };
            // SAFETY: The range is inside the page and lent for writes; a
            // failure (out of range) cannot happen and would leave it as is.
            let _ = unsafe { page.fill_zero_raw(pos % PAGE_SIZE, n) };
            pos += n;
        }
        left -= len;
        iter.bi_offset += len;
        if iter.bi_offset == bv.bv_len {
            iter.bi_idx += 1;
            iter.bi_offset = 0;
        }
    }
}

/// A bio allocated from a [`BioSet`] that the caller is filling in; its
/// device, bio set and data are borrowed for `'a`, which must outlast its
/// I/O.
///
/// # Invariants
///
/// `ptr` is a bio from `bio_alloc_bioset()` or `bio_alloc_clone()` that has
/// not been submitted, on which this object holds the only reference. Its
/// device, bio set and pages stay valid for `'a`. If it is a clone, its
/// size is at most that of its source.
pub struct NewBio<'a> {
    ptr: NonNull<bindings::bio>,
    _borrows: PhantomData<&'a mut ()>,
}

// SAFETY: A bio that nobody else references may be filled in, submitted or
// freed from any task.
unsafe impl Send for NewBio<'_> {}

impl<'a> NewBio<'a> {
    /// `bio_alloc_bioset(bdev, nr_vecs, opf, GFP_NOIO, bs)`: a bio for up to
    /// `nr_vecs` segments.
    ///
    /// With `GFP_NOIO` the bio set's reserve makes this wait rather than
    /// fail; an allocation failure is still reported as `ENOMEM`. `EINVAL`
    /// for segments from a bio set without vector tables.
    #[inline]
    pub fn alloc(bs: &'a BioSet, bdev: &'a BlockDevice, nr_vecs: u16, opf: Opf) -> Result<Self> {
        if nr_vecs > 0 && !bs.has_bvecs() {
            return Err(EINVAL);
        }
        let nr_vecs = nr_vecs.min(bindings::BIO_MAX_VECS as u16);
        // SAFETY: `bs` and `bdev` are valid by their type invariants.
        let ptr = unsafe {
            bindings::bio_alloc_bioset(
                bdev.as_raw(),
                nr_vecs,
                opf.as_raw(),
                bindings::GFP_NOIO,
                bs.as_raw(),
            )
        };
        // INVARIANT: A new bio comes with one reference, ours.
        NonNull::new(ptr)
            .map(|ptr| Self {
                ptr,
                _borrows: PhantomData,
            })
            .ok_or(ENOMEM)
    }

    /// A bio without data of `bytes` bytes at `sector`: a discard or
    /// write-zeroes range, or an empty flush (`bytes` 0).
    #[inline]
    pub fn alloc_no_data(
        bs: &'a BioSet,
        bdev: &'a BlockDevice,
        opf: Opf,
        sector: u64,
        bytes: u32,
    ) -> Result<Self> {
        if bytes != 0 && !opf.is_discard_or_write_zeroes() {
            return Err(EINVAL);
        }
        let mut bio = Self::alloc(bs, bdev, 0, opf)?;
        bio.set_sector(sector);
        // INVARIANT: A bio without segments moves no data, whatever its size.
        bio.raw_mut().bi_iter.bi_size = bytes;
        Ok(bio)
    }

    /// `bio_alloc_clone(bdev, src, GFP_NOIO, bs)` trimmed to its first
    /// `bytes`: a bio that shares `src`'s data.
    #[inline]
    pub fn clone_of(
        bs: &'a BioSet,
        bdev: &'a BlockDevice,
        src: &'a Bio,
        bytes: u32,
    ) -> Result<Self> {
        if bytes > src.size() {
            return Err(EINVAL);
        }
        // SAFETY: All three are valid by their type invariants.
        let ptr = unsafe {
            bindings::bio_alloc_clone(bdev.as_raw(), src.as_raw(), bindings::GFP_NOIO, bs.as_raw())
        };
        let mut bio = NonNull::new(ptr)
            .map(|ptr| Self {
                ptr,
                _borrows: PhantomData,
            })
            .ok_or(ENOMEM)?;
        // INVARIANT: No larger than the source, checked above.
        bio.raw_mut().bi_iter.bi_size = bytes;
        Ok(bio)
    }

    #[inline]
    fn raw_mut(&mut self) -> &mut bindings::bio {
        // SAFETY: By the type invariant the bio is valid and ours alone.
        unsafe { self.ptr.as_mut() }
    }

    /// Sets the first sector.
    #[inline]
    pub fn set_sector(&mut self, sector: u64) {
        self.raw_mut().bi_iter.bi_sector = sector;
    }

    /// Sets the operation and flags; its data is lent for reads and
    /// writes alike. `REQ_ALLOC_CACHE`, `REQ_POLLED` and `REQ_NOWAIT` are
    /// dropped: they describe how a bio was allocated or is waited for,
    /// which this one is not (`bio_put()` would look for a per-cpu cache
    /// the bio set may not have; nobody polls it).
    ///
    /// `EINVAL` if `opf` would turn a bio with data into one without (a
    /// discard or write-zeroes), or the reverse.
    #[inline]
    pub fn set_opf(&mut self, opf: Opf) -> Result {
        let cur = Opf::from_raw(self.raw_mut().bi_opf);
        if cur.is_discard_or_write_zeroes() != opf.is_discard_or_write_zeroes() {
            return Err(EINVAL);
        }
        let opf = opf.without(ReqFlag::AllocCache | ReqFlag::Polled | ReqFlag::Nowait);
        self.raw_mut().bi_opf = opf.as_raw();
        Ok(())
    }

    /// Sets the I/O priority.
    #[inline]
    pub fn set_ioprio(&mut self, ioprio: u16) {
        self.raw_mut().bi_ioprio = ioprio;
    }

    /// The size in bytes so far.
    #[inline]
    pub fn size(&self) -> u32 {
        // SAFETY: By the type invariant the bio is valid.
        unsafe { self.ptr.as_ref() }.bi_iter.bi_size
    }

    /// `bio_add_page()`: adds `seg`; false when the bio cannot take it (it
    /// is full, or its device's limits say no).
    #[inline]
    pub fn add(&mut self, seg: &Segment<'a>) -> bool {
        // SAFETY: The bio is ours and unsubmitted; the page is valid for
        // `'a`, as long as the bio's data must be.
        unsafe {
            bindings::bio_add_page(self.ptr.as_ptr(), seg.page_ptr(), seg.len(), seg.offset()) != 0
        }
    }

    /// The bio as a data source, without submitting it: to lend it to a
    /// request as its memory.
    #[inline]
    pub fn as_bio(&self) -> &Bio {
        // SAFETY: We hold the only reference, so the bio is valid while
        // `self` is borrowed, and nothing changes it through `&self`; its
        // pages are borrowed for `'a`.
        unsafe { Bio::from_raw(self.ptr.as_ptr()) }
    }

    /// The raw pointer, for the bio's owner to fill in.
    #[inline]
    pub(crate) fn as_raw_ptr(&self) -> *mut bindings::bio {
        self.ptr.as_ptr()
    }

    /// Gives up the bio for submission: the reference passes to the caller.
    #[inline]
    pub(crate) fn into_raw(self) -> NonNull<bindings::bio> {
        let ptr = self.ptr;
        core::mem::forget(self);
        ptr
    }
}

impl Drop for NewBio<'_> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we hold the only reference.
        unsafe { bindings::bio_put(self.ptr.as_ptr()) };
    }
}

/// A bio whose I/O has finished, seen by its submitter's completion.
///
/// # Invariants
///
/// `ptr` is a completed bio that the block layer is done with; the
/// submitter's reference keeps it valid for `'a`.
pub struct CompletedBio<'a> {
    ptr: NonNull<bindings::bio>,
    _lifetime: PhantomData<&'a mut bindings::bio>,
}

impl CompletedBio<'_> {
    /// # Safety
    ///
    /// `ptr` must be a completed bio that the caller references for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw(ptr: NonNull<bindings::bio>) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            ptr,
            _lifetime: PhantomData,
        }
    }

    #[inline]
    fn raw(&self) -> &bindings::bio {
        // SAFETY: By the type invariant the bio is valid.
        unsafe { self.ptr.as_ref() }
    }

    /// The outcome: `Err` with the errno of `bi_status` if it failed
    /// (`EOPNOTSUPP` for `BLK_STS_NOTSUPP`, `EINVAL` for `BLK_STS_INVAL`,
    /// `EIO` for an I/O error, ...).
    #[inline]
    pub fn status(&self) -> Result {
        let status = self.raw().bi_status;
        if status == bindings::BLK_STS_OK as bindings::blk_status_t {
            return Ok(());
        }
        // SAFETY: No preconditions.
        to_result(unsafe { bindings::blk_status_to_errno(status) })
    }

    /// The operation and flags it was submitted with.
    #[inline]
    pub fn opf(&self) -> Opf {
        Opf::from_raw(self.raw().bi_opf)
    }

    /// Zeroes every segment the bio was built with (its data for a failed
    /// read: at completion the iterator has reached the end, so
    /// `zero_fill_bio()` would clear nothing).
    ///
    /// `EINVAL` for a clone, whose segments are its source's: zero the
    /// source instead ([`Bio::zero_fill_front`]).
    pub fn zero_fill(&mut self) -> Result {
        let bio = self.raw();
        if bio.bi_flags & (1 << bindings::BIO_CLONED) != 0 {
            return Err(EINVAL);
        }
        // Only a read's pages are lent to be written.
        if !Opf::from_raw(bio.bi_opf).is_read() {
            return Err(EINVAL);
        }
        let mut size = 0u32;
        for i in 0..bio.bi_vcnt as usize {
            // SAFETY: The first `bi_vcnt` entries of the table are the
            // bio's own segments.
            size += unsafe { (*bio.bi_io_vec.add(i)).bv_len };
        }
        let all = bindings::bvec_iter {
            bi_size: size,
            ..Default::default()
        };
        // SAFETY: Not a clone, so the table and its pages are the bio's own,
        // and its submitter's to write after the I/O.
        unsafe { zero_range(bio.bi_io_vec, all, size) };
        Ok(())
    }
}
