// SPDX-License-Identifier: GPL-2.0

//! The count of state on a stack kept after `scope` returned: a bio sent
//! through it later would carry a `bi_private` that points at a stack frame
//! already gone. Only the kernel crate writes `bi_private`, from a count
//! that cannot leave its scope.
//!
//! expect: error[E0521]

use kernel::block::bio::shared::{scope, SharedEndIo, SharedRef};
use kernel::block::bio::CompletedBio;
use kernel::prelude::*;

struct Counter;

impl SharedEndIo for Counter {
    fn end_io(&self, _tag: usize, _bio: &mut CompletedBio<'_>) {}
}

fn escape<'env>(keep: &mut Option<&SharedRef<'env, Counter>>) {
    scope(Counter, |shared| {
        *keep = Some(shared);
    });
}
