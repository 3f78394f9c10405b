// SPDX-License-Identifier: GPL-2.0

//! Device-mapper: the dm-io service for Rust callers, and targets.
//!
//! C headers: [`include/linux/device-mapper.h`](srctree/include/linux/device-mapper.h),
//! [`include/linux/dm-io.h`](srctree/include/linux/dm-io.h).
//!
//! The dm-io client API and the target abstractions call into dm-mod, so
//! they need it built in (`CONFIG_RUST_DM_ABSTRACTIONS`); page lists, regions
//! and their bits are plain data, for dm-mod's own dm-io too.

pub mod page_list;
pub mod region;

#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]
pub mod bio;
#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]
pub mod bio_io;
#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]
pub mod dev;
#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]
pub mod io;
#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]
pub mod status;
#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]
#[macro_use]
pub mod target;
