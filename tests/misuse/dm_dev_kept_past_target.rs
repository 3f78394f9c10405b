// SPDX-License-Identifier: GPL-2.0

//! A device kept where it outlives the target: the devices belong to the
//! target and are put in its destructor, so the constructor only lends
//! them.
//!
//! expect: lifetime may not live long enough

use kernel::device_mapper::bio::{MapBio, MapResult};
use kernel::device_mapper::dev::DmDev;
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;
use kernel::sync::Mutex;

kernel::sync::global_lock! {
    // SAFETY: Initialised before first use.
    unsafe(uninit) static KEPT: Mutex<Option<&'static DmDev>> = None;
}

#[pin_data]
struct Keeper {}

#[vtable]
impl Target for Keeper {
    const NAME: &'static CStr = c"keeper";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(ti: &mut TargetInit<'_>, args: &[&CStr]) -> Result<impl PinInit<Self, Error>, CtrError> {
        let dev = ti
            .get_device(args[0])
            .map_err(|e| CtrError::new(e, c"device lookup failed"))?;
        *KEPT.lock() = Some(dev);
        Ok(try_pin_init!(Keeper {}))
    }

    fn map<'a>(_this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        bio.kill()
    }
}
