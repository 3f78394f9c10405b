// SPDX-License-Identifier: GPL-2.0

//! Memory pools with a guaranteed reserve (`mempool_t`).
//!
//! C header: [`include/linux/mempool.h`](srctree/include/linux/mempool.h)
//!
//! I/O paths allocate from a mempool so that they make progress under
//! memory pressure: an allocation that the page allocator cannot satisfy is
//! served from the reserve, or waits for an element to come back.

#[cfg(dm_io_rs_out_of_tree)]
use crate::alloc::FlagsAsRaw;
use crate::{
    alloc::{flags, Flags},
    bindings,
    error::{code::*, to_result},
    ffi,
    mm::kmem_cache::KmemCache,
    prelude::*,
    types::Opaque,
};
use core::{
    marker::PhantomData,
    mem::ManuallyDrop,
    ops::{Deref, DerefMut},
    ptr::NonNull,
};

/// A mempool of elements that each hold a `T`: objects of a slab cache of
/// `T` (`mempool_init_slab_pool()`).
///
/// # Invariants
///
/// `inner` was initialised by `mempool_init_slab_pool()` with a `'static`
/// [`KmemCache<T>`], and is exited only on drop.
#[pin_data(PinnedDrop)]
pub struct Mempool<T> {
    #[pin]
    inner: Opaque<bindings::mempool_t>,
    _elem: PhantomData<T>,
}

// SAFETY: Mempools are internally synchronised; elements are handed out as
// `PoolBox`es, which need `T: Send` to cross tasks.
unsafe impl<T: Send> Send for Mempool<T> {}
// SAFETY: Allocating and freeing through a shared pool are internally
// synchronised; what moves between tasks is a `T` in an element, and `T` is
// `Send`.
unsafe impl<T: Send> Sync for Mempool<T> {}

/// `gfp` without the flags an allocation from a pool cannot honour:
/// `__GFP_ZERO` (`mempool_alloc()` warns about it: a reserved element is not
/// zeroed) and `__GFP_HIGHMEM` (slab objects live in the linear map). Bio
/// allocations come from mempools too.
#[inline]
pub(crate) fn pool_gfp(gfp: Flags) -> Flags {
    gfp & !(flags::__GFP_ZERO | flags::__GFP_HIGHMEM)
}

/// The largest reserve a pool may keep: dm-core's own largest
/// (`RESERVED_MAX_IOS`). The reserve is allocated up front.
const MIN_NR_MAX: u32 = 1024;

/// A reserve of `min_nr` elements as C takes it: `EINVAL` for none, or for
/// more than [`MIN_NR_MAX`].
fn reserve(min_nr: u32) -> Result<ffi::c_int> {
    if min_nr == 0 || min_nr > MIN_NR_MAX {
        return Err(EINVAL);
    }
    Ok(min_nr as ffi::c_int)
}

impl<T> Mempool<T> {
    /// A pool of objects of `cache` that always holds at least `min_nr` of
    /// them in reserve (`mempool_init_slab_pool()`): `EINVAL` for none, or
    /// for more than 1024.
    pub fn with_cache(cache: &'static KmemCache<T>, min_nr: u32) -> impl PinInit<Self, Error> {
        let min_nr = reserve(min_nr);
        try_pin_init!(Self {
            inner <- Opaque::try_ffi_init(|slot: *mut bindings::mempool_t| {
                let min_nr = min_nr?;
                // SAFETY: `slot` is valid for writing, and zeroed first as C's
                // embedded pools are; the cache outlives the pool (`'static`);
                // on failure the pool frees what it had.
                to_result(unsafe {
                    core::ptr::write_bytes(slot, 0, 1);
                    bindings::mempool_init_noprof(
                        slot,
                        min_nr,
                        Some(bindings::mempool_alloc_slab),
                        Some(bindings::mempool_free_slab),
                        cache.as_raw().cast(),
                    )
                })
            }),
            _elem: PhantomData,
        })
    }

