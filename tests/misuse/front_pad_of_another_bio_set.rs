// SPDX-License-Identifier: GPL-2.0

//! Shared state hosted in the front pad of a bio from a bio set that has
//! no room for it: the state would be written over the end of the slab
//! object before the bio. A bio set's front pad is typed, and hosting asks
//! for a set of that state.
//!
//! expect: error[E0308]

use kernel::block::bio::shared::SharedEndIo;
use kernel::block::bio::{CompletedBio, NewBio, ToDevice};
use kernel::block::bio_set::BioSet;
use kernel::prelude::*;

struct Counter([u64; 8]);

impl SharedEndIo for Counter {
    fn end_io(&self, _tag: usize, _bio: &mut CompletedBio<'_>) {}
}

fn host(bs: &'static BioSet, bio: NewBio<'static, ToDevice>) {
    let _ = bio.submit_hosting(bs, Counter([0; 8]), 0);
}
