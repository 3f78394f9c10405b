// SPDX-License-Identifier: GPL-2.0

//! Bios: borrowed from their owner, built and submitted, completed.
//!
//! C header: [`include/linux/bio.h`](srctree/include/linux/bio.h)
//!
//! A [`Bio`] is a bio that someone else owns and lends, for example a
//! caller's bio that is the memory of a request. A [`NewBio`] is a bio
//! allocated from a [`BioSet`] and being filled in; once submitted, its
//! `bi_end_io` sees it again as a [`CompletedBio`].
//!
//! Which way a bio moves data is part of the types ([`Direction`]): a
//! [`NewBio`] that reads ([`FromDevice`]) only takes memory lent to be
//! written, and no bio built from memory lent only to be read can become a
//! read.

mod front_pad;
mod kernel_buf;
pub mod shared;
mod vec;

pub use front_pad::FrontPadEndIo;
// For the dm-io API's vmalloc memory (`kernel::device_mapper::io`).
#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]
pub(crate) use kernel_buf::flush_vmap_range;
pub use kernel_buf::{KernelBuf, KernelBufKind, VmapInvalidate};
pub use vec::{Direction, FromDevice, Segment, ToDevice};

use super::{
    bdev::BlockDevice,
    bio_set::BioSet,
    ioprio::IoPriority,
    opf::{Opf, ReqFlag},
    SECTOR_SIZE,
};
#[cfg(dm_io_rs_out_of_tree)]
use crate::alloc::FlagsAsRaw;
use crate::{
    alloc::Flags,
    bindings,
    error::{code::*, to_result, Result},
    mempool::pool_gfp,
    page::{BorrowedPage, PAGE_SIZE},
    types::Opaque,
};
use core::{marker::PhantomData, ptr::NonNull};

/// The most segments a bio can hold (`BIO_MAX_VECS`).
pub const BIO_MAX_VECS: u16 = bindings::BIO_MAX_VECS as u16;

/// `gfpflags_allow_blocking()`: whether an allocation with `gfp` may sleep.
#[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
#[inline]
fn allows_blocking(gfp: Flags) -> bool {
    gfp.as_raw() & (1 << bindings::___GFP_DIRECT_RECLAIM_BIT) != 0
}

/// A bio that its owner lends as the memory of I/O.
///
/// Its pages may be read; if it is a read (`REQ_OP_READ`), its owner lends
/// them to be written as well, as a read bio's pages are its destination.
///
/// # Invariants
///
/// The wrapped bio, its vector table and its pages are valid, and its
/// fields stay unchanged, for as long as a shared reference to this type
/// exists. Its pages may be read by I/O, and written too if its operation
/// is `REQ_OP_READ`.
#[repr(transparent)]
pub struct Bio(Opaque<bindings::bio>);

// SAFETY: Shared access reads fields that stay unchanged (type invariant),
// and writes only into the pages lent for I/O, which are never seen as Rust
// values: the device may be writing into them at the same time.
unsafe impl Sync for Bio {}

