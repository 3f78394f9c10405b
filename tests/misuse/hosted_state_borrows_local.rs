// SPDX-License-Identifier: GPL-2.0

//! Shared state hosted in a bio's front pad that borrows a local: nothing
//! waits for a hosted state's bios, so their completion, later, would
//! write the caller's dead frame. Hosted state is `'static`, and a bio
//! set's front-pad type does not shrink to one that borrows for less.
//!
//! expect: error[E0597]

use core::sync::atomic::{AtomicU64, Ordering};
use kernel::block::bio::shared::{Shared, SharedEndIo};
use kernel::block::bio::{CompletedBio, NewBio, ToDevice};
use kernel::block::bio_set::BioSet;
use kernel::prelude::*;

struct Hits<'a>(&'a AtomicU64);

impl SharedEndIo for Hits<'_> {
    fn end_io(&self, _tag: usize, _bio: &mut CompletedBio<'_>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn host(bs: &'static BioSet<Shared<Hits<'static>>>, bio: NewBio<'static, ToDevice>) {
    let hits = AtomicU64::new(0);
    let _ = bio.submit_hosting(bs, Hits(&hits), 0);
}
