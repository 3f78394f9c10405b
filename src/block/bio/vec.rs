// SPDX-License-Identifier: GPL-2.0

//! Segments of memory for bios (`struct bio_vec`), and which way I/O moves
//! their bytes.
//!
//! C header: [`include/linux/bvec.h`](srctree/include/linux/bvec.h)

use crate::{
    bindings,
    error::{code::EINVAL, Result},
    page::{Page, PAGE_SIZE},
};
use core::{marker::PhantomData, ptr::NonNull};

mod private {
    pub trait Sealed {}
}

/// Which way I/O moves the bytes of memory lent to it: the direction is
/// part of the memory's type, so that memory lent only to be read (the
/// pages of a write bio, a buffer lent as `&[u8]`) can never be read into.
pub trait Direction: private::Sealed + Send + Sync + Sized + 'static {
    /// Whether the I/O writes the memory: a read (`REQ_OP_READ`).
    const FROM_DEVICE: bool;
}

/// Memory that I/O reads: the source of a write (or of any operation but
/// a read).
pub enum ToDevice {}

/// Memory that I/O writes: the destination of a read. It may be read as
/// well, so it can also be lent as [`ToDevice`] memory.
pub enum FromDevice {}

impl private::Sealed for ToDevice {}
impl private::Sealed for FromDevice {}

impl Direction for ToDevice {
    const FROM_DEVICE: bool = false;
}

impl Direction for FromDevice {
    const FROM_DEVICE: bool = true;
}

/// `len` bytes at `offset` into a page: one `struct bio_vec`, lent for I/O
/// in direction `D`.
///
/// A segment may run on into the following pages of physically contiguous
/// memory (a multi-page segment), as the block layer allows.
///
/// # Invariants
///
/// `bv_page` is a valid page, and the `bv_len` bytes from `bv_offset` in it
/// (and the pages after it) stay valid for I/O to read for `'a`, and to
/// write as well if `D` is [`FromDevice`]; `bv_len` is not 0.
#[repr(transparent)]
pub struct Segment<'a, D: Direction = ToDevice>(bindings::bio_vec, PhantomData<(&'a Page, D)>);

impl<D: Direction> Clone for Segment<'_, D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D: Direction> Copy for Segment<'_, D> {}

impl<'a> Segment<'a, ToDevice> {
    /// `len` bytes at `offset` in `page`, lent to be read: `EINVAL` unless
    /// the segment is non-empty and inside the page.
    pub fn new(page: &'a Page, offset: usize, len: usize) -> Result<Self> {
        Self::of_page(page, offset, len)
    }
}

impl<'a> Segment<'a, FromDevice> {
    /// `len` bytes at `offset` in `page`, lent to be written: `EINVAL`
    /// unless the segment is non-empty and inside the page.
    ///
    /// The page is borrowed mutably: pages lent by shared reference may be
    /// the memory of typed Rust values (a `VBox`'s pages), which bytes from
    /// a device would make invalid. A page one owns is plain bytes.
    pub fn new(page: &'a mut Page, offset: usize, len: usize) -> Result<Self> {
        Self::of_page(page, offset, len)
    }
}

impl<'a, D: Direction> Segment<'a, D> {
    fn of_page(page: &'a Page, offset: usize, len: usize) -> Result<Self> {
        if len == 0 || offset.checked_add(len).is_none_or(|end| end > PAGE_SIZE) {
            return Err(EINVAL);
        }
        // INVARIANT: `page` is borrowed for `'a` (mutably for `FromDevice`)
        // and the bytes are in it.
        Ok(Self(
            bindings::bio_vec {
                bv_page: page.as_ptr(),
                bv_len: len as u32,
                bv_offset: offset as u32,
            },
            PhantomData,
        ))
    }

    /// A segment of memory that C describes.
    ///
    /// # Safety
    ///
    /// `len` must not be 0, and `len` bytes from `offset` in `page` (and the
    /// pages after it) must be memory that stays valid for I/O in direction
    /// `D` for `'a`: readable, and writable too for [`FromDevice`].
    #[inline]
    pub(crate) unsafe fn from_raw_parts(
        page: NonNull<bindings::page>,
        offset: u32,
        len: u32,
    ) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self(
            bindings::bio_vec {
                bv_page: page.as_ptr(),
                bv_len: len,
                bv_offset: offset,
            },
            PhantomData,
        )
    }

    /// Borrows a C array of segments.
    ///
    /// # Safety
    ///
    /// `ptr` must point to `len` `struct bio_vec`s that stay unchanged for
    /// `'a`, none of length 0, each describing memory (its page, and the
    /// pages after it for a multi-page segment) that stays valid for I/O in
    /// direction `D` for `'a`: readable, and writable too for
    /// [`FromDevice`].
    #[inline]
    pub unsafe fn slice_from_raw(ptr: *const bindings::bio_vec, len: usize) -> &'a [Self] {
        // SAFETY: `Segment` is a transparent wrapper of `bio_vec` (the
        // marker is zero-sized); the caller guarantees the rest.
        unsafe { core::slice::from_raw_parts(ptr.cast(), len) }
    }

    /// Length in bytes.
    #[inline]
    pub fn len(&self) -> u32 {
        self.0.bv_len
    }

    /// Whether the segment is empty: never, by the type invariant.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.bv_len == 0
    }

    /// Offset into the first page.
    #[inline]
    pub(crate) fn offset(&self) -> u32 {
        self.0.bv_offset
    }

    /// The part of this segment from byte `skip`, at most `max` bytes;
    /// `None` if that is empty.
    #[inline]
    pub fn sub(&self, skip: usize, max: usize) -> Option<Self> {
        let len = (self.0.bv_len as usize).checked_sub(skip)?.min(max);
        if len == 0 {
            return None;
        }
        let at = self.0.bv_offset as usize + skip;
        // INVARIANT: A part of this segment: the pages of a multi-page
        // segment follow each other, so the page holding byte `at` is
        // `at / PAGE_SIZE` after the first.
        Some(Self(
            bindings::bio_vec {
                bv_page: self.0.bv_page.wrapping_add(at / PAGE_SIZE),
                bv_len: len as u32,
                bv_offset: (at % PAGE_SIZE) as u32,
            },
            PhantomData,
        ))
    }

    #[inline]
    pub(crate) fn page_ptr(&self) -> *mut bindings::page {
        self.0.bv_page
    }
}
