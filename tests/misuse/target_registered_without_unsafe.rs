// SPDX-License-Identifier: GPL-2.0

//! A target type registered where nothing ties it to its module's exit
//! (kept in a static, or forgotten): dm-core would find the type, and run
//! its code, after the module is gone. Registering is `unsafe`; a module
//! declares its target with `module_dm_target!`.
//!
//! expect: error[E0133]

use kernel::device_mapper::bio::{MapBio, MapResult};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef, TargetRegistration};
use kernel::prelude::*;

#[pin_data]
struct Stray {}

#[vtable]
impl Target for Stray {
    const NAME: &'static CStr = c"stray";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Stray {}))
    }

    fn map<'a>(_this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        bio.kill()
    }
}

fn register_forever(module: &'static ThisModule) -> Result {
    let registration = TargetRegistration::<Stray>::register(module)?;
    core::mem::forget(registration);
    Ok(())
}
