// SPDX-License-Identifier: GPL-2.0

//! The mirror's writes through dm-io: one request to every healthy leg.

use super::{bit_legs, Mirror};
use crate::{
    device_mapper::{
        bio::{BioOp, PendingBio},
        io::{async_io, DmIoClient, DmIoMemory, DmIoRequest, IoBits, OwnedIo, Region, RegionBuf},
        target::TargetRef,
    },
    mm::memalloc::memalloc_noio_scope,
};
use kernel::prelude::*;

/// A write, discard or empty flush to the legs in `legs` (region *i* of
/// the request is the *i*-th leg of the mask).
pub(super) struct WriteIo {
    mirror: TargetRef<Mirror>,
    bio: PendingBio<Mirror>,
    legs: u64,
    /// The region whose pending count this write holds.
    region: Option<usize>,
}

impl WriteIo {
    /// Sends `bio` to `legs`; ends it with an error if no leg is left or
    /// dm-io refuses the request. From process context (the work item).
    pub(super) fn submit(
        this: &TargetRef<Mirror>,
        bio: PendingBio<Mirror>,
        legs: u64,
        region: Option<usize>,
    ) {
        if legs == 0 {
            Self::release(this, region, 0);
            bio.end(Err(EIO));
            return;
        }
        // No reclaim into I/O while bios of the mirror wait for this one.
        let Ok(slot) = memalloc_noio_scope(|| KBox::<Self>::new_uninit(GFP_KERNEL)) else {
            // A block device does not fail a write for memory: the bio
            // waits for the next run of the work item.
            Self::release(this, region, 0);
            {
                let mut st = this.state.lock();
                match region {
                    Some(_) => st.deferred.push(bio),
                    None => st.flushes.push(bio),
                }
            }
            this.queue_work();
            return;
        };
        let req = KBox::write(
            slot,
            WriteIo {
                mirror: this.clone(),
                bio,
                legs,
                region,
            },
        );
        if let Err((_, req)) = async_io(req) {
            KBox::into_inner(req).finish(Err(EIO), 0);
        }
    }

    /// Drops the write's pending count on its region and marks `failed`
    /// legs; kicks the work item if that unblocks something: an event to
    /// send, or a region the copy engine may now take. (Deferred writes
    /// need no kick from here: map queues the work for a new one, and the
    /// copy engine when it releases a region that writes wait for.)
    fn release(mirror: &TargetRef<Mirror>, region: Option<usize>, failed: u64) {
        let kick = {
            let mut st = mirror.state.lock();
            mirror.fail_legs(&mut st, failed);
            let idle = region.is_some_and(|r| st.regions.dec_pending(r));
            st.event || (idle && st.resync.active)
        };
        if kick {
            mirror.queue_work();
        }
    }

    /// Releases the region, marking the legs that failed, and then ends
    /// the bio: once the caller sees the write done, no new read goes to a
    /// leg that missed it (dm-raid1 also fails the leg before it ends the
    /// write).
    fn finish(self, status: Result, failed: u64) {
        let Self {
            mirror,
            bio,
            region,
            ..
        } = self;
        Self::release(&mirror, region, failed);
        bio.end(status);
    }
}

impl OwnedIo for WriteIo {
    fn client(&self) -> &DmIoClient {
        &self.mirror.client
    }

    fn request<'a>(&'a self, regions: &'a mut RegionBuf<'a>) -> Result<DmIoRequest<'a, 'a>> {
        let (sector, count) = if self.bio.op() == BioOp::Flush {
            (0, 0)
        } else {
            (self.bio.sector(), self.bio.sectors())
        };
        for leg in bit_legs(self.legs) {
            let dev = self.mirror.devices().get(leg).ok_or(EINVAL)?;
            regions.push(Region::new(dev.bdev(), sector, count))?;
        }
        Ok(DmIoRequest {
            opf: self.bio.opf(),
            regions: regions.as_slice(),
            memory: DmIoMemory::bio(self.bio.as_bio()),
            ioprio: 0,
        })
    }

    fn complete(this: KBox<Self>, bits: IoBits) {
        let this = KBox::into_inner(this);
        let mut failed = 0u64;
        let mut unsup = 0u64;
        for (i, leg) in bit_legs(this.legs).enumerate() {
            if bits.error_bits & (1 << i) != 0 {
                failed |= 1 << leg;
            }
            if bits.unsup_bits & (1 << i) != 0 {
                unsup |= 1 << leg;
            }
        }
        let discard = this.bio.op() == BioOp::Discard;
        let status = if unsup == this.legs {
            Err(EOPNOTSUPP)
        } else if failed | unsup == this.legs {
            Err(EIO)
        } else {
            Ok(())
        };
        // A discard error does not degrade the mirror (dm-raid1 neither).
        let failed = if discard { 0 } else { failed };
        this.finish(status, failed);
    }
}
