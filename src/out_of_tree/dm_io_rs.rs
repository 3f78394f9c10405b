// SPDX-License-Identifier: GPL-2.0

// `dm_io_rs.ko`: the dm-io of src/dm_io_rust.rs as a loadable module,
// exporting its C entry points under an `rdm_` prefix (include/dm-io-rs.h),
// next to the kernel's own dm-io. Included at the crate root.

include!("../lib.rs");

use kernel::prelude::*;

module! {
    type: DmIoModule,
    name: "dm_io_rs",
    description: "device-mapper I/O service (dm-io) in Rust",
    license: "GPL",
}

/// The module: its io objects' slab cache lives from its init to its exit.
struct DmIoModule;

impl kernel::Module for DmIoModule {
    fn init(_module: &'static kernel::ThisModule) -> Result<Self> {
        kernel::error::to_result(c_abi::dm_io_init())?;
        Ok(Self)
    }
}

impl Drop for DmIoModule {
    fn drop(&mut self) {
        c_abi::dm_io_exit();
    }
}
