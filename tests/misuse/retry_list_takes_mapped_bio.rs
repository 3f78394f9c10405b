// SPDX-License-Identifier: GPL-2.0

//! A mapped bio slipped into a list of bios to resubmit: lists are typed
//! by what their bios may do.
//!
//! expect: error[E0308]

use kernel::device_mapper::bio::{BioList, MapBio, MapResult, RetryBio};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;

#[pin_data]
struct Mixer {}

#[vtable]
impl Target for Mixer {
    const NAME: &'static CStr = c"mixer";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Mixer {}))
    }

    fn map<'a>(_this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        let mut retries: BioList<RetryBio<Self>> = BioList::default();
        let (pending, result) = bio.take();
        retries.push(pending);
        result
    }
}
