// SPDX-License-Identifier: GPL-2.0

//! `end_io` keeps using its instance after giving its bio away: once the
//! bio is on a list, another CPU may send and complete it, and dm-core
//! destroy the table, before the hook returns. The instance is lent
//! through the bio, for as long as the hook holds it; a clone, taken
//! before, is counted.
//!
//! expect: error[E0505]

use kernel::device_mapper::bio::{BioList, EndIoBio, EndIoResult, MapBio, MapResult, RetryBio};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;
use kernel::sync::SpinLockIrq;

#[pin_data]
struct Late {
    #[pin]
    retries: SpinLockIrq<BioList<RetryBio<Late>>>,
}

#[vtable]
impl Target for Late {
    const NAME: &'static CStr = c"late";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Late {
            retries <- kernel::new_spinlock_irq!(BioList::new()),
        }))
    }

    fn map<'a>(_this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        bio.remap(0, 0)
    }

    fn end_io<'a>(bio: EndIoBio<'a, Self>, _status: Result) -> EndIoResult<'a> {
        let this = bio.target();
        match bio.retry() {
            Ok((retry, result)) => {
                this.retries.lock().push(retry);
                this.queue_work();
                result
            }
            Err(bio) => bio.done(),
        }
    }

    fn work(_this: &TargetRef<Self>) {}
}
