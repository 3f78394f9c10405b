// SPDX-License-Identifier: GPL-2.0

//! What a target reports for `dmsetup status` and `dmsetup table`
//! (`DMEMIT()`).
//!
//! C header: [`include/linux/device-mapper.h`](srctree/include/linux/device-mapper.h)

use crate::bindings;
use core::fmt;

/// Which report dm asks for (`status_type_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusType {
    /// `STATUSTYPE_INFO`: `dmsetup status`.
    Info,
    /// `STATUSTYPE_TABLE`: `dmsetup table`, the constructor's arguments.
    Table,
    /// `STATUSTYPE_IMA`: the IMA measurement string.
    Ima,
}

impl StatusType {
    pub(super) fn from_raw(raw: bindings::status_type_t) -> Option<Self> {
        match raw {
            bindings::status_type_t_STATUSTYPE_INFO => Some(Self::Info),
            bindings::status_type_t_STATUSTYPE_TABLE => Some(Self::Table),
            bindings::status_type_t_STATUSTYPE_IMA => Some(Self::Ima),
            _ => None,
        }
    }
}

/// Writes into dm's result buffer as `DMEMIT()` does: what does not fit is
/// dropped, and the text stays NUL-terminated.
pub struct StatusWriter<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> StatusWriter<'a> {
    /// A writer over `buf` (dm's `result`, `maxlen` bytes).
    pub(super) fn new(buf: &'a mut [u8]) -> Self {
        if let Some(first) = buf.first_mut() {
            *first = 0;
        }
        Self { buf, pos: 0 }
    }
}

impl fmt::Write for StatusWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // Keep one byte for the terminating NUL.
        let room = self.buf.len().saturating_sub(self.pos + 1);
        let n = s.len().min(room);
        if let Some(dst) = self.buf.get_mut(self.pos..self.pos + n) {
            dst.copy_from_slice(&s.as_bytes()[..n]);
            self.pos += n;
        }
        if let Some(nul) = self.buf.get_mut(self.pos) {
            *nul = 0;
        }
        Ok(())
    }
}
