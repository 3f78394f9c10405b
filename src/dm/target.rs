// SPDX-License-Identifier: GPL-2.0

//! Target types: registering one, constructing and destroying instances,
//! and the hooks dm-core calls (`struct target_type`, `struct dm_target`).
//!
//! C header: [`include/linux/device-mapper.h`](srctree/include/linux/device-mapper.h)
//!
//! An instance lives in a [`Holder`] that `ti->private` points to. The
//! holder is reference counted: I/O and work that outlive a hook hold a
//! [`TargetRef`]. The destructor asks the target to stop, drops the
//! table's reference, waits until the count reaches zero, and only then
//! drops the target, in process context and while `ti` is still valid.

use super::{
    bio::{EndIoBio, EndIoResult, MapBio, MapResult},
    dev::DmDev,
    rdm_get_device, rdm_target_register, rdm_target_unregister, rdm_ti_begin, rdm_ti_event,
    rdm_ti_len, rdm_ti_private, rdm_ti_set_error, rdm_ti_set_private, rdm_ti_setup,
    status::{StatusType, StatusWriter},
    IterateCallout, RawDmDev, RawTarget, RawTargetType, DM_ENDIO_DONE,
};
use core::{
    marker::PhantomData,
    mem::ManuallyDrop,
    ops::Deref,
    ptr::NonNull,
    sync::atomic::{AtomicUsize, Ordering},
};
use kernel::{
    bindings, ffi,
    prelude::*,
    sync::{
        aref::{ARef, AlwaysRefCounted},
        Completion,
    },
    workqueue::{self, Work, WorkItem},
};

/// A constructor failure: the errno and the `ti->error` message that
/// `dmsetup` prints.
pub struct CtrError {
    /// The errno returned to dm-core.
    pub err: Error,
    /// The message for `ti->error`.
    pub msg: &'static CStr,
}

impl CtrError {
    /// `err` with `msg`.
    pub fn new(err: Error, msg: &'static CStr) -> Self {
        Self { err, msg }
    }
}

/// How dm-core should split and duplicate bios for a target.
pub struct TargetConfig {
    /// Empty flushes sent to the target per flush (`num_flush_bios`).
    pub num_flush_bios: u32,
    /// Discard bios per discard (`num_discard_bios`); 0 disables discard.
    pub num_discard_bios: u32,
    /// No bio crosses a multiple of this many sectors (`max_io_len`); 0
    /// for no limit.
    pub max_io_len: u64,
}

