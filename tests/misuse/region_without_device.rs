// SPDX-License-Identifier: GPL-2.0

//! A region without a device, which dm-io.c would dereference: a region
//! borrows its block device, so it always has one.
//!
//! expect: error[E0308]

use kernel::device_mapper::io::Region;

fn nowhere() -> Region<'static> {
    Region::new(core::ptr::null(), 0, 8)
}
