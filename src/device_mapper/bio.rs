// SPDX-License-Identifier: GPL-2.0

//! Bios in a target's hooks, the per-bio data that comes with them, and
//! who owes their completion.
//!
//! C header: [`include/linux/device-mapper.h`](srctree/include/linux/device-mapper.h)
//!
//! A map hook remaps its bio (dm-core submits it), kills it, or takes it:
//! [`MapBio::take`] gives a [`PendingBio`], the duty to end the bio exactly
//! once, and the only way to return `DM_MAPIO_SUBMITTED`. A remapped bio
//! that fails may be taken back in `end_io` as a [`RetryBio`], the only kind
//! that can be sent again; `end_io` returns "done" only for a bio it did
//! not take back ([`EndIoBio::done`]). Either kind, dropped without being
//! ended, ends its bio with an I/O error.
//!
//! A bio only ever goes to a device of the instance that mapped it: devices
//! are named by their index among that instance's devices
//! ([`super::target::TargetRef::devices`]).
//!
//! What a leak does: a [`PendingBio`] or [`RetryBio`] that is forgotten
//! (`core::mem::forget`, or a reference cycle) never ends its bio, so
//! dm-core's suspend, and with it the table's reload or removal, waits for
//! it forever. Nothing else goes wrong: the bio, its target and its
//! devices stay valid.

use super::dev::DmDev;
use crate::{
    bindings,
    block::{
        bio::Bio,
        opf::{Opf, ReqFlag, ReqOp},
        SECTOR_SHIFT,
    },
    error::{
        code::{EAGAIN, EIO, EREMCHG},
        Result,
    },
    ffi,
};
use core::{
    marker::PhantomData,
    mem::{ManuallyDrop, MaybeUninit},
    ptr::NonNull,
};

/// What a bio asks for, as a target sorts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BioOp {
    /// A read.
    Read,
    /// A write with data (maybe with `REQ_FUA` or `REQ_PREFLUSH`).
    Write,
    /// An empty `REQ_PREFLUSH` write: flush the devices' write caches.
    Flush,
    /// `REQ_OP_DISCARD`.
    Discard,
    /// Anything else (write-zeroes, secure erase, zone operations).
    Other,
}

fn classify(bio: &bindings::bio) -> BioOp {
    let opf = Opf::from_raw(bio.bi_opf);
    if opf.is(ReqOp::Read) {
        BioOp::Read
    } else if opf.is(ReqOp::Discard) {
        BioOp::Discard
    } else if opf.is(ReqOp::Write) {
        if bio.bi_iter.bi_size == 0 && opf.has(ReqFlag::Preflush) {
            BioOp::Flush
        } else {
            BioOp::Write
        }
    } else {
        BioOp::Other
    }
}

/// What the layer keeps of a remapped bio to send it again after it failed:
/// `struct dm_bio_details` of `drivers/md/dm-bio-record.h`, and more.
struct BioRecord {
    details: bindings::dm_bio_details,
    /// Not in `dm_bio_record()`: `submit_bio_noacct()` drops `REQ_PREFLUSH`
    /// and `REQ_FUA` for a device without a write cache, and a write sent
    /// again to another device must still carry them.
    bi_opf: bindings::blk_opf_t,
}

/// The per-bio data of every bio of a target with per-bio data `D`: what
/// the layer keeps, then the target's own.
pub(super) struct PerBio<D> {
    record: Option<BioRecord>,
    /// The instance that mapped the bio (its `Holder`, as an address): the
    /// bio's requests and resubmissions go through that instance only. A
    /// bio in flight keeps its instance alive: dm-core destroys a table
    /// only once no bio of it is in flight (suspend waits for them).
    holder: *const ffi::c_void,
    /// The target's first sector (`ti->begin`), so that a listed bio knows
    /// its own.
    begin: u64,
    /// The index, among the target's devices, of the one a queued
    /// resubmission goes to, and the sector there.
    resubmit_dev: usize,
    resubmit_sector: u64,
    data: D,
}

