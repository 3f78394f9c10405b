// SPDX-License-Identifier: GPL-2.0

//! Block devices (`struct block_device`), as I/O submitters see them.
//!
//! C header: [`include/linux/blkdev.h`](srctree/include/linux/blkdev.h)

use crate::{bindings, types::Opaque};

/// A `struct block_device` that its owner keeps open.
///
/// # Invariants
///
/// The wrapped `block_device` is valid and open for as long as a shared
/// reference to this type exists.
#[repr(transparent)]
pub struct BlockDevice(Opaque<bindings::block_device>);

// SAFETY: A block device may be used from any task; the block layer
// synchronises access to it.
unsafe impl Send for BlockDevice {}
// SAFETY: The methods read limits and submit I/O, which the block layer
// allows from several tasks at once.
unsafe impl Sync for BlockDevice {}

impl BlockDevice {
    /// Borrows a C `struct block_device`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a block device that stays valid and open for
    /// `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::block_device) -> &'a Self {
        // SAFETY: `BlockDevice` is a transparent wrapper of `block_device`,
        // and the caller guarantees validity for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// The raw pointer.
    #[inline]
    pub(crate) fn as_raw(&self) -> *mut bindings::block_device {
        self.0.get()
    }

    #[inline]
    fn limits(&self) -> &bindings::queue_limits {
        // SAFETY: By the type invariant the device is open, so its queue and
        // the queue's limits are valid for as long as `self` is borrowed.
        unsafe { &*bindings::bdev_limits(self.as_raw()) }
    }

    /// `bdev_nr_sectors()`: the size in 512-byte sectors.
    #[inline]
    pub fn nr_sectors(&self) -> u64 {
        // SAFETY: By the type invariant the device is valid.
        unsafe { bindings::bdev_nr_sectors(self.as_raw()) }
    }

    /// `bdev_logical_block_size()`.
    #[inline]
    pub fn logical_block_size(&self) -> u32 {
        self.limits().logical_block_size
    }

    /// `queue_max_sectors()`: the largest request the device takes; the
    /// block layer splits a larger bio.
    #[inline]
    pub fn max_sectors(&self) -> u32 {
        self.limits().max_sectors
    }

    /// `bdev_max_discard_sectors()`: 0 when the device cannot discard.
    #[inline]
    pub fn max_discard_sectors(&self) -> u32 {
        self.limits().max_discard_sectors
    }

    /// `bdev_write_zeroes_sectors()`: 0 when the device cannot write zeroes.
    #[inline]
    pub fn max_write_zeroes_sectors(&self) -> u32 {
        self.limits().max_write_zeroes_sectors
    }
}
