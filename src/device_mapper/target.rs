// SPDX-License-Identifier: GPL-2.0

//! Target types: registering one, constructing and destroying instances,
//! and the hooks dm-core calls (`struct target_type`, `struct dm_target`).
//!
//! C header: [`include/linux/device-mapper.h`](srctree/include/linux/device-mapper.h)
//!
//! An instance lives in a holder, which `ti->private` points to, with
//! the devices its constructor took. The holder is reference counted: I/O
//! and work that outlive a hook hold a [`TargetRef`]. The destructor asks
//! the target to stop, drops the table's reference, waits until the count
//! reaches zero, and then drops the target and puts its devices, in process
//! context and while `ti` is still valid.

use super::{
    bio::{BioList, EndIoBio, EndIoResult, HasPerBio, MapBio, MapResult, PerBio, RetryBio},
    dev::DmDev,
    status::{StatusType, StatusWriter},
};
use crate::{
    bindings,
    error::{code::*, from_result, to_result, Error, Result, VTABLE_DEFAULT_ERROR},
    ffi,
    prelude::*,
    str::CStr,
    sync::{
        aref::{ARef, AlwaysRefCounted},
        new_spinlock_irq, Completion, SpinLockIrq,
    },
    task::might_sleep,
    types::Opaque,
    workqueue::{impl_has_work, new_work, Queue, Work, WorkItem},
    ThisModule,
};
use core::{
    marker::PhantomData,
    mem::ManuallyDrop,
    ops::Deref,
    ptr::NonNull,
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
};

/// A constructor failure: the errno, and the message for `ti->error` that
/// `dmsetup` prints.
pub struct CtrError {
    /// The errno returned to dm-core.
    pub err: Error,
    /// The message.
    pub msg: &'static CStr,
}

impl CtrError {
    /// `err` with `msg`.
    pub fn new(err: Error, msg: &'static CStr) -> Self {
        Self { err, msg }
    }
}

/// How dm-core splits and duplicates bios for a target.
pub struct TargetConfig {
    /// Empty flushes sent to the target per flush (`num_flush_bios`), at
    /// most 64.
    pub num_flush_bios: u32,
    /// Bios per discard (`num_discard_bios`), at most `num_flush_bios` (or
    /// 1): dm-core sizes its bio reserve for the flush copies only, and
    /// takes every copy of a discard before it maps any. 0 disables
    /// discard.
    pub num_discard_bios: u32,
    /// No bio crosses a multiple of this many sectors (`max_io_len`); 0 for
    /// no limit.
    pub max_io_len: u64,
}

impl TargetConfig {
    /// The most copies of a flush or discard a target may ask for: dm-core
    /// allocates them all from its bio set at once, before it maps any,
    /// and sizes that bio set's reserve for the flush copies only.
    const MAX_DUPLICATE_BIOS: u32 = 64;

    /// Whether [`TargetInit::configure`] takes this configuration: `EINVAL`
    /// for more than 64 copies of a flush, or more copies of a discard than
    /// of a flush (and more than one).
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::device_mapper::target::TargetConfig;
    /// use kernel::error::code::EINVAL;
    ///
    /// let config = |flush, discard| TargetConfig {
    ///     num_flush_bios: flush,
    ///     num_discard_bios: discard,
    ///     max_io_len: 0,
    /// };
    /// assert_eq!(config(65, 1).check(), Err(EINVAL));
    /// assert_eq!(config(1, 2).check(), Err(EINVAL));
    /// assert_eq!(config(0, 2).check(), Err(EINVAL));
    /// assert_eq!(config(0, 1).check(), Ok(()));
    /// assert_eq!(config(4, 4).check(), Ok(()));
    /// ```
    pub fn check(&self) -> Result {
        if self.num_flush_bios > Self::MAX_DUPLICATE_BIOS
            || self.num_discard_bios > self.num_flush_bios.max(1)
        {
            return Err(EINVAL);
        }
        Ok(())
    }
}

