// SPDX-License-Identifier: GPL-2.0

//! A completion callback that is not `Send`: it runs in bio completion
//! context, on whatever CPU completes the last bio.
//!
//! expect: error[E0277]

use kernel::block::bdev::BlockDevice;
use kernel::block::opf::{Opf, ReqOp};
use kernel::device_mapper::io::{DmIoClient, DmIoMemory, DmIoRequest, Region};
use kernel::prelude::*;

fn flush(client: &DmIoClient, dev: &BlockDevice, counter: *mut u32) -> Result {
    client.scope(|s| -> Result {
        let region = [Region::new(dev, 0, 0)];
        let req = DmIoRequest {
            opf: Opf::new(ReqOp::Write),
            regions: &region,
            memory: DmIoMemory::none(),
            ioprio: kernel::block::ioprio::IoPriority::DEFAULT,
        };
        s.submit(req, move |_bits| {
            // SAFETY: Not the point of this test.
            unsafe { *counter += 1 };
        })
    })
}
