// SPDX-License-Identifier: GPL-2.0

//! Request operations and flags (`blk_opf_t`).
//!
//! C header: [`include/linux/blk_types.h`](srctree/include/linux/blk_types.h)

use super::consts::REQ_OP_MASK;
use kernel::bindings;

/// The operation part of a `blk_opf_t` (`enum req_op`), as dm-io uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReqOp {
    /// `REQ_OP_READ`.
    Read,
    /// `REQ_OP_WRITE`.
    Write,
    /// `REQ_OP_DISCARD`: no data; split by the device's discard limit.
    Discard,
    /// `REQ_OP_WRITE_ZEROES`: no data; split by the device's limit.
    WriteZeroes,
}

impl ReqOp {
    const fn raw(self) -> bindings::blk_opf_t {
        match self {
            ReqOp::Read => bindings::req_op_REQ_OP_READ,
            ReqOp::Write => bindings::req_op_REQ_OP_WRITE,
            ReqOp::Discard => bindings::req_op_REQ_OP_DISCARD,
            ReqOp::WriteZeroes => bindings::req_op_REQ_OP_WRITE_ZEROES,
        }
    }
}

/// Request flags (`REQ_*`), combinable with `|`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReqFlags(bindings::blk_opf_t);

const fn flag(bit: bindings::req_flag_bits) -> ReqFlags {
    ReqFlags(1 << bit)
}

impl ReqFlags {
    /// No flags.
    pub const NONE: Self = Self(0);
    /// `REQ_SYNC`: the submitter waits for this request.
    pub const SYNC: Self = flag(bindings::req_flag_bits___REQ_SYNC);
    /// `REQ_META`: metadata I/O.
    pub const META: Self = flag(bindings::req_flag_bits___REQ_META);
    /// `REQ_FUA`: forced unit access.
    pub const FUA: Self = flag(bindings::req_flag_bits___REQ_FUA);
    /// `REQ_PREFLUSH`: flush the device cache first; regions of count 0
    /// get an empty flush.
    pub const PREFLUSH: Self = flag(bindings::req_flag_bits___REQ_PREFLUSH);
    /// `REQ_ATOMIC`: an untorn write; dm-io never splits it.
    pub const ATOMIC: Self = flag(bindings::req_flag_bits___REQ_ATOMIC);
    /// `REQ_RAHEAD`: read-ahead, may fail without harm.
    pub const RAHEAD: Self = flag(bindings::req_flag_bits___REQ_RAHEAD);
    /// `REQ_NOUNMAP`: write zeroes without deallocating.
    pub const NOUNMAP: Self = flag(bindings::req_flag_bits___REQ_NOUNMAP);

    /// Whether every flag of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

impl core::ops::BitOr for ReqFlags {
    type Output = Self;

    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

/// An operation with its flags: a `blk_opf_t`.
///
/// Built from [`ReqOp`] and [`ReqFlags`] in Rust, or taken as-is from a C
/// caller, whose op may be any `enum req_op`: dm-io treats every op other
/// than discard and write-zeroes as a data op, as upstream does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opf(bindings::blk_opf_t);

impl Opf {
    /// An operation with flags.
    pub const fn new(op: ReqOp, flags: ReqFlags) -> Self {
        Self(op.raw() | flags.0)
    }

    /// A raw `blk_opf_t` from C.
    ///
    /// `REQ_ALLOC_CACHE` is dropped: it says how a caller's bio was
    /// allocated (from a per-cpu cache), and on a bio that dm-io allocates
    /// it would send that bio to a cache its bio_set does not have at
    /// `bio_put()`. A target passing its bio's `bi_opf` on must not crash.
    pub const fn from_raw(raw: bindings::blk_opf_t) -> Self {
        Self(raw & !(1 << bindings::req_flag_bits___REQ_ALLOC_CACHE))
    }

    /// The raw `blk_opf_t`.
    pub const fn as_raw(self) -> bindings::blk_opf_t {
        self.0
    }

    const fn op_raw(self) -> bindings::blk_opf_t {
        self.0 & REQ_OP_MASK
    }

    /// `op_is_write()`: odd ops transfer data to the device.
    pub const fn is_write(self) -> bool {
        self.op_raw() & 1 != 0
    }

    /// Whether this is a read.
    pub const fn is_read(self) -> bool {
        self.op_raw() == bindings::req_op_REQ_OP_READ
    }

    /// Discard or write-zeroes: an op without data pages, limited per bio
    /// by a device limit of its own.
    pub const fn is_no_data_special(self) -> bool {
        self.is_discard() || self.is_write_zeroes()
    }

    /// `REQ_OP_DISCARD`.
    pub const fn is_discard(self) -> bool {
        self.op_raw() == bindings::req_op_REQ_OP_DISCARD
    }

    /// `REQ_OP_WRITE_ZEROES`.
    pub const fn is_write_zeroes(self) -> bool {
        self.op_raw() == bindings::req_op_REQ_OP_WRITE_ZEROES
    }

    /// Whether all of `flags` are set.
    pub const fn has(self, flags: ReqFlags) -> bool {
        ReqFlags(self.0).contains(flags)
    }

    /// The op with only those of its flags that are in `keep` (what a
    /// target passes on from a bio: never its allocation-cache or polling
    /// bits, which belong to the bio it came with).
    pub const fn keep_only(self, keep: ReqFlags) -> Self {
        Self(self.op_raw() | (self.0 & keep.0))
    }

    /// This op with `flags` added.
    pub const fn with(self, flags: ReqFlags) -> Self {
        Self(self.0 | flags.0)
    }
}
