// SPDX-License-Identifier: GPL-2.0

//! An inner bio group whose handler keeps the outer group's submitter, to
//! submit from the inner bios' completions, in interrupt context: a
//! submitter is not `Sync`, so a handler, which must be, cannot hold one.
//!
//! expect: error[E0277]

use kernel::block::bio::group::{BioGroup, BioGroupHandler, Submitter};
use kernel::block::bio::CompletedBio;
use kernel::prelude::*;

struct Outer;

impl BioGroupHandler for Outer {
    fn bio_done(&self, _index: usize, _bio: &mut CompletedBio<'_>) {}
}

struct Inner<'s, 'env> {
    outer: &'s Submitter<'s, 'env, Outer>,
}

impl BioGroupHandler for Inner<'_, '_> {
    fn bio_done(&self, _index: usize, _bio: &mut CompletedBio<'_>) {
        let _ = self.outer.handler();
    }
}

fn nest() {
    BioGroup::run_on_stack(Outer, |outer| {
        BioGroup::run_on_stack(Inner { outer }, |_inner| {});
    });
}