/// A device-mapper target type.
///
/// Hooks get a [`TargetRef`], which the hook may clone to keep the instance
/// (and its devices) alive for I/O and work that outlive it. Hooks a target
/// does not implement stay NULL in its `struct target_type`.
///
/// # Examples
///
/// ```
/// use kernel::device_mapper::{
///     bio::{MapBio, MapResult},
///     target::{CtrError, Target, TargetInit, TargetRef},
/// };
/// use kernel::prelude::*;
///
/// /// A linear mapping of one device: `<dev> <offset>`.
/// #[pin_data]
/// struct Linear {
///     offset: u64,
/// }
///
/// #[vtable]
/// impl Target for Linear {
///     const NAME: &'static CStr = c"rust_linear";
///     const VERSION: [u32; 3] = [1, 0, 0];
///     type PerBio = ();
///
///     fn new(
///         ti: &mut TargetInit<'_>,
///         args: &[&CStr],
///     ) -> Result<impl PinInit<Self, Error>, CtrError> {
///         let [dev, offset] = args else {
///             return Err(CtrError::new(EINVAL, c"<dev> <offset>"));
///         };
///         let offset = offset.to_str().ok().and_then(|s| s.parse().ok())
///             .ok_or(CtrError::new(EINVAL, c"invalid offset"))?;
///         ti.get_device(dev).map_err(|e| CtrError::new(e, c"device lookup failed"))?;
///         Ok(try_pin_init!(Linear { offset }))
///     }
///
///     fn map<'a>(this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a> {
///         // Device 0: the first, and only, that the constructor took.
///         let sector = this.offset + bio.sector();
///         bio.remap(0, sector)
///     }
/// }
/// ```
#[vtable]
pub trait Target: Send + Sync + Sized + 'static {
    /// The name tables use.
    const NAME: &'static CStr;
    /// The version `dmsetup targets` shows.
    const VERSION: [u32; 3];
    /// The data the target keeps with each of its bios (dm-core's per-bio
    /// data, `ti->per_io_data_size`): `Default` when the bio enters map,
    /// then the target's through [`MapBio::data_mut`]. At most 64 KiB,
    /// checked when the target is built; `Copy`, as dm-core frees it with
    /// the bio without dropping it.
    type PerBio: Copy + Default + Send;

    /// The constructor (`ctr`): parses `args` and takes devices from `ti`.
    fn new(ti: &mut TargetInit<'_>, args: &[&CStr]) -> Result<impl PinInit<Self, Error>, CtrError>;

    /// `map`: remap, kill, or take the bio.
    fn map<'a>(this: &TargetRef<Self>, bio: MapBio<'a, Self>) -> MapResult<'a>;

    /// `end_io`: every bio of the target ends here, remapped or taken, with
    /// `status`; a failed remapped bio may be taken back to send it again.
    /// The instance is the bio's ([`EndIoBio::target`]), reachable only
    /// while the hook holds the bio: once the bio is given away, it may
    /// complete and the table go at any time.
    ///
    /// Runs in bio completion context, possibly hard IRQ: it must not
    /// sleep, and a lock it shares with process context must disable
    /// interrupts (`SpinLockIrq`).
    fn end_io<'a>(_bio: EndIoBio<'a, Self>, _status: Result) -> EndIoResult<'a> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `presuspend`: before dm-core waits for the bios in flight.
    fn presuspend(_this: &TargetRef<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `postsuspend`: after a suspend, which waited for the bios in
    /// flight; the removal of a device calls it without waiting.
    fn postsuspend(_this: &TargetRef<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `resume`.
    fn resume(_this: &TargetRef<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `status`: `dmsetup status` ([`StatusType::Info`]) and `dmsetup table`
    /// ([`StatusType::Table`]).
    fn status(_this: &TargetRef<Self>, _kind: StatusType, _out: &mut StatusWriter<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `message`: `dmsetup message <dev> 0 <args>`.
    fn message(_this: &TargetRef<Self>, _args: &[&CStr]) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `iterate_devices`: visits every range of an underlying device.
    fn iterate_devices(_this: &TargetRef<Self>, _it: &mut DeviceIter<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The target's work item, queued by [`TargetRef::queue_work`]; runs in
    /// process context.
    fn work(_this: &TargetRef<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Called first in the destructor: stop queueing work and sending I/O;
    /// the layer then waits for every [`TargetRef`] to go.
    fn stop(_this: &TargetRef<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The constructor's view of the new `dm_target`.
///
/// # Invariants
///
/// `ti` is the target under construction, valid for `'a`; every device in
/// `devices` was taken on it.
pub struct TargetInit<'a> {
    ti: NonNull<bindings::dm_target>,
    devices: KVec<DmDev>,
    _lifetime: PhantomData<&'a mut bindings::dm_target>,
}

impl TargetInit<'_> {
    /// The target's length in sectors (`ti->len`).
    pub fn len(&self) -> u64 {
        // SAFETY: By the type invariant `ti` is valid.
        unsafe { (*self.ti.as_ptr()).len }
    }

    /// Whether the target has no sectors.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `dm_get_device()` in the table's mode. The layer keeps the device,
    /// as the next entry of [`TargetRef::devices`], and puts it after the
    /// target is dropped.
    pub fn get_device(&mut self, path: &CStr) -> Result<&DmDev> {
        self.devices.reserve(1, GFP_KERNEL)?;
        // SAFETY: `ti` is under construction; the device is stored in
        // `devices`, which the layer drops before the constructor (on failure)
        // or the destructor returns.
        let dev = unsafe { DmDev::get(self.ti, path) }?;
        self.devices.push(dev, GFP_KERNEL)?;
        self.devices.last().ok_or(EINVAL)
    }

    /// The devices taken so far.
    pub fn devices(&self) -> &[DmDev] {
        &self.devices
    }

    /// Sets how dm-core splits and duplicates bios for this target;
    /// `EINVAL` for more than 64 copies of a flush, more copies of a
    /// discard than of a flush (and more than one), or a `max_io_len` above
    /// `UINT_MAX`.
    pub fn configure(&mut self, config: &TargetConfig) -> Result {
        config.check()?;
        // SAFETY: `ti` is valid and under construction, ours to set up.
        let ti = unsafe { &mut *self.ti.as_ptr() };
        ti.num_flush_bios = config.num_flush_bios;
        ti.num_discard_bios = config.num_discard_bios;
        if config.max_io_len == 0 {
            return Ok(());
        }
        // SAFETY: `ti` is valid and under construction.
        to_result(unsafe { bindings::dm_set_target_max_io_len(ti, config.max_io_len) })
    }
}

/// Visits the devices of a target (`iterate_devices`).
pub struct DeviceIter<'a> {
    ti: *mut bindings::dm_target,
    devices: &'a [DmDev],
    callout: unsafe extern "C" fn(
        *mut bindings::dm_target,
        *mut bindings::dm_dev,
        bindings::sector_t,
        bindings::sector_t,
        *mut ffi::c_void,
    ) -> ffi::c_int,
    data: *mut ffi::c_void,
    result: ffi::c_int,
    _lifetime: PhantomData<&'a ()>,
}

impl DeviceIter<'_> {
    /// Calls dm-core's callout for `len` sectors from `start` of the
    /// target's device `dev` (its index in [`TargetRef::devices`]); false
    /// once the callout asked to stop, or for a device the target does not
    /// have.
    pub fn visit(&mut self, dev: usize, start: u64, len: u64) -> bool {
        let Some(dev) = self.devices.get(dev) else {
            return false;
        };
        if self.result == 0 {
            // SAFETY: The callout and its data are dm-core's for this
            // iteration, on this target; `dev` is a device of the target.
            self.result = unsafe { (self.callout)(self.ti, dev.as_raw(), start, len, self.data) };
        }
        self.result == 0
    }
}

/// A workqueue of the instance's own, which can make progress under memory
/// pressure (`WQ_MEM_RECLAIM`, as dm-raid1's `kmirrord`): the target's work
/// sends I/O on the writeback path, which reclaim may wait on, and the
/// system workqueues may have no worker to spare then.
///
/// # Invariants
///
/// The pointer is a workqueue from `alloc_workqueue()`, destroyed only on
/// drop.
struct ReclaimQueue(NonNull<bindings::workqueue_struct>);

// SAFETY: A workqueue may be used and destroyed from any task.
unsafe impl Send for ReclaimQueue {}
// SAFETY: Queueing work is internally synchronised.
unsafe impl Sync for ReclaimQueue {}

impl ReclaimQueue {
    /// `alloc_workqueue("dm-%s", WQ_MEM_RECLAIM | WQ_PERCPU, 0, name)`, as
    /// dm-raid1's. Sleeps.
    fn new(name: &CStr) -> Result<Self> {
        // SAFETY: The format takes one string, `name`, NUL-terminated; the
        // queue's name is copied.
        let wq = unsafe {
            bindings::alloc_workqueue_noprof(
                c"dm-%s".as_char_ptr(),
                bindings::wq_flags_WQ_MEM_RECLAIM | bindings::wq_flags_WQ_PERCPU,
                0,
                name.as_char_ptr(),
            )
        };
        // INVARIANT: Just allocated.
        NonNull::new(wq).map(Self).ok_or(ENOMEM)
    }

    fn queue(&self) -> &Queue {
        // SAFETY: By the type invariant the workqueue lives as long as `self`.
        unsafe { Queue::from_raw(self.0.as_ptr()) }
    }
}

impl Drop for ReclaimQueue {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the workqueue is ours to destroy; it
        // drains what is still queued.
        unsafe { bindings::destroy_workqueue(self.0.as_ptr()) };
    }
}

/// An instance, its devices and its reference count.
///
/// # Invariants
///
/// `refs` counts the [`TargetRef`]s plus the table's reference (held from
/// `ctr` to `dtr`); `idle` is completed when it drops to zero, and only
/// then, with the work item flushed, does `dtr` free the holder. `ti` is
/// the `dm_target` the instance was constructed for, valid while the
/// holder lives, and the devices were taken on it. `stopped` is set once
/// [`Target::stop`] returned in `dtr`.
#[pin_data]
pub(crate) struct Holder<T: Target> {
    refs: AtomicUsize,
    stopped: AtomicBool,
    #[pin]
    idle: Completion,
    #[pin]
    work: Work<Holder<T>>,
    /// Bios that [`RetryBio::resubmit`] queued for the work item.
    #[pin]
    resubmits: SpinLockIrq<BioList<RetryBio<T>>>,
    ti: NonNull<bindings::dm_target>,
    // Field order is drop order: the target, then its devices, then the
    // workqueue that its work item ran on.
    #[pin]
    target: T,
    devices: KVec<DmDev>,
    wq: ReclaimQueue,
}

// SAFETY: Through `ti`, shared users only call `dm_table_event()`, which
// may be called from any task (the destructor, the only other user, owns
// the holder); `T` is `Send + Sync`, and so are the devices and the
// resubmission list, under its lock.
unsafe impl<T: Target> Send for Holder<T> {}
// SAFETY: Shared access reaches `T` (`Sync`), the devices (`Sync`), the
// count and the stop flag (atomics), the resubmission list (under its
// lock), and `ti` only for `dm_table_event()`, which any task may call.
unsafe impl<T: Target> Sync for Holder<T> {}

impl_has_work! {
    impl{T: Target} HasWork<Holder<T>> for Holder<T> { self.work }
}

// SAFETY: `inc_ref` and `dec_ref` keep `refs` in step with the `ARef`s;
// the holder is freed only by the destructor, once `refs` reached zero
// (signalled through `idle`), so it outlives every reference.
unsafe impl<T: Target> AlwaysRefCounted for Holder<T> {
    fn inc_ref(&self) {
        self.refs.fetch_add(1, Ordering::Relaxed);
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owned a reference, so the holder is alive until
        // the decrement; the destructor may free it right after.
        let last = unsafe { obj.as_ref() }.refs.fetch_sub(1, Ordering::AcqRel) == 1;
        if last {
            // SAFETY: The destructor waits on `idle` before freeing, so the
            // holder is alive for this call.
            unsafe { obj.as_ref() }.idle.complete_all();
        }
    }
}

impl<T: Target> WorkItem for Holder<T> {
    type Pointer = ARef<Holder<T>>;

    fn run(this: ARef<Holder<T>>) {
        // Resubmissions first: submitting may sleep, so they wait for this.
        let mut queued = BioList::new();
        this.resubmits.lock().append_to(&mut queued);
        while let Some(bio) = queued.pop() {
            bio.submit_queued(&this.devices);
        }
        if T::HAS_WORK && !this.stopped.load(Ordering::Acquire) {
            T::work(&TargetRef(this));
        }
    }
}

/// A counted reference to a target instance: the destructor waits for all
/// of them, so whatever holds one may use the instance and its devices.
///
/// What a leak does: a reference that is never dropped (forgotten, or kept
/// in the target's own state, a cycle) makes the destructor wait forever,
/// after [`Target::stop`]; the hung-task detector then names the waiting
/// task. Requests in flight hold one only until they complete, and the
/// work item only while it is queued or running.
///
/// # Invariants
///
/// The `ARef` owns one count of the holder's `refs`, except where it is
/// borrowed without one, in a `ManuallyDrop` that is never dropped: in the
/// hook trampolines, for the duration of the hook, which dm-core calls on
/// a live table (`end_io` lends it only as long as the hook holds its
/// bio, through [`EndIoBio::target`]); and as the instance of a bio that
/// has not ended (`TargetRef::of_bio`), which keeps its table alive.
pub struct TargetRef<T: Target>(ARef<Holder<T>>);

impl<T: Target> Clone for TargetRef<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: Target> Deref for TargetRef<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0.target
    }
}

