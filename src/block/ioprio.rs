// SPDX-License-Identifier: GPL-2.0

//! I/O priorities (`bi_ioprio`).
//!
//! C headers: [`include/uapi/linux/ioprio.h`](srctree/include/uapi/linux/ioprio.h),
//! [`include/linux/ioprio.h`](srctree/include/linux/ioprio.h)

use crate::{
    bindings,
    error::{code::EINVAL, Result},
};

/// The scheduling class of an I/O priority (`IOPRIO_CLASS_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum IoPriorityClass {
    /// `IOPRIO_CLASS_NONE`: no class; the submitting task's is used.
    None = bindings::IOPRIO_CLASS_NONE as u16,
    /// `IOPRIO_CLASS_RT`: real time.
    RealTime = bindings::IOPRIO_CLASS_RT as u16,
    /// `IOPRIO_CLASS_BE`: best effort.
    BestEffort = bindings::IOPRIO_CLASS_BE as u16,
    /// `IOPRIO_CLASS_IDLE`: only when nothing else waits.
    Idle = bindings::IOPRIO_CLASS_IDLE as u16,
}

/// An I/O priority: a class, a level within it and a hint, as
/// `IOPRIO_PRIO_VALUE_HINT()` packs them.
///
/// # Invariants
///
/// The class is one of [`IoPriorityClass`]: I/O schedulers index per-class
/// tables by it (mq-deadline's has four entries).
///
/// # Examples
///
/// ```
/// use kernel::block::ioprio::{IoPriority, IoPriorityClass};
///
/// let prio = IoPriority::new(IoPriorityClass::BestEffort, 4)?;
/// assert_eq!(prio.class(), IoPriorityClass::BestEffort);
/// assert!(IoPriority::new(IoPriorityClass::BestEffort, 8).is_err());
/// assert!(IoPriority::from_raw(7 << 13).is_err());
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct IoPriority(u16);

impl IoPriority {
    /// `IOPRIO_DEFAULT`: no class, level 0.
    // INVARIANT: Class `IOPRIO_CLASS_NONE`.
    pub const DEFAULT: Self = Self(0);

    /// `level` (0 highest, `IOPRIO_NR_LEVELS - 1` lowest) in `class`;
    /// `EINVAL` for a level the class cannot have.
    pub fn new(class: IoPriorityClass, level: u8) -> Result<Self> {
        if u32::from(level) >= bindings::IOPRIO_NR_LEVELS {
            return Err(EINVAL);
        }
        // INVARIANT: `class` is an `IoPriorityClass`.
        Ok(Self(
            ((class as u16) << bindings::IOPRIO_CLASS_SHIFT) | u16::from(level),
        ))
    }

    /// A `bi_ioprio` value as C passes it; `EINVAL` for a class that no
    /// scheduler knows.
    pub fn from_raw(raw: u16) -> Result<Self> {
        let class = u32::from(raw >> bindings::IOPRIO_CLASS_SHIFT) & bindings::IOPRIO_CLASS_MASK;
        if class > bindings::IOPRIO_CLASS_IDLE {
            return Err(EINVAL);
        }
        // INVARIANT: Checked just above.
        Ok(Self(raw))
    }

    /// The `bi_ioprio` value.
    #[inline]
    pub fn as_raw(self) -> u16 {
        self.0
    }

    /// The class.
    pub fn class(self) -> IoPriorityClass {
        match u32::from(self.0 >> bindings::IOPRIO_CLASS_SHIFT) & bindings::IOPRIO_CLASS_MASK {
            bindings::IOPRIO_CLASS_RT => IoPriorityClass::RealTime,
            bindings::IOPRIO_CLASS_BE => IoPriorityClass::BestEffort,
            bindings::IOPRIO_CLASS_IDLE => IoPriorityClass::Idle,
            // By the type invariant: `IOPRIO_CLASS_NONE`.
            _ => IoPriorityClass::None,
        }
    }
}
