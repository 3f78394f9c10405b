// SPDX-License-Identifier: GPL-2.0

//! A place on a block device (`struct dm_io_region`).

use crate::blk::block_device::BlockDevice;

/// `count` sectors of `bdev` starting at `sector`.
///
/// Laid out as C's `struct dm_io_region`, so the C entry points can borrow
/// the caller's array in place. A count of 0 means the region is skipped,
/// except that a `PREFLUSH` request sends it an empty flush.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Region<'a> {
    bdev: Option<&'a BlockDevice>,
    /// First sector.
    pub sector: u64,
    /// Length in 512-byte sectors.
    pub count: u64,
}

impl<'a> Region<'a> {
    /// A region without a device, skipped by every request (count 0).
    pub(crate) const EMPTY: Self = Self {
        bdev: None,
        sector: 0,
        count: 0,
    };

    /// A region of `count` sectors at `sector` of `bdev`.
    pub fn new(bdev: &'a BlockDevice, sector: u64, count: u64) -> Self {
        Self {
            bdev: Some(bdev),
            sector,
            count,
        }
    }

    /// The device; `None` only for regions that came from C with a NULL
    /// `bdev`, which the request checks before use.
    pub fn bdev(&self) -> Option<&'a BlockDevice> {
        self.bdev
    }
}

// The C entry points rely on this layout.
const _: () = {
    assert!(core::mem::size_of::<Region<'_>>() == 24);
    assert!(core::mem::offset_of!(Region<'_>, sector) == 8);
    assert!(core::mem::offset_of!(Region<'_>, count) == 16);
};
