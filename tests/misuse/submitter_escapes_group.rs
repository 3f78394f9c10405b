// SPDX-License-Identifier: GPL-2.0

//! A bio group's submitter kept after the group: a bio sent through it
//! later would carry a `bi_private` that points at a group already gone.
//! Only the layer writes `bi_private`, from a submitter that cannot leave
//! its group.
//!
//! expect: error[E0521]

use kernel::block::bio::group::{BioGroup, BioGroupHandler, Submitter};
use kernel::block::bio::CompletedBio;
use kernel::prelude::*;

struct Counter;

impl BioGroupHandler for Counter {
    fn bio_done(&self, _index: usize, _bio: &mut CompletedBio<'_>) {}
}

fn escape<'env>(keep: &mut Option<&Submitter<'_, 'env, Counter>>) {
    BioGroup::run_on_stack(Counter, |sub| {
        *keep = Some(sub);
    });
}
