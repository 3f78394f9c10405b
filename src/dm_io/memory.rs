// SPDX-License-Identifier: GPL-2.0

//! Where a request's data lives (`struct dm_io_memory`), and the walk over
//! its pages that each region starts afresh (`struct dpages`).

use crate::{
    blk::bio::{Bio, BioVec},
    mm::page::{KernelBuf, KernelMemKind, PageList, PageListCursor, PageRef, PAGE_SIZE},
};
use kernel::prelude::*;

/// The memory of a request. An unknown kind cannot exist: C's memory type
/// is checked once, where a C request becomes this enum.
#[derive(Clone, Copy)]
pub enum DmIoMemory<'a> {
    /// `DM_IO_PAGE_LIST`: a chain of pages, starting `offset` bytes into
    /// the first.
    PageList {
        /// The chain.
        list: PageListCursor<'a>,
        /// Offset into the first page, below `PAGE_SIZE`.
        offset: u32,
        /// Pages in the chain, when known (Rust lists).
        nr_pages: Option<usize>,
    },
    /// The seed's `DM_IO_BVEC`: an array of segments.
    Bvec(&'a [BioVec<'a>]),
    /// `DM_IO_BIO`: each region gets a clone of this bio.
    Bio(&'a Bio),
    /// `DM_IO_VMA`: a vmalloc buffer.
    Vma(KernelBuf<'a>),
    /// `DM_IO_KMEM`: a linear-map (kmalloc) buffer.
    Kmem(KernelBuf<'a>),
}

impl<'a> DmIoMemory<'a> {
    /// A page list, `offset` bytes into its first page.
    pub fn page_list(list: &'a PageList, offset: usize) -> Result<Self> {
        Ok(Self::PageList {
            list: list.cursor(),
            offset: u32::try_from(offset).map_err(|_| EINVAL)?,
            nr_pages: Some(list.pages().len()),
        })
    }

    /// No memory, for requests that move no data: flushes of count-0
    /// regions, discards, write-zeroes. Any region that needs data is
    /// refused (`-EINVAL`), as for a buffer that is too small.
    pub fn none() -> Self {
        Self::Kmem(KernelBuf::empty())
    }

    /// A vmalloc buffer to read into or write from.
    pub fn vma(buf: &'a mut [u8]) -> Result<Self> {
        KernelBuf::new(buf, KernelMemKind::Vmalloc).map(Self::Vma)
    }

    /// A kmalloc buffer to read into or write from.
    pub fn kmem(buf: &'a mut [u8]) -> Result<Self> {
        KernelBuf::new(buf, KernelMemKind::Linear).map(Self::Kmem)
    }

    /// A vmalloc buffer for writes only.
    pub fn vma_ro(buf: &'a [u8]) -> Result<Self> {
        KernelBuf::new_ro(buf, KernelMemKind::Vmalloc).map(Self::Vma)
    }

    /// A kmalloc buffer for writes only.
    pub fn kmem_ro(buf: &'a [u8]) -> Result<Self> {
        KernelBuf::new_ro(buf, KernelMemKind::Linear).map(Self::Kmem)
    }

    /// Bytes available from the start, when known; `None` for C memory
    /// whose size the caller vouches for.
    pub(crate) fn capacity(&self) -> Option<usize> {
        match self {
            Self::PageList {
                offset, nr_pages, ..
            } => nr_pages.map(|n| (n * PAGE_SIZE).saturating_sub(*offset as usize)),
            Self::Bvec(bvecs) => Some(bvecs.iter().map(|b| b.len() as usize).sum()),
            Self::Bio(_) => None,
            Self::Vma(buf) | Self::Kmem(buf) => (buf.len() != usize::MAX).then(|| buf.len()),
        }
    }

    /// Whether reads may store into this memory.
    pub(crate) fn writable(&self) -> bool {
        match self {
            Self::Vma(buf) | Self::Kmem(buf) => buf.writable(),
            _ => true,
        }
    }

    /// Checks the shape of the memory itself.
    pub(crate) fn validate(&self) -> Result {
        match self {
            Self::PageList { offset, .. } if *offset as usize >= PAGE_SIZE => Err(EINVAL),
            _ => Ok(()),
        }
    }

    /// A fresh walk from the start (`dp_init()` / the rewind in
    /// `dispatch_io()`).
    pub(crate) fn dpages(&self) -> Dpages<'a> {
        match *self {
            Self::PageList { list, offset, .. } => Dpages::List { list, offset },
            Self::Bvec(bvecs) => Dpages::Bvec { bvecs },
            Self::Bio(_) => Dpages::Bvec { bvecs: &[] },
            Self::Vma(buf) | Self::Kmem(buf) => Dpages::Kernel { buf, pos: 0 },
        }
    }
}

/// A walk over the pages of a request's memory, one chunk at a time.
pub(crate) enum Dpages<'a> {
    List {
        list: PageListCursor<'a>,
        offset: u32,
    },
    Bvec {
        bvecs: &'a [BioVec<'a>],
    },
    Kernel {
        buf: KernelBuf<'a>,
        pos: usize,
    },
}

