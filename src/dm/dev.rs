// SPDX-License-Identifier: GPL-2.0

//! Underlying devices of a target (`struct dm_dev`, `dm_get_device()`).
//!
//! C header: [`include/linux/device-mapper.h`](srctree/include/linux/device-mapper.h)

use super::{rdm_dev_bdev, rdm_dev_name, rdm_put_device, RawDmDev, RawTarget};
use crate::blk::block_device::BlockDevice;
use core::ptr::NonNull;
use kernel::prelude::*;

/// A device taken by a target's constructor; put (`dm_put_device()`) on
/// drop.
///
/// # Invariants
///
/// `dev` was returned by `dm_get_device(ti, ...)` and is held by this
/// object. `ti` stays valid while this object lives: a `DmDev` is only
/// made by [`super::TargetInit::get_device`] during the constructor, and
/// the dm layer drops the target object that owns it (or the constructor's
/// partial state) before the constructor or destructor returns.
pub struct DmDev {
    ti: NonNull<RawTarget>,
    dev: NonNull<RawDmDev>,
}

// SAFETY: A held dm_dev may be used and put from any task.
unsafe impl Send for DmDev {}
// SAFETY: Only shared, read-only access to the device is handed out.
unsafe impl Sync for DmDev {}

impl DmDev {
    /// Wraps a device just taken with `dm_get_device()`.
    ///
    /// # Safety
    ///
    /// `dev` must have been taken on `ti` by the caller, who hands over the
    /// duty to put it; `ti` must stay valid as the type invariant says.
    pub(super) unsafe fn from_raw(ti: NonNull<RawTarget>, dev: NonNull<RawDmDev>) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self { ti, dev }
    }

    /// The raw pointer, for `iterate_devices` callouts.
    pub(super) fn as_raw(&self) -> *mut RawDmDev {
        self.dev.as_ptr()
    }

    /// The block device.
    pub fn bdev(&self) -> &BlockDevice {
        // SAFETY: By the type invariant the dm_dev is held, so its block
        // device is open for as long as `self` lives.
        unsafe { BlockDevice::from_raw(rdm_dev_bdev(self.dev.as_ptr())) }
    }

    /// The device's name as dm prints it in tables (`major:minor`).
    pub fn name(&self) -> &CStr {
        // SAFETY: `name` is a NUL-terminated array inside the held dm_dev.
        unsafe { CStr::from_char_ptr(rdm_dev_name(self.dev.as_ptr())) }
    }
}

impl Drop for DmDev {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `ti` is valid and we hold `dev`.
        unsafe { rdm_put_device(self.ti.as_ptr(), self.dev.as_ptr()) };
    }
}
