// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2003 Sistina Software
// Copyright (C) 2006 Red Hat GmbH

//! An asynchronous request that is a single bio (most requests) in that
//! bio's front pad, instead of a pool element: it needs no count, only its
//! callback and region index, and the bio's completion is the request's.

use super::{bio_error, is_unsupported, region_bit, AfterRead, Io, IoBits, Notify};
use crate::block::{
    bio::{CompletedBio, Direction, FrontPadEndIo, NewBio},
    bio_set::BioSet,
};

/// What a single-bio request keeps in its bio's front pad: its callback,
/// the region index, and how the bio failed, if it did.
pub(crate) struct Solo<N> {
    notify: N,
    index: u8,
    failure: Failure,
}

#[derive(Clone, Copy)]
enum Failure {
    None,
    Error,
    Unsupported,
}

impl<N: Notify> FrontPadEndIo for Solo<N> {
    /// `endio()` of the request's only bio.
    #[inline]
    fn end_io(&mut self, bio: &mut CompletedBio<'_>) {
        if let Some(err) = bio_error(bio) {
            self.failure = if is_unsupported(err) {
                Failure::Unsupported
            } else {
                Failure::Error
            };
        }
    }

    /// `complete_io()`, once the bio is freed.
    fn complete(self) {
        let bit = region_bit(usize::from(self.index));
        let mut bits = IoBits::default();
        match self.failure {
            Failure::None => {}
            Failure::Error => bits.error_bits = bit,
            Failure::Unsupported => bits.unsup_bits = bit,
        }
        self.notify.notify(bits);
    }
}

/// Submits a request's only bio with its callback in the bio's front pad;
/// gives both back if the io object has more to keep than the callback
/// (bits already set, or work owed to a read's memory) or the bio is not
/// from `bios`.
pub(super) fn submit_solo<N: Notify, D: Direction>(
    bios: &BioSet<Solo<N>>,
    bio: NewBio<'static, D>,
    index: usize,
    io: Io<'static, N>,
) -> Result<(), (NewBio<'static, D>, Io<'static, N>)> {
    let (Ok(index), true) = (u8::try_from(index), io.is_bare()) else {
        return Err((bio, io));
    };
    let solo = Solo {
        notify: io.notify,
        index,
        failure: Failure::None,
    };
    bio.submit_with(bios, solo)
        .map_err(|(bio, solo)| (bio, Io::new(AfterRead::Nothing, solo.notify)))
}