impl<T: Target> TargetRef<T> {
    /// The devices the constructor took, in order.
    pub fn devices(&self) -> &[DmDev] {
        &self.0.devices
    }

    /// Queues the target's work item ([`Target::work`]) on the instance's
    /// own workqueue, which can make progress under memory pressure
    /// (`WQ_MEM_RECLAIM`), unless it is queued already. Any context. Once the
    /// destructor's [`Target::stop`] returned (and a run of the work item
    /// that had started then has finished), the work item no longer runs
    /// [`Target::work`], so a work item that queues itself cannot keep the
    /// instance alive.
    pub fn queue_work(&self) {
        build_assert!(T::HAS_WORK, "queue_work() needs a Target::work");
        self.enqueue();
    }

    fn enqueue(&self) {
        // Already queued: the clone comes back and is dropped.
        let _ = self.0.wq.queue().enqueue(self.0.clone());
    }

    /// Queues `bio` for the work item to submit. Any context.
    fn queue_resubmit(&self, bio: RetryBio<T>) {
        self.0.resubmits.lock().push(bio);
        self.enqueue();
    }

    /// `dm_table_event()`: wakes `dmsetup wait`. Sleeps (a mutex): process
    /// context only, which `might_sleep()` checks.
    pub fn event(&self) {
        might_sleep();
        // SAFETY: The holder is alive, so the destructor has not returned and
        // `ti` and its table are valid.
        unsafe { bindings::dm_table_event((*self.0.ti.as_ptr()).table) };
    }

