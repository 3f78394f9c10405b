// SPDX-License-Identifier: GPL-2.0

//! A client: the reserve of io objects and bios that lets its I/O make
//! progress under memory pressure (`struct dm_io_client`).

use super::io::{Io, Notify};
use crate::{
    block::bio::group::{BioGroup, GROUP_FRONT_PAD, SOLO_FRONT_PAD},
    block::bio_set::BioSet,
    mempool::Mempool,
};
use kernel::prelude::*;

/// The io objects of a client's asynchronous requests, each in a bio group.
pub(crate) type IoGroup<N> = BioGroup<Io<'static, N>>;

/// A mempool of io objects and bio sets.
///
/// Pinned: io objects and bios point back into it. It must outlive all of
/// its I/O, which its owner guarantees.
#[pin_data]
pub(crate) struct Client<N: Notify> {
    // Field order is drop order, as in `dm_io_client_destroy()`.
    #[pin]
    pub(crate) pool: Mempool<IoGroup<N>>,
    #[pin]
    pub(crate) bios: BioSet,
    #[pin]
    pub(crate) host_bios: BioSet,
}

impl<N: Notify> Client<N> {
    /// `dm_io_client_create()` with a reserve of `min_ios` io objects and
    /// bios.
    pub(crate) fn new(min_ios: u32) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            pool <- Mempool::new(min_ios),
            // A request that is one bio carries its state in the bio's front
            // pad instead of a pool element.
            bios <- BioSet::with_front_pad(min_ios, SOLO_FRONT_PAD),
            // The first clone or data-less bio of a request of several
            // carries the io object in its front pad: no pool element, and
            // the bio no larger than the others (no vector tables).
            host_bios <- BioSet::without_bvecs(min_ios, GROUP_FRONT_PAD),
        })
    }
}
