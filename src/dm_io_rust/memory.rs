// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2003 Sistina Software
// Copyright (C) 2006 Red Hat GmbH

//! Where a request's data lives (`struct dm_io_memory`), and the walks over
//! it that each region starts afresh (`struct dpages`).

use super::io::AfterRead;
use crate::{
    block::bio::{Bio, Direction, FromDevice, KernelBuf, Segment, ToDevice, BIO_MAX_VECS},
    device_mapper::page_list::PageListCursor,
};
use kernel::page::PAGE_SIZE;

/// The memory of a request, lent for I/O in direction `D`: to be written
/// by a read ([`FromDevice`]), to be read by anything else. An unknown kind
/// cannot exist: C's memory type is checked once, where a C request
/// becomes this.
pub(crate) enum Memory<'a, D: Direction> {
    /// No memory: a request that moves no data (flushes, discards).
    None,
    /// `DM_IO_PAGE_LIST`: a chain of pages, from `offset` into the first.
    PageList {
        list: PageListCursor<'a, D>,
        offset: usize,
    },
    /// `DM_IO_BVEC`: segments covering the largest region.
    Bvec(&'a [Segment<'a, D>]),
    /// `DM_IO_BIO`: each region gets a clone of the caller's bio (a read
    /// bio, whose pages are lent to be written, for [`FromDevice`]).
    Bio(&'a Bio),
    /// `DM_IO_VMA` or `DM_IO_KMEM`: a virtually contiguous buffer.
    Kernel(KernelBuf<'a, D>),
}

/// What memory lent in a direction needs around its I/O (`dp_init()`'s
/// cache maintenance).
pub(crate) trait MemoryDirection: Direction {
    /// Flushes a vmalloc buffer's first `bytes` before the I/O; for a read,
    /// returns what the reader is owed after it.
    fn prepare<'a>(mem: &Memory<'a, Self>, bytes: u32) -> AfterRead<'a>;
}

impl MemoryDirection for ToDevice {
    #[inline]
    fn prepare<'a>(mem: &Memory<'a, Self>, bytes: u32) -> AfterRead<'a> {
        if let Memory::Kernel(buf) = mem {
            buf.flush_vmap(bytes as usize);
        }
        AfterRead::Nothing
    }
}

impl MemoryDirection for FromDevice {
    #[inline]
    fn prepare<'a>(mem: &Memory<'a, Self>, bytes: u32) -> AfterRead<'a> {
        match mem {
            Memory::Kernel(buf) => {
                buf.flush_vmap(bytes as usize);
                buf.invalidate_after_read(bytes)
                    .map_or(AfterRead::Nothing, AfterRead::InvalidateVmap)
            }
            Memory::Bio(bio) => AfterRead::ZeroOnError { bio, len: bytes },
            _ => AfterRead::Nothing,
        }
    }
}

/// A walk over a request's memory, one segment at a time (`struct dpages`):
/// one type per kind of memory, so that the loop that fills a region's bios
/// is compiled for each, as C's calls through `dp->get_page` are not.
pub(crate) trait Dpages<'a, D: Direction> {
    /// The segment at the current place, of at most `max` bytes
    /// (`get_page()`); `None` when the memory runs out or has a hole.
    fn peek(&self, max: usize) -> Option<Segment<'a, D>>;

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
pub(crate) struct ListPages<'a, D: Direction> {
    pub(crate) cursor: PageListCursor<'a, D>,
    pub(crate) offset: usize,
}

impl<'a, D: Direction> Dpages<'a, D> for ListPages<'a, D> {
    #[inline]
    fn peek(&self, max: usize) -> Option<Segment<'a, D>> {
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
pub(crate) struct BvecPages<'a, D: Direction> {
    pub(crate) segs: &'a [Segment<'a, D>],
    pub(crate) skip: usize,
}

impl<'a, D: Direction> Dpages<'a, D> for BvecPages<'a, D> {
    #[inline]
    fn peek(&self, max: usize) -> Option<Segment<'a, D>> {
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
pub(crate) struct KernelPages<'m, 'a, D: Direction> {
    pub(crate) buf: &'m KernelBuf<'a, D>,
    pub(crate) pos: usize,
}

impl<'a, D: Direction> Dpages<'a, D> for KernelPages<'_, 'a, D> {
    #[inline]
    fn peek(&self, max: usize) -> Option<Segment<'a, D>> {
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