    /// The instance's address, which its bios keep in their per-bio data.
    fn addr(&self) -> *const ffi::c_void {
        core::ptr::from_ref::<Holder<T>>(&self.0).cast()
    }

    /// Gives up a count of the instance that a bio's request holds until
    /// [`TargetRef::from_bio_io`] takes it back.
    pub(super) fn hold_for_bio_io(&self) {
        core::mem::forget(self.clone());
    }

    /// Takes back the count that [`TargetRef::hold_for_bio_io`] gave up for
    /// a bio of the instance at `holder`.
    ///
    /// # Safety
    ///
    /// `holder` is the instance address of a bio of `T` for which
    /// `hold_for_bio_io` gave up a count, and this is the only call for
    /// that count.
    pub(super) unsafe fn from_bio_io(holder: *const ffi::c_void) -> Self {
        // INVARIANT: The count that `hold_for_bio_io` gave up (caller).
        // SAFETY: That count keeps the holder alive; not null, as the
        // address of a holder.
        Self(unsafe { ARef::from_raw(NonNull::new_unchecked(holder.cast_mut().cast())) })
    }

    /// Borrows the instance of a bio that has not ended.
    ///
    /// # Safety
    ///
    /// `holder` is the instance address kept in the per-bio data of a bio
    /// of `T` that has not ended. dm-core destroys a table only once no bio
    /// of it is in flight, so the instance's table reference keeps it
    /// alive for as long as the bio is.
    pub(super) unsafe fn of_bio(holder: *const ffi::c_void) -> ManuallyDrop<Self> {
        // SAFETY: Alive (caller), and not null; `ManuallyDrop` leaves the
        // count as it is.
        ManuallyDrop::new(Self(unsafe {
            ARef::from_raw(NonNull::new_unchecked(holder.cast_mut().cast()))
        }))
    }

