// SPDX-License-Identifier: GPL-2.0

//! Bios handed to a target's map function, and who owes their completion.
//!
//! C header: [`include/linux/device-mapper.h`](srctree/include/linux/device-mapper.h)
//!
//! A map function either remaps the bio (dm-core submits it), kills it,
//! or takes it: [`MapBio::take`] gives a [`PendingBio`], the duty to end
//! the bio exactly once, and the only way to get the `DM_MAPIO_SUBMITTED`
//! result. A `PendingBio` dropped without [`PendingBio::end`] ends the bio
//! with `BLK_STS_IOERR`, so no bio is ever left hanging.

use super::{
    rdm_bio_endio, rdm_bio_map_start, rdm_bio_record, rdm_bio_remap, rdm_bio_restore,
    rdm_bio_resubmit, rdm_per_bio_words, DmDev, DM_ENDIO_DONE, DM_ENDIO_INCOMPLETE, DM_MAPIO_KILL,
    DM_MAPIO_REMAPPED, DM_MAPIO_SUBMITTED,
};
use crate::blk::{
    bio::Bio,
    consts::BLK_STS_IOERR,
    opf::{Opf, ReqFlags},
};
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{bindings, ffi};

// Every target of this layer gets per-bio data (`ti->per_io_data_size`,
// set by `rdm_ti_setup()`): a `u64` for the target and a record of the bio
// for resubmission (`struct rdm_per_bio` in src/dm_helpers.c).

const SECTOR_SHIFT: u32 = bindings::SECTOR_SHIFT;

/// What a bio asks for, as a mirror-like target sorts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BioOp {
    /// A data read.
    Read,
    /// A data write (maybe with `REQ_FUA`).
    Write,
    /// An empty `REQ_PREFLUSH` write: flush the devices' caches.
    Flush,
    /// `REQ_OP_DISCARD`.
    Discard,
    /// Anything else (write-zeroes, secure erase, zone ops).
    Other,
}

fn classify(bio: &bindings::bio) -> BioOp {
    let opf = Opf::from_raw(bio.bi_opf);
    if opf.is_read() {
        BioOp::Read
    } else if opf.is_discard() {
        BioOp::Discard
    } else if opf.is_write() && !opf.is_no_data_special() {
        if bio.bi_iter.bi_size == 0 && opf.has(ReqFlags::PREFLUSH) {
            BioOp::Flush
        } else if opf.as_raw() & crate::blk::consts::REQ_OP_MASK == bindings::req_op_REQ_OP_WRITE {
            BioOp::Write
        } else {
            BioOp::Other
        }
    } else {
        BioOp::Other
    }
}

/// The outcome of a map function (`DM_MAPIO_*`). Made only by the methods
/// of [`MapBio`], so `Submitted` always comes with a [`PendingBio`].
#[must_use]
pub struct MapResult(pub(super) ffi::c_int);

/// A bio in a target's map function.
///
/// # Invariants
///
/// `bio` is the bio dm-core passed to `map`, valid and owned by dm-core
/// for `'a`; `begin` is the target's first sector.
pub struct MapBio<'a> {
    bio: NonNull<bindings::bio>,
    begin: u64,
    _lifetime: PhantomData<&'a mut bindings::bio>,
}