/// The largest per-bio data a target may declare: dm-core adds it, rounded
/// up, to the front pad of every bio of the table (a 32-bit size that must
/// not wrap, and a slab object per bio).
pub(super) const PER_BIO_DATA_MAX: usize = 1 << 16;

impl<D: Copy + Default> PerBio<D> {
    /// `ti->per_io_data_size`. dm-core places per-bio data right in front
    /// of the bio's `struct dm_target_io`, which is 8-byte aligned: sizes
    /// are multiples of the alignment, which must not exceed 8. A target
    /// whose data is larger than [`PER_BIO_DATA_MAX`] does not build.
    pub(super) const SIZE: u32 = {
        assert!(core::mem::align_of::<Self>() <= 8);
        assert!(
            core::mem::size_of::<Self>() <= PER_BIO_DATA_MAX,
            "a target's per-bio data may be at most 64 KiB"
        );
        core::mem::size_of::<Self>() as u32
    };

    /// The per-bio data of `bio`.
    ///
    /// # Safety
    ///
    /// `bio` must be a bio of a target whose `per_io_data_size` is
    /// [`PerBio::SIZE`] for this `D`.
    pub(super) unsafe fn of(bio: NonNull<bindings::bio>) -> NonNull<Self> {
        // SAFETY: The caller guarantees the size; dm-core allocated that many
        // bytes with the bio, aligned as `SIZE` explains.
        unsafe {
            NonNull::new_unchecked(
                bindings::dm_per_bio_data(bio.as_ptr(), Self::SIZE as usize).cast(),
            )
        }
    }

    /// Sets up the per-bio data of a bio entering `map` on the instance
    /// `holder`, a target that starts at `begin`, and returns it.
    ///
    /// # Safety
    ///
    /// As for [`PerBio::of`]; nothing else may access the per-bio data.
    pub(super) unsafe fn init(
        bio: NonNull<bindings::bio>,
        holder: *const ffi::c_void,
        begin: u64,
    ) -> NonNull<Self> {
        // SAFETY: The caller guarantees the size.
        let per_bio = unsafe { Self::of(bio) };
        // SAFETY: The caller guarantees the memory is the per-bio data.
        unsafe {
            per_bio.as_ptr().write(Self {
                record: None,
                holder,
                begin,
                resubmit_dev: 0,
                resubmit_sector: 0,
                data: D::default(),
            })
        };
        per_bio
    }
}

/// What the bios of a target need of it: the type of the data dm-core
/// keeps with each of them. Every [`Target`] has it, through its
/// [`Target::PerBio`].
///
/// The data is `Copy`, so it needs no drop: dm-core frees it with the bio,
/// and nothing it holds could be released.
///
/// [`Target`]: super::target::Target
/// [`Target::PerBio`]: super::target::Target::PerBio
pub trait HasPerBio: private::IsTarget + Send + Sync + Sized + 'static {
    /// The target's per-bio data.
    type PerBio: Copy + Default + Send;

    /// A counted reference to an instance of the target
    /// ([`TargetRef`](super::target::TargetRef)).
    type Instance: Clone;
}

/// A bio of a target: the pointer, the target's first sector, and the
/// target's per-bio data.
///
/// # Invariants
///
/// `bio` is a valid bio of a target of type `T` starting at `begin`; its
/// per-bio data was set up by the map trampoline, and `per_bio`, if set,
/// is where it is (`dm_per_bio_data()`, a call into dm-mod: looked up once
/// where a bio's wrapper knows it will be used, else when it is).
struct TargetBio<T: HasPerBio> {
    bio: NonNull<bindings::bio>,
    begin: u64,
    per_bio: Option<NonNull<PerBio<T::PerBio>>>,
    _target: PhantomData<fn(&T)>,
}

