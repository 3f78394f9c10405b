// SPDX-License-Identifier: GPL-2.0

//! A value sent in a bio's front pad that borrows a local: nothing waits
//! for the bio, so its completion, later, would write the caller's dead
//! frame. What a front pad carries is `'static`.
//!
//! expect: error[E0597]

use kernel::block::bio::{CompletedBio, FrontPadEndIo, NewBio, ToDevice};
use kernel::block::bio_set::BioSet;
use kernel::prelude::*;

struct Out<'a>(&'a mut u64);

impl FrontPadEndIo for Out<'static> {
    type Outcome = ();
    fn end_io(&mut self, _bio: &mut CompletedBio<'_>) {
        *self.0 = 1;
    }
    fn complete(self, _outcome: ()) {}
}

fn send(bs: &'static BioSet<Out<'static>>, bio: NewBio<'static, ToDevice>) {
    let mut out = 0u64;
    let _ = bio.submit_with(bs, Out(&mut out));
}
