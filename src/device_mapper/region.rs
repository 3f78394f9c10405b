// SPDX-License-Identifier: GPL-2.0

//! What a dm-io request names and what it gives back: regions of block
//! devices (`struct dm_io_region`) and the bits of the regions that failed.
//!
//! C header: [`include/linux/dm-io.h`](srctree/include/linux/dm-io.h)
//!
//! Plain data, shared by the callers' API ([`super::io`]) and dm-mod's
//! implementation of `dm_io()`, which borrows a C caller's array of
//! `struct dm_io_region` as `[Region]`.

use crate::{bindings, block::bdev::BlockDevice, prelude::*};

/// At most this many regions per request (`BITS_PER_LONG`): one bit each in
/// the error and unsupported bit sets.
pub const DM_IO_MAX_REGIONS: usize = usize::BITS as usize;

/// `count` sectors of a block device from `sector` (`struct
/// dm_io_region`). A region of count 0 is skipped, except that a
/// `REQ_PREFLUSH` request sends it an empty flush.
///
/// Laid out as `struct dm_io_region`. A region made in Rust always names
/// its device; one that a C caller made may not (`bdev` NULL), which
/// `dm_io()` accepts for a region that sends no bio.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Region<'a> {
    bdev: Option<&'a BlockDevice>,
    /// First sector.
    pub sector: u64,
    /// Length in 512-byte sectors.
    pub count: u64,
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<Region<'_>>() == size_of::<bindings::dm_io_region>());
    assert!(offset_of!(Region<'_>, bdev) == offset_of!(bindings::dm_io_region, bdev));
    assert!(offset_of!(Region<'_>, sector) == offset_of!(bindings::dm_io_region, sector));
    assert!(offset_of!(Region<'_>, count) == offset_of!(bindings::dm_io_region, count));
};

impl<'a> Region<'a> {
    /// `count` sectors of `bdev` from `sector`.
    pub fn new(bdev: &'a BlockDevice, sector: u64, count: u64) -> Self {
        Self {
            bdev: Some(bdev),
            sector,
            count,
        }
    }

    /// The device; `None` only in a region a C caller made without one.
    pub fn bdev(&self) -> Option<&'a BlockDevice> {
        self.bdev
    }
}

/// The outcome of a request that was sent: which regions failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoBits {
    /// Regions with an I/O error (bit *i* for region *i*).
    pub error_bits: usize,
    /// Regions the device refused as unsupported or invalid
    /// (`BLK_STS_NOTSUPP`, `BLK_STS_INVAL`): not media errors.
    pub unsup_bits: usize,
}

impl IoBits {
    /// Whether region `region` had an I/O error (none past the last region
    /// a request can have).
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::device_mapper::region::IoBits;
    ///
    /// let bits = IoBits { error_bits: 0b10, unsup_bits: 0b1 };
    /// assert!(bits.failed(1) && !bits.failed(0) && !bits.failed(64));
    /// assert!(bits.unsupported(0) && !bits.unsupported(1));
    /// ```
    pub fn failed(&self, region: usize) -> bool {
        test_bit(self.error_bits, region)
    }

    /// Whether the device refused region `region` as unsupported or
    /// invalid.
    pub fn unsupported(&self, region: usize) -> bool {
        test_bit(self.unsup_bits, region)
    }

    /// The `dm_io()` return value of a synchronous request: `EIO` if any
    /// region failed, else `EOPNOTSUPP` if any was unsupported.
    pub fn to_result(self) -> Result {
        if self.error_bits != 0 {
            Err(EIO)
        } else if self.unsup_bits != 0 {
            Err(EOPNOTSUPP)
        } else {
            Ok(())
        }
    }
}

/// Bit `n` of `bits`; false past the word.
fn test_bit(bits: usize, n: usize) -> bool {
    u32::try_from(n)
        .ok()
        .and_then(|n| bits.checked_shr(n))
        .is_some_and(|b| b & 1 != 0)
}
