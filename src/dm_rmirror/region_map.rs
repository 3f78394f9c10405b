// SPDX-License-Identifier: GPL-2.0

//! The region-granular sync map of a mirror (in the spirit of dm-region-
//! hash): which regions hold the same data on every healthy leg, which one
//! the copy engine is working on, and how many writes each has in flight.

use kernel::prelude::*;

/// The state of one region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum RegionState {
    /// Every healthy leg holds the same data.
    InSync = 0,
    /// Only the default leg is trusted; the copy engine will copy it.
    OutOfSync = 1,
    /// The copy engine is copying it: writes to it wait.
    Recovering = 2,
}

/// The map, kept under the mirror's state lock.
pub(crate) struct RegionMap {
    state: KVec<RegionState>,
    pending: KVec<u32>,
    in_sync: usize,
}

impl RegionMap {
    /// `nr` regions, all in sync or all out of sync.
    pub(crate) fn new(nr: usize, in_sync: bool) -> Result<Self> {
        let s = if in_sync {
            RegionState::InSync
        } else {
            RegionState::OutOfSync
        };
        let mut state = KVec::with_capacity(nr, GFP_KERNEL)?;
        let mut pending = KVec::with_capacity(nr, GFP_KERNEL)?;
        for _ in 0..nr {
            state.push(s, GFP_KERNEL)?;
            pending.push(0, GFP_KERNEL)?;
        }
        Ok(Self {
            state,
            pending,
            in_sync: if in_sync { nr } else { 0 },
        })
    }

    /// Number of regions.
    pub(crate) fn len(&self) -> usize {
        self.state.len()
    }

    /// Regions in sync.
    pub(crate) fn in_sync(&self) -> usize {
        self.in_sync
    }

    /// The state of region `r` (out of range reads as out of sync).
    pub(crate) fn get(&self, r: usize) -> RegionState {
        self.state.get(r).copied().unwrap_or(RegionState::OutOfSync)
    }

    /// Sets the state of region `r`, keeping the in-sync count.
    pub(crate) fn set(&mut self, r: usize, s: RegionState) {
        if let Some(cur) = self.state.get_mut(r) {
            if *cur == RegionState::InSync {
                self.in_sync -= 1;
            }
            if s == RegionState::InSync {
                self.in_sync += 1;
            }
            *cur = s;
        }
    }

    /// Marks every region that is not being copied out of sync.
    pub(crate) fn mark_all_out_of_sync(&mut self) {
        for s in self.state.iter_mut() {
            if *s == RegionState::InSync {
                *s = RegionState::OutOfSync;
            }
        }
        self.in_sync = 0;
    }

    /// Marks every region in sync (a mirror with one leg has nothing to
    /// copy).
    pub(crate) fn mark_all_in_sync_single_leg(&mut self) {
        for s in self.state.iter_mut() {
            *s = RegionState::InSync;
        }
        self.in_sync = self.state.len();
    }

    /// Writes in flight to region `r`.
    pub(crate) fn pending(&self, r: usize) -> u32 {
        self.pending.get(r).copied().unwrap_or(0)
    }

    /// One more write in flight to region `r`.
    pub(crate) fn inc_pending(&mut self, r: usize) {
        if let Some(p) = self.pending.get_mut(r) {
            *p += 1;
        }
    }

    /// One write to region `r` finished; true when none is left.
    pub(crate) fn dec_pending(&mut self, r: usize) -> bool {
        match self.pending.get_mut(r) {
            Some(p) => {
                *p = p.saturating_sub(1);
                *p == 0
            }
            None => true,
        }
    }

    /// The first region from `from` (wrapping) that is out of sync and has
    /// no write in flight; `None` if there is none right now.
    pub(crate) fn next_to_copy(&self, from: usize) -> Option<usize> {
        let n = self.len();
        (0..n)
            .map(|i| (from + i) % n)
            .find(|&r| self.get(r) == RegionState::OutOfSync && self.pending(r) == 0)
    }
}