/// One chunk: `len` bytes at `offset` in `page`.
pub(crate) struct Chunk<'a> {
    pub(crate) page: PageRef<'a>,
    pub(crate) len: usize,
    pub(crate) offset: u32,
}

impl<'a> Dpages<'a> {
    /// The current chunk (`get_page()`), or `None` when the memory ran out
    /// or has a hole.
    pub(crate) fn chunk(&self) -> Option<Chunk<'a>> {
        match self {
            Self::List { list, offset } => Some(Chunk {
                page: list.page()?,
                len: PAGE_SIZE - *offset as usize,
                offset: *offset,
            }),
            Self::Bvec { bvecs } => bvecs.first().map(|b| Chunk {
                page: b.page(),
                len: b.len() as usize,
                offset: b.offset(),
            }),
            Self::Kernel { buf, pos } => {
                let offset = buf.addr().wrapping_add(*pos) % PAGE_SIZE;
                let len = match buf.kind() {
                    KernelMemKind::Vmalloc => PAGE_SIZE - offset,
                    // Physically contiguous: the rest of the buffer is one
                    // multi-page segment (as `bio_add_virt_nofail()` adds
                    // it), up to a page-aligned end that `bi_size` holds.
                    KernelMemKind::Linear => {
                        (buf.len().saturating_sub(*pos)).min(LINEAR_CHUNK_MAX - offset)
                    }
                };
                Some(Chunk {
                    page: buf.page_at(*pos)?,
                    len,
                    offset: offset as u32,
                })
            }
        }
    }

    /// Moves past `len` bytes of the current chunk (`next_page()`): the
    /// whole chunk, except at the end of a region, after which the walk is
    /// not used again.
    pub(crate) fn advance(&mut self, len: usize) {
        match self {
            Self::List { list, offset } => {
                list.advance();
                *offset = 0;
            }
            Self::Bvec { bvecs } => *bvecs = bvecs.get(1..).unwrap_or(&[]),
            Self::Kernel { pos, .. } => *pos = pos.saturating_add(len),
        }
    }

    /// How many segments a bio needs for `sectors` of this memory
    /// (`do_region()`'s `num_bvecs`): one per page and one for an offset,
    /// but a single one for physically contiguous memory, which then fits
    /// in the bio's inline vecs instead of a separate bvec array.
    pub(crate) fn bio_vecs(&self, sectors: u64) -> u16 {
        match self {
            Self::Kernel { buf, .. } if buf.kind() == KernelMemKind::Linear => 1,
            _ => (sectors.div_ceil(PAGE_SECTORS) + 1).min(BIO_MAX_VECS) as u16,
        }
    }
}

/// The longest chunk of linear-map memory: 1 GiB, page aligned, so that
/// several fit in one bio below `bi_size`'s 4 GiB.
const LINEAR_CHUNK_MAX: usize = 1 << 30;
const PAGE_SECTORS: u64 = (PAGE_SIZE >> kernel::bindings::SECTOR_SHIFT) as u64;
const BIO_MAX_VECS: u64 = kernel::bindings::BIO_MAX_VECS as u64;
