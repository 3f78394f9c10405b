// SPDX-License-Identifier: GPL-2.0

//! A target that writes more per-bio data than it declared: the record is
//! typed, so a `u64` does not fit where `()` was reserved.
//!
//! expect: error[E0308]

use kernel::device_mapper::bio::{MapBio, MapResult};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;

#[pin_data]
struct Small {}

#[vtable]
impl Target for Small {
    const NAME: &'static CStr = c"small";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Small {}))
    }

    fn map<'a>(_this: &TargetRef<Self>, mut bio: MapBio<'a, Self>) -> MapResult<'a> {
        let data: &mut u64 = bio.data_mut();
        *data = 1;
        bio.kill()
    }
}
