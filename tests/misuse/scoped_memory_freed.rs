// SPDX-License-Identifier: GPL-2.0

//! A buffer freed while a scoped request still reads into it: the scope
//! borrows it until every request in it has completed.
//!
//! expect: error[E0505]

use kernel::block::bdev::BlockDevice;
use kernel::block::opf::{Opf, ReqOp};
use kernel::device_mapper::io::{DmIoClient, DmIoMemory, DmIoRequest, Region};
use kernel::prelude::*;

fn read(client: &DmIoClient, dev: &BlockDevice) -> Result {
    let mut buf = KVec::from_elem(0u8, 4096, GFP_KERNEL)?;
    client.scope(|s| -> Result {
        let region = [Region::new(dev, 0, 8)];
        let req = DmIoRequest {
            opf: Opf::new(ReqOp::Read),
            regions: &region,
            memory: DmIoMemory::kmalloc(&mut buf)?,
            ioprio: kernel::block::ioprio::IoPriority::DEFAULT,
        };
        s.submit(req, |_bits| {})?;
        drop(buf);
        Ok(())
    })
}
