// SPDX-License-Identifier: GPL-2.0

//! A slab cache for fixed-size objects (`struct kmem_cache`).
//!
//! C header: [`include/linux/slab.h`](srctree/include/linux/slab.h)

use core::ptr::NonNull;
use kernel::{bindings, prelude::*};

/// An owned slab cache.
///
/// # Invariants
///
/// `ptr` was returned by `__kmem_cache_create_args()` and is destroyed only
/// on drop, after every object from it has been freed.
pub struct KmemCache {
    ptr: NonNull<bindings::kmem_cache>,
}

// SAFETY: Slab caches are internally synchronised.
unsafe impl Send for KmemCache {}
// SAFETY: See above.
unsafe impl Sync for KmemCache {}

impl KmemCache {
    /// `kmem_cache_create(name, size, align)` for objects of type `T`.
    pub fn new<T>(name: &'static CStr) -> Result<Self> {
        let mut args = bindings::kmem_cache_args {
            align: core::mem::align_of::<T>() as u32,
            ..Default::default()
        };
        // SAFETY: `name` is a static NUL-terminated string and `args` is a
        // valid argument block for the duration of the call.
        let ptr = unsafe {
            bindings::__kmem_cache_create_args(
                name.as_char_ptr(),
                core::mem::size_of::<T>() as u32,
                &mut args,
                0,
            )
        };
        // INVARIANT: a non-null return is a new cache that we own.
        NonNull::new(ptr).map(|ptr| Self { ptr }).ok_or(ENOMEM)
    }

    /// The raw pointer.
    pub fn as_raw(&self) -> *mut bindings::kmem_cache {
        self.ptr.as_ptr()
    }

    /// Gives up ownership: the cache is no longer destroyed on drop.
    pub fn into_raw(self) -> NonNull<bindings::kmem_cache> {
        let ptr = self.ptr;
        core::mem::forget(self);
        ptr
    }

    /// Takes back ownership of a cache given up by [`KmemCache::into_raw`].
    ///
    /// # Safety
    ///
    /// `ptr` came from [`KmemCache::into_raw`], and no other `KmemCache`
    /// owns it.
    pub unsafe fn from_raw(ptr: NonNull<bindings::kmem_cache>) -> Self {
        // INVARIANT: By the safety requirement, `ptr` is a cache that was
        // created by `new()` and that nothing else owns.
        Self { ptr }
    }
}

impl Drop for KmemCache {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we own the cache and it is empty.
        unsafe { bindings::kmem_cache_destroy(self.ptr.as_ptr()) };
    }
}