    /// Borrows the table's reference that `ti->private` holds.
    ///
    /// # Safety
    ///
    /// `ti` must be a target of type `T` that was constructed and whose
    /// destructor has not started.
    unsafe fn borrow_raw(ti: *mut bindings::dm_target) -> ManuallyDrop<Self> {
        // SAFETY: The constructor stored the holder's address, and the
        // table's reference keeps it alive until the destructor.
        let holder = unsafe { (*ti).private }.cast::<Holder<T>>();
        // SAFETY: Not null while constructed; `ManuallyDrop` leaves the count
        // as it is.
        ManuallyDrop::new(Self(unsafe {
            ARef::from_raw(NonNull::new_unchecked(holder))
        }))
    }
}

impl<T: Target> super::bio::private::IsTarget for T {}

impl<T: Target> HasPerBio for T {
    type PerBio = <T as Target>::PerBio;
    type Instance = TargetRef<T>;
}

impl<T: Target> RetryBio<T> {
    /// Sends the bio again, to `sector` of its instance's device `dev` (its
    /// index in [`TargetRef::devices`]); it comes back through `end_io` when
    /// done, and may be taken back again. Any context: the bio is queued,
    /// and its instance's work item submits it (before it runs
    /// [`Target::work`]), since submitting may sleep. A device the instance
    /// does not have ends the bio with `EIO`.
    pub fn resubmit(mut self, dev: usize, sector: u64) {
        // SAFETY: The instance of this bio, which has not ended.
        let this = unsafe { TargetRef::<T>::of_bio(self.holder()) };
        if dev >= this.devices().len() {
            self.end(Err(EIO));
            return;
        }
        self.redirect(dev, sector);
        // Counted before the bio goes: once queued, it may be submitted and
        // complete, and the table go, before this returns.
        let this = (*this).clone();
        this.queue_resubmit(self);
    }
}

/// A registered target type; unregistered on drop.
///
/// Kept in the state of the module that `T` is part of, it is dropped by
/// the module's exit, when no table can use the type: dm-core holds the
/// module while a table does. Dropped earlier, a table may still use it,
/// so the type is unregistered but its memory left allocated. A module
/// declares one with [`module_dm_target!`](crate::module_dm_target).
///
/// # Invariants
///
/// `tt` is a `target_type` registered with `dm_register_target()` for
/// `module`, whose hooks are the trampolines of `T`.
pub struct TargetRegistration<T: Target> {
    tt: Option<KBox<Opaque<bindings::target_type>>>,
    module: &'static ThisModule,
    _target: PhantomData<T>,
}

// SAFETY: Unregistering may happen from any task.
unsafe impl<T: Target> Send for TargetRegistration<T> {}
// SAFETY: No shared access.
unsafe impl<T: Target> Sync for TargetRegistration<T> {}

impl<T: Target> TargetRegistration<T> {
    /// `dm_register_target()`, for `module`: the module that `T` is part
    /// of, which keeps the registration in its state.
    ///
    /// # Safety
    ///
    /// The registration must be dropped before `module` is unloaded (kept
    /// in its state, which its exit drops), and `module`'s init must not
    /// fail after this call: dm-core finds the type, and may build tables
    /// that run `module`'s code, as soon as it is registered, and holds
    /// no reference to the type itself.
    pub unsafe fn register(module: &'static ThisModule) -> Result<Self> {
        let tt = KBox::new(Opaque::new(bindings::target_type::default()), GFP_KERNEL)?;
        let raw = tt.get();
        // SAFETY: `raw` is ours until registered below; the name is static,
        // and every hook is a trampoline for `T`.
        unsafe {
            (*raw).name = T::NAME.as_char_ptr();
            (*raw).module = module.as_ptr();
            (*raw).version = T::VERSION;
            (*raw).ctr = Some(ctr::<T>);
            (*raw).dtr = Some(dtr::<T>);
            (*raw).map = Some(map::<T>);
            (*raw).end_io = if T::HAS_END_IO {
                Some(end_io::<T>)
            } else {
                None
            };
            (*raw).presuspend = if T::HAS_PRESUSPEND {
                Some(presuspend::<T>)
            } else {
                None
            };
            (*raw).postsuspend = if T::HAS_POSTSUSPEND {
                Some(postsuspend::<T>)
            } else {
                None
            };
            (*raw).resume = if T::HAS_RESUME {
                Some(resume::<T>)
            } else {
                None
            };
            (*raw).status = if T::HAS_STATUS {
                Some(status::<T>)
            } else {
                None
            };
            (*raw).message = if T::HAS_MESSAGE {
                Some(message::<T>)
            } else {
                None
            };
            (*raw).iterate_devices = if T::HAS_ITERATE_DEVICES {
                Some(iterate_devices::<T>)
            } else {
                None
            };
        }
        // SAFETY: The type is filled in and stays in its box, which is only
        // freed after `dm_unregister_target()`, when no table uses it.
        to_result(unsafe { bindings::dm_register_target(raw) })?;
        // INVARIANT: Registered just now, with the trampolines of `T`.
        Ok(Self {
            tt: Some(tt),
            module,
            _target: PhantomData,
        })
    }
}

