// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2003 Sistina Software
// Copyright (C) 2006 Red Hat GmbH

//! A client: the reserve of io objects and bios that lets its I/O make
//! progress under memory pressure (`struct dm_io_client`).

use super::io::{Notify, PooledIo, Solo};
use crate::{block::bio_set::BioSet, mempool::Mempool, mm::kmem_cache::KmemCache};
use kernel::prelude::*;

/// A mempool of io objects and bio sets.
///
/// Pinned: io objects and bios point back into it. It must outlive all of
/// its I/O, which its owner guarantees.
#[pin_data]
pub(crate) struct Client<N: Notify> {
    // Field order is drop order, as in `dm_io_client_destroy()`.
    #[pin]
    pub(crate) pool: Mempool<PooledIo<N>>,
    /// Bios with vector tables; a request that is one such bio carries its
    /// callback in the bio's front pad instead of a pool element.
    #[pin]
    pub(crate) bios: BioSet<Solo<N>>,
    /// Bios without vector tables (clones, flushes, discards); the first of
    /// a request of several carries the io object in its front pad, and is
    /// no larger for it.
    #[pin]
    pub(crate) host_bios: BioSet<PooledIo<N>>,
}

impl<N: Notify> Client<N> {
    /// `dm_io_client_create()` with a reserve of `min_ios` io objects from
    /// `cache` (`_dm_io_cache`), and of bios.
    pub(crate) fn new(
        cache: &'static KmemCache<PooledIo<N>>,
        min_ios: u32,
    ) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            pool <- Mempool::with_cache(cache, min_ios),
            bios <- BioSet::with_front_pad(min_ios),
            host_bios <- BioSet::without_bvecs(min_ios),
        })
    }
}
