// SPDX-License-Identifier: GPL-2.0

//! A target's bio sent on to its devices as a dm-io request of its own,
//! with the bio as memory (`DM_IO_BIO`) and what the request must remember
//! in the bio's per-bio data: no allocation on the I/O path, as dm-raid1
//! writes a bio to every leg.
//!
//! C header: [`include/linux/dm-io.h`](srctree/include/linux/dm-io.h)

use super::{
    bio::PendingBio,
    io::{DmIoClient, DmIoRequest, IoBits, RegionBuf},
    target::{Target, TargetRef},
};
use crate::{ffi, prelude::*, task::might_sleep};
use core::ptr::NonNull;

/// A target that sends bios it took in map ([`PendingBio`]) on through
/// dm-io with [`bio_io`]; each comes back to [`BioIo::bio_done`] once
/// every region has finished.
///
/// The request goes through the instance that mapped the bio: `this` in
/// [`BioIo::request`] and [`BioIo::bio_done`] is the bio's own. While the
/// request is in flight it holds a reference to the instance, so the client
/// and the devices that the request names outlive it.
///
/// # Examples
///
/// ```
/// use kernel::device_mapper::{
///     bio::{BioList, BioOp, MapBio, MapResult, PendingBio},
///     bio_io::{bio_io, BioIo},
///     io::{DmIoClient, DmIoMemory, DmIoRequest, IoBits, Region, RegionBuf},
///     target::{CtrError, Target, TargetInit, TargetRef},
/// };
/// use kernel::block::ioprio::IoPriority;
/// use kernel::{new_spinlock_irq, prelude::*, sync::SpinLockIrq};
///
/// /// Writes every write to each of its devices; reads from the first.
/// #[pin_data]
/// struct Tee {
///     client: DmIoClient,
///     #[pin]
///     writes: SpinLockIrq<BioList<PendingBio<Tee>>>,
/// }
///
/// #[vtable]
/// impl Target for Tee {
///     const NAME: &'static CStr = c"rust_tee";
///     const VERSION: [u32; 3] = [1, 0, 0];
///     type PerBio = ();
///
///     fn new(
///         ti: &mut TargetInit<'_>,
///         args: &[&CStr],
///     ) -> Result<impl PinInit<Self, Error>, CtrError> {
///         for dev in args {
///             ti.get_device(dev).map_err(|e| CtrError::new(e, c"device lookup failed"))?;
///         }
///         let client = DmIoClient::new().map_err(|e| CtrError::new(e, c"no dm-io client"))?;
///         Ok(try_pin_init!(Tee {
///             client,
///             writes <- new_spinlock_irq!(BioList::new()),
///         }? Error))
///     }
///
///     fn map<'a>(this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
///         if bio.op() == BioOp::Write {
///             // Sent from the work item, not from map: bios submitted in
///             // map wait until it returns.
///             let (bio, r) = bio.take();
///             this.writes.lock().push(bio);
///             this.queue_work();
///             return r;
///         }
///         if bio.op() == BioOp::Read {
///             let sector = bio.sector();
///             bio.remap(0, sector)
///         } else {
///             bio.kill()
///         }
///     }
///
///     fn work(this: &TargetRef<Self>) {
///         let mut writes = BioList::new();
///         this.writes.lock().append_to(&mut writes);
///         while let Some(bio) = writes.pop() {
///             if let Err((e, bio)) = bio_io(bio) {
///                 bio.end(Err(e));
///             }
///         }
///     }
/// }
///
/// impl BioIo for Tee {
///     fn client(this: &TargetRef<Self>) -> &DmIoClient {
///         &this.client
///     }
///
///     fn request<'a>(
///         this: &'a TargetRef<Self>,
///         bio: &'a PendingBio<Self>,
///         regions: &'a mut RegionBuf<'a>,
///     ) -> Result<DmIoRequest<'a, 'a>> {
///         for dev in this.devices() {
///             regions.push(Region::new(dev.bdev(), bio.sector(), bio.sectors()))?;
///         }
///         Ok(DmIoRequest {
///             opf: bio.opf(),
///             regions: regions.as_slice(),
///             memory: DmIoMemory::bio(bio.as_bio()),
///             ioprio: IoPriority::DEFAULT,
///         })
///     }
///
///     fn bio_done(_this: &TargetRef<Self>, bio: PendingBio<Self>, bits: IoBits) {
///         // Completion context: no sleeping.
///         bio.end(bits.to_result());
///     }
/// }
/// ```
pub trait BioIo: Target {
    /// The client to send through, the target's own.
    fn client(this: &TargetRef<Self>) -> &DmIoClient;

