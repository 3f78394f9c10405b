// SPDX-License-Identifier: GPL-2.0

//! A bio remapped to a device of another instance of the target, reached
//! through a registry of instances: that instance's destructor could put
//! the device under the bio in flight. A bio only names a device by its
//! index among its own instance's devices.
//!
//! expect: error[E0308]

use kernel::device_mapper::bio::{MapBio, MapResult};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;
use kernel::sync::Mutex;

#[pin_data]
struct Other {
    #[pin]
    peers: Mutex<KVec<TargetRef<Other>>>,
}

#[vtable]
impl Target for Other {
    const NAME: &'static CStr = c"other";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = ();

    fn new(
        _ti: &mut TargetInit<'_>,
        _args: &[&CStr],
    ) -> Result<impl PinInit<Self, Error>, CtrError> {
        Ok(try_pin_init!(Other {
            peers <- kernel::new_mutex!(KVec::new()),
        }))
    }

    fn map<'a>(this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
        let peers = this.peers.lock();
        match peers.first() {
            Some(peer) => bio.remap(&peer.devices()[0], 0),
            None => bio.kill(),
        }
    }
}