/// A device-mapper target type.
///
/// Hooks get either `&Self` or a [`TargetRef`] that they may clone to keep
/// the instance alive for I/O and work that outlive the hook.
pub trait Target: Send + Sync + Sized + 'static {
    /// The name tables use.
    const NAME: &'static CStr;
    /// The version `dmsetup targets` shows.
    const VERSION: [u32; 3];

    /// The constructor (`ctr`): parses `args` and takes devices from `ti`.
    fn new(ti: &TargetInit<'_>, args: &[&CStr]) -> Result<impl PinInit<Self, Error>, CtrError>;

    /// `map`: remap, kill, or take the bio.
    fn map(this: &TargetRef<Self>, bio: MapBio<'_>) -> MapResult;

    /// `end_io`: every bio of the target ends here, remapped or taken;
    /// may change `status`, or take a failed bio back to send it again.
    fn end_io(
        _this: &TargetRef<Self>,
        _bio: EndIoBio<'_>,
        _status: &mut bindings::blk_status_t,
    ) -> EndIoResult {
        EndIoResult::DONE
    }

    /// `presuspend`: before dm-core waits for in-flight bios.
    fn presuspend(_this: &TargetRef<Self>) {}

    /// `postsuspend`: no bio is in flight any more.
    fn postsuspend(_this: &TargetRef<Self>) {}

    /// `resume`.
    fn resume(_this: &TargetRef<Self>) {}

    /// `status`: `dmsetup status` (Info) and `dmsetup table` (Table).
    fn status(&self, _kind: StatusType, _out: &mut StatusWriter<'_>) {}

    /// `message`: `dmsetup message <dev> 0 <args>`.
    fn message(_this: &TargetRef<Self>, _args: &[&CStr]) -> Result {
        Err(EINVAL)
    }

    /// `iterate_devices`: visit every underlying device range.
    fn iterate_devices(&self, _it: &mut DeviceIter<'_>) {}

    /// The target's work item, queued by [`TargetRef::queue_work`]; runs in
    /// process context.
    fn work(_this: &TargetRef<Self>) {}

    /// Called first in the destructor: stop queueing work and submitting
    /// I/O; the layer then waits for every [`TargetRef`] to go.
    fn stop(_this: &TargetRef<Self>) {}
}

/// The constructor's view of the new `dm_target`.
///
/// # Invariants
///
/// `ti` is the target being constructed, valid for `'a`.
pub struct TargetInit<'a> {
    ti: NonNull<RawTarget>,
    _lifetime: PhantomData<&'a RawTarget>,
}

impl TargetInit<'_> {
    /// The target's length in sectors (`ti->len`).
    pub fn len(&self) -> u64 {
        // SAFETY: By the type invariant `ti` is valid.
        unsafe { rdm_ti_len(self.ti.as_ptr()) }
    }

    /// Whether the target has no sectors.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `dm_get_device()` in the table's mode; the device is put when the
    /// returned [`DmDev`] is dropped.
    pub fn get_device(&self, path: &CStr) -> Result<DmDev> {
        let mut dev: *mut RawDmDev = core::ptr::null_mut();
        // SAFETY: `ti` is valid (type invariant), `path` NUL-terminated.
        let r = unsafe { rdm_get_device(self.ti.as_ptr(), path.as_char_ptr(), &mut dev) };
        kernel::error::to_result(r)?;
        let dev = NonNull::new(dev).ok_or(ENODEV)?;
        // SAFETY: Just taken on `ti`; the dm layer drops every DmDev of a
        // target before its destructor (or failed constructor) returns.
        Ok(unsafe { DmDev::from_raw(self.ti, dev) })
    }

    /// Sets how dm-core splits and duplicates bios for this target.
    pub fn configure(&self, config: &TargetConfig) -> Result {
        // SAFETY: `ti` is valid and being constructed.
        let r = unsafe {
            rdm_ti_setup(
                self.ti.as_ptr(),
                config.num_flush_bios,
                config.num_discard_bios,
                config.max_io_len,
            )
        };
        kernel::error::to_result(r)
    }
}

/// Visits the devices of a target (`iterate_devices`).
pub struct DeviceIter<'a> {
    ti: *mut RawTarget,
    callout: IterateCallout,
    data: *mut ffi::c_void,
    result: ffi::c_int,
    _lifetime: PhantomData<&'a ()>,
}

impl DeviceIter<'_> {
    /// Calls dm-core's callout for `len` sectors of `dev` from `start`;
    /// returns false once the callout asked to stop.
    pub fn visit(&mut self, dev: &DmDev, start: u64, len: u64) -> bool {
        if self.result == 0 {
            // SAFETY: The callout and its data come from dm-core for this
            // iteration; `dev` is a device of this target.
            self.result = unsafe { (self.callout)(self.ti, dev.as_raw(), start, len, self.data) };
        }
        self.result == 0
    }
}

/// An instance and its reference count.
///
/// # Invariants
///
/// `refs` counts the [`TargetRef`]s plus the table's reference (held from
/// `ctr` to `dtr`); `idle` is completed when it drops to zero, and only
/// then does `dtr` free the holder. `ti` is the `dm_target` this instance
/// was constructed for, valid while the holder lives.
#[pin_data]
pub struct Holder<T: Target> {
    refs: AtomicUsize,
    #[pin]
    idle: Completion,
    #[pin]
    work: Work<Holder<T>>,
    ti: NonNull<RawTarget>,
    #[pin]
    target: T,
}

