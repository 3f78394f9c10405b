// SPDX-License-Identifier: GPL-2.0

//! The per-request io object (`struct io`): counts the bios in flight,
//! gathers error bits, and runs the completion once.

use super::{request::IoNotifyFn, tag::IoTag};
use crate::{
    blk::{
        bio::{Bio, BioEndIo, CompletedBio},
        consts::{BLK_STS_INVAL, BLK_STS_NOTSUPP},
    },
    mm::{mempool::Mempool, page, slab::KmemCache},
};
use core::{
    ptr::NonNull,
    sync::atomic::{AtomicPtr, AtomicU32, AtomicUsize, Ordering},
};
use kernel::{bindings, ffi, prelude::*};

/// One request in flight.
///
/// Aligned to `DM_IO_MAX_REGIONS` bytes so that a pointer to it has room
/// for a region index in its low bits (see [`IoTag`]).
///
/// The atomics follow C: `error_bits` and `unsup_bits` are set with
/// relaxed `set_bit()` semantics, and the final decrement of `count` is
/// fully ordered (`atomic_dec_and_test()`), which publishes them.
///
/// 64 bytes, as C's `struct io`: one cache line, and the same slab object
/// size (`count` is 32 bits like C's `atomic_t`; the fixup packs into 16).
#[repr(C, align(64))]
pub(crate) struct Io {
    error_bits: AtomicUsize,
    unsup_bits: AtomicUsize,
    count: AtomicU32,
    /// The pool this object returns to, or null when it lives on the
    /// stack of a synchronous caller.
    pool: *const Mempool,
    callback: IoNotifyFn,
    context: *mut ffi::c_void,
    fixup: Fixup,
}

/// Memory work that a request's completion owes its caller.
#[derive(Clone, Copy)]
pub(crate) enum Fixup {
    /// Nothing.
    None,
    /// `invalidate_kernel_vmap_range()` after a read into vmalloc memory
    /// (which takes an `int` size).
    InvalidateVmap { addr: usize, size: u32 },
    /// A read through clones of the caller's bio (one region, reads have
    /// one): zero its data if the read fails.
    ZeroSourceOnError {
        bio: Option<NonNull<bindings::bio>>,
        bytes: u32,
    },
}

const _: () = assert!(core::mem::align_of::<Io>() >= super::DM_IO_MAX_REGIONS);
const _: () = assert!(core::mem::size_of::<Io>() == 64);

impl Io {
    /// A new io with the dispatcher's extra reference (see `dispatch_io`).
    pub(crate) fn new(
        pool: Option<&Mempool>,
        callback: IoNotifyFn,
        context: *mut ffi::c_void,
    ) -> Self {
        Self {
            error_bits: AtomicUsize::new(0),
            unsup_bits: AtomicUsize::new(0),
            count: AtomicU32::new(1),
            pool: pool.map_or(core::ptr::null(), core::ptr::from_ref),
            callback,
            context,
            fixup: Fixup::None,
        }
    }

    /// Sets the memory work owed at completion.
    pub(crate) fn set_fixup(&mut self, fixup: Fixup) {
        self.fixup = fixup;
    }

    /// Zeroes what a failed read bio covered, so that no stale data
    /// reaches the caller.
    fn zero_failed_read(&self, bio: &mut CompletedBio) {
        match self.fixup {
            Fixup::ZeroSourceOnError {
                bio: Some(src),
                bytes,
            } => {
                // SAFETY: The caller's bio outlives the request; it was
                // cloned, not changed, so its range is still the data.
                unsafe { Bio::from_raw(src.as_ptr()) }.zero_fill_prefix(bytes)
            }
            _ => bio.zero_fill_all(),
        }
    }

    /// Moves `io` into an element of `pool` (`mempool_alloc(GFP_NOIO)`).
    pub(crate) fn alloc_in(pool: &Mempool, io: Io) -> Result<NonNull<Io>> {
        let elem = pool.alloc().ok_or(ENOMEM)?.cast::<Io>();
        if elem.as_ptr() as usize % core::mem::align_of::<Io>() != 0 {
            // SAFETY: `elem` came from this pool and was not used.
            unsafe { pool.free(elem.cast()) };
            return Err(EINVAL);
        }
        // SAFETY: Pool elements come from the io cache: sized and aligned
        // for `Io` (checked above) and ours until freed.
        unsafe { elem.as_ptr().write(io) };
        Ok(elem)
    }

    /// The tag for a bio of `region` of this io.
    pub(crate) fn tag(&self, region: usize) -> Option<IoTag> {
        IoTag::pack(core::ptr::from_ref(self) as usize, region)
    }

