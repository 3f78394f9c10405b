// SPDX-License-Identifier: GPL-2.0

//! A reference to the instance kept in each bio's per-bio data: dm-core
//! frees that memory with the bio, without a drop, so the reference would
//! leak and the destructor wait for it forever. Per-bio data is `Copy`:
//! nothing in it needs dropping.
//!
//! expect: error[E0277]

use kernel::device_mapper::bio::{MapBio, MapResult};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;

#[pin_data]
struct Keeper {}

#[vtable]
impl Target for Keeper {
    const NAME: &'static CStr = c"keeper";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = Option<TargetRef<Keeper>>;

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Keeper {}))
    }

    fn map<'a>(this: &TargetRef<Self>, mut bio: MapBio<'a, Self>) -> MapResult<'a> {
        *bio.data_mut() = Some(this.clone());
        bio.remap(0, 0)
    }
}
