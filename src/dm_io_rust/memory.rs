// SPDX-License-Identifier: GPL-2.0

//! Where a request's data lives (`struct dm_io_memory`), and the walk over
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

impl<'a> Memory<'a> {
    /// A fresh walk from the start of the memory (`dp_init()`, and the
    /// rewind before each region in `dispatch_io()`).
    #[inline]
    pub(crate) fn dpages(&self) -> Dpages<'_, 'a> {
        match self {
            Memory::None | Memory::Bio(_) => Dpages::Empty,
            Memory::PageList { list, offset } => Dpages::List {
                cursor: *list,
                offset: *offset,
            },
            Memory::Bvec(segs) => Dpages::Bvec { segs, skip: 0 },
            Memory::Kernel(buf) => Dpages::Kernel { buf, pos: 0 },
        }
    }
}

/// A walk over a request's memory, one segment at a time.
pub(crate) enum Dpages<'m, 'a> {
    Empty,
    List {
        cursor: PageListCursor<'a>,
        offset: usize,
    },
    Bvec {
        segs: &'a [Segment<'a>],
        skip: usize,
    },
    Kernel {
        buf: &'m KernelBuf<'a>,
        pos: usize,
    },
}

impl<'a> Dpages<'_, 'a> {
    /// The segment at the current place, of at most `max` bytes
    /// (`get_page()`); `None` when the memory runs out or has a hole.
    #[inline]
    pub(crate) fn peek(&self, max: usize) -> Option<Segment<'a>> {
        match self {
            Dpages::Empty => None,
            Dpages::List { cursor, offset } => cursor.segment(*offset, max),
            Dpages::Bvec { segs, skip } => segs.first()?.sub(*skip, max),
            Dpages::Kernel { buf, pos } => buf.segment(*pos, max),
        }
    }

    /// Moves past `len` bytes of the segment [`Dpages::peek`] gave
    /// (`next_page()`).
    #[inline]
    pub(crate) fn advance(&mut self, len: usize) {
        match self {
            Dpages::Empty => {}
            Dpages::List { cursor, offset } => {
                *offset += len;
                if *offset >= PAGE_SIZE {
                    cursor.advance();
                    *offset = 0;
                }
            }
            Dpages::Bvec { segs, skip } => {
                *skip += len;
                if segs.first().is_some_and(|s| *skip >= s.len() as usize) {
                    *segs = segs.get(1..).unwrap_or_default();
                    *skip = 0;
                }
            }
            Dpages::Kernel { pos, .. } => *pos += len,
        }
    }

    /// How many segments a bio needs for `bytes` of this memory
    /// (`do_region()`'s `num_bvecs`): one per page and one for an offset,
    /// or a single one for physically contiguous memory.
    #[inline]
    pub(crate) fn bio_vecs(&self, bytes: u64) -> u16 {
        match self {
            Dpages::Kernel { buf, .. } if buf.is_contiguous() => 1,
            _ => (bytes.div_ceil(PAGE_SIZE as u64) + 1).min(u64::from(BIO_MAX_VECS)) as u16,
        }
    }
}
