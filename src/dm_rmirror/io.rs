// SPDX-License-Identifier: GPL-2.0

//! The mirror's writes through dm-io: one request to every healthy leg.

use super::{bit_legs, Mirror};
use crate::{
    blk::consts::{BLK_STS_IOERR, BLK_STS_NOTSUPP},
    dm::{BioOp, PendingBio, TargetRef},
    dm_io::{async_io, DmIoClient, DmIoMemory, IoBits, OwnedIo, Region, RegionBuf},
    mm::with_noio,
};
use kernel::prelude::*;

/// A write, discard or empty flush to the legs in `legs` (region *i* of
/// the request is the *i*-th leg of the mask).
pub(super) struct WriteIo {
    mirror: TargetRef<Mirror>,
    bio: PendingBio,
    legs: u64,
    /// The region whose pending count this write holds.
    region: Option<usize>,
}

impl WriteIo {
    /// Sends `bio` to `legs`; ends it with an error if that fails.
    pub(super) fn submit(
        this: &TargetRef<Mirror>,
        bio: PendingBio,
        legs: u64,
        region: Option<usize>,
    ) {
        let opf = bio.opf();
        let Ok(slot) = with_noio(|| KBox::<Self>::new_uninit(GFP_KERNEL)) else {
            Self::release(this, region, 0);
            bio.end(BLK_STS_IOERR);
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
        if let Err((_, req)) = async_io(req, opf, 0) {
            KBox::into_inner(req).finish(BLK_STS_IOERR, 0);
        }
    }

    /// Drops the write's pending count on its region and marks `failed`
    /// legs; kicks the work item if that unblocks something.
    fn release(mirror: &TargetRef<Mirror>, region: Option<usize>, failed: u64) {
        let kick = {
            let mut st = mirror.state.lock();
            st.fail_legs(failed, mirror.all_legs);
            let idle = region.is_some_and(|r| st.regions.dec_pending(r));
            st.event || (idle && st.resync.active) || !st.deferred.is_empty()
        };
        if kick {
            mirror.queue_work();
        }
    }

    /// Releases the region and ends the bio.
    fn finish(self, status: u8, failed: u64) {
        let Self {
            mirror,
            bio,
            region,
            ..
        } = self;
        bio.end(status);
        Self::release(&mirror, region, failed);
    }
}

impl OwnedIo for WriteIo {
    fn client(&self) -> &DmIoClient {
        &self.mirror.client
    }

    fn prepare<'a>(&'a self, regions: &mut RegionBuf<'a>) -> Result<DmIoMemory<'a>> {
        let (sector, count) = if self.bio.op() == BioOp::Flush {
            (0, 0)
        } else {
            (self.bio.sector(), self.bio.sectors())
        };
        for leg in bit_legs(self.legs) {
            let dev = self.mirror.legs.get(leg).ok_or(EINVAL)?;
            regions.push(Region::new(dev.bdev(), sector, count))?;
        }
        Ok(DmIoMemory::Bio(self.bio.as_bio()))
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
            BLK_STS_NOTSUPP
        } else if failed | unsup == this.legs {
            BLK_STS_IOERR
        } else {
            0
        };
        // A discard error does not degrade the mirror (dm-raid1 neither).
        let failed = if discard { 0 } else { failed };
        this.finish(status, failed);
    }
}
