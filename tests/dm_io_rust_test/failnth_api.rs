// SPDX-License-Identifier: GPL-2.0

//! The Rust API as a row of the fail-nth suite (`tests/c_failnth.c`):
//! C functions over [`DmIoClient`], with the C types, so that every request
//! shape the suite sends to the C ABI also goes through
//! [`DmIoClient::sync_io`] and, for a request with a notify function,
//! through an [`IoScope`](crate::device_mapper::io::IoScope), with every
//! allocation failing in turn.
//!
//! Page-list memory is not here: the API lends a [`PageList`] it owns, and
//! the suite's are C chains. Nor is a resize: the API has none.
//!
//! [`PageList`]: crate::device_mapper::page_list::PageList

use crate::{
    bindings,
    block::{
        bio::{Bio, FromDevice, Segment, ToDevice},
        ioprio::IoPriority,
        opf::Opf,
        SECTOR_SHIFT,
    },
    device_mapper::io::{DmIoClient, DmIoMemory, DmIoRequest, IoBits, Region},
};
use kernel::{ffi, prelude::*};

/// A client, boxed for C; `ERR_PTR(-ENOMEM)` if it cannot be made.
#[no_mangle]
pub(crate) extern "C" fn rdm_test_rust_client_create() -> *mut bindings::dm_io_client {
    match DmIoClient::new().and_then(|c| Ok(KBox::new(c, GFP_KERNEL)?)) {
        Ok(c) => KBox::into_raw(c).cast(),
        Err(e) => e.to_ptr(),
    }
}

/// Drops a client made by [`rdm_test_rust_client_create`].
///
/// # Safety
///
/// `client` came from [`rdm_test_rust_client_create`], and no request of it
/// is in flight.
#[no_mangle]
pub(crate) unsafe extern "C" fn rdm_test_rust_client_destroy(client: *mut bindings::dm_io_client) {
    // SAFETY: Guaranteed by the caller.
    drop(unsafe { KBox::from_raw(client.cast::<DmIoClient>()) });
}

/// A C notify function and its context, called once from a scoped
/// request's completion.
struct CNotify {
    func: unsafe extern "C" fn(ffi::c_ulong, ffi::c_ulong, *mut ffi::c_void),
    context: *mut ffi::c_void,
}

// SAFETY: The suite's notify functions may be called from any context.
unsafe impl Send for CNotify {}

impl CNotify {
    fn call(self, bits: IoBits) {
        // SAFETY: The suite's function, with its context, once.
        unsafe { (self.func)(bits.error_bits, bits.unsup_bits, self.context) }
    }
}

/// `dm_io()` through the Rust API: the request's regions and memory as the
/// API's types, `sync_io()` without a notify function, else one request in
/// a scope, which returns once it completed.
///
/// # Safety
///
/// As for `dm_io()`, with a client from [`rdm_test_rust_client_create`];
/// the memory (of a kind this supports) covers the largest region.
#[no_mangle]
pub(crate) unsafe extern "C" fn rdm_test_rust_io(
    req: *mut bindings::dm_io_request,
    num_regions: ffi::c_uint,
    where_: *mut bindings::dm_io_region,
    error_bits: *mut ffi::c_ulong,
    unsup_bits: *mut ffi::c_ulong,
) -> ffi::c_int {
    // SAFETY: Guaranteed by the caller.
    match unsafe { io(&*req, num_regions as usize, where_, error_bits, unsup_bits) } {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// See [`rdm_test_rust_io`].
unsafe fn io(
    req: &bindings::dm_io_request,
    n: usize,
    where_: *mut bindings::dm_io_region,
    error_bits: *mut ffi::c_ulong,
    unsup_bits: *mut ffi::c_ulong,
) -> Result {
    // SAFETY: A client from `rdm_test_rust_client_create` (caller).
    let client = unsafe { &*req.client.cast::<DmIoClient>() };
    // SAFETY: `Region` is laid out as `struct dm_io_region`, and the caller
    // passes `n` of them, whose devices outlive the request.
    let regions: &[Region<'_>] = unsafe { core::slice::from_raw_parts(where_.cast(), n) };
    let opf = Opf::from_raw(req.bi_opf);
    let len = regions
        .iter()
        .map(|r| (r.count << SECTOR_SHIFT) as usize)
        .max()
        .unwrap_or(0);
    // SAFETY: Every member of the union is a pointer.
    let ptr = unsafe { req.mem.ptr.addr }.cast::<u8>();
    let memory = if ptr.is_null() {
        DmIoMemory::none()
    } else {
        match req.mem.type_ {
            bindings::dm_io_mem_type_DM_IO_BIO => {
                // SAFETY: The caller's bio, kept for the request.
                DmIoMemory::bio(unsafe { Bio::from_raw(ptr.cast()) })
            }
            bindings::dm_io_mem_type_DM_IO_VMA => {
                // SAFETY: The caller lends `len` bytes of vmalloc memory.
                let buf = unsafe { core::slice::from_raw_parts_mut(ptr, len) };
                DmIoMemory::vmalloc(buf)?
            }
            bindings::dm_io_mem_type_DM_IO_KMEM => {
                // SAFETY: The caller lends `len` bytes of kmalloc memory.
                let buf = unsafe { core::slice::from_raw_parts_mut(ptr, len) };
                DmIoMemory::kmalloc(buf)?
            }
            bindings::dm_io_mem_type_DM_IO_BVEC => {
                let bvecs = ptr.cast::<bindings::bio_vec>();
                let (mut nr, mut bytes) = (0, 0);
                while bytes < len {
                    // SAFETY: The caller's entries cover the largest region.
                    bytes += unsafe { (*bvecs.add(nr)).bv_len } as usize;
                    nr += 1;
                }
                if opf.is_read() {
                    // SAFETY: `nr` entries lent for a read, to be written.
                    DmIoMemory::bvec(unsafe { Segment::<FromDevice>::slice_from_raw(bvecs, nr) })?
                } else {
                    // SAFETY: `nr` entries lent to be read.
                    DmIoMemory::bvec(unsafe { Segment::<ToDevice>::slice_from_raw(bvecs, nr) })?
                }
            }
            _ => return Err(EINVAL),
        }
    };
    let request = DmIoRequest {
        opf,
        regions,
        memory,
        ioprio: IoPriority::DEFAULT,
    };
    match req.notify.fn_ {
        None => {
            let bits = client.sync_io(request)?;
            // SAFETY: Optional out-pointers, valid when not NULL (caller).
            unsafe {
                if let Some(p) = error_bits.as_mut() {
                    *p = bits.error_bits as ffi::c_ulong;
                }
                if let Some(p) = unsup_bits.as_mut() {
                    *p = bits.unsup_bits as ffi::c_ulong;
                }
            }
            bits.to_result()
        }
        Some(func) => {
            let notify = CNotify {
                func,
                context: req.notify.context,
            };
            client.scope(|s| s.submit(request, move |bits| notify.call(bits)))
        }
    }
}