    /// Takes a reference for a bio about to be submitted.
    pub(crate) fn get(&self) {
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a failed bio of `region`: `BLK_STS_NOTSUPP` and
    /// `BLK_STS_INVAL` are not media errors and go to the unsupported set.
    pub(crate) fn record(&self, region: usize, status: bindings::blk_status_t) {
        if status == 0 {
            return;
        }
        let bit = 1usize << (region % super::DM_IO_MAX_REGIONS);
        if status == BLK_STS_NOTSUPP || status == BLK_STS_INVAL {
            self.unsup_bits.fetch_or(bit, Ordering::Relaxed);
        } else {
            self.error_bits.fetch_or(bit, Ordering::Relaxed);
        }
    }

    /// Drops one reference (`dec_count()`); the last one completes the io.
    ///
    /// # Safety
    ///
    /// `io` must be live, and the caller must own one of its references;
    /// `io` must not be used after this call.
    pub(crate) unsafe fn put(io: NonNull<Io>, region: usize, status: bindings::blk_status_t) {
        {
            // SAFETY: The caller's reference keeps `io` alive here.
            let this = unsafe { io.as_ref() };
            this.record(region, status);
            if this.count.fetch_sub(1, Ordering::AcqRel) != 1 {
                return;
            }
        }
        // SAFETY: That was the last reference.
        unsafe { Io::complete(io) };
    }

    /// `complete_io()`: returns the io to its pool, then notifies.
    ///
    /// # Safety
    ///
    /// The last reference to `io` must have just been dropped.
    unsafe fn complete(io: NonNull<Io>) {
        // SAFETY: No other reference remains, so this is the only access.
        let this = unsafe { io.as_ptr().read() };
        if let Fixup::InvalidateVmap { addr, size } = this.fixup {
            // SAFETY: The range is the read buffer of this request, which
            // its owner keeps mapped until the callback below.
            unsafe { page::invalidate_vmap(addr, size as usize) };
        }
        // SAFETY: The pool belongs to the client, which outlives its I/O.
        if let Some(pool) = unsafe { this.pool.as_ref() } {
            // SAFETY: `io` came from `alloc_in` on this pool; it was read
            // out above and is not touched again.
            unsafe { pool.free(io.cast()) };
        }
        let error = this.error_bits.load(Ordering::Relaxed);
        let unsup = this.unsup_bits.load(Ordering::Relaxed);
        // SAFETY: The callback and context are the requester's, who
        // promised they stay valid until this one call.
        unsafe { (this.callback)(error as ffi::c_ulong, unsup as ffi::c_ulong, this.context) };
    }
}

/// The bio completion of dm-io (`endio()`).
pub(crate) struct DmIoEndIo;

impl BioEndIo for DmIoEndIo {
    fn end_io(mut bio: CompletedBio) {
        let status = bio.status();
        let tag = IoTag::from_raw(bio.private());
        let Some(io) = NonNull::new(tag.io_addr() as *mut Io) else {
            return;
        };
        if status != 0 && bio.is_read() {
            // SAFETY: This bio holds a reference on the io until the `put`.
            unsafe { io.as_ref() }.zero_failed_read(&mut bio);
        }
        // The bio goes before the io: its destructor may use the io's pool.
        drop(bio);
        // SAFETY: The tag was made by `Io::tag` for this bio, and the bio's
        // reference on the io was taken before submission.
        unsafe { Io::put(io, tag.region(), status) };
    }
}

/// The slab cache behind every client's io pool (`_dm_io_cache`).
static IO_CACHE: AtomicPtr<bindings::kmem_cache> = AtomicPtr::new(core::ptr::null_mut());

/// Owns the io cache for the module's lifetime (`dm_io_init()`).
#[cfg(not(dm_io_builtin))]
pub(crate) struct IoCache {
    _cache: KmemCache,
}

#[cfg(not(dm_io_builtin))]
impl IoCache {
    /// Creates the cache and publishes it to new clients.
    pub(crate) fn register() -> Result<Self> {
        let cache = KmemCache::new::<Io>(c"dm_io_rs_io")?;
        IO_CACHE.store(cache.as_raw(), Ordering::Release);
        Ok(Self { _cache: cache })
    }
}

#[cfg(not(dm_io_builtin))]
impl Drop for IoCache {
    fn drop(&mut self) {
        // `dm_io_exit()`: every client is gone by now (module references).
        IO_CACHE.store(core::ptr::null_mut(), Ordering::Release);
    }
}

/// `dm_io_init()` of the built-in link mode: creates the cache and leaves
/// it published, owned by [`IO_CACHE`], until [`unpublish_io_cache`].
/// Named apart from the module's cache, which may be loaded beside it.
#[cfg(dm_io_builtin)]
pub(crate) fn publish_io_cache() -> Result {
    let cache = KmemCache::new::<Io>(c"dm_io")?;
    IO_CACHE.store(cache.into_raw().as_ptr(), Ordering::Release);
    Ok(())
}

/// `dm_io_exit()` of the built-in link mode: unpublishes and destroys the
/// cache made by [`publish_io_cache`], if any. dm-mod calls it once, after
/// every client (and so every io object) is gone.
#[cfg(dm_io_builtin)]
pub(crate) fn unpublish_io_cache() {
    if let Some(ptr) = NonNull::new(IO_CACHE.swap(core::ptr::null_mut(), Ordering::AcqRel)) {
        // SAFETY: In this link mode `IO_CACHE` is only set by
        // `publish_io_cache()`, which gave up its ownership of the cache;
        // the swap takes it back exactly once.
        drop(unsafe { KmemCache::from_raw(ptr) });
    }
}

/// The io cache, while the module is loaded.
pub(crate) fn io_cache() -> Result<NonNull<bindings::kmem_cache>> {
    NonNull::new(IO_CACHE.load(Ordering::Acquire)).ok_or(ENODEV)
}
