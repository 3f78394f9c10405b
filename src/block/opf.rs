// SPDX-License-Identifier: GPL-2.0

//! Request operations and flags (`blk_opf_t`).
//!
//! C header: [`include/linux/blk_types.h`](srctree/include/linux/blk_types.h)

use crate::{bindings, bits::bit_u32, impl_flags};

/// The operation of a bio (`enum req_op`), for the operations a caller may
/// build; any other operation arrives from C through [`Opf::from_raw`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ReqOp {
    /// `REQ_OP_READ`.
    Read = bindings::req_op_REQ_OP_READ,
    /// `REQ_OP_WRITE`.
    Write = bindings::req_op_REQ_OP_WRITE,
    /// `REQ_OP_DISCARD`: no data, limited per bio by the discard limit.
    Discard = bindings::req_op_REQ_OP_DISCARD,
    /// `REQ_OP_WRITE_ZEROES`: no data, limited by the write-zeroes limit.
    WriteZeroes = bindings::req_op_REQ_OP_WRITE_ZEROES,
}

impl_flags!(
    /// A set of request flags (`REQ_*`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct ReqFlags(u32);

    /// One request flag.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum ReqFlag {
        /// `REQ_FAILFAST_DEV`: no driver retries of device errors.
        FailfastDev = bit_u32(bindings::req_flag_bits___REQ_FAILFAST_DEV),
        /// `REQ_FAILFAST_TRANSPORT`: no driver retries of transport errors.
        FailfastTransport = bit_u32(bindings::req_flag_bits___REQ_FAILFAST_TRANSPORT),
        /// `REQ_FAILFAST_DRIVER`: no driver retries of driver errors.
        FailfastDriver = bit_u32(bindings::req_flag_bits___REQ_FAILFAST_DRIVER),
        /// `REQ_SYNC`: a task waits for this I/O.
        Sync = bit_u32(bindings::req_flag_bits___REQ_SYNC),
        /// `REQ_META`: file system or target metadata.
        Meta = bit_u32(bindings::req_flag_bits___REQ_META),
        /// `REQ_PRIO`: boosted priority, for metadata.
        Prio = bit_u32(bindings::req_flag_bits___REQ_PRIO),
        /// `REQ_NOMERGE`: do not merge with other requests.
        Nomerge = bit_u32(bindings::req_flag_bits___REQ_NOMERGE),
        /// `REQ_IDLE`: nothing more follows soon.
        Idle = bit_u32(bindings::req_flag_bits___REQ_IDLE),
        /// `REQ_FUA`: forced unit access.
        Fua = bit_u32(bindings::req_flag_bits___REQ_FUA),
        /// `REQ_PREFLUSH`: flush the volatile write cache first.
        Preflush = bit_u32(bindings::req_flag_bits___REQ_PREFLUSH),
        /// `REQ_RAHEAD`: read-ahead; may fail without harm.
        Rahead = bit_u32(bindings::req_flag_bits___REQ_RAHEAD),
        /// `REQ_BACKGROUND`: background I/O, such as writeback.
        Background = bit_u32(bindings::req_flag_bits___REQ_BACKGROUND),
        /// `REQ_NOUNMAP`: write zeroes without deallocating.
        Nounmap = bit_u32(bindings::req_flag_bits___REQ_NOUNMAP),
        /// `REQ_ATOMIC`: an untorn write, never split.
        Atomic = bit_u32(bindings::req_flag_bits___REQ_ATOMIC),
        /// `REQ_NOWAIT`: fail rather than block at submission.
        Nowait = bit_u32(bindings::req_flag_bits___REQ_NOWAIT),
        /// `REQ_POLLED`: completed by polling, not by an interrupt.
        Polled = bit_u32(bindings::req_flag_bits___REQ_POLLED),
        /// `REQ_ALLOC_CACHE`: the bio came from a per-cpu bio cache.
        AllocCache = bit_u32(bindings::req_flag_bits___REQ_ALLOC_CACHE),
    }
);

/// An operation with its flags: a `blk_opf_t`.
///
/// Any `blk_opf_t` is a valid value: an operation that [`ReqOp`] does not
/// name is carried as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Opf(bindings::blk_opf_t);