impl MapBio<'_> {
    /// Wraps the bio of a map call.
    ///
    /// # Safety
    ///
    /// `bio` must be the bio dm-core is mapping on the target starting at
    /// `begin`, valid for the returned lifetime.
    pub(super) unsafe fn from_raw(bio: NonNull<bindings::bio>, begin: u64) -> Self {
        // SAFETY: The bio has this layer's per-bio data (caller).
        unsafe { rdm_bio_map_start(bio.as_ptr()) };
        // INVARIANT: guaranteed by the caller.
        Self {
            bio,
            begin,
            _lifetime: PhantomData,
        }
    }

    fn raw(&self) -> &bindings::bio {
        // SAFETY: By the type invariant the bio is valid.
        unsafe { self.bio.as_ref() }
    }

    /// What the bio asks for.
    pub fn op(&self) -> BioOp {
        classify(self.raw())
    }

    /// Its first sector, relative to the start of the target
    /// (`dm_target_offset()`).
    pub fn sector(&self) -> u64 {
        self.raw().bi_iter.bi_sector.wrapping_sub(self.begin)
    }

    /// Its length in sectors.
    pub fn sectors(&self) -> u64 {
        u64::from(self.raw().bi_iter.bi_size >> SECTOR_SHIFT)
    }

    /// Stores the target's per-bio words (read back from the
    /// [`PendingBio`] or in `end_io`).
    pub fn set_data(&mut self, value: [u64; 2]) {
        // SAFETY: Every target of this layer has per-bio data with two
        // `u64` words, which dm-core allocates with the bio, aligned.
        unsafe { rdm_per_bio_words(self.bio.as_ptr()).write(value) };
    }

    /// Sends the bio to `sector` of `dev`; dm-core submits it
    /// (`DM_MAPIO_REMAPPED`). The bio is recorded first, so that `end_io`
    /// can take it back and send it again ([`EndIoBio::retry`]).
    pub fn remap(self, dev: &DmDev, sector: u64) -> MapResult {
        // SAFETY: The bio is dm-core's clone, ours to change in map, with
        // this layer's per-bio data; the device is held by `dev`.
        unsafe {
            rdm_bio_record(self.bio.as_ptr());
            rdm_bio_remap(self.bio.as_ptr(), dev.bdev().as_raw(), sector)
        };
        MapResult(DM_MAPIO_REMAPPED)
    }

    /// Fails the bio (`DM_MAPIO_KILL`: dm-core ends it with an error).
    pub fn kill(self) -> MapResult {
        MapResult(DM_MAPIO_KILL)
    }

    /// Takes the bio: the target will end it itself
    /// (`DM_MAPIO_SUBMITTED`).
    pub fn take(self) -> (PendingBio, MapResult) {
        // INVARIANT: map returns DM_MAPIO_SUBMITTED with this result, so
        // dm-core waits for the bio_endio() that only the PendingBio does.
        (
            PendingBio {
                bio: self.bio,
                begin: self.begin,
            },
            MapResult(DM_MAPIO_SUBMITTED),
        )
    }
}

/// A bio that a target took in map and must end (`bio_endio()`).
///
/// # Invariants
///
/// `bio` is a valid bio that dm-core handed to the target's map, which
/// returned `DM_MAPIO_SUBMITTED` for it; this object alone ends it, once.
/// It has this layer's per-bio data.
pub struct PendingBio {
    bio: NonNull<bindings::bio>,
    begin: u64,
}

// SAFETY: A bio may be completed from any context and task.
unsafe impl Send for PendingBio {}
// SAFETY: Shared access only reads the bio's fixed fields.
unsafe impl Sync for PendingBio {}

impl PendingBio {
    fn raw(&self) -> &bindings::bio {
        // SAFETY: By the type invariant the bio is valid until ended.
        unsafe { self.bio.as_ref() }
    }

    /// What the bio asks for.
    pub fn op(&self) -> BioOp {
        classify(self.raw())
    }

    /// Its operation with the flags a target passes on to its devices
    /// (`SYNC`, `META`, `FUA`, `PREFLUSH`, `NOUNMAP`), as dm-raid1 does.
    pub fn opf(&self) -> Opf {
        Opf::from_raw(self.raw().bi_opf).keep_only(
            ReqFlags::SYNC
                | ReqFlags::META
                | ReqFlags::FUA
                | ReqFlags::PREFLUSH
                | ReqFlags::NOUNMAP,
        )
    }

    /// Its first sector, relative to the start of the target.
    pub fn sector(&self) -> u64 {
        self.raw().bi_iter.bi_sector.wrapping_sub(self.begin)
    }

