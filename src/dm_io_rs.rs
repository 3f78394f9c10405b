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
//!
//! Two link modes, one implementation: by default this is the crate root of
//! the loadable module `dm_io_rs.ko`; built with `--cfg dm_io_builtin` it
//! is linked into dm-mod in place of `drivers/md/dm-io.c` (see
//! `scripts/prepare-replace-tree.sh`), without `module!` or KUnit tests,
//! and provides `dm_io()`, `dm_io_client_create()`,
//! `dm_io_client_destroy()`, `dm_io_init()` and `dm_io_exit()` itself.

pub mod blk;
mod c_abi;
// The dm target layer and rmirror live in the module only: built into
// dm-mod, this crate is just dm-io.
#[cfg(not(dm_io_builtin))]
pub mod dm;
pub mod dm_io;
mod helpers;
pub mod mm;
#[cfg(not(dm_io_builtin))]
mod rmirror;

#[cfg(all(CONFIG_KUNIT, not(dm_io_builtin)))]
#[path = "../tests/kunit.rs"]
mod kunit;

#[cfg(not(dm_io_builtin))]
use kernel::prelude::*;

/// The prefix of this crate's `pr_*!` messages when built in, where no
/// `module!` defines it (as for the C file: `dm_io`).
#[cfg(dm_io_builtin)]
const __LOG_PREFIX: &[u8] = b"dm_io\0";

#[cfg(not(dm_io_builtin))]
module! {
    type: DmIoModule,
    name: "dm_io_rs",
    authors: ["dm-io-rs developers"],
    description: "device-mapper I/O service layer (dm-io) in Rust",
    license: "GPL",
}

#[cfg(not(dm_io_builtin))]
struct DmIoModule {
    // Field order is drop order: the target type goes before the io cache
    // its mirrors' clients allocate from.
    _rmirror: dm::TargetRegistration<rmirror::Mirror>,
    _io_cache: dm_io::io::IoCache,
}

#[cfg(not(dm_io_builtin))]
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
