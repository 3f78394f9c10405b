// SPDX-License-Identifier: GPL-2.0

//! Per-bio data too large for dm-core's 32-bit front pad arithmetic: the
//! size is checked when the target is built, not cast on the way to C.
//!
//! build: codegen
//! expect: a target's per-bio data may be at most 64 KiB

use kernel::device_mapper::bio::{MapBio, MapResult};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef, TargetRegistration};
use kernel::prelude::*;

#[derive(Clone, Copy)]
struct Huge([u8; 1 << 20]);

impl Default for Huge {
    fn default() -> Self {
        Huge([0; 1 << 20])
    }
}

#[pin_data]
struct Big {}

#[vtable]
impl Target for Big {
    const NAME: &'static CStr = c"big";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = Huge;

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Big {}))
    }

    fn map<'a>(_this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        bio.kill()
    }
}

#[no_mangle]
fn misuse_register(module: &'static ThisModule) -> Result<TargetRegistration<Big>> {
    // SAFETY: Not the point of this test.
    unsafe { TargetRegistration::register(module) }
}
