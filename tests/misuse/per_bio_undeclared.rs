// SPDX-License-Identifier: GPL-2.0

//! A target that does not declare its per-bio data: dm-core would not
//! reserve room for it. The layer sizes `per_io_data_size` from
//! `Target::PerBio`, so the type must name it.
//!
//! expect: error[E0046]

use kernel::device_mapper::bio::{MapBio, MapResult};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;

#[pin_data]
struct NoData {}

#[vtable]
impl Target for NoData {
    const NAME: &'static CStr = c"no_data";
    const VERSION: [u32; 3] = [1, 0, 0];

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(NoData {}))
    }

    fn map<'a>(_this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        bio.kill()
    }
}
