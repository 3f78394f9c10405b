// SPDX-License-Identifier: GPL-2.0

//! Slab caches of one type's objects (`struct kmem_cache`).
//!
//! C header: [`include/linux/slab.h`](srctree/include/linux/slab.h)

use crate::{bindings, prelude::*, str::CStr, task::might_sleep};
use core::{marker::PhantomData, ptr::NonNull};

/// A slab cache of objects the size and alignment of `T`
/// (`kmem_cache_create()`, as `KMEM_CACHE()` makes one), listed under its
/// name in `/proc/slabinfo` and seen by slab debugging. A [`Mempool`]
/// hands out its objects holding `T`s.
///
/// Dropping it sleeps (`kmem_cache_destroy()`); every object must be back
/// by then, which a pool that borrows it for `'static` ensures.
///
/// [`Mempool`]: crate::mempool::Mempool
///
/// # Invariants
///
/// `ptr` is a cache from `kmem_cache_create()` of `size_of::<T>()` bytes
/// aligned to `align_of::<T>()`, destroyed only on drop.
pub struct KmemCache<T> {
    ptr: NonNull<bindings::kmem_cache>,
    _objects: PhantomData<T>,
}

// SAFETY: A slab cache is internally synchronised; what it holds are bytes
// until a `T` is written into them, and `T: Send` to move between tasks.
unsafe impl<T: Send> Send for KmemCache<T> {}
// SAFETY: As above: shared use is allocation and free, which the slab
// allocator synchronises.
unsafe impl<T: Send> Sync for KmemCache<T> {}

impl<T> KmemCache<T> {
    /// A cache named `name`. Sleeps. `ENOMEM` if it could not be made.
    pub fn new(name: &'static CStr) -> Result<Self> {
        might_sleep();
        let mut args = bindings::kmem_cache_args {
            align: core::mem::align_of::<T>() as u32,
            ..Default::default()
        };
        // SAFETY: `name` lives as long as the cache (it is `'static`); `args`
        // is valid for the call. The size of a type fits `u32` below a page
        // or so; a larger one makes the call fail, which is reported.
        let ptr = unsafe {
            bindings::__kmem_cache_create_args(
                name.as_char_ptr(),
                u32::try_from(core::mem::size_of::<T>()).map_err(|_| EINVAL)?,
                &mut args,
                0,
            )
        };
        // INVARIANT: Made just above with `T`'s size and alignment.
        Ok(Self {
            ptr: NonNull::new(ptr).ok_or(ENOMEM)?,
            _objects: PhantomData,
        })
    }

    /// The raw pointer, for a pool to allocate from.
    #[inline]
    pub(crate) fn as_raw(&self) -> *mut bindings::kmem_cache {
        self.ptr.as_ptr()
    }
}

impl<T> Drop for KmemCache<T> {
    fn drop(&mut self) {
        might_sleep();
        // SAFETY: By the type invariant the cache is ours; a pool that
        // allocates from it borrows it for `'static`, so none outlives it.
        unsafe { bindings::kmem_cache_destroy(self.ptr.as_ptr()) };
    }
}
