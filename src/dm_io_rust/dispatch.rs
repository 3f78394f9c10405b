// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2003 Sistina Software
// Copyright (C) 2006 Red Hat GmbH

//! Turning regions into bios (`dispatch_io()` and `do_region()`).

use super::{
    io::{Io, Submit},
    memory::{BvecPages, Dpages, KernelPages, ListPages, Memory},
};
use crate::block::{
    bdev::BlockDevice,
    bio::{Bio, Direction, NewBio, BIO_MAX_VECS},
    bio_set::BioSet,
    ioprio::IoPriority,
    opf::{Opf, ReqFlag, ReqOp},
    plug::with_plug_if,
    SECTOR_SHIFT,
};
use crate::{alloc::flags::GFP_NOIO, device_mapper::region::Region};
use core::{
    marker::PhantomData,
    sync::atomic::{AtomicBool, Ordering},
};
use kernel::{page::PAGE_SIZE, prelude::*, warn_on};

/// One request's dispatch: the same operation, memory and bio set for every
/// region; the memory, and the bios that carry it, of direction `D`. Bios
/// come from `bios` (whose front pad holds a `B`), or from the host bio set
/// that `sub` offers.
pub(crate) struct Dispatch<'s, 'm, 'env, 'r, N, S, D: Direction, B> {
    pub(crate) sub: &'s mut S,
    pub(crate) bios: &'env BioSet<B>,
    pub(crate) opf: Opf,
    pub(crate) mem: &'m Memory<'env, D>,
    pub(crate) ioprio: IoPriority,
    /// Whether several bios may go out under a plug (see `regions()`):
    /// for synchronous requests.
    pub(crate) plug: bool,
    pub(crate) io: PhantomData<&'r Io<'r, N>>,
}

/// Whether the warning for an atomic write that needs more than one bio
/// was given (upstream's `WARN_ON_ONCE`).
static ATOMIC_SPLIT_WARNED: AtomicBool = AtomicBool::new(false);

/// Bytes in a bio of `BIO_MAX_VECS` pages.
const BIO_MAX_BYTES: u64 = BIO_MAX_VECS as u64 * PAGE_SIZE as u64;

