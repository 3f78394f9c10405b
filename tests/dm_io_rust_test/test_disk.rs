// SPDX-License-Identifier: GPL-2.0

//! The test disk of `test_disk.c`: made in the kernel, with the limits a
//! test asks for; its contents read and written directly, and the bios
//! that reached it recorded.

use crate::{
    bindings::{
        self, dm_io_test_disk, dm_io_test_disk_bdev, dm_io_test_disk_bios, dm_io_test_disk_create,
        dm_io_test_disk_destroy, dm_io_test_disk_forget, dm_io_test_disk_read,
        dm_io_test_disk_write,
    },
    block::bdev::BlockDevice,
};
use kernel::{error::from_err_ptr, prelude::*};

/// What a test disk looks like (`struct dm_io_test_disk_config`); zero
/// fields take their defaults.
pub(crate) type Config = bindings::dm_io_test_disk_config;

/// A bio as it reached the disk (`struct dm_io_test_disk_bio`).
pub(crate) type DiskBio = bindings::dm_io_test_disk_bio;

/// A test disk, removed on drop.
///
/// # Invariants
///
/// `raw` is a disk from `dm_io_test_disk_create()`, owned by this object.
pub(crate) struct TestDisk {
    raw: *mut dm_io_test_disk,
}

impl TestDisk {
    /// Adds a disk.
    pub(crate) fn new(cfg: Config) -> Result<Self> {
        // SAFETY: `cfg` is valid for the call.
        let raw = from_err_ptr(unsafe { dm_io_test_disk_create(&cfg) })?;
        // INVARIANT: Just created.
        Ok(Self { raw })
    }

    /// Its block device.
    pub(crate) fn bdev(&self) -> &BlockDevice {
        // SAFETY: The disk's block device lives as long as the disk, which
        // `self` owns (type invariant).
        unsafe { BlockDevice::from_raw(dm_io_test_disk_bdev(self.raw)) }
    }

    /// Reads `buf.len()` bytes from `sector` directly.
    pub(crate) fn read(&self, sector: u64, buf: &mut [u8]) -> Result {
        // SAFETY: `buf` is valid for writes of its length.
        kernel::error::to_result(unsafe {
            dm_io_test_disk_read(self.raw, sector, buf.as_mut_ptr().cast(), buf.len())
        })
    }

    /// Writes `buf` at `sector` directly.
    pub(crate) fn write(&self, sector: u64, buf: &[u8]) -> Result {
        // SAFETY: `buf` is valid for reads of its length.
        kernel::error::to_result(unsafe {
            dm_io_test_disk_write(self.raw, sector, buf.as_ptr().cast(), buf.len())
        })
    }

    /// The bios that reached the disk since it last forgot them (the first
    /// 4096 of them).
    pub(crate) fn bios(&self) -> Result<KVec<DiskBio>> {
        // SAFETY: A null buffer of room 0 only asks for the count.
        let n = unsafe { dm_io_test_disk_bios(self.raw, core::ptr::null_mut(), 0) }.min(4096);
        let mut v = KVec::from_elem(DiskBio::default(), n, GFP_KERNEL)?;
        // SAFETY: `v` has room for `n` records.
        let total = unsafe { dm_io_test_disk_bios(self.raw, v.as_mut_ptr(), n) };
        v.truncate(total.min(n));
        Ok(v)
    }

    /// Forgets the bios recorded so far.
    pub(crate) fn forget(&self) {
        // SAFETY: By the type invariant the disk is valid.
        unsafe { dm_io_test_disk_forget(self.raw) };
    }
}

impl Drop for TestDisk {
    fn drop(&mut self) {
        // SAFETY: We own the disk; the tests wait for their I/O.
        unsafe { dm_io_test_disk_destroy(self.raw) };
    }
}

// SAFETY: The disk may be used and removed from any task.
unsafe impl Send for TestDisk {}
// SAFETY: Its functions lock what they share.
unsafe impl Sync for TestDisk {}