// SAFETY: `ti` is only used for `dm_table_event()`, which may be called
// from any task; `T` is `Send + Sync`.
unsafe impl<T: Target> Send for Holder<T> {}
// SAFETY: See above.
unsafe impl<T: Target> Sync for Holder<T> {}

kernel::impl_has_work! {
    impl{T: Target} HasWork<Holder<T>> for Holder<T> { self.work }
}

// SAFETY: `inc_ref` and `dec_ref` keep `refs` in step with the `ARef`s;
// the holder is freed only by the destructor, after `refs` reached zero
// (signalled through `idle`), so it outlives every reference.
unsafe impl<T: Target> AlwaysRefCounted for Holder<T> {
    fn inc_ref(&self) {
        self.refs.fetch_add(1, Ordering::Relaxed);
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owned a reference, so the holder is alive.
        let this = unsafe { obj.as_ref() };
        if this.refs.fetch_sub(1, Ordering::AcqRel) == 1 {
            // The destructor may free the holder once this returns.
            this.idle.complete_all();
        }
    }
}

impl<T: Target> WorkItem for Holder<T> {
    type Pointer = ARef<Holder<T>>;

    fn run(this: ARef<Holder<T>>) {
        T::work(&TargetRef(this));
    }
}

/// A counted reference to a target instance; the destructor waits for all
/// of them, so whatever holds one may use the instance and its devices.
///
/// # Invariants
///
/// The `ARef` owns one count of [`Holder::refs`] (except for the uncounted
/// borrows made by the hook trampolines, which never drop it).
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
    /// Queues the target's work item ([`Target::work`]) on the system
    /// workqueue, unless already queued. May be called from any context.
    pub fn queue_work(&self) {
        // Already queued: the clone comes back and is dropped.
        let _ = workqueue::system().enqueue(self.0.clone());
    }

    /// `dm_table_event()`: wakes `dmsetup wait`. May sleep.
    pub fn event(&self) {
        // SAFETY: The holder is alive, so the destructor has not returned
        // and `ti` and its table are valid.
        unsafe { rdm_ti_event(self.0.ti.as_ptr()) };
    }

    /// Borrows the reference that `ti->private` holds, without counting.
    ///
    /// # Safety
    ///
    /// `ti` must be a constructed target of type `T` whose destructor has
    /// not started.
    unsafe fn borrow_raw(ti: *mut RawTarget) -> ManuallyDrop<Self> {
        // SAFETY: The constructor stored the holder's pointer, whose table
        // reference lives until the destructor.
        let holder = unsafe { rdm_ti_private(ti) }.cast::<Holder<T>>();
        // SAFETY: Not null while constructed (see above); ManuallyDrop
        // keeps the count unchanged.
        ManuallyDrop::new(Self(unsafe {
            ARef::from_raw(NonNull::new_unchecked(holder))
        }))
    }
}

/// A registered target type; unregistered on drop.
///
/// # Invariants
///
/// `tt` is a target type registered by `rdm_target_register()`.
pub struct TargetRegistration<T: Target> {
    tt: NonNull<RawTargetType>,
    _target: PhantomData<T>,
}

// SAFETY: Unregistering may happen from any task.
unsafe impl<T: Target> Send for TargetRegistration<T> {}
// SAFETY: No shared access.
unsafe impl<T: Target> Sync for TargetRegistration<T> {}

impl<T: Target> TargetRegistration<T> {
    /// `dm_register_target()`.
    pub fn register() -> Result<Self> {
        let version = T::VERSION;
        // SAFETY: The name is static; the version is copied; every hook is
        // a trampoline for `T` below.
        let tt = unsafe {
            rdm_target_register(
                T::NAME.as_char_ptr(),
                version.as_ptr(),
                ctr::<T>,
                dtr::<T>,
                map::<T>,
                end_io::<T>,
                presuspend::<T>,
                postsuspend::<T>,
                resume::<T>,
                status::<T>,
                message::<T>,
                iterate_devices::<T>,
            )
        };
        let tt = kernel::error::from_err_ptr(tt)?;
        // INVARIANT: registered just now.
        NonNull::new(tt)
            .map(|tt| Self {
                tt,
                _target: PhantomData,
            })
            .ok_or(EINVAL)
    }
}

