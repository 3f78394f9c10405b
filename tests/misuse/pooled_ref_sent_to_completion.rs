// SPDX-License-Identifier: GPL-2.0

//! A count of pooled state moved into a bio's front pad, to be dropped,
//! or to submit more bios, from that bio's completion in interrupt
//! context, where dropping the last count would run the state's completion
//! and a submission would sleep: a count is not `Send`.
//!
//! expect: error[E0277]

use kernel::block::bio::shared::{SharedEndIo, SharedRef};
use kernel::block::bio::{CompletedBio, FrontPadEndIo};
use kernel::prelude::*;

struct Counter;

impl SharedEndIo for Counter {
    fn end_io(&self, _tag: usize, _bio: &mut CompletedBio<'_>) {}
}

struct Later(SharedRef<'static, Counter>);

impl FrontPadEndIo for Later {
    type Outcome = ();
    fn end_io(&mut self, _bio: &mut CompletedBio<'_>) {}
    fn complete(self, _outcome: ()) {}
}
