// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2003 Sistina Software
// Copyright (C) 2006 Red Hat GmbH

//! An asynchronous request that is a single bio (most requests) in that
//! bio's front pad, instead of a pool element: it needs no count, only its
//! callback, and the bio's completion is the request's.

use super::{bio_error, is_unsupported, region_bit, AfterRead, Io, IoBits, Notify};
use crate::block::{
    bio::{CompletedBio, Direction, FrontPadEndIo, NewBio},
    bio_set::BioSet,
};

/// What a single-bio request keeps in its bio's front pad: its callback,
/// nothing more. The bio is region 0's ([`submit_solo`]), and how it failed
/// goes from `end_io` to `complete` on the stack. Bio slabs keep their free
/// pointer after the object (`SLAB_TYPESAFE_BY_RCU`): with `dm_io()`'s
/// 16-byte callback, the bio and its front pad stay in the 192-byte slab
/// object of a bio set without one, where a byte more would take 256.
pub(crate) struct Solo<N> {
    notify: N,
}

/// How the bio failed, if it did.
#[derive(Clone, Copy)]
pub(crate) enum Failure {
    None,
    Error,
    Unsupported,
}

impl<N: Notify> FrontPadEndIo for Solo<N> {
    type Outcome = Failure;

    /// `endio()` of the request's only bio.
    #[inline]
    fn end_io(&mut self, bio: &mut CompletedBio<'_>) -> Failure {
        match bio_error(bio) {
            None => Failure::None,
            Some(err) if is_unsupported(err) => Failure::Unsupported,
            Some(_) => Failure::Error,
        }
    }

    /// `complete_io()`, once the bio is freed.
    fn complete(self, failure: Failure) {
        let bit = region_bit(0);
        let mut bits = IoBits::default();
        match failure {
            Failure::None => {}
            Failure::Error => bits.error_bits = bit,
            Failure::Unsupported => bits.unsup_bits = bit,
        }
        self.notify.notify(bits);
    }
}

/// Submits a request's only bio with its callback in the bio's front pad;
/// gives both back if the io object has more to keep than the callback
/// (bits already set, work owed to a read's memory, or a region index other
/// than 0, which the front pad has no room for: regions before the bio's
/// were empty) or the bio is not from `bios`.
pub(super) fn submit_solo<N: Notify, D: Direction>(
    bios: &BioSet<Solo<N>>,
    bio: NewBio<'static, D>,
    index: usize,
    io: Io<'static, N>,
) -> Result<(), (NewBio<'static, D>, Io<'static, N>)> {
    if index != 0 || !io.is_bare() {
        return Err((bio, io));
    }
    let solo = Solo { notify: io.notify };
    bio.submit_with(bios, solo)
        .map_err(|(bio, solo)| (bio, Io::new(AfterRead::Nothing, solo.notify)))
}
