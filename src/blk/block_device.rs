// SPDX-License-Identifier: GPL-2.0

//! Block devices, as dm-io regions name them.
//!
//! C header: [`include/linux/blkdev.h`](srctree/include/linux/blkdev.h)

use super::consts::{BLK_OPEN_READ, BLK_OPEN_WRITE};
use crate::helpers;
use core::ptr::NonNull;
use kernel::{
    bindings,
    error::{from_err_ptr, to_result},
    prelude::*,
    types::Opaque,
};

/// A `struct block_device` that the caller keeps open.
///
/// # Invariants
///
/// The wrapped `block_device` is valid and open for as long as a reference
/// to this type exists.
#[repr(transparent)]
pub struct BlockDevice(Opaque<bindings::block_device>);

// SAFETY: A block device may be used from any thread; the block layer
// synchronises access to it.
unsafe impl Send for BlockDevice {}
// SAFETY: The methods only read limits and submit I/O, which the block
// layer allows concurrently.
unsafe impl Sync for BlockDevice {}

impl BlockDevice {
    /// Borrows a C `struct block_device`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a block device that stays valid and open for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::block_device) -> &'a Self {
        // SAFETY: `BlockDevice` is a transparent wrapper of `block_device`
        // and the caller guarantees validity for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// The raw pointer, for the block layer.
    pub fn as_raw(&self) -> *mut bindings::block_device {
        self.0.get()
    }

    /// `bdev_max_discard_sectors()`: 0 when discard is unsupported.
    pub fn max_discard_sectors(&self) -> u32 {
        // SAFETY: By the type invariant the device is valid.
        unsafe { helpers::rdm_bdev_max_discard_sectors(self.as_raw()) }
    }

    /// `queue_max_sectors()`: the largest request the device takes; the
    /// block layer splits a larger bio.
    pub fn max_sectors(&self) -> u32 {
        // SAFETY: By the type invariant the device is valid.
        unsafe { helpers::rdm_bdev_max_sectors(self.as_raw()) }
    }

    /// The queue's `max_write_zeroes_sectors`: 0 when unsupported.
    pub fn max_write_zeroes_sectors(&self) -> u32 {
        // SAFETY: By the type invariant the device is valid.
        unsafe { helpers::rdm_bdev_write_zeroes_sectors(self.as_raw()) }
    }

    /// `bdev_nr_sectors()`: the size in 512-byte sectors.
    pub fn nr_sectors(&self) -> u64 {
        // SAFETY: By the type invariant the device is valid.
        unsafe { helpers::rdm_bdev_nr_sectors(self.as_raw()) }
    }

    /// `bdev_logical_block_size()`.
    pub fn logical_block_size(&self) -> u32 {
        // SAFETY: By the type invariant the device is valid.
        unsafe { helpers::rdm_bdev_logical_block_size(self.as_raw()) }
    }

    /// `bdev_atomic_write_unit_max_bytes()`: 0 without atomic write support.
    pub fn atomic_write_unit_max_bytes(&self) -> u32 {
        // SAFETY: By the type invariant the device is valid.
        unsafe { helpers::rdm_bdev_atomic_write_unit_max_bytes(self.as_raw()) }
    }
}

/// A block device opened by path for reading and writing, closed on drop.
///
/// # Invariants
///
/// `file` is a block-device file returned by `bdev_file_open_by_path()`
/// that this object owns.
pub struct BdevFile {
    file: NonNull<bindings::file>,
}

// SAFETY: The file reference may be dropped from any thread.
unsafe impl Send for BdevFile {}
// SAFETY: Only shared access to the block device is handed out.
unsafe impl Sync for BdevFile {}

impl BdevFile {
    /// Opens the block device at `path` for reading and writing: its
    /// device number by [`BdevFile::lookup`], then [`BdevFile::open_devt`].
    pub fn open(path: &CStr) -> Result<Self> {
        Self::open_devt(Self::lookup(path)?)
    }

    /// `lookup_bdev()`: the device number of the block device at `path`.
    ///
    /// Resolved from the calling task's root: kernel threads, whose root
    /// may be the kernel's empty nullfs, should be handed the number.
    pub fn lookup(path: &CStr) -> Result<bindings::dev_t> {
        let mut devt: bindings::dev_t = 0;
        // SAFETY: `path` is NUL-terminated and `devt` is writable.
        to_result(unsafe { bindings::lookup_bdev(path.as_char_ptr(), &mut devt) })?;
        Ok(devt)
    }

    /// `bdev_file_open_by_dev(devt, BLK_OPEN_READ | BLK_OPEN_WRITE)`.
    pub fn open_devt(devt: bindings::dev_t) -> Result<Self> {
        // SAFETY: No holder and no holder ops: a plain shared open.
        let file = unsafe {
            bindings::bdev_file_open_by_dev(
                devt,
                BLK_OPEN_READ | BLK_OPEN_WRITE,
                core::ptr::null_mut(),
                core::ptr::null(),
            )
        };
        let file = from_err_ptr(file)?;
        // INVARIANT: a successful open returned an owned file reference.
        NonNull::new(file).map(|file| Self { file }).ok_or(ENODEV)
    }

    /// The open device.
    pub fn bdev(&self) -> &BlockDevice {
        // SAFETY: By the type invariant `file` is an open block-device file,
        // so `file_bdev()` returns its device, open for as long as `self`.
        unsafe { BlockDevice::from_raw(bindings::file_bdev(self.file.as_ptr())) }
    }
}

impl Drop for BdevFile {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we own this file reference.
        unsafe { bindings::fput(self.file.as_ptr()) };
    }
}
