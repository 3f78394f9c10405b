// SPDX-License-Identifier: GPL-2.0

//! A target's underlying devices (`struct dm_dev`, `dm_get_device()`).
//!
//! C header: [`include/linux/device-mapper.h`](srctree/include/linux/device-mapper.h)

use crate::{bindings, block::bdev::BlockDevice, prelude::*, str::CStr};
use core::ptr::NonNull;

/// A device that a target's constructor took; the target layer owns it and
/// puts it (`dm_put_device()`) after the target is dropped, in the
/// destructor. Targets only ever borrow it.
///
/// # Invariants
///
/// `dev` was returned by `dm_get_device(ti, ...)` and is held by this
/// object; `ti` is valid until this object is dropped, which the target
/// layer does before the constructor (on failure) or the destructor
/// returns. Devices are taken in the table's mode, so dm-core never
/// replaces this `dm_dev` to widen the mode (`upgrade_mode()`) for another
/// Rust target of the table; a C target of the same table that asks for a
/// wider mode of the same device would, as it would for any C target.
pub struct DmDev {
    ti: NonNull<bindings::dm_target>,
    dev: NonNull<bindings::dm_dev>,
}

// SAFETY: A held `dm_dev` may be used and put from any task.
unsafe impl Send for DmDev {}
// SAFETY: Only shared, read-only access to the device is handed out.
unsafe impl Sync for DmDev {}

impl DmDev {
    /// `dm_get_device()` on `ti`, in the table's mode.
    ///
    /// # Safety
    ///
    /// `ti` must be a target under construction, and the returned object
    /// must be dropped before its constructor or destructor returns.
    pub(super) unsafe fn get(ti: NonNull<bindings::dm_target>, path: &CStr) -> Result<Self> {
        let mut dev = core::ptr::null_mut();
        // SAFETY: `ti` is valid (caller), `path` is NUL-terminated.
        let r = unsafe {
            let mode = bindings::dm_table_get_mode((*ti.as_ptr()).table);
            bindings::dm_get_device(ti.as_ptr(), path.as_char_ptr(), mode, &mut dev)
        };
        crate::error::to_result(r)?;
        let dev = NonNull::new(dev).ok_or(ENODEV)?;
        // INVARIANT: Just taken on `ti`; the caller drops it in time.
        Ok(Self { ti, dev })
    }

    pub(super) fn as_raw(&self) -> *mut bindings::dm_dev {
        self.dev.as_ptr()
    }

    /// The block device.
    pub fn bdev(&self) -> &BlockDevice {
        // SAFETY: By the type invariant the `dm_dev` is held, so its block
        // device is open for as long as `self` is borrowed.
        unsafe { BlockDevice::from_raw((*self.dev.as_ptr()).bdev) }
    }

    /// The device's name as dm prints it in tables (`major:minor`).
    pub fn name(&self) -> &CStr {
        // SAFETY: `name` is a NUL-terminated array inside the held `dm_dev`.
        unsafe { CStr::from_char_ptr((*self.dev.as_ptr()).name.as_ptr()) }
    }
}

impl Drop for DmDev {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `ti` is valid and we hold `dev`.
        unsafe { bindings::dm_put_device(self.ti.as_ptr(), self.dev.as_ptr()) };
    }
}
