// SPDX-License-Identifier: GPL-2.0

//! A clone of a write bio turned into a read, to read into pages the write
//! only lends to be read: a bio's operation, and so its direction, is set
//! when it is made, and cannot change.
//!
//! expect: error[E0599]

use kernel::block::bdev::BlockDevice;
use kernel::block::bio::{Bio, NewBio, ToDevice};
use kernel::block::bio_set::BioSet;
use kernel::block::opf::{Opf, ReqOp};
use kernel::prelude::*;

fn turn<'a>(bs: &'a BioSet, dev: &'a BlockDevice, write: &'a Bio) -> Result {
    let mut clone =
        NewBio::<ToDevice>::clone_of(bs, dev, write, 512, Opf::new(ReqOp::Write), GFP_NOIO)?;
    clone.set_opf(Opf::new(ReqOp::Read))?;
    Ok(())
}