impl<T: Target> Drop for TargetRegistration<T> {
    fn drop(&mut self) {
        // SAFETY: Registered (type invariant); dm-core holds a module
        // reference while any table uses the type, so none is left.
        unsafe { rdm_target_unregister(self.tt.as_ptr()) };
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
        let s = unsafe { CStr::from_char_ptr(*argv.add(i)) };
        v.push(s, GFP_KERNEL)?;
    }
    Ok(v)
}

fn set_error(ti: *mut RawTarget, msg: &'static CStr) {
    // SAFETY: `ti` is the target being constructed; `msg` is static.
    unsafe { rdm_ti_set_error(ti, msg.as_char_ptr()) };
}

/// # Safety
///
/// Called by dm-core only, as `ctr`.
unsafe extern "C" fn ctr<T: Target>(
    ti: *mut RawTarget,
    argc: ffi::c_uint,
    argv: *mut *mut ffi::c_char,
) -> ffi::c_int {
    let Some(ti_ptr) = NonNull::new(ti) else {
        return EINVAL.to_errno();
    };
    // SAFETY: dm-core passes the arguments for the duration of `ctr`.
    let args = match unsafe { args(argc, argv) } {
        Ok(a) => a,
        Err(e) => {
            set_error(ti, c"cannot allocate the argument list");
            return e.to_errno();
        }
    };
    let init = TargetInit {
        ti: ti_ptr,
        _lifetime: PhantomData,
    };
    let target = match T::new(&init, &args) {
        Ok(t) => t,
        Err(e) => {
            set_error(ti, e.msg);
            return e.err.to_errno();
        }
    };
    let holder = KBox::pin_init(
        try_pin_init!(Holder {
            refs: AtomicUsize::new(1),
            idle <- Completion::new(),
            work <- kernel::new_work!("dm target work"),
            ti: ti_ptr,
            target <- target,
        }),
        GFP_KERNEL,
    );
    let holder = match holder {
        Ok(h) => h,
        Err(e) => {
            set_error(ti, c"cannot allocate the target");
            return e.to_errno();
        }
    };
    // SAFETY: The holder is never moved out of its box; `dtr` takes it
    // back with `from_raw`.
    let raw = KBox::into_raw(unsafe { Pin::into_inner_unchecked(holder) });
    // SAFETY: `ti` is being constructed; the table reference is the
    // holder's initial count of one.
    unsafe { rdm_ti_set_private(ti, raw.cast()) };
    0
}

/// # Safety
///
/// Called by dm-core only, as `dtr`, once, after a successful `ctr`.
unsafe extern "C" fn dtr<T: Target>(ti: *mut RawTarget) {
    // SAFETY: Constructed, and the destructor is this function.
    let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
    T::stop(&this);
    let holder = ARef::into_raw(ManuallyDrop::into_inner(this).0);
    // SAFETY: `holder` stays allocated until the box is dropped below.
    let h = unsafe { holder.as_ref() };
    // Drop the table's reference, then wait for all others.
    // SAFETY: We own the table's reference.
    unsafe { Holder::<T>::dec_ref(holder) };
    h.idle.wait_for_completion();
    // SAFETY: No reference is left; the box came from `ctr`. Dropping it
    // drops the target (and its devices) while `ti` is valid.
    drop(unsafe { KBox::from_raw(holder.as_ptr()) });
    // SAFETY: `ti` is still valid during dtr.
    unsafe { rdm_ti_set_private(ti, core::ptr::null_mut()) };
}

/// # Safety
///
/// Called by dm-core only, as `map`, on a constructed target.
unsafe extern "C" fn map<T: Target>(ti: *mut RawTarget, bio: *mut bindings::bio) -> ffi::c_int {
    // SAFETY: Constructed, not destroyed while bios are mapped.
    let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
    let Some(bio) = NonNull::new(bio) else {
        return super::DM_MAPIO_KILL;
    };
    // SAFETY: dm-core passes the bio it maps, on this target.
    let bio = unsafe { MapBio::from_raw(bio, rdm_ti_begin(ti)) };
    T::map(&this, bio).0
}