impl<T: HasPerBio> TargetBio<T> {
    /// A bio of a target of type `T` that left a list: its first sector
    /// comes from its per-bio data.
    ///
    /// # Safety
    ///
    /// `bio` must be a valid bio of a target of type `T` whose per-bio data
    /// the map trampoline set up.
    unsafe fn from_listed(bio: NonNull<bindings::bio>) -> Self {
        // SAFETY: Guaranteed by the caller.
        unsafe { Self::with_per_bio(bio, PerBio::of(bio)) }
    }

    /// A bio of a target of type `T` whose per-bio data is at `per_bio`.
    ///
    /// # Safety
    ///
    /// As for [`TargetBio::from_listed`]; `per_bio` is `bio`'s per-bio data.
    unsafe fn with_per_bio(
        bio: NonNull<bindings::bio>,
        per_bio: NonNull<PerBio<T::PerBio>>,
    ) -> Self {
        // SAFETY: Set up by map (caller).
        let begin = unsafe { per_bio.as_ref() }.begin;
        // INVARIANT: Guaranteed by the caller; `begin` is the one map saw.
        Self {
            bio,
            begin,
            per_bio: Some(per_bio),
            _target: PhantomData,
        }
    }

    fn raw(&self) -> &bindings::bio {
        // SAFETY: By the type invariant the bio is valid.
        unsafe { self.bio.as_ref() }
    }

    fn op(&self) -> BioOp {
        classify(self.raw())
    }

    fn sector(&self) -> u64 {
        self.raw().bi_iter.bi_sector.wrapping_sub(self.begin)
    }

    /// The instance that mapped the bio, as an address.
    fn holder(&self) -> *const ffi::c_void {
        // SAFETY: Set up in map (type invariant).
        unsafe { self.per_bio().as_ref() }.holder
    }

    fn sectors(&self) -> u64 {
        u64::from(self.raw().bi_iter.bi_size >> SECTOR_SHIFT)
    }

    fn per_bio(&self) -> NonNull<PerBio<T::PerBio>> {
        match self.per_bio {
            Some(per_bio) => per_bio,
            // SAFETY: By the type invariant the bio is one of `T`'s, whose
            // per-bio data size the constructor trampoline set.
            None => unsafe { PerBio::of(self.bio) },
        }
    }

    fn data(&self) -> T::PerBio {
        // SAFETY: Set up in map (type invariant); the owner of the bio is the
        // only one to access it.
        unsafe { self.per_bio().as_ref() }.data
    }

    fn data_mut(&mut self) -> &mut T::PerBio {
        // SAFETY: As in `data`; `&mut self` keeps any other access out.
        unsafe { &mut self.per_bio().as_mut().data }
    }

    /// Records the bio's position as it leaves the target (`dm_bio_record()`).
    fn record(&mut self) {
        let mut details = MaybeUninit::<bindings::dm_bio_details>::uninit();
        // SAFETY: `details` is valid for writing, and the bio is valid (type
        // invariant); `dm_bio_record()` sets every field of `details`.
        let details = unsafe {
            bindings::dm_bio_record(details.as_mut_ptr(), self.bio.as_ptr());
            details.assume_init()
        };
        let record = BioRecord {
            details,
            bi_opf: self.raw().bi_opf,
        };
        // SAFETY: The per-bio data is ours (see `data_mut`).
        unsafe { self.per_bio().as_mut() }.record = Some(record);
    }

    /// Puts back what [`TargetBio::record`] saved (`dm_bio_restore()`), and
    /// clears the status; false if nothing was recorded.
    fn restore(&mut self) -> bool {
        // SAFETY: The per-bio data is ours (see `data_mut`).
        let Some(mut r) = unsafe { self.per_bio().as_mut() }.record.take() else {
            return false;
        };
        // SAFETY: The bio is ours to change: its I/O is over, and dm-core
        // leaves it to us when `end_io` returns `DM_ENDIO_INCOMPLETE`.
        unsafe { bindings::dm_bio_restore(&mut r.details, self.bio.as_ptr()) };
        // SAFETY: As above.
        let b = unsafe { self.bio.as_mut() };
        b.bi_opf = r.bi_opf;
        b.bi_status = 0;
        true
    }

