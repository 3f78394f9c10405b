// SPDX-License-Identifier: GPL-2.0

//! The guest's null_blk devices, for the C suites of the out-of-tree test
//! module (`tests/c_*.c`: the differential suite against the kernel's own
//! `dm_io()`, and the stress suite). `tests/guest/lib.sh` makes them.

use core::sync::atomic::{AtomicU32, Ordering};
use kernel::{bindings, ffi, prelude::*};

const PATHS: [&CStr; 10] = [
    c"/dev/nullb0",
    c"/dev/nullb1",
    c"/dev/nullb2",
    c"/dev/nullb3",
    c"/dev/nullb4",
    c"/dev/vda",
    c"/dev/nullb5",
    c"/dev/nullb6",
    c"/dev/nullb7",
    c"/dev/nullb8",
];

/// Device numbers of [`PATHS`], 0 where missing.
static DEVTS: [AtomicU32; 10] = [const { AtomicU32::new(0) }; 10];

/// Resolves the paths. Called from module init, in the `insmod` task: the
/// test cases run in kernel threads, whose root may be the kernel's empty
/// nullfs.
pub(crate) fn resolve() {
    for (path, devt) in PATHS.iter().zip(DEVTS.iter()) {
        let mut n: bindings::dev_t = 0;
        // SAFETY: `path` is NUL-terminated and `n` is writable.
        if unsafe { bindings::lookup_bdev(path.as_char_ptr(), &mut n) } == 0 {
            devt.store(n, Ordering::Relaxed);
        }
    }
}

/// The device number of guest device `index`, in the order of [`PATHS`];
/// 0 where missing.
#[no_mangle]
pub(crate) extern "C" fn rdm_test_devt(index: ffi::c_uint) -> u32 {
    DEVTS
        .get(index as usize)
        .map_or(0, |devt| devt.load(Ordering::Relaxed))
}
