// SPDX-License-Identifier: GPL-2.0

//! The Rust API as a row of the fail-nth suite (`tests/c/failnth.c`):
//! C functions over [`DmIoClient`], with the C types, so that every request
//! shape the suite sends to the C ABI also goes through
//! [`DmIoClient::sync_io`] and, for a request with a notify function,
//! through an [`IoScope`](crate::device_mapper::io::IoScope) and as an
//! owned request ([`async_io`]), with every allocation failing in turn.
//!
//! Page-list memory is not here: the API lends a [`PageList`] it owns, and
//! the suite's are C chains. Nor is a resize: the API has none.
//!
//! [`PageList`]: crate::device_mapper::page_list::PageList

use crate::{
    alloc::flags::GFP_NOIO,
    bindings,
    block::{
        bdev::BlockDevice,
        bio::{Bio, FromDevice, Segment, ToDevice},
        ioprio::IoPriority,
        opf::Opf,
        SECTOR_SHIFT,
    },
    device_mapper::io::{
        async_io, DmIoClient, DmIoMemory, DmIoRequest, IoBits, OwnedIo, Region, RegionBuf,
        DM_IO_MAX_REGIONS,
    },
    mm::memalloc::memalloc_retry_wait,
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

/// The memory of a C request, as the API lends it; `len` bytes of it.
///
/// # Safety
///
/// `mem` describes memory (of a kind this supports) that is valid for I/O
/// of `len` bytes in the direction of `opf` for `'a`.
unsafe fn memory<'a>(mem: &bindings::dm_io_memory, opf: Opf, len: usize) -> Result<DmIoMemory<'a>> {
    // SAFETY: Every member of the union is a pointer.
    let ptr = unsafe { mem.ptr.addr }.cast::<u8>();
    if ptr.is_null() {
        return Ok(DmIoMemory::none());
    }
    Ok(match mem.type_ {
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
    })
}

/// The bytes of the largest region, which the memory covers.
fn largest(regions: &[Region<'_>]) -> usize {
    regions
        .iter()
        .map(|r| (r.count << SECTOR_SHIFT) as usize)
        .max()
        .unwrap_or(0)
}

/// Writes a synchronous request's bits to C's optional out-pointers, and
/// gives its return value.
///
/// # Safety
///
/// Each pointer is NULL or valid for a write.
unsafe fn sync_bits(
    bits: IoBits,
    error_bits: *mut ffi::c_ulong,
    unsup_bits: *mut ffi::c_ulong,
) -> Result {
    // SAFETY: Guaranteed by the caller.
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
    let r = unsafe { scoped_io(&*req, num_regions as usize, where_, error_bits, unsup_bits) };
    r.map_or_else(|e| e.to_errno(), |()| 0)
}

/// # Safety
///
/// See [`rdm_test_rust_io`].
unsafe fn scoped_io(
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
    let request = DmIoRequest {
        opf,
        regions,
        // SAFETY: The caller lends the memory for the request.
        memory: unsafe { memory(&req.mem, opf, largest(regions)) }?,
        ioprio: IoPriority::DEFAULT,
    };
    match req.notify.fn_ {
        None => {
            let bits = client.sync_io(request)?;
            // SAFETY: Optional out-pointers, valid when not NULL (caller).
            unsafe { sync_bits(bits, error_bits, unsup_bits) }
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

/// A C request as an owned one ([`async_io`]): what the C caller keeps
/// valid until its notify function runs, by address.
struct OwnedC {
    client: *const DmIoClient,
    opf: Opf,
    /// Device, sector and count of each region.
    regions: [(*mut bindings::block_device, u64, u64); DM_IO_MAX_REGIONS],
    nr: usize,
    mem: bindings::dm_io_memory,
    notify: CNotify,
}

// SAFETY: The client, devices and memory it points to may be used from any
// task; the C caller keeps them until the notify function ran.
unsafe impl Send for OwnedC {}

impl OwnedIo for OwnedC {
    fn client(&self) -> &DmIoClient {
        // SAFETY: A client from `rdm_test_rust_client_create`, kept by the
        // C caller until the request completed.
        unsafe { &*self.client }
    }

    fn request<'a>(&'a self, regions: &'a mut RegionBuf<'a>) -> Result<DmIoRequest<'a, 'a>> {
        for &(bdev, sector, count) in &self.regions[..self.nr] {
            if bdev.is_null() {
                return Err(EINVAL);
            }
            // SAFETY: A device the C caller keeps open for the request.
            let bdev = unsafe { BlockDevice::from_raw(bdev) };
            regions.push(Region::new(bdev, sector, count))?;
        }
        let regions: &'a RegionBuf<'a> = regions;
        Ok(DmIoRequest {
            opf: self.opf,
            regions: regions.as_slice(),
            // SAFETY: The C caller lends the memory until the request
            // completed, which `self` outlives.
            memory: unsafe { memory(&self.mem, self.opf, largest(regions.as_slice())) }?,
            ioprio: IoPriority::DEFAULT,
        })
    }

    fn complete(this: KBox<Self>, bits: IoBits) {
        KBox::into_inner(this).notify.call(bits);
    }
}

/// `dm_io()` through the Rust API's owned requests: `sync_io()` without a
/// notify function, else [`async_io`] of a boxed copy of the request,
/// which returns at once. The box, the caller's own allocation, waits for
/// memory rather than fail, as a caller on an I/O path does.
///
/// # Safety
///
/// As for [`rdm_test_rust_io`].
#[no_mangle]
pub(crate) unsafe extern "C" fn rdm_test_rust_owned_io(
    req: *mut bindings::dm_io_request,
    num_regions: ffi::c_uint,
    where_: *mut bindings::dm_io_region,
    error_bits: *mut ffi::c_ulong,
    unsup_bits: *mut ffi::c_ulong,
) -> ffi::c_int {
    // SAFETY: Valid for the call (caller).
    let c = unsafe { &*req };
    let Some(func) = c.notify.fn_ else {
        // SAFETY: Guaranteed by the caller.
        return unsafe { rdm_test_rust_io(req, num_regions, where_, error_bits, unsup_bits) };
    };
    let nr = num_regions as usize;
    if nr > DM_IO_MAX_REGIONS || where_.is_null() {
        return EINVAL.to_errno();
    }
    let mut regions = [(core::ptr::null_mut(), 0, 0); DM_IO_MAX_REGIONS];
    // SAFETY: The caller passes `nr` regions.
    let given = unsafe { core::slice::from_raw_parts(where_, nr) };
    for (to, w) in regions.iter_mut().zip(given) {
        *to = (w.bdev, w.sector, w.count);
    }
    let owned = OwnedC {
        client: c.client.cast::<DmIoClient>(),
        opf: Opf::from_raw(c.bi_opf),
        regions,
        nr,
        mem: c.mem,
        notify: CNotify {
            func,
            context: c.notify.context,
        },
    };
    let slot = loop {
        match KBox::<OwnedC>::new_uninit(GFP_NOIO) {
            Ok(slot) => break slot,
            Err(_) => memalloc_retry_wait(GFP_NOIO),
        }
    };
    match async_io(KBox::write(slot, owned)) {
        Ok(()) => 0,
        Err((e, _)) => e.to_errno(),
    }
}
