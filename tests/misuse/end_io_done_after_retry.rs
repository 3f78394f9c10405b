// SPDX-License-Identifier: GPL-2.0

//! `end_io` keeps the bio it took back for a retry and still tells dm-core
//! that the bio is done: dm-core would free the clone under the retry, and
//! the original bio would complete twice. "Done" only comes from a bio that
//! was not taken back.
//!
//! expect: error[E0382]

use kernel::device_mapper::bio::{BioList, EndIoBio, EndIoResult, MapBio, MapResult, RetryBio};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;
use kernel::sync::SpinLockIrq;

#[pin_data]
struct Twice {
    #[pin]
    retries: SpinLockIrq<BioList<RetryBio<Twice>>>,
}

#[vtable]
impl Target for Twice {
    const NAME: &'static CStr = c"twice";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Twice {
            retries <- kernel::new_spinlock_irq!(BioList::new()),
        }))
    }

    fn map<'a>(_this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        bio.remap(0, 0)
    }

    fn end_io<'a>(bio: EndIoBio<'a, Self>, _status: Result) -> EndIoResult<'a> {
        let this = bio.target().clone();
        if let Ok((retry, _incomplete)) = bio.retry() {
            this.retries.lock().push(retry);
        }
        bio.done()
    }
}
