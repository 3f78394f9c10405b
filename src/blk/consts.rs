// SPDX-License-Identifier: GPL-2.0

//! Block-layer constants that bindgen cannot evaluate.
//!
//! The kernel defines these with `__force` casts, which bindgen drops. The
//! values live in `src/rdm_helpers.h`, and `src/helpers.c` checks each of
//! them against the kernel's own definition at compile time.

use kernel::bindings;

/// `BLK_STS_NOTSUPP`: the device does not support the operation.
pub(crate) const BLK_STS_NOTSUPP: bindings::blk_status_t = 1;
/// `BLK_STS_IOERR`: an I/O error.
// Only the dm target layer ends bios with it, and that is module-only.
#[cfg_attr(dm_io_builtin, expect(dead_code))]
pub(crate) const BLK_STS_IOERR: bindings::blk_status_t = 10;
/// `BLK_STS_RESOURCE`: out of memory for the request.
pub(crate) const BLK_STS_RESOURCE: bindings::blk_status_t = 9;
/// `BLK_STS_INVAL`: the request itself was invalid.
pub(crate) const BLK_STS_INVAL: bindings::blk_status_t = 19;
/// `GFP_NOIO`: may sleep and reclaim, but never recurse into I/O.
pub(crate) const GFP_NOIO: bindings::gfp_t = 0xc00;
/// `BLK_OPEN_READ`.
pub(crate) const BLK_OPEN_READ: bindings::blk_mode_t = 1;
/// `BLK_OPEN_WRITE`.
pub(crate) const BLK_OPEN_WRITE: bindings::blk_mode_t = 2;
/// `REQ_OP_MASK`.
pub(crate) const REQ_OP_MASK: bindings::blk_opf_t = 0xff;
