// SPDX-License-Identifier: GPL-2.0

//! Inner shared state that keeps the outer state's count, to submit from
//! the inner bios' completions, in interrupt context, or to drop the outer
//! stack's last count from there: a count is not `Sync`, so state, which
//! must be, cannot hold one.
//!
//! expect: error[E0277]

use kernel::block::bio::shared::{scope, SharedEndIo, SharedRef};
use kernel::block::bio::CompletedBio;
use kernel::prelude::*;

struct Outer;

impl SharedEndIo for Outer {
    fn end_io(&self, _tag: usize, _bio: &mut CompletedBio<'_>) {}
}

struct Inner<'s, 'env> {
    outer: &'s SharedRef<'env, Outer>,
}

impl SharedEndIo for Inner<'_, '_> {
    fn end_io(&self, _tag: usize, _bio: &mut CompletedBio<'_>) {
        let _ = self.outer.get();
    }
}

fn nest() {
    scope(Outer, |outer| {
        scope(Inner { outer }, |_inner| {});
    });
}
