// SPDX-License-Identifier: GPL-2.0

//! The result of one map call returned from another: results are tied to
//! their call's bio by an invariant lifetime, so one kept aside does not
//! type-check as another bio's.
//!
//! expect: lifetime may not live long enough

use kernel::device_mapper::bio::{MapBio, MapResult};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;

#[pin_data]
struct Swapper {}

fn other<'a, 'b>(_first: MapBio<'a, Swapper>, second: MapBio<'b, Swapper>) -> MapResult<'a> {
    second.kill()
}

#[vtable]
impl Target for Swapper {
    const NAME: &'static CStr = c"swapper";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Swapper {}))
    }

    fn map<'a>(_this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        bio.kill()
    }
}
