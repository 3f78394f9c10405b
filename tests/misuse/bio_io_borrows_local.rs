// SPDX-License-Identifier: GPL-2.0

//! A target's bio sent on with memory of the request function's own:
//! `bio_io()` returns while the I/O runs, so the request may only borrow
//! the bio and the target.
//!
//! expect: error[E0515]

use kernel::block::opf::{Opf, ReqOp};
use kernel::device_mapper::bio::{MapBio, MapResult, PendingBio};
use kernel::device_mapper::bio_io::BioIo;
use kernel::device_mapper::io::{DmIoClient, DmIoMemory, DmIoRequest, IoBits, Region, RegionBuf};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;

#[pin_data]
struct Local {
    client: DmIoClient,
}

#[vtable]
impl Target for Local {
    const NAME: &'static CStr = c"local";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        let client = DmIoClient::new().map_err(|e| CtrError::new(e, c"no dm-io client"))?;
        Ok(try_pin_init!(Local { client }))
    }

    fn map<'a>(_this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        bio.kill()
    }
}

impl BioIo for Local {
    fn client(this: &TargetRef<Self>) -> &DmIoClient {
        &this.client
    }

    fn request<'a>(
        this: &'a TargetRef<Self>,
        bio: &'a PendingBio<Self>,
        regions: &'a mut RegionBuf<'a>,
    ) -> Result<DmIoRequest<'a, 'a>> {
        let buf = KVec::<u8>::from_elem(0, 4096, GFP_KERNEL)?;
        for dev in this.devices() {
            regions.push(Region::new(dev.bdev(), bio.sector(), 8))?;
        }
        Ok(DmIoRequest {
            opf: Opf::new(ReqOp::Write),
            regions: regions.as_slice(),
            memory: DmIoMemory::kmalloc_ro(&buf)?,
            ioprio: kernel::block::ioprio::IoPriority::DEFAULT,
        })
    }

    fn bio_done(_this: &TargetRef<Self>, bio: PendingBio<Self>, bits: IoBits) {
        bio.end(bits.to_result());
    }
}