impl<T: Target> Drop for TargetRegistration<T> {
    fn drop(&mut self) {
        // `dm_unregister_target()` takes a rw-semaphore.
        might_sleep();
        let Some(tt) = self.tt.take() else {
            return;
        };
        // SAFETY: Registered (type invariant); afterwards no new table finds
        // the type.
        unsafe { bindings::dm_unregister_target(tt.get()) };
        let module = self.module.as_ptr();
        // SAFETY: A `ThisModule` is a live module (`ThisModule::from_ptr`);
        // this reads its state.
        let exiting = !module.is_null()
            && unsafe { (*module).state } == bindings::module_state_MODULE_STATE_GOING;
        if !exiting {
            // A table that found the type before may still use it.
            pr_warn!("dm target {} unregistered before module exit\n", T::NAME);
            KBox::leak(tt);
        }
    }
}

/// Collects C argument strings.
///
/// # Safety
///
/// `argv` must hold `argc` valid NUL-terminated strings that outlive `'a`.
unsafe fn args<'a>(argc: ffi::c_uint, argv: *mut *mut ffi::c_char) -> Result<KVec<&'a CStr>> {
    let mut v = KVec::with_capacity(argc as usize, GFP_KERNEL)?;
    for i in 0..argc as usize {
        // SAFETY: Guaranteed by the caller.
        v.push(unsafe { CStr::from_char_ptr(*argv.add(i)) }, GFP_KERNEL)?;
    }
    Ok(v)
}

/// `ctr` of target type `T`.
///
/// # Safety
///
/// - Called by dm-core only, as the `ctr` of a table line of type `T`.
/// - `ti` is the new target, valid and exclusively ours for the call.
/// - `argv` holds `argc` NUL-terminated strings, valid for the call.
unsafe extern "C" fn ctr<T: Target>(
    ti: *mut bindings::dm_target,
    argc: ffi::c_uint,
    argv: *mut *mut ffi::c_char,
) -> ffi::c_int {
    let Some(ti_ptr) = NonNull::new(ti) else {
        return EINVAL.to_errno();
    };
    let fail = move |err: Error, msg: &'static CStr| {
        // SAFETY: `ti` is ours (see the preconditions); dm-core only prints
        // the message, so a static string is enough.
        unsafe { (*ti).error = msg.as_char_ptr().cast_mut() };
        err.to_errno()
    };
    // SAFETY: `ti` is ours. dm-core sizes the bios' per-bio data from this
    // after the constructor, and the map trampoline relies on it. A bio
    // taken in map may end before map returns, when dm-core would read the
    // freed clone of a bio it duplicated to account it: the target's bios
    // are accounted when they complete instead.
    unsafe {
        (*ti).per_io_data_size = PerBio::<T::PerBio>::SIZE;
        (*ti).set_accounts_remapped_io(true);
    }
    // SAFETY: dm-core passes the arguments for the duration of `ctr`.
    let args = match unsafe { args(argc, argv) } {
        Ok(a) => a,
        Err(e) => return fail(e, c"cannot allocate the argument list"),
    };
    let mut init = TargetInit {
        ti: ti_ptr,
        devices: KVec::new(),
        _lifetime: PhantomData,
    };
    let target = match T::new(&mut init, &args) {
        Ok(t) => t,
        Err(e) => return fail(e.err, e.msg),
    };
    let wq = match ReclaimQueue::new(T::NAME) {
        Ok(wq) => wq,
        Err(e) => return fail(e, c"cannot allocate the target's workqueue"),
    };
    let holder = KBox::pin_init(
        try_pin_init!(Holder {
            refs: AtomicUsize::new(1),
            stopped: AtomicBool::new(false),
            idle <- Completion::new(),
            work <- new_work!("dm target work"),
            resubmits <- new_spinlock_irq!(BioList::new(), "dm target resubmits"),
            ti: ti_ptr,
            target <- target,
            devices: KVec::new(),
            wq,
        }),
        GFP_KERNEL,
    );
    let mut holder = match holder {
        Ok(h) => h,
        Err(e) => return fail(e, c"cannot construct the target"),
    };
    // The target's initialiser may have borrowed `init`: its devices move to
    // the holder only now.
    *holder.as_mut().project().devices = core::mem::take(&mut init.devices);
    // SAFETY: The holder is never moved out of its box; `dtr` takes it back
    // with `from_raw`.
    let raw = KBox::into_raw(unsafe { Pin::into_inner_unchecked(holder) });
    // INVARIANT: The table's reference is the holder's initial count.
    // SAFETY: `ti` is ours.
    unsafe { (*ti).private = raw.cast() };
    0
}

