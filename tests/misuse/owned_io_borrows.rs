// SPDX-License-Identifier: GPL-2.0

//! An "owned" request that only borrows its buffer: `async_io()` returns
//! while the I/O runs, and the owner of the buffer could free it. An owned
//! request must be `'static`.
//!
//! expect: error[E0478]

use kernel::block::bdev::BlockDevice;
use kernel::block::opf::{Opf, ReqOp};
use kernel::device_mapper::io::{
    DmIoClient, DmIoMemory, DmIoRequest, IoBits, OwnedIo, Region, RegionBuf,
};
use kernel::prelude::*;

struct Borrowing<'x> {
    client: DmIoClient,
    dev: &'static BlockDevice,
    buf: &'x mut [u8],
}

impl<'x> OwnedIo for Borrowing<'x> {
    fn client(&self) -> &DmIoClient {
        &self.client
    }

    fn request<'a>(&'a self, regions: &'a mut RegionBuf<'a>) -> Result<DmIoRequest<'a, 'a>> {
        regions.push(Region::new(self.dev, 0, 8))?;
        Ok(DmIoRequest {
            opf: Opf::new(ReqOp::Write),
            regions: regions.as_slice(),
            memory: DmIoMemory::kmalloc_ro(self.buf)?,
            ioprio: kernel::block::ioprio::IoPriority::DEFAULT,
        })
    }

    fn complete(_this: KBox<Self>, _bits: IoBits) {}
}