    /// `mempool_alloc(pool, gfp)` holding `value`. With flags that may sleep
    /// (`GFP_NOIO` on an I/O path), it waits for an element to come back
    /// rather than fail; with others (`GFP_NOWAIT`, `GFP_ATOMIC`), it gives
    /// `value` back with `ENOMEM` when the reserve is empty. `__GFP_ZERO`
    /// and `__GFP_HIGHMEM` are ignored.
    pub fn alloc(&self, value: T, gfp: Flags) -> Result<PoolBox<'_, T>, (Error, T)> {
        let gfp = pool_gfp(gfp);
        // SAFETY: By the type invariant the pool is initialised.
        let elem = unsafe { bindings::mempool_alloc_noprof(self.inner.get(), gfp.as_raw()) };
        let Some(elem) = NonNull::new(elem.cast::<T>()) else {
            return Err((ENOMEM, value));
        };
        // SAFETY: An element is an object of a cache of `T` (type invariant),
        // and ours until freed.
        unsafe { elem.as_ptr().write(value) };
        // INVARIANT: The element came from this pool and holds a `T`.
        Ok(PoolBox {
            ptr: elem,
            pool: self,
        })
    }

    /// `mempool_resize()`: changes the guaranteed reserve; `EINVAL` for
    /// none, or for more than 1024, as [`Mempool::with_cache`]. May sleep.
    pub fn resize(&self, min_nr: u32) -> Result {
        let min_nr = reserve(min_nr)?;
        // SAFETY: By the type invariant the pool is initialised.
        to_result(unsafe { bindings::mempool_resize(self.inner.get(), min_nr) })
    }

    /// `mempool_free()`.
    ///
    /// # Safety
    ///
    /// `elem` must be an element of this pool whose value was dropped or
    /// moved out, and must not be used afterwards.
    #[inline]
    unsafe fn free(&self, elem: NonNull<T>) {
        // SAFETY: Guaranteed by the caller.
        unsafe { bindings::mempool_free(elem.as_ptr().cast(), self.inner.get()) };
    }
}

#[pinned_drop]
impl<T> PinnedDrop for Mempool<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariant the pool is initialised. Every element
        // is back: a `PoolBox` borrows the pool, and an element given up with
        // `PoolBox::into_raw` (shared state of bios in flight) belongs to a pool that
        // is `'static`, never dropped, or freed before the pool is.
        // A leaked element (forgotten) is never touched again.
        unsafe { bindings::mempool_exit(self.inner.get()) };
    }
}

/// A `T` in an element of a [`Mempool`], freed back to it on drop.
///
/// # Invariants
///
/// `ptr` is an element of `pool` that holds a valid `T` owned by this box.
pub struct PoolBox<'a, T> {
    ptr: NonNull<T>,
    pool: &'a Mempool<T>,
}

// SAFETY: The box owns its `T`; the pool is `Sync`.
unsafe impl<T: Send> Send for PoolBox<'_, T> {}
// SAFETY: Shared access only reaches `&T`.
unsafe impl<T: Sync> Sync for PoolBox<'_, T> {}

impl<'a, T> PoolBox<'a, T> {
    /// Gives up the box: the element is no longer freed on drop.
    #[inline]
    pub fn into_raw(this: Self) -> NonNull<T> {
        ManuallyDrop::new(this).ptr
    }

    /// Takes back a box given up by [`PoolBox::into_raw`].
    ///
    /// # Safety
    ///
    /// `ptr` must come from [`PoolBox::into_raw`] on a box of `pool`, and
    /// not be used by anyone else afterwards.
    #[inline]
    pub unsafe fn from_raw(pool: &'a Mempool<T>, ptr: NonNull<T>) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self { ptr, pool }
    }

    /// Moves the `T` out and frees the element first: whatever the `T` does
    /// next may already find the element back in the pool.
    #[inline]
    pub fn into_inner(this: Self) -> T {
        let this = ManuallyDrop::new(this);
        // SAFETY: By the type invariant the element holds a `T`, which is
        // moved out here and not used in the element again.
        let value = unsafe { this.ptr.as_ptr().read() };
        // SAFETY: The element is ours and its value was moved out.
        unsafe { this.pool.free(this.ptr) };
        value
    }
}

impl<T> Deref for PoolBox<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: By the type invariant the element holds a valid `T`.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> DerefMut for PoolBox<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: By the type invariant the box owns the `T`.
        unsafe { self.ptr.as_mut() }
    }
}

impl<T> Drop for PoolBox<'_, T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the element holds a `T` we own; it is
        // dropped in place, then the element goes back.
        unsafe {
            core::ptr::drop_in_place(self.ptr.as_ptr());
            self.pool.free(self.ptr);
        }
    }
}
