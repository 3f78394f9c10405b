// SPDX-License-Identifier: GPL-2.0

//! A map result made up instead of coming from the bio: `DM_MAPIO_SUBMITTED`
//! without anyone left to end the bio would hang dm-core.
//!
//! expect: error[E0423]

use core::marker::PhantomData;
use kernel::device_mapper::bio::{MapBio, MapResult};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;

#[pin_data]
struct Liar {}

#[vtable]
impl Target for Liar {
    const NAME: &'static CStr = c"liar";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Liar {}))
    }

    fn map<'a>(_this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        core::mem::forget(bio);
        MapResult(0, PhantomData)
    }
}
