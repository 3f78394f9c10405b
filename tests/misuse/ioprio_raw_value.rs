// SPDX-License-Identifier: GPL-2.0

//! A raw I/O priority: class 7 would reach mq-deadline, which indexes a
//! four-entry table by the class. Priorities are `IoPriority` values, made
//! by checked constructors.
//!
//! expect: error[E0308]

use kernel::block::bdev::BlockDevice;
use kernel::block::opf::{Opf, ReqOp};
use kernel::device_mapper::io::{DmIoClient, DmIoMemory, DmIoRequest, Region};
use kernel::prelude::*;

fn flush(client: &DmIoClient, dev: &BlockDevice) -> Result {
    let region = [Region::new(dev, 0, 0)];
    client
        .sync_io(DmIoRequest {
            opf: Opf::new(ReqOp::Write),
            regions: &region,
            memory: DmIoMemory::none(),
            ioprio: 7 << 13,
        })?
        .to_result()
}