    /// `bio_endio()` with `status`. The errors that mean something else to
    /// dm-core than a failure (`EREMCHG` is its requeue, `EAGAIN` a
    /// requeue of a polled bio) end it with `EIO`.
    fn end(&self, status: Result) {
        let bio = self.bio.as_ptr();
        let errno = match status {
            Ok(()) => 0,
            Err(e) if e == EREMCHG || e == EAGAIN => EIO.to_errno(),
            Err(e) => e.to_errno(),
        };
        // SAFETY: The owner of the bio ends it once, here.
        unsafe {
            (*bio).bi_status = if errno == 0 {
                0
            } else {
                bindings::errno_to_blk_status(errno)
            };
            bindings::bio_endio(bio);
        }
    }
}

/// The outcome of a map hook (`DM_MAPIO_*`): only [`MapBio`]'s methods
/// make one, from the bio of that very call (`'a` is invariant), so
/// `DM_MAPIO_SUBMITTED` always comes with a [`PendingBio`].
#[must_use]
pub struct MapResult<'a>(pub(super) ffi::c_int, PhantomData<fn(&'a ()) -> &'a ()>);

/// A bio in a target's map hook.
pub struct MapBio<'a, T: HasPerBio> {
    bio: TargetBio<T>,
    /// The devices of the instance mapping the bio.
    devices: &'a [DmDev],
    _lifetime: PhantomData<fn(&'a ()) -> &'a ()>,
}

impl<'a, T: HasPerBio> MapBio<'a, T> {
    /// Wraps the bio of a map call.
    ///
    /// # Safety
    ///
    /// `bio` must be the bio that dm-core is mapping on a target of type `T`
    /// whose devices are `devices`, and `per_bio` its per-bio data as
    /// [`PerBio::init`] returned it.
    pub(super) unsafe fn from_raw(
        bio: NonNull<bindings::bio>,
        per_bio: NonNull<PerBio<T::PerBio>>,
        devices: &'a [DmDev],
    ) -> Self {
        Self {
            // SAFETY: Guaranteed by the caller.
            bio: unsafe { TargetBio::with_per_bio(bio, per_bio) },
            devices,
            _lifetime: PhantomData,
        }
    }

    /// What the bio asks for.
    pub fn op(&self) -> BioOp {
        self.bio.op()
    }

    /// Its first sector, relative to the start of the target
    /// (`dm_target_offset()`).
    pub fn sector(&self) -> u64 {
        self.bio.sector()
    }

    /// Its length in sectors.
    pub fn sectors(&self) -> u64 {
        self.bio.sectors()
    }

    /// The target's per-bio data, `Default` on entry to map.
    pub fn data_mut(&mut self) -> &mut T::PerBio {
        self.bio.data_mut()
    }

