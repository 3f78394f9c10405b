// SPDX-License-Identifier: GPL-2.0

//! An `end_io` result made up instead of coming from the bio: with the bio
//! kept for a retry, "done" would let dm-core free it under the retry.
//!
//! expect: error[E0599]

use kernel::device_mapper::bio::{EndIoBio, EndIoResult, MapBio, MapResult};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;

#[pin_data]
struct Forger {}

#[vtable]
impl Target for Forger {
    const NAME: &'static CStr = c"forger";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Forger {}))
    }

    fn map<'a>(_this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        bio.remap(0, 0)
    }

    fn end_io<'a>(bio: EndIoBio<'a, Self>, _status: Result) -> EndIoResult<'a> {
        core::mem::forget(bio);
        EndIoResult::done()
    }
}
