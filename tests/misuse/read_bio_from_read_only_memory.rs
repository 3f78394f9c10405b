// SPDX-License-Identifier: GPL-2.0

//! A read built from memory lent only to be read: a read bio takes only
//! segments lent to be written (`FromDevice`), so the pages of a write, a
//! buffer lent as `&[u8]` or a zero page can never be read into.
//!
//! expect: error[E0308]

use kernel::block::bdev::BlockDevice;
use kernel::block::bio::{FromDevice, NewBio, Segment, ToDevice};
use kernel::block::bio_set::BioSet;
use kernel::block::opf::{Opf, ReqOp};
use kernel::page::Page;
use kernel::prelude::*;

fn read_into<'a>(bs: &'a BioSet, dev: &'a BlockDevice, page: &'a Page) -> Result {
    let source = Segment::<ToDevice>::new(page, 0, 512)?;
    let mut bio = NewBio::<FromDevice>::alloc(bs, dev, 1, Opf::new(ReqOp::Read), GFP_NOIO)?;
    bio.add(&source);
    Ok(())
}
