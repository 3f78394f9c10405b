// SPDX-License-Identifier: GPL-2.0

//! Where a request's data lives (`struct dm_io_memory`), and the walks over
//! it that each region starts afresh (`struct dpages`).

use crate::{
    block::bio::{Bio, KernelBuf, Segment},
    device_mapper::page_list::PageListCursor,
};
use kernel::{bindings::BIO_MAX_VECS, page::PAGE_SIZE};

/// The memory of a request. An unknown kind cannot exist: C's memory type
/// is checked once, where a C request becomes this.
pub(crate) enum Memory<'a> {
    /// No memory: a request that moves no data (flushes, discards).
    None,
    /// `DM_IO_PAGE_LIST`: a chain of pages, from `offset` into the first.
    PageList {
        list: PageListCursor<'a>,
        offset: usize,
    },
    /// `DM_IO_BVEC`: segments covering the largest region.
    Bvec(&'a [Segment<'a>]),
    /// `DM_IO_BIO`: each region gets a clone of the caller's bio.
    Bio(&'a Bio),
    /// `DM_IO_VMA` or `DM_IO_KMEM`: a virtually contiguous buffer.
    Kernel(KernelBuf<'a>),
}

/// A walk over a request's memory, one segment at a time (`struct dpages`):
/// one type per kind of memory, so that the loop that fills a region's bios
/// is compiled for each, as C's calls through `dp->get_page` are not.
pub(crate) trait Dpages<'a> {
    /// The segment at the current place, of at most `max` bytes
    /// (`get_page()`); `None` when the memory runs out or has a hole.
    fn peek(&self, max: usize) -> Option<Segment<'a>>;

    /// Moves past `len` bytes of the segment [`Dpages::peek`] gave
    /// (`next_page()`).
    fn advance(&mut self, len: usize);

    /// How many segments a bio needs for `bytes` of this memory
    /// (`do_region()`'s `num_bvecs`): one per page and one for an offset.
    #[inline]
    fn bio_vecs(&self, bytes: u64) -> u16 {
        page_vecs(bytes)
    }
}

/// One segment per page of `bytes` and one for an offset, at most
/// `BIO_MAX_VECS`.
#[inline]
fn page_vecs(bytes: u64) -> u16 {
    (bytes.div_ceil(PAGE_SIZE as u64) + 1).min(u64::from(BIO_MAX_VECS)) as u16
}

/// `DM_IO_PAGE_LIST`, from `offset` into the current page.
pub(crate) struct ListPages<'a> {
    pub(crate) cursor: PageListCursor<'a>,
    pub(crate) offset: usize,
}

impl<'a> Dpages<'a> for ListPages<'a> {
    #[inline]
    fn peek(&self, max: usize) -> Option<Segment<'a>> {
        self.cursor.segment(self.offset, max)
    }

    #[inline]
    fn advance(&mut self, len: usize) {
        self.offset += len;
        if self.offset >= PAGE_SIZE {
            self.cursor.advance();
            self.offset = 0;
        }
    }
}

/// `DM_IO_BVEC`, `skip` bytes into the first segment.
pub(crate) struct BvecPages<'a> {
    pub(crate) segs: &'a [Segment<'a>],
    pub(crate) skip: usize,
}

impl<'a> Dpages<'a> for BvecPages<'a> {
    #[inline]
    fn peek(&self, max: usize) -> Option<Segment<'a>> {
        self.segs.first()?.sub(self.skip, max)
    }

    #[inline]
    fn advance(&mut self, len: usize) {
        self.skip += len;
        if self
            .segs
            .first()
            .is_some_and(|s| self.skip >= s.len() as usize)
        {
            self.segs = self.segs.get(1..).unwrap_or_default();
            self.skip = 0;
        }
    }
}

/// `DM_IO_VMA` or `DM_IO_KMEM`, `pos` bytes into the buffer.
pub(crate) struct KernelPages<'m, 'a> {
    pub(crate) buf: &'m KernelBuf<'a>,
    pub(crate) pos: usize,
}

impl<'a> Dpages<'a> for KernelPages<'_, 'a> {
    #[inline]
    fn peek(&self, max: usize) -> Option<Segment<'a>> {
        self.buf.segment(self.pos, max)
    }

    #[inline]
    fn advance(&mut self, len: usize) {
        self.pos += len;
    }

    /// A single segment for physically contiguous memory.
    #[inline]
    fn bio_vecs(&self, bytes: u64) -> u16 {
        if self.buf.is_contiguous() {
            1
        } else {
            page_vecs(bytes)
        }
    }
}