impl Bio {
    /// Borrows a C `struct bio`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a bio whose fields, vector table and pages stay
    /// valid, and whose fields stay unchanged, for `'a`; its pages must be
    /// lent to be read, and, if the bio is a read, to be written as well.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::bio) -> &'a Self {
        // SAFETY: `Bio` is a transparent wrapper of `bio`, and the caller
        // guarantees validity for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// The raw pointer.
    #[inline]
    pub(crate) fn as_raw(&self) -> *mut bindings::bio {
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

    /// The operation and flags.
    #[inline]
    pub fn opf(&self) -> Opf {
        Opf::from_raw(self.raw().bi_opf)
    }

    /// `bio_has_data()`: whether the bio carries data pages, which a clone
    /// that moves data needs (a discard, write-zeroes or empty flush bio
    /// may have no vector table at all).
    #[inline]
    pub(crate) fn has_data(&self) -> bool {
        let bio = self.raw();
        bio.bi_iter.bi_size != 0
            && !bio.bi_io_vec.is_null()
            && !self.opf().is_discard_or_write_zeroes()
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
        // current range are valid, and, the bio being a read, lent to be
        // written.
        unsafe { zero_range(bio.bi_io_vec, bio.bi_iter, bytes) };
    }
}

/// Whether the current task is inside `submit_bio()` (`current->bio_list`
/// is set, as in a device-mapper target's map hook): bios it submits are
/// held until that call returns, so it must not wait for them.
#[inline]
pub fn in_submit_bio() -> bool {
    // SAFETY: No preconditions; reads the current task's bio list pointer.
    unsafe { bindings::current_in_submit_bio() }
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
            // SAFETY: The range is lent for writes (caller).
            let zeroed = unsafe { page.fill_zero_raw(pos % PAGE_SIZE, n) };
            // Inside the page by construction: `n` stops at its end.
            kernel::warn_on!(zeroed.is_err());
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

/// The operation a new bio in direction `D` is built with: `EINVAL` unless
/// it is a read, write, discard or write-zeroes, a read for [`FromDevice`]
/// and not one for [`ToDevice`], and its flush flags fit it
/// ([`Opf::flags_fit_op`]). Only the flags a bio of one's own may carry
/// are kept ([`Opf::for_new_bio`]): not `REQ_ALLOC_CACHE` (`bio_put()`
/// would look for a per-cpu cache the bio set may not have), `REQ_POLLED`
/// (nobody polls it), `REQ_INTEGRITY` (there is no payload), ...
#[inline]
fn new_bio_opf<D: Direction>(opf: Opf) -> Result<Opf> {
    if !opf.is_known_op() || opf.is_read() != D::FROM_DEVICE || !opf.flags_fit_op() {
        return Err(EINVAL);
    }
    Ok(opf.for_new_bio())
}

/// Whether a bio of `bytes` with `opf` (already through [`new_bio_opf`])
/// may go to the block layer: whole sectors, and only an empty flush moves
/// nothing. A data bio without data would reach drivers as a transfer of
/// no segments (some send the DMA addresses of a previous command), and an
/// empty atomic write makes `submit_bio_noacct()` divide by a device's
/// atomic unit, which is 0 where there are none. A bio of part of a sector
/// is one of no sectors to device-mapper, which passes it on as empty;
/// blk-mq refuses it.
#[inline]
fn bio_size_fits(opf: Opf, bytes: u32) -> bool {
    bytes % SECTOR_SIZE == 0
        && (bytes != 0 || (opf.has(ReqFlag::Preflush) && !opf.has(ReqFlag::Atomic)))
}

/// A bio allocated from a [`BioSet`] that the caller is filling in, moving
/// data in direction `D`; its device, bio set and data are borrowed for
/// `'a`, which must outlast its I/O.
///
/// # Invariants
///
/// `ptr` is a bio from `bio_alloc_bioset()` or `bio_alloc_clone()` that has
/// not been submitted, on which this object holds the only reference. Its
/// device, bio set and pages stay valid for `'a`. Its operation is a read
/// if and only if `D` is [`FromDevice`], and its pages are lent for I/O in
/// direction `D`. `clone` says whether it is a clone (`bio_alloc_clone()`),
/// whose size is then at most that of its source.
pub struct NewBio<'a, D: Direction> {
    ptr: NonNull<bindings::bio>,
    clone: bool,
    _borrows: PhantomData<(&'a mut (), D)>,
}

// SAFETY: A bio that nobody else references may be filled in, submitted or
// freed from any task.
unsafe impl<D: Direction> Send for NewBio<'_, D> {}

impl<'a, D: Direction> NewBio<'a, D> {
    /// Wraps a bio just allocated with `opf`, as `D` requires.
    ///
    /// # Safety
    ///
    /// `ptr`, if not null, is a new bio from `bs`, for `bdev`, and the
    /// caller's only reference; its pages, if any, are lent for I/O in
    /// direction `D` for `'a`; it is a clone if and only if `clone`.
    #[inline]
    unsafe fn from_new(ptr: *mut bindings::bio, clone: bool) -> Result<Self> {
        // INVARIANT: Guaranteed by the caller.
        NonNull::new(ptr)
            .map(|ptr| Self {
                ptr,
                clone,
                _borrows: PhantomData,
            })
            .ok_or(ENOMEM)
    }

    /// `bio_alloc_bioset(bdev, nr_vecs, opf, gfp, bs)`: a data bio for up to
    /// `nr_vecs` segments (at most `BIO_MAX_VECS`), or an empty flush. It is
    /// submitted once it has whole sectors of data, or if it is a flush.
    ///
    /// With flags that may sleep (`GFP_NOIO` on an I/O path), the bio set's
    /// reserve makes this wait rather than fail; with others, `ENOMEM` when
    /// the reserve is empty. `__GFP_ZERO` and `__GFP_HIGHMEM` are ignored,
    /// as by [`Mempool::alloc`](crate::mempool::Mempool::alloc).
    /// `EINVAL` for segments from a bio set without vector tables, an
    /// operation that is not of direction `D` or whose flags do not fit it,
    /// or a discard or write-zeroes (see [`NewBio::alloc_no_data`]).
    #[inline]
    pub fn alloc<P>(
        bs: &'a BioSet<P>,
        bdev: &'a BlockDevice,
        nr_vecs: u16,
        opf: Opf,
        gfp: Flags,
    ) -> Result<Self> {
        if opf.is_discard_or_write_zeroes() {
            return Err(EINVAL);
        }
        Self::alloc_bio(bs, bdev, nr_vecs, opf, gfp)
    }

    #[inline]
    fn alloc_bio<P>(
        bs: &'a BioSet<P>,
        bdev: &'a BlockDevice,
        nr_vecs: u16,
        opf: Opf,
        gfp: Flags,
    ) -> Result<Self> {
        // The slab fast path does not check it.
        #[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
        if allows_blocking(gfp) {
            crate::task::might_sleep();
        }
        let opf = new_bio_opf::<D>(opf)?;
        let gfp = pool_gfp(gfp);
        if nr_vecs > 0 && !bs.has_bvecs() {
            return Err(EINVAL);
        }
        let nr_vecs = nr_vecs.min(BIO_MAX_VECS);
        // SAFETY: `bs` and `bdev` are valid by their type invariants.
        let ptr = unsafe {
            bindings::bio_alloc_bioset(
                bdev.as_raw(),
                nr_vecs,
                opf.as_raw(),
                gfp.as_raw(),
                bs.as_raw(),
            )
        };
        // SAFETY: A new bio of `bs` with no pages yet, not a clone, whose
        // operation is of direction `D` (checked above).
        unsafe { Self::from_new(ptr, false) }
    }

    /// `bio_alloc_clone(bdev, src, gfp, bs)` with operation `opf`, trimmed
    /// to its first `bytes`: a bio that shares `src`'s data. Waits or fails
    /// as [`NewBio::alloc`] does with `gfp`.
    ///
    /// `EINVAL` if `src` has fewer bytes, if a clone that moves data is made
    /// of a bio without data pages, for a clone of part of a sector, or of
    /// no bytes if it is not an empty flush, for a read ([`FromDevice`]) of a bio that is not one
    /// (whose pages are lent only to be read), or for an operation that is
    /// not of direction `D` or whose flags do not fit it.
    #[inline]
    pub fn clone_of<P>(
        bs: &'a BioSet<P>,
        bdev: &'a BlockDevice,
        src: &'a Bio,
        bytes: u32,
        opf: Opf,
        gfp: Flags,
    ) -> Result<Self> {
        #[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
        if allows_blocking(gfp) {
            crate::task::might_sleep();
        }
        let opf = new_bio_opf::<D>(opf)?;
        let gfp = pool_gfp(gfp);
        if bytes > src.size()
            || !bio_size_fits(opf, bytes)
            || (bytes != 0 && !opf.is_discard_or_write_zeroes() && !src.has_data())
            || (D::FROM_DEVICE && !src.opf().is_read())
        {
            return Err(EINVAL);
        }
        // SAFETY: All three are valid by their type invariants.
        let ptr = unsafe {
            bindings::bio_alloc_clone(bdev.as_raw(), src.as_raw(), gfp.as_raw(), bs.as_raw())
        };
        // SAFETY: A new clone from `bs`; its pages are `src`'s, which `src`
        // lends to be read, and to be written if it is a read, which it is for
        // `FromDevice` (checked above).
        let mut bio = unsafe { Self::from_new(ptr, true) }?;
        let raw = bio.raw_mut();
        // INVARIANT: No larger than the source, and of direction `D`, both
        // checked above.
        raw.bi_iter.bi_size = bytes;
        raw.bi_opf = opf.as_raw();
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

    /// Sets the I/O priority.
    #[inline]
    pub fn set_ioprio(&mut self, ioprio: IoPriority) {
        self.raw_mut().bi_ioprio = ioprio.as_raw();
    }

    /// The size in bytes so far.
    #[inline]
    pub fn size(&self) -> u32 {
        // SAFETY: By the type invariant the bio is valid.
        unsafe { self.ptr.as_ref() }.bi_iter.bi_size
    }

    /// Whether the bio may be submitted: it has whole sectors of data, or it
    /// is an empty flush (see [`bio_size_fits`]).
    #[inline]
    fn is_submittable(&self) -> bool {
        // SAFETY: By the type invariant the bio is valid.
        let bio = unsafe { self.ptr.as_ref() };
        bio_size_fits(Opf::from_raw(bio.bi_opf), bio.bi_iter.bi_size)
    }

    /// `bio_add_page()`: adds `seg`; false when the bio cannot take it (it
    /// is full, its device's limits say no, or it is a clone, whose
    /// segments are its source's).
    #[inline]
    pub fn add(&mut self, seg: &Segment<'a, D>) -> bool {
        if self.clone {
            return false;
        }
        let ptr = self.ptr.as_ptr();
        // SAFETY: The bio is ours and unsubmitted; the page is valid for
        // `'a`, as long as the bio's data must be, and lent for I/O in the
        // bio's direction `D`.
        unsafe { bindings::bio_add_page(ptr, seg.page_ptr(), seg.len(), seg.offset()) != 0 }
    }

    /// The bio as the memory of a request, without submitting it.
    #[inline]
    pub fn as_bio(&self) -> &Bio {
        // SAFETY: We hold the only reference, so the bio is valid while
        // `self` is borrowed, and nothing changes it through `&self`; its
        // pages are borrowed for `'a`, lent to be written if it is a read
        // (type invariant).
        unsafe { Bio::from_raw(self.ptr.as_ptr()) }
    }

    /// The raw pointer, for a submitter that keeps track of its bios.
    #[inline]
    pub(crate) fn as_raw(&self) -> NonNull<bindings::bio> {
        self.ptr
    }

    /// Where a `P` fits in the front pad of this bio, aligned, if the bio
    /// comes from `bs`: memory that goes with the bio, for its submitter
    /// alone, until it is freed. `None` for a bio of another set, or if the
    /// slab object is not aligned enough for `P` there.
    #[inline]
    pub(crate) fn front_pad<P>(&self, bs: &BioSet<P>) -> Option<NonNull<P>> {
        let bio = self.ptr.as_ptr();
        // SAFETY: By the type invariant the bio is valid.
        if unsafe { (*bio).bi_pool } != bs.as_raw() {
            return None;
        }
        // A bio of `bs` follows `BioSet::<P>::FRONT_PAD` bytes of its slab
        // object, room for a `P` if its start is aligned enough.
        let start = (bio as usize).checked_sub(BioSet::<P>::FRONT_PAD as usize)?;
        let slot = (bio as usize).checked_sub(core::mem::size_of::<P>())?
            & !(core::mem::align_of::<P>() - 1);
        if slot < start {
            return None;
        }
        NonNull::new(slot as *mut P)
    }

    /// Submits the bio (`submit_bio()`) with `end_io` as its `bi_end_io` and
    /// `private` as its `bi_private`. Process context (`submit_bio()`'s
    /// `might_sleep()` checks it); the bio must be submittable (`EINVAL`-free: see
    /// [`NewBio::alloc`]), or it is given back.
    ///
    /// # Safety
    ///
    /// `end_io` must take over this object's reference when the block layer
    /// calls it, once, with the completed bio (it drops it with `bio_put()`
    /// once, or passes it on), and must be sound to call with the bio whose
    /// `bi_private` is `private`. The bio's data must stay valid until then,
    /// which `'a` only promises until it ends.
    #[inline]
    pub(crate) unsafe fn submit(
        self,
        end_io: unsafe extern "C" fn(*mut bindings::bio),
        private: *mut core::ffi::c_void,
    ) -> Result<(), Self> {
        if !self.is_submittable() {
            return Err(self);
        }
        let ptr = core::mem::ManuallyDrop::new(self).ptr.as_ptr();
        // SAFETY: The bio is ours alone and unsubmitted, filled in; its
        // reference passes to the block layer, which gives it to `end_io`
        // (caller).
        unsafe {
            (*ptr).bi_end_io = Some(end_io);
            (*ptr).bi_private = private;
            bindings::submit_bio(ptr);
        }
        Ok(())
    }
}

impl<'a> NewBio<'a, ToDevice> {
    /// A bio without data of `bytes` bytes at `sector`: a discard or
    /// write-zeroes range of whole sectors, or an empty flush (`bytes` 0, a
    /// `REQ_PREFLUSH` write that is not atomic); `EINVAL` for anything else.
    /// Waits or fails as [`NewBio::alloc`] does with `gfp`.
    #[inline]
    pub fn alloc_no_data<P>(
        bs: &'a BioSet<P>,
        bdev: &'a BlockDevice,
        opf: Opf,
        sector: u64,
        bytes: u32,
        gfp: Flags,
    ) -> Result<Self> {
        let fits = bio_size_fits(opf, bytes) && (bytes == 0 || opf.is_discard_or_write_zeroes());
        if !fits {
            return Err(EINVAL);
        }
        let mut bio = Self::alloc_bio(bs, bdev, 0, opf, gfp)?;
        bio.set_sector(sector);
        // INVARIANT: A bio without segments moves no data; its size is whole
        // sectors of a discard or write-zeroes.
        bio.raw_mut().bi_iter.bi_size = bytes;
        Ok(bio)
    }
}

impl<D: Direction> Drop for NewBio<'_, D> {
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
/// submitter's reference keeps it valid for `'a`. It was built as a
/// [`NewBio`]: its pages are lent to be written if it is a read.
pub struct CompletedBio<'a> {
    ptr: NonNull<bindings::bio>,
    _lifetime: PhantomData<&'a mut bindings::bio>,
}

impl CompletedBio<'_> {
    /// The bio that the block layer gives to an `end_io` of
    /// [`NewBio::submit`].
    ///
    /// # Safety
    ///
    /// `ptr` must be a completed bio, submitted as a [`NewBio`], that the
    /// caller references for `'a`.
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
    /// `EINVAL` for anything but a read, and for a clone, whose segments
    /// are its source's: zero the source instead ([`Bio::zero_fill_front`]).
    pub fn zero_fill(&mut self) -> Result {
        // SAFETY: By the type invariant the bio is valid.
        if unsafe { bindings::bio_flagged(self.ptr.as_ptr(), bindings::BIO_CLONED) } {
            return Err(EINVAL);
        }
        let bio = self.raw();
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
        // SAFETY: Not a clone, so the table and its pages are the bio's own;
        // a read, so they are lent to be written (type invariant).
        unsafe { zero_range(bio.bi_io_vec, all, size) };
        Ok(())
    }
}