/// `dtr` of target type `T`.
///
/// # Safety
///
/// - Called by dm-core only, once, after a successful `ctr` on `ti`.
/// - No hook of `ti` runs any more, and none will.
unsafe extern "C" fn dtr<T: Target>(ti: *mut bindings::dm_target) {
    // SAFETY: Constructed; the destructor is this function.
    let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
    if T::HAS_STOP {
        T::stop(&this);
    }
    // From now on the work item only submits resubmissions (there are none:
    // no bio of the table is in flight) and never runs `Target::work`; a run
    // that started before is waited for.
    this.0.stopped.store(true, Ordering::Release);
    // SAFETY: The holder is alive, and its work item was initialised in
    // `ctr`.
    unsafe { bindings::flush_work(Work::raw_get(&this.0.work)) };
    let holder = ARef::into_raw(ManuallyDrop::into_inner(this).0);
    // SAFETY: The holder stays allocated until it is dropped below.
    let h = unsafe { holder.as_ref() };
    // SAFETY: Dropping the table's reference, which we own.
    unsafe { Holder::<T>::dec_ref(holder) };
    h.idle.wait_for_completion();
    // The last reference may have been the work item's: wait until the work
    // function has returned into the workqueue core, so that no task is
    // left in this module's code once the table is gone and the module may
    // be unloaded. Nothing queues the work item again: that takes a
    // reference.
    // SAFETY: The holder is alive, and its work item was initialised in
    // `ctr`.
    unsafe { bindings::flush_work(Work::raw_get(&h.work)) };
    // SAFETY: No reference is left; the box came from `ctr`. Dropping it
    // drops the target, then puts its devices, while `ti` is valid.
    drop(unsafe { KBox::from_raw(holder.as_ptr()) });
    // SAFETY: `ti` is valid during `dtr`.
    unsafe { (*ti).private = core::ptr::null_mut() };
}

/// `map` of target type `T`.
///
/// # Safety
///
/// - Called by dm-core only, as `map` of a constructed target `ti` of type
///   `T` whose destructor has not started.
/// - `bio` is a valid clone for `ti`, ours until `map` returns, with
///   `per_io_data_size` bytes of per-bio data.
unsafe extern "C" fn map<T: Target>(
    ti: *mut bindings::dm_target,
    bio: *mut bindings::bio,
) -> ffi::c_int {
    // SAFETY: Constructed, not destroyed while it maps bios.
    let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
    let Some(bio) = NonNull::new(bio) else {
        return bindings::DM_MAPIO_KILL as ffi::c_int;
    };
    // SAFETY: The bio is ours, with the per-bio data size set in `ctr`;
    // `begin` is the target's first sector.
    let per_bio = unsafe { PerBio::<T::PerBio>::init(bio, this.addr(), (*ti).begin) };
    // SAFETY: The bio dm-core maps on this instance, whose devices these are;
    // `per_bio` is what `init` returned for it.
    let bio = unsafe { MapBio::from_raw(bio, per_bio, this.devices()) };
    T::map(&this, bio).0
}

/// `end_io` of target type `T`.
///
/// # Safety
///
/// - Called by dm-core only, as `end_io` of a constructed target `ti` of
///   type `T` whose destructor has not started.
/// - `bio` is a completing clone for `ti` that went through `map`, ours
///   until `end_io` returns, and `error` its status, valid for the call.
unsafe extern "C" fn end_io<T: Target>(
    ti: *mut bindings::dm_target,
    bio: *mut bindings::bio,
    error: *mut bindings::blk_status_t,
) -> ffi::c_int {
    // SAFETY: Constructed and not destroyed: the completing bio keeps the
    // table alive, and the borrow goes into the `EndIoBio`, which ends its
    // uses with the bio.
    let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
    // SAFETY: dm-core passes a valid status.
    let (Some(status), Some(bio)) = (unsafe { error.as_ref() }, NonNull::new(bio)) else {
        return bindings::DM_ENDIO_DONE as ffi::c_int;
    };
    // Every bio that succeeds passes here: no call for it.
    let status = if *status == bindings::BLK_STS_OK as bindings::blk_status_t {
        Ok(())
    } else {
        // SAFETY: No preconditions.
        to_result(unsafe { bindings::blk_status_to_errno(*status) })
    };
    // SAFETY: The completing clone, mapped on this target, which starts at
    // `begin`; `this` is its instance, borrowed.
    let bio = unsafe { EndIoBio::from_raw(bio, (*ti).begin, this) };
    T::end_io(bio, status).0
}

