// SPDX-License-Identifier: GPL-2.0

//! The mirror's writes through dm-io: each bio a request of its own to
//! every healthy leg, its state in its per-bio data.

use super::{bit_legs, region_legs, BioState, Mirror};
use crate::block::ioprio::IoPriority;
use crate::device_mapper::{
    bio::{BioOp, PendingBio},
    bio_io::{bio_io, BioIo},
    io::{DmIoClient, DmIoMemory, DmIoRequest, IoBits, Region, RegionBuf},
    target::TargetRef,
};
use kernel::prelude::*;

/// Sends `bio`, a write, discard or empty flush, to the legs in `legs`
/// (region *i* of the request is the *i*-th leg of the mask), holding the
/// pending count of `region`; ends it with an error if no leg is left or
/// dm-io refuses the request. From process context (the work item).
pub(super) fn submit_write(
    this: &TargetRef<Mirror>,
    mut bio: PendingBio<Mirror>,
    legs: u64,
    region: Option<usize>,
) {
    if legs == 0 {
        release(this, region, 0);
        bio.end(Err(EIO));
        return;
    }
    *bio.data_mut() = BioState {
        legs,
        leg: 0,
        region,
    };
    if let Err((_, bio)) = bio_io(bio) {
        finish(this, bio, Err(EIO), 0);
    }
}

/// Drops a write's pending count on its region and marks `failed` legs;
/// kicks the work item if that unblocks something: an event to send, or a
/// region the copy engine may now take. (Delayed writes need no kick from
/// here: the copy engine kicks when it releases a region that writes wait
/// for.)
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

/// Releases the write's region, marking the legs that failed, and then
/// ends the bio: once the caller sees the write done, no new read goes to
/// a leg that missed it (dm-raid1 also fails the leg before it ends the
/// write).
fn finish(mirror: &TargetRef<Mirror>, bio: PendingBio<Mirror>, status: Result, failed: u64) {
    release(mirror, bio.data().region, failed);
    bio.end(status);
}

impl BioIo for Mirror {
    fn client(this: &TargetRef<Self>) -> &DmIoClient {
        &this.client
    }

    fn request<'a>(
        this: &'a TargetRef<Self>,
        bio: &'a PendingBio<Self>,
        regions: &'a mut RegionBuf<'a>,
    ) -> Result<DmIoRequest<'a, 'a>> {
        let (sector, count) = if bio.op() == BioOp::Flush {
            (0, 0)
        } else {
            (bio.sector(), bio.sectors())
        };
        for leg in bit_legs(bio.data().legs) {
            let dev = this.devices().get(leg).ok_or(EINVAL)?;
            regions.push(Region::new(dev.bdev(), sector, count))?;
        }
        Ok(DmIoRequest {
            opf: bio.opf(),
            regions: regions.as_slice(),
            memory: DmIoMemory::bio(bio.as_bio()),
            ioprio: IoPriority::DEFAULT,
        })
    }

    fn bio_done(this: &TargetRef<Self>, bio: PendingBio<Self>, bits: IoBits) {
        let legs = bio.data().legs;
        let failed = region_legs(legs, |i| bits.failed(i));
        let unsup = region_legs(legs, |i| bits.unsupported(i));
        let discard = bio.op() == BioOp::Discard;
        let status = if unsup == legs {
            Err(EOPNOTSUPP)
        } else if failed | unsup == legs {
            Err(EIO)
        } else {
            Ok(())
        };
        // A discard error does not degrade the mirror (dm-raid1 neither).
        let failed = if discard { 0 } else { failed };
        finish(this, bio, status, failed);
    }
}
