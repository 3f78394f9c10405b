// SPDX-License-Identifier: GPL-2.0

//! A pooled group's submitter kept after `run_pooled()` returned: the group
//! it points to may have completed and gone back to its pool, and a bio
//! sent through it would count on freed memory.
//!
//! expect: error[E0521]

use kernel::block::bio::group::{
    BioGroup, BioGroupHandler, PooledGroupHandler, PooledSubmitter, SoloHandler,
};
use kernel::block::bio::CompletedBio;
use kernel::mempool::Mempool;
use kernel::prelude::*;

struct Counter;

impl BioGroupHandler for Counter {
    fn bio_done(&self, _index: usize, _bio: &mut CompletedBio<'_>) {}
}

impl SoloHandler for Counter {
    type Outcome = ();

    fn bio_done(&self, _index: usize, _bio: &mut CompletedBio<'_>) {}

    fn done(self, _outcome: ()) {}
}

impl PooledGroupHandler for Counter {
    type Solo = Counter;

    fn group_done(self) {}

    fn into_solo(self) -> Result<Counter, Self> {
        Ok(self)
    }
}

fn escape(
    pool: &'static Mempool<BioGroup<Counter>>,
    keep: &mut Option<&mut PooledSubmitter<Counter>>,
) {
    let _ = BioGroup::run_pooled(pool, None, Counter, |sub| {
        *keep = Some(sub);
    });
}
