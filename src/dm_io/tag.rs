// SPDX-License-Identifier: GPL-2.0

//! The io pointer and region index, packed into one `bi_private` word.
//!
//! The io object is aligned to [`DM_IO_MAX_REGIONS`] bytes, so the low
//! bits of its address are zero and hold the region index instead
//! (`store_io_and_region_in_bio()` in C). Every bio thus maps back to its
//! own io object and region, with no extra allocation.

use super::DM_IO_MAX_REGIONS;

const REGION_MASK: usize = DM_IO_MAX_REGIONS - 1;

/// An io address and a region index in one word.
///
/// # Invariants
///
/// The io address part is aligned to [`DM_IO_MAX_REGIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoTag(usize);

impl IoTag {
    /// Packs `io_addr` and `region`; `None` if the address is not aligned
    /// or the region index is out of range (C would `BUG()` here).
    pub fn pack(io_addr: usize, region: usize) -> Option<Self> {
        if io_addr & REGION_MASK != 0 || region > REGION_MASK {
            return None;
        }
        // INVARIANT: the address is aligned, checked above.
        Some(Self(io_addr | region))
    }

    /// A tag read back from `bi_private`.
    pub fn from_raw(raw: usize) -> Self {
        // INVARIANT: masking leaves an aligned address part.
        Self(raw)
    }

    /// The word to store in `bi_private`.
    pub fn raw(self) -> usize {
        self.0
    }

    /// The io object's address.
    pub fn io_addr(self) -> usize {
        self.0 & !REGION_MASK
    }

    /// The region index.
    pub fn region(self) -> usize {
        self.0 & REGION_MASK
    }
}

// Only in the module: built into dm-mod, dm-io-rs carries no tests.
#[cfg(not(dm_io_builtin))]
#[kernel::prelude::kunit_tests(dm_io_rs_tag)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_region() {
        let base = 0xffff_8880_1234_5600usize & !REGION_MASK;
        for region in 0..DM_IO_MAX_REGIONS {
            let tag = IoTag::pack(base, region).expect("aligned");
            assert_eq!(tag.io_addr(), base);
            assert_eq!(tag.region(), region);
            assert_eq!(IoTag::from_raw(tag.raw()), tag);
        }
    }

    #[test]
    fn refuses_unaligned_io() {
        for misalign in 1..DM_IO_MAX_REGIONS {
            assert_eq!(IoTag::pack(0x10000 + misalign, 0), None);
        }
    }

    #[test]
    fn refuses_region_out_of_range() {
        assert_eq!(IoTag::pack(0x10000, DM_IO_MAX_REGIONS), None);
        assert_eq!(IoTag::pack(0x10000, usize::MAX), None);
    }

    #[test]
    fn io_object_alignment_leaves_room_for_regions() {
        assert!(core::mem::align_of::<crate::dm_io::io::Io>() >= DM_IO_MAX_REGIONS);
    }
}
