// SPDX-License-Identifier: GPL-2.0

//! A memory pool with a guaranteed reserve (`mempool_t`).
//!
//! C header: [`include/linux/mempool.h`](srctree/include/linux/mempool.h)

#[cfg(doc)]
use super::slab::KmemCache;
use crate::{blk::consts::GFP_NOIO, helpers};
use core::ptr::NonNull;
use kernel::{bindings, error::to_result, ffi, prelude::*, types::Opaque};

/// A mempool of objects from a slab cache (`mempool_init_slab_pool()`).
///
/// # Invariants
///
/// `inner` was initialised by `mempool_init_slab_pool()` over a cache that
/// outlives the pool, and is exited only on drop.
#[pin_data(PinnedDrop)]
pub struct Mempool {
    #[pin]
    inner: Opaque<bindings::mempool_t>,
}

// SAFETY: Mempools are internally synchronised.
unsafe impl Send for Mempool {}
// SAFETY: See above.
unsafe impl Sync for Mempool {}

impl Mempool {
    /// A pool that always holds at least `min_nr` objects of `cache`.
    ///
    /// # Safety
    ///
    /// `cache` must be a live slab cache (see [`KmemCache`]) that outlives
    /// the pool.
    pub unsafe fn new_slab(
        min_nr: u32,
        cache: NonNull<bindings::kmem_cache>,
    ) -> impl PinInit<Self, Error> {
        let cache = cache.as_ptr();
        let min_nr = ffi::c_int::try_from(min_nr).unwrap_or(ffi::c_int::MAX);
        try_pin_init!(Self {
            inner <- Opaque::try_ffi_init(|slot: *mut bindings::mempool_t| {
                // SAFETY: `slot` is valid for writing and zeroed first, as
                // C's kzalloc'ed pools are; the caller keeps the cache
                // alive. On failure the pool frees what it had.
                to_result(unsafe {
                    core::ptr::write_bytes(slot, 0, 1);
                    helpers::rdm_mempool_init_slab_pool(slot, min_nr, cache)
                })
            }),
        })
    }

    /// `mempool_alloc(pool, GFP_NOIO)`: may sleep; waits for an element to
    /// come back rather than fail.
    pub fn alloc(&self) -> Option<NonNull<u8>> {
        // SAFETY: By the type invariant the pool is initialised.
        NonNull::new(unsafe { bindings::mempool_alloc_noprof(self.inner.get(), GFP_NOIO) }.cast())
    }

    /// `mempool_free()`.
    ///
    /// # Safety
    ///
    /// `elem` must come from [`Mempool::alloc`] on this pool and not be used
    /// afterwards.
    pub unsafe fn free(&self, elem: NonNull<u8>) {
        // SAFETY: Guaranteed by the caller.
        unsafe { bindings::mempool_free(elem.as_ptr().cast(), self.inner.get()) };
    }

    /// `mempool_resize()`: changes the guaranteed reserve.
    pub fn resize(&self, min_nr: u32) -> Result {
        let min_nr = ffi::c_int::try_from(min_nr).map_err(|_| EINVAL)?;
        if min_nr == 0 {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariant the pool is initialised; resize
        // may sleep, which callers of this method allow.
        to_result(unsafe { bindings::mempool_resize(self.inner.get(), min_nr) })
    }
}

#[pinned_drop]
impl PinnedDrop for Mempool {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariant the pool is initialised; all
        // elements are back, since each I/O returns its own before its
        // completion runs.
        unsafe { bindings::mempool_exit(self.inner.get()) };
    }
}
