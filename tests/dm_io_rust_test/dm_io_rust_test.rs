// SPDX-License-Identifier: GPL-2.0

//! KUnit suites for dm-io, through its Rust API
//! ([`crate::device_mapper::io`]), on test disks that the suites create in
//! the kernel (`test_disk.c`): no set-up from user space.
//!
//! Data written through one memory source is checked on the disk directly
//! and read back through another; the disk records every bio, so the
//! suites check what reached the device as well as what came back.

mod common;
mod completion;
mod failures;
mod flags;
mod memory;
mod regions;
mod test_disk;

#[cfg(dm_io_rs_out_of_tree)]
include!("../../src/lib.rs");

#[cfg(dm_io_rs_out_of_tree)]
mod failnth_api;
#[cfg(dm_io_rs_out_of_tree)]
mod guest_devices;

use kernel::prelude::*;

module! {
    type: DmIoTest,
    name: "dm_io_rust_kunit",
    authors: ["dm-io-rs developers"],
    description: "KUnit suites for dm-io",
    license: "GPL",
}

struct DmIoTest;

impl kernel::Module for DmIoTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        #[cfg(dm_io_rs_out_of_tree)]
        guest_devices::resolve();
        Ok(Self)
    }
}