    /// Its length in sectors.
    pub fn sectors(&self) -> u64 {
        u64::from(self.raw().bi_iter.bi_size >> SECTOR_SHIFT)
    }

    /// The bio as dm-io memory (`DM_IO_BIO`): dm-io clones it per region.
    pub fn as_bio(&self) -> &Bio {
        // SAFETY: The bio and its pages stay valid until it is ended, which
        // needs `self` by value, so not while this borrow lives.
        unsafe { Bio::from_raw(self.bio.as_ptr()) }
    }

    fn data_ptr(&self) -> *mut [u64; 2] {
        // SAFETY: By the type invariant the per-bio data is there.
        unsafe { rdm_per_bio_words(self.bio.as_ptr()) }
    }

    /// The target's per-bio words.
    pub fn data(&self) -> [u64; 2] {
        // SAFETY: The per-bio data is valid, aligned, and ours.
        unsafe { self.data_ptr().read() }
    }

    /// Sets the target's per-bio words.
    pub fn set_data(&mut self, value: [u64; 2]) {
        // SAFETY: As in `data`; `&mut self` means no other access.
        unsafe { self.data_ptr().write(value) };
    }

    /// Ends the bio with `status` (`bio_endio()`).
    pub fn end(self, status: bindings::blk_status_t) {
        let bio = self.bio;
        core::mem::forget(self);
        // SAFETY: By the type invariant this is the one end of the bio.
        unsafe { rdm_bio_endio(bio.as_ptr(), status) };
    }

    /// Sends a bio taken back in `end_io` again, to `sector` of `dev`; it
    /// comes back through `end_io` when done.
    pub fn resubmit(self, dev: &DmDev, sector: u64) {
        let bio = self.bio;
        core::mem::forget(self);
        // SAFETY: The bio was restored by `EndIoBio::retry`; submitting it
        // hands the duty to end it to the block layer, whose completion
        // runs dm-core's endio and then the target's `end_io` again.
        unsafe { rdm_bio_resubmit(bio.as_ptr(), dev.bdev().as_raw(), sector) };
    }

    fn into_raw(self) -> (NonNull<bindings::bio>, u64) {
        let r = (self.bio, self.begin);
        core::mem::forget(self);
        r
    }
}

impl Drop for PendingBio {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the bio was not ended yet.
        unsafe { rdm_bio_endio(self.bio.as_ptr(), BLK_STS_IOERR) };
    }
}

/// The outcome of `end_io` (`DM_ENDIO_*`). `Incomplete` only comes with
/// a [`PendingBio`] from [`EndIoBio::retry`].
#[must_use]
pub struct EndIoResult(pub(super) ffi::c_int);

impl EndIoResult {
    /// `DM_ENDIO_DONE`: the bio ends with the status as it is.
    pub const DONE: Self = Self(DM_ENDIO_DONE);
}

/// A bio of the target completing, in `end_io`.
///
/// # Invariants
///
/// `bio` is the completing clone, with this layer's per-bio data, valid
/// for `'a`; `begin` is the target's first sector.
pub struct EndIoBio<'a> {
    bio: NonNull<bindings::bio>,
    begin: u64,
    _lifetime: PhantomData<&'a mut bindings::bio>,
}