    /// Sends the bio to `sector` of the instance's device `dev` (its index
    /// in [`TargetRef::devices`]; `DM_MAPIO_REMAPPED`: dm-core submits it).
    /// The bio is recorded first, so that `end_io` can take it back to send
    /// it again ([`EndIoBio::retry`]). A device the instance does not have
    /// kills the bio.
    ///
    /// [`TargetRef::devices`]: super::target::TargetRef::devices
    pub fn remap(mut self, dev: usize, sector: u64) -> MapResult<'a> {
        let Some(dev) = self.devices.get(dev) else {
            kernel::pr_warn_once!("dm target: a bio remapped to a device it does not have\n");
            return self.kill();
        };
        self.bio.record();
        let bio = self.bio.bio;
        // SAFETY: In map the bio is ours to change. The device is one of the
        // instance's, which the instance holds until its destructor, and
        // dm-core destroys it only once the bio has completed.
        unsafe {
            bindings::bio_set_dev(bio.as_ptr(), dev.bdev().as_raw());
            (*bio.as_ptr()).bi_iter.bi_sector = sector;
        }
        MapResult(bindings::DM_MAPIO_REMAPPED as ffi::c_int, PhantomData)
    }

    /// Fails the bio (`DM_MAPIO_KILL`: dm-core ends it with an error).
    pub fn kill(self) -> MapResult<'a> {
        MapResult(bindings::DM_MAPIO_KILL as ffi::c_int, PhantomData)
    }

    /// Takes the bio: the target ends it itself (`DM_MAPIO_SUBMITTED`).
    pub fn take(self) -> (PendingBio<T>, MapResult<'a>) {
        // With DM_MAPIO_SUBMITTED dm-core waits for the `bio_endio()` that
        // only the `PendingBio` does.
        (
            PendingBio { bio: self.bio },
            MapResult(bindings::DM_MAPIO_SUBMITTED as ffi::c_int, PhantomData),
        )
    }
}

/// A bio that a target took in map, and must end (`bio_endio()`); if it is
/// dropped instead, it ends with an I/O error.
pub struct PendingBio<T: HasPerBio> {
    bio: TargetBio<T>,
}

// SAFETY: A bio may be ended from any task and context.
unsafe impl<T: HasPerBio> Send for PendingBio<T> {}
// SAFETY: Shared access only reads the bio's fixed fields.
unsafe impl<T: HasPerBio> Sync for PendingBio<T> {}

impl<T: HasPerBio> PendingBio<T> {
    /// What the bio asks for.
    pub fn op(&self) -> BioOp {
        self.bio.op()
    }

    /// Its operation with the flags a target passes on to its devices:
    /// `REQ_SYNC`, `REQ_META`, `REQ_FUA`, `REQ_PREFLUSH` and `REQ_NOUNMAP`
    /// (never those that describe this bio itself, such as its allocation
    /// cache).
    pub fn opf(&self) -> Opf {
        Opf::from_raw(self.bio.raw().bi_opf).keep_only(
            ReqFlag::Sync | ReqFlag::Meta | ReqFlag::Fua | ReqFlag::Preflush | ReqFlag::Nounmap,
        )
    }

    /// Its first sector, relative to the start of the target.
    pub fn sector(&self) -> u64 {
        self.bio.sector()
    }

    /// Its length in sectors.
    pub fn sectors(&self) -> u64 {
        self.bio.sectors()
    }

    /// The bio as memory of a dm-io request (`DM_IO_BIO`).
    pub fn as_bio(&self) -> &Bio {
        // SAFETY: The bio and its pages stay valid until it is ended, which
        // needs `self` by value, so not while this borrow lives; nothing
        // changes its fields meanwhile.
        unsafe { Bio::from_raw(self.bio.bio.as_ptr()) }
    }

    /// Ends the bio with `status` (`bio_endio()`).
    pub fn end(self, status: Result) {
        let this = core::mem::ManuallyDrop::new(self);
        this.bio.end(status)
    }

    /// The target's per-bio data.
    pub fn data(&self) -> T::PerBio {
        self.bio.data()
    }

    /// The target's per-bio data, to change.
    pub fn data_mut(&mut self) -> &mut T::PerBio {
        self.bio.data_mut()
    }

    /// The instance that mapped the bio, as an address.
    pub(super) fn holder(&self) -> *const ffi::c_void {
        self.bio.holder()
    }

    /// Gives the bio up to a request in flight; [`PendingBio::from_io`]
    /// takes it back.
    pub(super) fn into_io(self) -> NonNull<bindings::bio> {
        core::mem::ManuallyDrop::new(self).bio.bio
    }

