// SPDX-License-Identifier: GPL-2.0

//! A front-pad value whose `end_io` hands the completed bio itself to
//! `complete`, which runs once the bio is freed: the outcome is a type of
//! the impl, which cannot name the completion's borrow of the bio.
//!
//! expect: lifetime may not live long enough

use kernel::block::bio::{CompletedBio, FrontPadEndIo};

struct Peek;

impl FrontPadEndIo for Peek {
    type Outcome = &'static mut CompletedBio<'static>;
    fn end_io(&mut self, bio: &mut CompletedBio<'_>) -> Self::Outcome {
        bio
    }
    fn complete(self, bio: Self::Outcome) {
        let _ = bio.status();
    }
}
