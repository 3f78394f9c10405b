// SPDX-License-Identifier: GPL-2.0

//! A device taken out of the target by value, to keep after the target is
//! gone: devices are lent by reference only.
//!
//! expect: error[E0508]

use kernel::device_mapper::bio::{MapBio, MapResult};
use kernel::device_mapper::dev::DmDev;
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;

#[pin_data]
struct Thief {}

#[vtable]
impl Target for Thief {
    const NAME: &'static CStr = c"thief";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Thief {}))
    }

    fn map<'a>(this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        let dev: DmDev = this.devices()[0];
        drop(dev);
        bio.kill()
    }
}