/// `presuspend`, `postsuspend` or `resume` of target type `T`.
///
/// # Safety
///
/// Called by dm-core only, on a constructed target `ti` of type `T` whose
/// destructor has not started.
unsafe fn simple_hook<T: Target>(ti: *mut bindings::dm_target, hook: fn(&TargetRef<T>)) {
    // SAFETY: Guaranteed by the caller.
    let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
    hook(&this);
}

/// # Safety
///
/// See [`simple_hook`].
unsafe extern "C" fn presuspend<T: Target>(ti: *mut bindings::dm_target) {
    // SAFETY: Guaranteed by the caller.
    unsafe { simple_hook(ti, T::presuspend) };
}

/// # Safety
///
/// See [`simple_hook`].
unsafe extern "C" fn postsuspend<T: Target>(ti: *mut bindings::dm_target) {
    // SAFETY: Guaranteed by the caller.
    unsafe { simple_hook(ti, T::postsuspend) };
}

/// # Safety
///
/// See [`simple_hook`].
unsafe extern "C" fn resume<T: Target>(ti: *mut bindings::dm_target) {
    // SAFETY: Guaranteed by the caller.
    unsafe { simple_hook(ti, T::resume) };
}

/// `status` of target type `T`.
///
/// # Safety
///
/// - Called by dm-core only, on a constructed target `ti` of type `T` whose
///   destructor has not started.
/// - `result` holds `maxlen` writable bytes for the call.
unsafe extern "C" fn status<T: Target>(
    ti: *mut bindings::dm_target,
    kind: bindings::status_type_t,
    _flags: ffi::c_uint,
    result: *mut ffi::c_char,
    maxlen: ffi::c_uint,
) {
    if result.is_null() || maxlen == 0 {
        return;
    }
    // SAFETY: dm-core's buffer holds `maxlen` bytes for this call.
    let buf = unsafe { core::slice::from_raw_parts_mut(result.cast::<u8>(), maxlen as usize) };
    let mut out = StatusWriter::new(buf);
    let Some(kind) = StatusType::from_raw(kind) else {
        return;
    };
    // SAFETY: Constructed and not destroyed.
    let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
    T::status(&this, kind, &mut out);
}

/// `message` of target type `T`.
///
/// # Safety
///
/// - Called by dm-core only, on a constructed target `ti` of type `T` whose
///   destructor has not started.
/// - `argv` holds `argc` NUL-terminated strings, valid for the call.
unsafe extern "C" fn message<T: Target>(
    ti: *mut bindings::dm_target,
    argc: ffi::c_uint,
    argv: *mut *mut ffi::c_char,
    _result: *mut ffi::c_char,
    _maxlen: ffi::c_uint,
) -> ffi::c_int {
    from_result(|| {
        // SAFETY: dm-core passes the arguments for the duration of the call.
        let args = unsafe { args(argc, argv) }?;
        // SAFETY: Constructed and not destroyed.
        let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
        T::message(&this, &args)?;
        Ok(0)
    })
}

/// `iterate_devices` of target type `T`.
///
/// # Safety
///
/// - Called by dm-core only, on a constructed target `ti` of type `T` whose
///   destructor has not started.
/// - `callout` and `data` are dm-core's, valid for the call.
unsafe extern "C" fn iterate_devices<T: Target>(
    ti: *mut bindings::dm_target,
    callout: bindings::iterate_devices_callout_fn,
    data: *mut ffi::c_void,
) -> ffi::c_int {
    let Some(callout) = callout else {
        return 0;
    };
    // SAFETY: Constructed and not destroyed.
    let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
    let mut it = DeviceIter {
        ti,
        devices: this.devices(),
        callout,
        data,
        result: 0,
        _lifetime: PhantomData,
    };
    T::iterate_devices(&this, &mut it);
    it.result
}

/// Declares a module whose state is one device-mapper target type:
/// registered by its init, as the last thing it does, and unregistered by
/// its exit, so that no table of the type can outlive the module's code.
/// The rest is `module!`'s.
///
/// # Examples
///
/// ```ignore
/// kernel::module_dm_target! {
///     type: Linear,
///     name: "dm_rust_linear",
///     description: "A linear target in Rust",
///     license: "GPL",
/// }
/// ```
#[macro_export]
macro_rules! module_dm_target {
    (type: $type:ty, $($rest:tt)*) => {
        struct DmTargetModule {
            _registration: $crate::device_mapper::target::TargetRegistration<$type>,
        }

        impl $crate::Module for DmTargetModule {
            fn init(module: &'static $crate::ThisModule) -> $crate::error::Result<Self> {
                use $crate::device_mapper::target::TargetRegistration;
                // SAFETY: The registration is the module's state, which its
                // exit drops, and the module's init does nothing after it.
                let registration = unsafe { TargetRegistration::register(module) }?;
                Ok(Self {
                    _registration: registration,
                })
            }
        }

        $crate::prelude::module! {
            type: DmTargetModule,
            $($rest)*
        }
    };
}