/// # Safety
///
/// Called by dm-core only, as `end_io`.
unsafe extern "C" fn end_io<T: Target>(
    ti: *mut RawTarget,
    bio: *mut bindings::bio,
    error: *mut u8,
) -> ffi::c_int {
    // SAFETY: Constructed; a bio of it is completing.
    let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
    // SAFETY: dm-core passes a valid status to update.
    let (Some(status), Some(bio)) = (unsafe { error.as_mut() }, NonNull::new(bio)) else {
        return DM_ENDIO_DONE;
    };
    // SAFETY: dm-core passes the completing clone of this target.
    let bio = unsafe { EndIoBio::from_raw(bio, rdm_ti_begin(ti)) };
    T::end_io(&this, bio, status).0
}

/// # Safety
///
/// Called by dm-core only, as `presuspend`.
unsafe extern "C" fn presuspend<T: Target>(ti: *mut RawTarget) {
    // SAFETY: Constructed and not destroyed.
    T::presuspend(&*unsafe { TargetRef::<T>::borrow_raw(ti) });
}

/// # Safety
///
/// Called by dm-core only, as `postsuspend`.
unsafe extern "C" fn postsuspend<T: Target>(ti: *mut RawTarget) {
    // SAFETY: Constructed and not destroyed.
    T::postsuspend(&*unsafe { TargetRef::<T>::borrow_raw(ti) });
}

/// # Safety
///
/// Called by dm-core only, as `resume`.
unsafe extern "C" fn resume<T: Target>(ti: *mut RawTarget) {
    // SAFETY: Constructed and not destroyed.
    T::resume(&*unsafe { TargetRef::<T>::borrow_raw(ti) });
}

/// # Safety
///
/// Called by dm-core only, as `status`, with a `maxlen`-byte buffer.
unsafe extern "C" fn status<T: Target>(
    ti: *mut RawTarget,
    kind: ffi::c_int,
    _flags: ffi::c_uint,
    result: *mut ffi::c_char,
    maxlen: ffi::c_uint,
) {
    if result.is_null() || maxlen == 0 {
        return;
    }
    // SAFETY: dm-core's result buffer holds `maxlen` bytes for this call.
    let buf = unsafe { core::slice::from_raw_parts_mut(result.cast::<u8>(), maxlen as usize) };
    let mut out = StatusWriter::new(buf);
    let Some(kind) = StatusType::from_raw(kind) else {
        return;
    };
    // SAFETY: Constructed and not destroyed.
    let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
    this.status(kind, &mut out);
}

/// # Safety
///
/// Called by dm-core only, as `message`.
unsafe extern "C" fn message<T: Target>(
    ti: *mut RawTarget,
    argc: ffi::c_uint,
    argv: *mut *mut ffi::c_char,
    _result: *mut ffi::c_char,
    _maxlen: ffi::c_uint,
) -> ffi::c_int {
    // SAFETY: dm-core passes the arguments for the duration of the call.
    let args = match unsafe { args(argc, argv) } {
        Ok(a) => a,
        Err(e) => return e.to_errno(),
    };
    // SAFETY: Constructed and not destroyed.
    let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
    match T::message(&this, &args) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Called by dm-core only, as `iterate_devices`, with its callout.
unsafe extern "C" fn iterate_devices<T: Target>(
    ti: *mut RawTarget,
    callout: Option<IterateCallout>,
    data: *mut ffi::c_void,
) -> ffi::c_int {
    let Some(callout) = callout else {
        return 0;
    };
    let mut it = DeviceIter {
        ti,
        callout,
        data,
        result: 0,
        _lifetime: PhantomData,
    };
    // SAFETY: Constructed and not destroyed.
    let this = unsafe { TargetRef::<T>::borrow_raw(ti) };
    this.iterate_devices(&mut it);
    it.result
}
