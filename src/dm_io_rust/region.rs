// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2003 Sistina Software
// Copyright (C) 2006 Red Hat GmbH

//! A place on a block device (`struct dm_io_region`).

use crate::block::bdev::BlockDevice;

/// `count` sectors of `bdev` from `sector`.
///
/// Laid out as C's `struct dm_io_region`, so that the C entry points borrow
/// the caller's array in place. A C caller may leave `bdev` NULL for a
/// region that the request skips.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Region<'a> {
    pub(crate) bdev: Option<&'a BlockDevice>,
    pub(crate) sector: u64,
    pub(crate) count: u64,
}