impl<'env, 'r, N: Send + Sync + 'static, S: Submit<'env, 'r, N>, D: Direction, B>
    Dispatch<'_, '_, 'env, 'r, N, S, D, B>
{
    /// Sends every region (`dispatch_io()` without the final put, which the
    /// bio group does).
    pub(crate) fn regions(&mut self, regions: &[Region<'env>]) {
        // Several bios or requests of a synchronous request go out as one
        // batch under a plug: more than one region, or a region that dm-io
        // (at BIO_MAX_VECS pages) or the block layer (at the device's request
        // size) splits. An empty flush has nothing to batch: blk-mq hands it
        // to the flush machinery. An asynchronous request's caller plugs
        // around its requests if it batches them (kcopyd does), as with C's
        // dm-io, which never plugs.
        let splits = |r: &Region<'_>| {
            let bytes = r.count << SECTOR_SHIFT;
            bytes > PAGE_SIZE as u64
                && r.bdev().is_some_and(|b| {
                    bytes > BIO_MAX_BYTES.min(u64::from(b.max_sectors()) << SECTOR_SHIFT)
                })
        };
        let data = regions.iter().any(|r| r.count > 0);
        let plug = self.plug && data && (regions.len() > 1 || regions.first().is_some_and(splits));
        with_plug_if(plug, || self.by_memory(regions));
    }

    /// Sends the regions the one way this request's operation and memory
    /// take (`do_region()`'s choice, made once per request).
    // Not inlined: in the entry point's frame, its loops spill the state
    // they keep across calls (dm-raid1's shape measured 2-3% slower).
    #[inline(never)]
    fn by_memory(&mut self, regions: &[Region<'env>]) {
        if self.opf.is_discard_or_write_zeroes() {
            return self.each(regions, |d, index, last, bdev, sector, bytes| {
                d.no_data(index, last, bdev, sector, bytes)
            });
        }
        match self.mem {
            Memory::Bio(src) => self.each(regions, |d, index, last, bdev, sector, bytes| {
                d.clone_of(index, last, bdev, src, sector, bytes)
            }),
            Memory::PageList { list, offset } => {
                self.each(regions, |d, index, last, bdev, sector, bytes| {
                    let dp = ListPages {
                        cursor: *list,
                        offset: *offset,
                    };
                    d.pages(index, last, bdev, sector, bytes, dp)
                })
            }
            Memory::Bvec(segs) => self.each(regions, |d, index, last, bdev, sector, bytes| {
                let dp = BvecPages { segs, skip: 0 };
                d.pages(index, last, bdev, sector, bytes, dp)
            }),
            Memory::Kernel(buf) => self.each(regions, |d, index, last, bdev, sector, bytes| {
                let dp = KernelPages { buf, pos: 0 };
                d.pages(index, last, bdev, sector, bytes, dp)
            }),
            Memory::None => self.each(regions, |d, index, last, bdev, sector, bytes| {
                if bytes == 0 {
                    return d.empty(index, last, bdev, sector);
                }
                // The request checked that a region with data has memory:
                // never reached.
                warn_on!(true);
                Err(EINVAL)
            }),
        }
    }

    /// Sends each region that has anything to send with `send` (the loop of
    /// `dispatch_io()`). An error fails that region alone; the bios already
    /// sent for it complete as usual.
    #[inline]
    fn each(
        &mut self,
        regions: &[Region<'env>],
        mut send: impl FnMut(&mut Self, usize, bool, &'env BlockDevice, u64, u64) -> Result,
    ) {
        let flush = self.opf.has(ReqFlag::Preflush);
        // The last region that sends anything: its last bio is the request's.
        let last = regions.iter().rposition(|r| r.count > 0 || flush);
        for (index, region) in regions.iter().enumerate() {
            if region.count == 0 && !flush {
                continue;
            }
            let last = Some(index) == last;
            let Some(bdev) = region.bdev() else {
                // The request checked this region: never reached.
                warn_on!(true);
                self.fail(index, EINVAL);
                continue;
            };
            let sent = region_bytes(region)
                .and_then(|bytes| send(self, index, last, bdev, region.sector, bytes));
            if let Err(err) = sent {
                self.fail(index, err);
            }
        }
    }

    fn fail(&mut self, index: usize, err: Error) {
        match self.sub.io() {
            Some(io) => io.fail(index, err),
            // Nothing fails after the request's last bio went out with its
            // io object: never reached.
            None => {
                warn_on!(true);
            }
        }
    }

    /// The bio set for a bio without data pages of its own, unless it is
    /// the request's last: the first bio of a request of several can hold
    /// the io object in its front pad.
    fn host_bios(&self, last: bool) -> Option<&'env BioSet<super::io::PooledIo<N>>> {
        self.sub.host_bios().filter(|_| !last)
    }

    fn submit<E: Direction>(&mut self, bio: NewBio<'env, E>, index: usize, last: bool) -> Result {
        // Given back if it is not whole sectors (a caller's memory of odd
        // segments, which the block layer would fail as `BLK_STS_INVAL`).
        self.sub.submit(bio, index, last).map_err(|_| EINVAL)
    }

    /// A clone of the caller's bio, trimmed to the region; for an empty
    /// flush too, so that it carries the caller's cgroup.
    #[inline]
    fn clone_of(
        &mut self,
        index: usize,
        last: bool,
        bdev: &'env BlockDevice,
        src: &'env Bio,
        sector: u64,
        bytes: u64,
    ) -> Result {
        let bytes = u32::try_from(bytes).map_err(|_| EINVAL)?;
        let mut bio = match self.host_bios(last) {
            Some(bs) => NewBio::<D>::clone_of(bs, bdev, src, bytes, self.opf, GFP_NOIO)?,
            None => NewBio::<D>::clone_of(self.bios, bdev, src, bytes, self.opf, GFP_NOIO)?,
        };
        bio.set_sector(sector);
        bio.set_ioprio(self.ioprio);
        self.submit(bio, index, last)
    }

    /// The empty bio of a flush.
    fn empty(&mut self, index: usize, last: bool, bdev: &'env BlockDevice, sector: u64) -> Result {
        self.no_data_bio(index, last, bdev, sector, 0)
    }

    /// A bio without data of `bytes` at `sector`: from the host bio set if
    /// it is the first of a request of several.
    fn no_data_bio(
        &mut self,
        index: usize,
        last: bool,
        bdev: &'env BlockDevice,
        sector: u64,
        bytes: u32,
    ) -> Result {
        let mut bio = match self.host_bios(last) {
            Some(bs) => NewBio::alloc_no_data(bs, bdev, self.opf, sector, bytes, GFP_NOIO)?,
            None => NewBio::alloc_no_data(self.bios, bdev, self.opf, sector, bytes, GFP_NOIO)?,
        };
        bio.set_ioprio(self.ioprio);
        self.submit(bio, index, last)
    }

    /// The bios of a region, filled from `dp` (the loop of `do_region()`),
    /// or the empty bio of a flush.
    #[inline]
    fn pages(
        &mut self,
        index: usize,
        last: bool,
        bdev: &'env BlockDevice,
        sector: u64,
        bytes: u64,
        mut dp: impl Dpages<'env, D>,
    ) -> Result {
        if bytes == 0 {
            return self.empty(index, last, bdev, sector);
        }
        let opf = self.opf;
        let mut done = 0u64;
        while done < bytes {
            let remaining = bytes - done;
            let nr_vecs = dp.bio_vecs(remaining);
            let mut bio = NewBio::<D>::alloc(self.bios, bdev, nr_vecs, opf, GFP_NOIO)?;
            bio.set_sector(sector + (done >> SECTOR_SHIFT));
            bio.set_ioprio(self.ioprio);
            // As many segments as the bio takes.
            while done < bytes {
                let max = usize::try_from(bytes - done).unwrap_or(usize::MAX);
                // The memory ran out or has a hole: fail the region rather than
                // send a short bio.
                let seg = dp.peek(max).ok_or(EINVAL)?;
                if !bio.add(&seg) {
                    break;
                }
                dp.advance(seg.len() as usize);
                done += u64::from(seg.len());
            }
            // Not even one segment fits a fresh bio: going on would loop.
            if bio.size() == 0 {
                return Err(EINVAL);
            }
            // An atomic write reaches the device whole or not at all: refuse
            // the region before any of it is sent, as the block layer refuses
            // an atomic bio it cannot take. Upstream splits it, with a
            // warning (`WARN_ON_ONCE`) that names the caller.
            if opf.has(ReqFlag::Atomic) && done < bytes {
                if !ATOMIC_SPLIT_WARNED.swap(true, Ordering::Relaxed) {
                    warn_on!(true);
                }
                return Err(EINVAL);
            }
            self.submit(bio, index, last && done == bytes)?;
        }
        Ok(())
    }

    /// Discard or write-zeroes bios, cut at the device's limit for the
    /// operation; a device without it fails the region as unsupported.
    fn no_data(
        &mut self,
        index: usize,
        last: bool,
        bdev: &'env BlockDevice,
        sector: u64,
        bytes: u64,
    ) -> Result {
        let limit = if self.opf.is(ReqOp::WriteZeroes) {
            bdev.max_write_zeroes_sectors()
        } else {
            bdev.max_discard_sectors()
        };
        // `bi_size` is 32 bits: cap a huge limit to what it can hold, in
        // whole logical blocks.
        let block_sectors = (bdev.logical_block_size() >> SECTOR_SHIFT).max(1);
        let limit = u64::from(limit.min((u32::MAX >> SECTOR_SHIFT) & !(block_sectors - 1)));
        if limit == 0 {
            return Err(EOPNOTSUPP);
        }
        let mut done = 0u64;
        while done < bytes {
            let chunk = (bytes - done).min(limit << SECTOR_SHIFT);
            let at = sector + (done >> SECTOR_SHIFT);
            done += chunk;
            self.no_data_bio(index, last && done == bytes, bdev, at, chunk as u32)?;
        }
        Ok(())
    }
}

/// A region's length in bytes (`do_region()`'s `remaining`), `EIO` if it
/// runs past the end of the sector space: no device has it, so the region
/// fails as an I/O error would, and the others go on.
#[inline]
fn region_bytes(region: &Region<'_>) -> Result<u64> {
    region.sector.checked_add(region.count).ok_or(EIO)?;
    region
        .count
        .checked_shl(SECTOR_SHIFT)
        .filter(|b| b >> SECTOR_SHIFT == region.count)
        .ok_or(EIO)
}
