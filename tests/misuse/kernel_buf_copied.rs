// SPDX-License-Identifier: GPL-2.0

//! A lent buffer used twice: `KernelBuf` is `&mut [u8]` for I/O, and a copy
//! would let two requests write into the same bytes.
//!
//! expect: error[E0382]

use core::ptr::NonNull;
use kernel::block::bio::{FromDevice, KernelBuf, KernelBufKind};

fn twice(addr: NonNull<u8>) {
    // SAFETY: Not the point of this test.
    let buf = unsafe { KernelBuf::<FromDevice>::from_raw(addr, 512, KernelBufKind::Linear) };
    let first = buf;
    let second = buf;
    drop((first, second));
}
