// SPDX-License-Identifier: GPL-2.0

//! A bio of state on a stack whose memory is a page freed inside the
//! scope, before the scope waits for the bio: the device would read freed
//! memory. A scope's bios borrow their data for the whole scope (`'env`
//! is invariant and outlives the call).
//!
//! expect: error[E0597]

use kernel::block::bdev::BlockDevice;
use kernel::block::bio::shared::{scope, SharedEndIo};
use kernel::block::bio::{CompletedBio, NewBio, Segment, ToDevice};
use kernel::block::bio_set::BioSet;
use kernel::block::opf::{Opf, ReqOp};
use kernel::page::Page;
use kernel::prelude::*;

struct Counter;

impl SharedEndIo for Counter {
    fn end_io(&self, _tag: usize, _bio: &mut CompletedBio<'_>) {}
}

fn write(bs: &BioSet, bdev: &BlockDevice) -> Result {
    scope(Counter, |shared| {
        let page = Page::alloc_page(GFP_KERNEL).unwrap();
        let seg = Segment::<ToDevice>::new(&page, 0, 512).unwrap();
        let mut bio =
            NewBio::<ToDevice>::alloc(bs, bdev, 1, Opf::new(ReqOp::Write), GFP_NOIO).unwrap();
        bio.add(&seg);
        let _ = shared.submit(bio, 0);
    });
    Ok(())
}
