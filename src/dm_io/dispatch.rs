// SPDX-License-Identifier: GPL-2.0

//! Turning regions into bios (`dispatch_io()` and `do_region()`).

use super::{
    client::DmIoClient,
    io::{DmIoEndIo, Io},
    memory::{DmIoMemory, Dpages},
    region::Region,
};
use crate::blk::{
    bio::NewBio,
    block_device::BlockDevice,
    consts::{BLK_STS_INVAL, BLK_STS_NOTSUPP, BLK_STS_RESOURCE},
    opf::{Opf, ReqFlags},
};
use kernel::{bindings, bindings::blk_status_t};

const SECTOR_SHIFT: u32 = bindings::SECTOR_SHIFT;

/// One request's dispatch: the same op, io and memory for every region.
pub(super) struct Dispatch<'r> {
    pub(super) client: &'r DmIoClient,
    pub(super) opf: Opf,
    pub(super) io: &'r Io,
    pub(super) ioprio: u16,
    pub(super) bios: u64,
}

impl Dispatch<'_> {
    /// Sends every region (`dispatch_io()` minus the final put, which the
    /// caller does because it may free the io).
    pub(super) fn regions(&mut self, regions: &[Region<'_>], mem: &DmIoMemory<'_>) {
        let flush = self.opf.has(ReqFlags::PREFLUSH);
        for (i, region) in regions.iter().enumerate() {
            if region.count == 0 && !flush {
                continue;
            }
            // Rewind the memory for every region: each one gets the same
            // data.
            let mut dp = mem.dpages();
            match region.bdev() {
                Some(bdev) => self.region(i, bdev, region, mem, &mut dp),
                // Checked by the request; never reached.
                None => self.io.record(i, BLK_STS_INVAL),
            }
        }
        self.client.count_bios(self.bios);
    }

    fn submit(&mut self, bio: NewBio, region: usize) {
        match self.io.tag(region) {
            Some(tag) => {
                self.io.get();
                self.bios += 1;
                bio.submit::<DmIoEndIo>(tag.raw());
            }
            // An unaligned io object: C BUG()s; this region fails instead.
            None => self.io.record(region, BLK_STS_INVAL),
        }
    }

    fn fail(&self, region: usize, status: blk_status_t) {
        self.io.record(region, status);
    }

    /// Sends one region (`do_region()`).
    fn region(
        &mut self,
        index: usize,
        bdev: &BlockDevice,
        region: &Region<'_>,
        mem: &DmIoMemory<'_>,
        dp: &mut Dpages<'_>,
    ) {
        let opf = self.opf;
        let special = opf.is_no_data_special();
        if region.count == 0 && !special {
            // The empty bio of a flush: no data, no limits to ask for.
            match NewBio::alloc(&self.client.bios, bdev, 0, opf) {
                Some(mut bio) => {
                    bio.set_sector(region.sector);
                    bio.set_ioprio(self.ioprio);
                    self.submit(bio, index);
                }
                None => self.fail(index, BLK_STS_RESOURCE),
            }
            return;
        }
        let special_max = if opf.is_discard() {
            bdev.max_discard_sectors()
        } else if opf.is_write_zeroes() {
            bdev.max_write_zeroes_sectors()
        } else {
            0
        };
        // `bi_size` is 32 bits: cap a huge limit to what it can express,
        // in whole logical blocks (only no-data ops have a limit to cap).
        let special_max = if special {
            let block_sectors = (bdev.logical_block_size() >> SECTOR_SHIFT).max(1);
            u64::from(special_max.min((u32::MAX >> SECTOR_SHIFT) & !(block_sectors - 1)))
        } else {
            0
        };
        // A device without the capability fails only this region, as
        // unsupported, without a bio.
        if special && special_max == 0 {
            self.fail(index, BLK_STS_NOTSUPP);
            return;
        }

        if let DmIoMemory::Bio(orig) = mem {
            let Some(mut bio) = NewBio::clone_of(&self.client.bios, bdev, orig) else {
                self.fail(index, BLK_STS_RESOURCE);
                return;
            };
            bio.set_sector(region.sector);
            // The request checked that the size fits in the source bio.
            bio.set_size((region.count << SECTOR_SHIFT) as u32);
            bio.set_opf(opf);
            bio.set_ioprio(self.ioprio);
            self.submit(bio, index);
            return;
        }

        // `count` may be 0 when the op holds a flush: one empty bio then.
        let mut remaining = region.count;
        loop {
            let nr_vecs = if special { 0 } else { dp.bio_vecs(remaining) };
            let Some(mut bio) = NewBio::alloc(&self.client.bios, bdev, nr_vecs, opf) else {
                self.fail(index, BLK_STS_RESOURCE);
                return;
            };
            bio.set_sector(region.sector + (region.count - remaining));
            bio.set_ioprio(self.ioprio);

            if special {
                let sectors = special_max.min(remaining);
                bio.set_size((sectors << SECTOR_SHIFT) as u32);
                remaining -= sectors;
            } else {
                // Add as many pages as the bio takes.
                while remaining > 0 {
                    let Some(chunk) = dp.chunk() else {
                        // The memory ran out or has a hole: fail the region
                        // rather than send a short bio.
                        self.fail(index, BLK_STS_INVAL);
                        return;
                    };
                    let len = (chunk.len as u64).min(remaining << SECTOR_SHIFT) as u32;
                    if !bio.add_page(chunk.page, len, chunk.offset) {
                        break;
                    }
                    remaining -= u64::from(len >> SECTOR_SHIFT);
                    dp.advance(len as usize);
                }
                if remaining > 0 && bio.size() == 0 {
                    // Not even one segment fits a fresh bio: going on would
                    // spin forever.
                    self.fail(index, BLK_STS_INVAL);
                    return;
                }
            }

            if opf.has(ReqFlags::ATOMIC) && remaining > 0 {
                // An atomic write must reach the device whole: refuse the
                // region before any of it is sent, as the block layer
                // refuses an atomic bio it cannot take (BLK_STS_INVAL).
                self.fail(index, BLK_STS_INVAL);
                return;
            }
            self.submit(bio, index);
            if remaining == 0 {
                return;
            }
        }
    }
}