impl Opf {
    /// `op` with no flags.
    #[inline]
    pub const fn new(op: ReqOp) -> Self {
        Self(op as bindings::blk_opf_t)
    }

    /// A `blk_opf_t` as C passes it.
    #[inline]
    pub const fn from_raw(raw: bindings::blk_opf_t) -> Self {
        Self(raw)
    }

    /// The `blk_opf_t`.
    #[inline]
    pub(crate) const fn as_raw(self) -> bindings::blk_opf_t {
        self.0
    }

    #[inline]
    const fn op(self) -> bindings::blk_opf_t {
        self.0 & ((1 << bindings::REQ_OP_BITS) - 1)
    }

    /// Whether the operation is `op`.
    #[inline]
    pub const fn is(self, op: ReqOp) -> bool {
        self.op() == op as bindings::blk_opf_t
    }

    /// `op_is_write()`: the operation moves data to the device (odd
    /// operations do).
    #[inline]
    pub const fn is_write(self) -> bool {
        self.op() & 1 != 0
    }

    /// `REQ_OP_READ`: the operation moves data from the device into the
    /// bio's pages.
    #[inline]
    pub const fn is_read(self) -> bool {
        self.is(ReqOp::Read)
    }

    /// Discard or write-zeroes: no data pages, and a device limit of its own.
    #[inline]
    pub const fn is_discard_or_write_zeroes(self) -> bool {
        self.is(ReqOp::Discard) || self.is(ReqOp::WriteZeroes)
    }

    /// Whether `flag` is set.
    #[inline]
    pub const fn has(self, flag: ReqFlag) -> bool {
        self.0 & flag as u32 != 0
    }

    /// Whether the operation is one that [`ReqOp`] names: the operations a
    /// bio built here may do.
    #[inline]
    pub(crate) const fn is_known_op(self) -> bool {
        self.is(ReqOp::Read)
            || self.is(ReqOp::Write)
            || self.is(ReqOp::Discard)
            || self.is(ReqOp::WriteZeroes)
    }

    /// Whether the flush flags and `REQ_ATOMIC` fit the operation: only a
    /// write may carry them (`submit_bio_noacct()` warns about a flush flag
    /// on anything else, and fails the bio).
    #[inline]
    pub(crate) const fn flags_fit_op(self) -> bool {
        const WRITE_ONLY: u32 =
            ReqFlag::Preflush as u32 | ReqFlag::Fua as u32 | ReqFlag::Atomic as u32;
        self.is(ReqOp::Write) || self.0 & WRITE_ONLY == 0
    }

    /// The operation with only the flags that a bio of one's own may carry:
    /// hints and flush flags. Never those that describe another bio: its
    /// allocation cache, its integrity payload (`REQ_INTEGRITY` without
    /// one sends drivers to a NULL payload), that it is polled or must not
    /// block, that it is swap I/O, or the bits private to a driver
    /// (`REQ_DRV` is nvme's multipath mark) or a file system.
    #[inline]
    pub(crate) fn for_new_bio(self) -> Self {
        self.keep_only(
            ReqFlag::FailfastDev
                | ReqFlag::FailfastTransport
                | ReqFlag::FailfastDriver
                | ReqFlag::Sync
                | ReqFlag::Meta
                | ReqFlag::Prio
                | ReqFlag::Nomerge
                | ReqFlag::Idle
                | ReqFlag::Fua
                | ReqFlag::Preflush
                | ReqFlag::Rahead
                | ReqFlag::Background
                | ReqFlag::Nounmap
                | ReqFlag::Atomic,
        )
    }

    /// This operation with `flags` added.
    pub fn with(self, flags: impl Into<ReqFlags>) -> Self {
        Self(self.0 | u32::from(flags.into()))
    }

    /// This operation without `flags`.
    pub fn without(self, flags: impl Into<ReqFlags>) -> Self {
        Self(self.0 & !u32::from(flags.into()))
    }

    /// The operation with only those of its flags that are in `keep`.
    #[inline]
    pub(crate) fn keep_only(self, keep: ReqFlags) -> Self {
        Self(self.op() | (self.0 & u32::from(keep)))
    }
}
