// SPDX-License-Identifier: GPL-2.0

//! A bio taken in map and sent again as it is: only a bio that end_io
//! restored (`EndIoBio::retry`) may be resubmitted.
//!
//! expect: error[E0599]

use kernel::device_mapper::bio::{MapBio, MapResult};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;

#[pin_data]
struct Again {}

#[vtable]
impl Target for Again {
    const NAME: &'static CStr = c"again";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Again {}))
    }

    fn map<'a>(_this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        let (pending, result) = bio.take();
        pending.resubmit(0, 0);
        result
    }
}
