// SPDX-License-Identifier: GPL-2.0

//! A dm-io client: the reserve of io objects and bios that lets its I/O
//! make progress under memory pressure (`struct dm_io_client`).

use super::io;
use crate::{blk::bio_set::BioSet, helpers, mm::mempool::Mempool};
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::prelude::*;

/// A client: a mempool of io objects and a bio set.
///
/// Pinned: bios and io objects point back into it. It must outlive all of
/// its I/O, which the safe API guarantees by waiting.
#[pin_data]
pub struct DmIoClient {
    // Field order is drop order, as in `dm_io_client_destroy()`: the pool
    // first, then the bio set.
    #[pin]
    pub(super) pool: Mempool,
    #[pin]
    pub(super) bios: BioSet,
    bios_submitted: AtomicU64,
}

impl DmIoClient {
    /// `dm_io_client_create()`: a reserve of `dm_get_reserved_bio_based_ios()`
    /// (the dm-mod parameter, 16 by default).
    pub fn new() -> impl PinInit<Self, Error> {
        // SAFETY: No preconditions; reads a module parameter of dm-mod.
        Self::with_reserve(unsafe { helpers::rdm_reserved_bio_based_ios() })
    }

    /// A client that reserves `min_ios` io objects and bios.
    pub fn with_reserve(min_ios: u32) -> impl PinInit<Self, Error> {
        let min_ios = min_ios.max(1);
        let cache = io::io_cache();
        try_pin_init!(Self {
            // SAFETY: The io cache lives until module exit, and every
            // client is gone by then.
            pool <- unsafe { Mempool::new_slab(min_ios, cache?) },
            bios <- BioSet::new(min_ios),
            bios_submitted: AtomicU64::new(0),
        })
    }

    /// `dm_io_client_resize()` (from the original design): changes the
    /// number of io objects held in reserve. May sleep.
    pub fn resize(&self, min_ios: u32) -> Result {
        self.pool.resize(min_ios)
    }

    /// Bios submitted by this client so far.
    pub fn bios_submitted(&self) -> u64 {
        self.bios_submitted.load(Ordering::Relaxed)
    }

    pub(super) fn count_bios(&self, bios: u64) {
        self.bios_submitted.fetch_add(bios, Ordering::Relaxed);
    }
}
