// SPDX-License-Identifier: GPL-2.0

//! Declarations of the C helpers in `src/helpers.c`.
//!
//! They wrap static inline functions and macros that bindgen cannot see.
//! Each has the semantics of the kernel function it is named after.

use kernel::{bindings, ffi};

// Only pointers to these kernel structures cross; bindgen gives some of
// them fields that the lint sees as not FFI-safe, depending on the config.
#[allow(improper_ctypes)]
extern "C" {
    pub(crate) fn rdm_bdev_max_discard_sectors(bdev: *mut bindings::block_device) -> ffi::c_uint;
    pub(crate) fn rdm_bdev_write_zeroes_sectors(bdev: *mut bindings::block_device) -> ffi::c_uint;
    pub(crate) fn rdm_bdev_nr_sectors(bdev: *mut bindings::block_device) -> bindings::sector_t;
    pub(crate) fn rdm_bdev_max_sectors(bdev: *mut bindings::block_device) -> ffi::c_uint;
    pub(crate) fn rdm_bdev_logical_block_size(bdev: *mut bindings::block_device) -> ffi::c_uint;
    pub(crate) fn rdm_bdev_atomic_write_unit_max_bytes(
        bdev: *mut bindings::block_device,
    ) -> ffi::c_uint;
    pub(crate) fn rdm_zero_fill_bio_all(bio: *mut bindings::bio);
    pub(crate) fn rdm_zero_fill_bio_prefix(bio: *mut bindings::bio, bytes: ffi::c_uint);
    pub(crate) fn rdm_bio_is_read(bio: *mut bindings::bio) -> bool;
    pub(crate) fn rdm_virt_to_page(addr: *const ffi::c_void) -> *mut bindings::page;
    pub(crate) fn rdm_virt_addr_valid(addr: *const ffi::c_void) -> bool;
    pub(crate) fn rdm_is_vmalloc_addr(addr: *const ffi::c_void) -> bool;
    pub(crate) fn rdm_flush_kernel_vmap_range(addr: *mut ffi::c_void, size: ffi::c_int);
    pub(crate) fn rdm_invalidate_kernel_vmap_range(addr: *mut ffi::c_void, size: ffi::c_int);
    pub(crate) fn rdm_mempool_init_slab_pool(
        pool: *mut bindings::mempool_t,
        min_nr: ffi::c_int,
        cache: *mut bindings::kmem_cache,
    ) -> ffi::c_int;
    pub(crate) fn rdm_reserved_bio_based_ios() -> ffi::c_uint;
    pub(crate) fn rdm_sync_wait_slice() -> ffi::c_ulong;
    pub(crate) fn rdm_memalloc_noio_save() -> ffi::c_uint;
    pub(crate) fn rdm_memalloc_noio_restore(flags: ffi::c_uint);
}
