// SPDX-License-Identifier: GPL-2.0

//! KUnit suites that run dm-io-rs against real block devices in the guest.
//!
//! The guest (tests/guest/lib.sh) provides memory-backed null_blk devices,
//! one with discard and one with bad blocks, a brd ram disk, and a virtio
//! disk that supports discard and write-zeroes with small limits.

#[path = "kunit/common.rs"]
pub(crate) mod common;

#[path = "kunit/memory_sources.rs"]
mod memory_sources;

#[path = "kunit/regions.rs"]
mod regions;

#[path = "kunit/completion.rs"]
mod completion;

#[path = "kunit/failures.rs"]
mod failures;

#[path = "kunit/client.rs"]
mod client;