    /// Takes back a bio that [`PendingBio::into_io`] gave up.
    ///
    /// # Safety
    ///
    /// `bio` must come from `into_io` on a `PendingBio<T>`, and this is the
    /// only call for it.
    pub(super) unsafe fn from_io(bio: NonNull<bindings::bio>) -> Self {
        Self {
            // SAFETY: A bio of a target of type `T` (caller), whose per-bio
            // data map set up.
            bio: unsafe { TargetBio::from_listed(bio) },
        }
    }
}

impl<T: HasPerBio> Drop for PendingBio<T> {
    fn drop(&mut self) {
        self.bio.end(Err(EIO));
    }
}

/// The outcome of an `end_io` hook (`DM_ENDIO_*`), for the bio of that
/// very call (`'a` is invariant). Only the bio makes one, and only once:
/// [`EndIoBio::done`] (`DM_ENDIO_DONE`) for a bio that the target leaves to
/// dm-core, [`EndIoBio::retry`] (`DM_ENDIO_INCOMPLETE`) with the
/// [`RetryBio`] that takes it over.
#[must_use]
pub struct EndIoResult<'a>(pub(super) ffi::c_int, PhantomData<fn(&'a ()) -> &'a ()>);

/// A bio of the target completing, in its `end_io` hook, with the instance
/// it belongs to.
///
/// # Invariants
///
/// `this` is the instance of the bio, borrowed without a count: the bio,
/// which the hook holds, keeps it alive (dm-core destroys a table only once
/// no bio of it is in flight).
pub struct EndIoBio<'a, T: HasPerBio> {
    bio: TargetBio<T>,
    this: ManuallyDrop<T::Instance>,
    _lifetime: PhantomData<fn(&'a ()) -> &'a ()>,
}

impl<'a, T: HasPerBio> EndIoBio<'a, T> {
    /// Wraps the bio of an `end_io` call.
    ///
    /// # Safety
    ///
    /// `bio` must be the bio that dm-core completes on a target of type `T`
    /// starting at `begin`, which went through that target's map; `this` a
    /// borrow, without a count, of its instance.
    pub(super) unsafe fn from_raw(
        bio: NonNull<bindings::bio>,
        begin: u64,
        this: ManuallyDrop<T::Instance>,
    ) -> Self {
        Self {
            // INVARIANT: Guaranteed by the caller; map set up the data. Most
            // completions do not look at it: it is looked up when used.
            bio: TargetBio {
                bio,
                begin,
                per_bio: None,
                _target: PhantomData,
            },
            this,
            _lifetime: PhantomData,
        }
    }

    /// The instance the bio belongs to, for as long as the hook holds the
    /// bio: once [`EndIoBio::done`] or [`EndIoBio::retry`] gave the bio
    /// away, it may complete, and the instance go, at any time. Clone it to
    /// keep it longer.
    pub fn target(&self) -> &T::Instance {
        &self.this
    }

    /// What the bio asked for.
    pub fn op(&self) -> BioOp {
        self.bio.op()
    }

    /// Whether it is read-ahead (`REQ_RAHEAD`): failing it is harmless.
    pub fn is_readahead(&self) -> bool {
        Opf::from_raw(self.bio.raw().bi_opf).has(ReqFlag::Rahead)
    }

    /// The target's per-bio data.
    pub fn data(&self) -> T::PerBio {
        self.bio.data()
    }

    /// Leaves the bio to dm-core (`DM_ENDIO_DONE`): it ends with its
    /// status as it is.
    pub fn done(self) -> EndIoResult<'a> {
        EndIoResult(bindings::DM_ENDIO_DONE as ffi::c_int, PhantomData)
    }

    /// Takes a failed remapped bio back to send it again
    /// (`DM_ENDIO_INCOMPLETE`): its position, size and device are restored
    /// to what they were when [`MapBio::remap`] (or a resubmission)
    /// recorded them, and its status is cleared. Gives the bio back for a
    /// bio that was not remapped: nothing to restore it from.
    pub fn retry(mut self) -> Result<(RetryBio<T>, EndIoResult<'a>), Self> {
        if !self.bio.restore() {
            return Err(self);
        }
        // With DM_ENDIO_INCOMPLETE dm-core leaves the bio to us.
        Ok((
            RetryBio { bio: self.bio },
            EndIoResult(bindings::DM_ENDIO_INCOMPLETE as ffi::c_int, PhantomData),
        ))
    }
}

