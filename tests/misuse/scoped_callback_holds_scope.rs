// SPDX-License-Identifier: GPL-2.0

//! A completion callback that keeps its scope, to send another request
//! from interrupt context, where sending may not sleep: a scope is not
//! `Sync`, so a `Send` callback cannot hold one.
//!
//! expect: error[E0277]

use kernel::block::bdev::BlockDevice;
use kernel::block::ioprio::IoPriority;
use kernel::block::opf::{Opf, ReqOp};
use kernel::device_mapper::io::{DmIoClient, DmIoMemory, DmIoRequest, Region};
use kernel::prelude::*;

fn flush_twice(client: &DmIoClient, dev: &BlockDevice) -> Result {
    let region = [Region::new(dev, 0, 0)];
    let flush = || DmIoRequest {
        opf: Opf::new(ReqOp::Write),
        regions: &region,
        memory: DmIoMemory::none(),
        ioprio: IoPriority::DEFAULT,
    };
    client.scope(|s| -> Result {
        s.submit(flush(), |_bits| {
            let _ = s.submit(flush(), |_bits| {});
        })
    })
}
