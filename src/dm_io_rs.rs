// SPDX-License-Identifier: GPL-2.0

//! dm-io-rs: the device-mapper I/O service layer in Rust.
//!
//! C reference: [`drivers/md/dm-io.c`](srctree/drivers/md/dm-io.c),
//! [`include/linux/dm-io.h`](srctree/include/linux/dm-io.h).
//!
//! A client ([`dm_io::DmIoClient`]) holds a mempool of io objects and a bio
//! set; a request names up to `BITS_PER_LONG` regions and one memory
//! source, is split into bios, and completes synchronously or through a
//! callback that runs exactly once. C callers use the `rdm_io*` exports
//! (`include/dm-io-rs.h`).
//!
//! The module also registers `rmirror`, a device-mapper mirror target in
//! safe Rust on this API ([`dm`] is its target layer).

pub mod blk;
mod c_abi;
pub mod dm;
pub mod dm_io;
mod helpers;
pub mod mm;
mod rmirror;

#[cfg(CONFIG_KUNIT)]
#[path = "../tests/kunit.rs"]
mod kunit;

use kernel::prelude::*;

module! {
    type: DmIoModule,
    name: "dm_io_rs",
    authors: ["dm-io-rs developers"],
    description: "device-mapper I/O service layer (dm-io) in Rust",
    license: "GPL",
}

struct DmIoModule {
    // Field order is drop order: the target type goes before the io cache
    // its mirrors' clients allocate from.
    _rmirror: dm::TargetRegistration<rmirror::Mirror>,
    _io_cache: dm_io::io::IoCache,
}

impl kernel::Module for DmIoModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        #[cfg(CONFIG_KUNIT)]
        kunit::common::resolve_devices();
        // `dm_io_init()`: the slab cache behind every client's io pool.
        let io_cache = dm_io::io::IoCache::register()?;
        Ok(Self {
            _rmirror: dm::TargetRegistration::register()?,
            _io_cache: io_cache,
        })
    }
}