/// A failed bio taken back in `end_io`, restored to its state at remap:
/// send it again ([`RetryBio::resubmit`]) or end it; if it is dropped, it
/// ends with an I/O error.
pub struct RetryBio<T: HasPerBio> {
    bio: TargetBio<T>,
}

// SAFETY: A bio may be queued or ended from any task and context.
unsafe impl<T: HasPerBio> Send for RetryBio<T> {}
// SAFETY: Shared access only reads the bio's fixed fields.
unsafe impl<T: HasPerBio> Sync for RetryBio<T> {}

impl<T: HasPerBio> RetryBio<T> {
    /// Its first sector, relative to the start of the target.
    pub fn sector(&self) -> u64 {
        self.bio.sector()
    }

    /// The target's per-bio data.
    pub fn data(&self) -> T::PerBio {
        self.bio.data()
    }

    /// The target's per-bio data, to change.
    pub fn data_mut(&mut self) -> &mut T::PerBio {
        self.bio.data_mut()
    }

    /// The instance that mapped the bio, as an address.
    pub(super) fn holder(&self) -> *const ffi::c_void {
        self.bio.holder()
    }

    /// Chooses `sector` of the target's device `index` for
    /// [`RetryBio::submit_queued`]; the bio itself stays as it was restored,
    /// relative to the target, until then.
    pub(super) fn redirect(&mut self, index: usize, sector: u64) {
        // SAFETY: The per-bio data is ours while we own the bio.
        let per_bio = unsafe { self.bio.per_bio().as_mut() };
        per_bio.resubmit_dev = index;
        per_bio.resubmit_sector = sector;
    }

    /// Submits a bio that [`RetryBio::resubmit`] queued, to the device of
    /// `devices` it chose. Process context.
    pub(super) fn submit_queued(self, devices: &[DmDev]) {
        let (index, sector) = {
            // SAFETY: The per-bio data is ours while we own the bio.
            let per_bio = unsafe { self.bio.per_bio().as_ref() };
            (per_bio.resubmit_dev, per_bio.resubmit_sector)
        };
        let Some(dev) = devices.get(index) else {
            self.end(Err(EIO));
            return;
        };
        let mut this = ManuallyDrop::new(self);
        // Recorded as restored, relative to the target, as at remap: a later
        // retry restores the same.
        this.bio.record();
        let bio = this.bio.bio;
        // SAFETY: The bio was restored and is ours; submitting hands the duty
        // to end it to the block layer, whose completion runs dm-core's endio
        // and the target's `end_io` again. The device is one of the target's,
        // held until its destructor, which dm-core calls only once the
        // target's bios are done.
        unsafe {
            bindings::bio_set_dev(bio.as_ptr(), dev.bdev().as_raw());
            (*bio.as_ptr()).bi_iter.bi_sector = sector;
            bindings::submit_bio_noacct(bio.as_ptr());
        }
    }

    /// Ends the bio with `status`.
    pub fn end(self, status: Result) {
        let this = core::mem::ManuallyDrop::new(self);
        this.bio.end(status)
    }
}

impl<T: HasPerBio> Drop for RetryBio<T> {
    fn drop(&mut self) {
        self.bio.end(Err(EIO));
    }
}

/// A bio that a [`BioList`] can hold.
pub trait ListedBio: Sized + private::Sealed {}

pub(super) mod private {
    use super::*;

    /// Only target types have bios: [`HasPerBio`] is theirs alone.
    pub trait IsTarget {}