impl EndIoBio<'_> {
    /// Wraps the bio of an `end_io` call.
    ///
    /// # Safety
    ///
    /// `bio` must be the bio dm-core completes on the target starting at
    /// `begin`, valid for the returned lifetime.
    pub(super) unsafe fn from_raw(bio: NonNull<bindings::bio>, begin: u64) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            bio,
            begin,
            _lifetime: PhantomData,
        }
    }

    fn raw(&self) -> &bindings::bio {
        // SAFETY: By the type invariant the bio is valid.
        unsafe { self.bio.as_ref() }
    }

    /// What the bio asked for.
    pub fn op(&self) -> BioOp {
        classify(self.raw())
    }

    /// Whether it is read-ahead (`REQ_RAHEAD`): failing it is harmless.
    pub fn is_readahead(&self) -> bool {
        Opf::from_raw(self.raw().bi_opf).has(ReqFlags::RAHEAD)
    }

    /// The target's per-bio words.
    pub fn data(&self) -> [u64; 2] {
        // SAFETY: By the type invariant the per-bio data is there.
        unsafe { rdm_per_bio_words(self.bio.as_ptr()).read() }
    }

    /// Takes a failed remapped bio back to send it again
    /// (`DM_ENDIO_INCOMPLETE`): its position, size and device are restored
    /// to what they were when [`MapBio::remap`] recorded them, and the
    /// status is cleared. `None` for a bio that was not remapped (or was
    /// taken back already): nothing to restore it from.
    pub fn retry(self) -> Option<(PendingBio, EndIoResult)> {
        // SAFETY: The per-bio data is there; the C side restores only what
        // `MapBio::remap` recorded for this bio, once.
        if !unsafe { rdm_bio_restore(self.bio.as_ptr()) } {
            return None;
        }
        // INVARIANT: with DM_ENDIO_INCOMPLETE dm-core leaves the bio to us.
        Some((
            PendingBio {
                bio: self.bio,
                begin: self.begin,
            },
            EndIoResult(DM_ENDIO_INCOMPLETE),
        ))
    }
}

/// A FIFO of taken bios, linked through `bi_next` (`struct bio_list`):
/// no allocation, so it can be used under a spinlock or in IRQ context.
///
/// # Invariants
///
/// `head` .. `tail` is a chain through `bi_next` of bios, each owned as a
/// [`PendingBio`] of a target starting at `begin`; `tail`'s `bi_next` is
/// null. Both are null when the list is empty.
pub struct BioList {
    head: *mut bindings::bio,
    tail: *mut bindings::bio,
    begin: u64,
}

// SAFETY: The list owns its bios as `PendingBio`s do, which are `Send`.
unsafe impl Send for BioList {}

impl Default for BioList {
    fn default() -> Self {
        Self::new()
    }
}

impl BioList {
    /// An empty list.
    pub const fn new() -> Self {
        Self {
            head: core::ptr::null_mut(),
            tail: core::ptr::null_mut(),
            begin: 0,
        }
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.head.is_null()
    }

    /// Appends `bio`.
    pub fn push(&mut self, bio: PendingBio) {
        let (bio, begin) = bio.into_raw();
        let bio = bio.as_ptr();
        // SAFETY: We own `bio` now; while listed, `bi_next` is ours.
        unsafe { (*bio).bi_next = core::ptr::null_mut() };
        if self.tail.is_null() {
            self.head = bio;
        } else {
            // SAFETY: By the type invariant `tail` is a listed bio.
            unsafe { (*self.tail).bi_next = bio };
        }
        // INVARIANT: `bio` is the new, null-terminated tail; all bios of a
        // target share its `begin`.
        self.tail = bio;
        self.begin = begin;
    }

    /// Removes and returns the first bio.
    pub fn pop(&mut self) -> Option<PendingBio> {
        let bio = NonNull::new(self.head)?;
        // SAFETY: By the type invariant `head` is a listed bio.
        unsafe {
            self.head = (*bio.as_ptr()).bi_next;
            (*bio.as_ptr()).bi_next = core::ptr::null_mut();
        }
        if self.head.is_null() {
            self.tail = core::ptr::null_mut();
        }
        // INVARIANT: the bio left the list and is owned again on its own.
        Some(PendingBio {
            bio,
            begin: self.begin,
        })
    }

    /// Moves every bio of `self` to the end of `other`.
    pub fn append_to(&mut self, other: &mut BioList) {
        while let Some(bio) = self.pop() {
            other.push(bio);
        }
    }
}

impl Drop for BioList {
    fn drop(&mut self) {
        // Every listed bio is still owed its end: fail them.
        while let Some(bio) = self.pop() {
            drop(bio);
        }
    }
}
