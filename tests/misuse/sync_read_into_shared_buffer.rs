// SPDX-License-Identifier: GPL-2.0

//! A read into a buffer that is also borrowed elsewhere: read memory is
//! lent as `&mut [u8]`, so nothing else may look at it meanwhile.
//!
//! expect: error[E0502]

use kernel::block::bdev::BlockDevice;
use kernel::block::opf::{Opf, ReqOp};
use kernel::device_mapper::io::{DmIoClient, DmIoMemory, DmIoRequest, Region};
use kernel::prelude::*;

fn read(client: &DmIoClient, dev: &BlockDevice, buf: &mut [u8]) -> Result {
    let watcher: &[u8] = buf;
    let region = [Region::new(dev, 0, 8)];
    let req = DmIoRequest {
        opf: Opf::new(ReqOp::Read),
        regions: &region,
        memory: DmIoMemory::kmalloc(buf)?,
        ioprio: kernel::block::ioprio::IoPriority::DEFAULT,
    };
    client.sync_io(req)?.to_result()?;
    pr_info!("{}\n", watcher[0]);
    Ok(())
}