    pub trait Sealed {
        fn into_raw(self) -> NonNull<bindings::bio>;
        /// # Safety
        ///
        /// `bio` must come from `into_raw` on this type.
        unsafe fn from_raw(bio: NonNull<bindings::bio>) -> Self;
    }

    impl<T: HasPerBio> Sealed for PendingBio<T> {
        fn into_raw(self) -> NonNull<bindings::bio> {
            core::mem::ManuallyDrop::new(self).bio.bio
        }

        unsafe fn from_raw(bio: NonNull<bindings::bio>) -> Self {
            Self {
                // SAFETY: A bio of a target of type `T` (caller), whose
                // per-bio data map set up.
                bio: unsafe { TargetBio::from_listed(bio) },
            }
        }
    }

    impl<T: HasPerBio> Sealed for RetryBio<T> {
        fn into_raw(self) -> NonNull<bindings::bio> {
            core::mem::ManuallyDrop::new(self).bio.bio
        }

        unsafe fn from_raw(bio: NonNull<bindings::bio>) -> Self {
            Self {
                // SAFETY: A bio of a target of type `T` (caller), whose
                // per-bio data map set up.
                bio: unsafe { TargetBio::from_listed(bio) },
            }
        }
    }
}

impl<T: HasPerBio> ListedBio for PendingBio<T> {}
impl<T: HasPerBio> ListedBio for RetryBio<T> {}

/// A FIFO of owned bios, linked through `bi_next` (`struct bio_list`): no
/// allocation, so it works under a spinlock or in interrupt context.
///
/// # Invariants
///
/// `head` .. `tail` is a chain through `bi_next` of bios, each owned as a
/// `B`; `tail`'s `bi_next` is null. Both are null when the list is empty.
pub struct BioList<B: ListedBio> {
    head: *mut bindings::bio,
    tail: *mut bindings::bio,
    _owns: PhantomData<B>,
}

// SAFETY: The list owns its bios, as `B` does, and `B` is `Send`.
unsafe impl<B: ListedBio + Send> Send for BioList<B> {}

impl<B: ListedBio> Default for BioList<B> {
    fn default() -> Self {
        Self::new()
    }
}

impl<B: ListedBio> BioList<B> {
    /// An empty list.
    pub const fn new() -> Self {
        Self {
            head: core::ptr::null_mut(),
            tail: core::ptr::null_mut(),
            _owns: PhantomData,
        }
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.head.is_null()
    }

    /// Appends `bio`.
    pub fn push(&mut self, bio: B) {
        let bio = bio.into_raw().as_ptr();
        // SAFETY: We own `bio` now; while it is listed, `bi_next` is ours.
        unsafe { (*bio).bi_next = core::ptr::null_mut() };
        if self.tail.is_null() {
            self.head = bio;
        } else {
            // SAFETY: By the type invariant `tail` is a listed bio.
            unsafe { (*self.tail).bi_next = bio };
        }
        // INVARIANT: `bio` is the new, null-terminated tail.
        self.tail = bio;
    }

    /// Removes and returns the first bio.
    pub fn pop(&mut self) -> Option<B> {
        let bio = NonNull::new(self.head)?;
        // SAFETY: By the type invariant `head` is a listed bio.
        unsafe {
            self.head = (*bio.as_ptr()).bi_next;
            (*bio.as_ptr()).bi_next = core::ptr::null_mut();
        }
        if self.head.is_null() {
            self.tail = core::ptr::null_mut();
        }
        // SAFETY: The bio left the list; it was pushed as a `B`.
        Some(unsafe { B::from_raw(bio) })
    }

    /// Moves every bio of `self` to the end of `other`.
    pub fn append_to(&mut self, other: &mut BioList<B>) {
        while let Some(bio) = self.pop() {
            other.push(bio);
        }
    }
}

impl<B: ListedBio> Drop for BioList<B> {
    fn drop(&mut self) {
        // Every listed bio is still owed its end: dropping each fails it.
        while self.pop().is_some() {}
    }
}