    /// The request for `bio`: regions filled into `regions`, devices
    /// borrowed from `this`, memory from `bio`.
    fn request<'a>(
        this: &'a TargetRef<Self>,
        bio: &'a PendingBio<Self>,
        regions: &'a mut RegionBuf<'a>,
    ) -> Result<DmIoRequest<'a, 'a>>;

    /// Runs once, when every region has finished: in bio completion context
    /// (possibly hard IRQ), so it must not sleep; or in [`bio_io`] itself
    /// if no bio could be sent.
    fn bio_done(this: &TargetRef<Self>, bio: PendingBio<Self>, bits: IoBits);
}

/// Sends `bio` on as a dm-io request of its own (`dm_io()` with a notify
/// function), through the instance that mapped it; see [`BioIo`].
///
/// On `Err` nothing was sent and the bio comes back, for its owner to end.
///
/// May sleep (allocations, `GFP_NOIO`): process context only, so not from
/// [`BioIo::bio_done`]; and a request to several devices goes from a work
/// item rather than from map, as bios submitted in map wait until it
/// returns.
pub fn bio_io<T: BioIo>(bio: PendingBio<T>) -> Result<(), (Error, PendingBio<T>)> {
    might_sleep();
    let holder = bio.holder();
    // SAFETY: The instance of `bio`, which has not ended.
    let this = unsafe { TargetRef::<T>::of_bio(holder) };
    let mut regions = RegionBuf::new();
    let c = match T::request(&this, &bio, &mut regions).and_then(|req| req.to_c(T::client(&this))) {
        Ok(c) => c,
        Err(e) => return Err((e, bio)),
    };
    // The bio and a count of its instance go with the request until
    // `bio_notify` takes them back; the checked request keeps the addresses
    // of the bio and of the regions, which stay where they are.
    this.hold_for_bio_io();
    let raw = bio.into_io();
    // SAFETY: `regions` is on this stack for the call. The client and the
    // devices are the instance's, which the count kept with the bio keeps
    // alive, and the memory is the bio, given up until `bio_notify` takes it
    // back, once; the notify context is the bio.
    let r = unsafe { c.submit_async(bio_notify::<T>, raw.as_ptr().cast()) };
    r.map_err(|e| {
        // SAFETY: Refused: the callback never runs, the bio and the count are
        // ours again.
        let bio = unsafe { PendingBio::<T>::from_io(raw) };
        // SAFETY: The count given up above for this bio's instance.
        drop(unsafe { TargetRef::<T>::from_bio_io(holder) });
        (e, bio)
    })
}

/// # Safety
///
/// `context` must be a bio that [`bio_io`] gave up for this `T`; `dm_io()`
/// calls this once per request.
unsafe extern "C" fn bio_notify<T: BioIo>(
    error: ffi::c_ulong,
    unsup: ffi::c_ulong,
    context: *mut ffi::c_void,
) {
    // SAFETY: Guaranteed by the caller: the bio given up in `bio_io`, not
    // null.
    let bio = unsafe { PendingBio::<T>::from_io(NonNull::new_unchecked(context.cast())) };
    // SAFETY: `bio_io` gave up a count of the bio's instance for it.
    let this = unsafe { TargetRef::<T>::from_bio_io(bio.holder()) };
    T::bio_done(
        &this,
        bio,
        IoBits {
            error_bits: error,
            unsup_bits: unsup,
        },
    );
}
