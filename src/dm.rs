// SPDX-License-Identifier: GPL-2.0

//! A minimal device-mapper target layer: target types, constructor
//! arguments, underlying devices, the map / end_io / status / message /
//! suspend / resume / iterate_devices hooks, and bio ownership.
//!
//! C header: [`include/linux/device-mapper.h`](srctree/include/linux/device-mapper.h)
//!
//! The dm headers are not in the kernel crate's bindings. `struct
//! target_type` and `struct dm_target` are filled and read by the small C
//! shim `src/dm_helpers.c`, compiled against the real header, so no Rust
//! mirror of their layout (bitfields, config-dependent members) can go
//! stale; Rust sees opaque pointers. This is the `unsafe` layer under the
//! targets: each wrapper documents its invariants, as `src/blk/` does.

pub mod bio;
pub mod dev;
pub mod status;
pub mod target;

pub use bio::{BioList, BioOp, EndIoBio, EndIoResult, MapBio, MapResult, PendingBio};
pub use dev::DmDev;
pub use status::{StatusType, StatusWriter};
pub use target::{
    CtrError, DeviceIter, Target, TargetConfig, TargetInit, TargetRef, TargetRegistration,
};

use kernel::{bindings, ffi};

/// `struct dm_target`, only ever behind a pointer.
#[repr(C)]
pub struct RawTarget {
    _opaque: [u8; 0],
}

/// `struct dm_dev`, only ever behind a pointer.
#[repr(C)]
pub struct RawDmDev {
    _opaque: [u8; 0],
}

/// `struct target_type`, only ever behind a pointer.
#[repr(C)]
pub(crate) struct RawTargetType {
    _opaque: [u8; 0],
}

pub(crate) const DM_MAPIO_SUBMITTED: ffi::c_int = 0;
pub(crate) const DM_MAPIO_REMAPPED: ffi::c_int = 1;
pub(crate) const DM_MAPIO_KILL: ffi::c_int = 4;
pub(crate) const DM_ENDIO_DONE: ffi::c_int = 0;
pub(crate) const DM_ENDIO_INCOMPLETE: ffi::c_int = 1;

type CtrFn = unsafe extern "C" fn(*mut RawTarget, ffi::c_uint, *mut *mut ffi::c_char) -> ffi::c_int;
type DtrFn = unsafe extern "C" fn(*mut RawTarget);
type MapFn = unsafe extern "C" fn(*mut RawTarget, *mut bindings::bio) -> ffi::c_int;
type EndIoFn = unsafe extern "C" fn(*mut RawTarget, *mut bindings::bio, *mut u8) -> ffi::c_int;
type StatusFn =
    unsafe extern "C" fn(*mut RawTarget, ffi::c_int, ffi::c_uint, *mut ffi::c_char, ffi::c_uint);
type MessageFn = unsafe extern "C" fn(
    *mut RawTarget,
    ffi::c_uint,
    *mut *mut ffi::c_char,
    *mut ffi::c_char,
    ffi::c_uint,
) -> ffi::c_int;
type IterateFn =
    unsafe extern "C" fn(*mut RawTarget, Option<IterateCallout>, *mut ffi::c_void) -> ffi::c_int;

/// `iterate_devices_callout_fn`.
pub(crate) type IterateCallout =
    unsafe extern "C" fn(*mut RawTarget, *mut RawDmDev, u64, u64, *mut ffi::c_void) -> ffi::c_int;

// Only pointers to kernel structures cross.
#[allow(improper_ctypes)]
extern "C" {
    #[allow(clippy::too_many_arguments)]
    fn rdm_target_register(
        name: *const ffi::c_char,
        version: *const ffi::c_uint,
        ctr: CtrFn,
        dtr: DtrFn,
        map: MapFn,
        end_io: EndIoFn,
        presuspend: DtrFn,
        postsuspend: DtrFn,
        resume: DtrFn,
        status: StatusFn,
        message: MessageFn,
        iterate_devices: IterateFn,
    ) -> *mut RawTargetType;
    fn rdm_target_unregister(tt: *mut RawTargetType);
    fn rdm_ti_begin(ti: *mut RawTarget) -> u64;
    fn rdm_ti_len(ti: *mut RawTarget) -> u64;
    fn rdm_ti_private(ti: *mut RawTarget) -> *mut ffi::c_void;
    fn rdm_ti_set_private(ti: *mut RawTarget, private: *mut ffi::c_void);
    fn rdm_ti_set_error(ti: *mut RawTarget, error: *const ffi::c_char);
    fn rdm_ti_setup(
        ti: *mut RawTarget,
        num_flush_bios: ffi::c_uint,
        num_discard_bios: ffi::c_uint,
        max_io_len: u64,
    ) -> ffi::c_int;
    fn rdm_ti_event(ti: *mut RawTarget);
    fn rdm_get_device(
        ti: *mut RawTarget,
        path: *const ffi::c_char,
        result: *mut *mut RawDmDev,
    ) -> ffi::c_int;
    fn rdm_put_device(ti: *mut RawTarget, dev: *mut RawDmDev);
    fn rdm_dev_bdev(dev: *mut RawDmDev) -> *mut bindings::block_device;
    fn rdm_dev_name(dev: *mut RawDmDev) -> *const ffi::c_char;
    fn rdm_per_bio_words(bio: *mut bindings::bio) -> *mut [u64; 2];
    fn rdm_bio_record(bio: *mut bindings::bio);
    fn rdm_bio_map_start(bio: *mut bindings::bio);
    fn rdm_bio_restore(bio: *mut bindings::bio) -> bool;
    fn rdm_bio_resubmit(bio: *mut bindings::bio, bdev: *mut bindings::block_device, sector: u64);
    fn rdm_bio_remap(bio: *mut bindings::bio, bdev: *mut bindings::block_device, sector: u64);
    fn rdm_bio_endio(bio: *mut bindings::bio, status: u8);
}
