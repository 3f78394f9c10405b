// SPDX-License-Identifier: GPL-2.0

//! The C ABI: `rdm_io*()`, with the types and semantics of
//! [`include/linux/dm-io.h`](srctree/include/linux/dm-io.h); see
//! `include/dm-io-rs.h`. Exported by `src/exports.c`.
//!
//! Built into dm-mod in place of `drivers/md/dm-io.c` (`--cfg
//! dm_io_builtin`, see `scripts/prepare-replace-tree.sh`), the same
//! functions carry the upstream names `dm_io_client_create()`,
//! `dm_io_client_destroy()` and `dm_io()`, and `dm_io_init()` /
//! `dm_io_exit()` are the hooks dm-mod calls at init and exit.
//!
//! Each entry point checks the raw pointers, turns them into typed
//! references, calls the safe API, and turns its `Result` into an errno.

use crate::{
    blk::{
        bio::{Bio, BioVec},
        opf::Opf,
    },
    dm_io::{DmIoClient, DmIoMemory, IoNotifyFn, Region, DM_IO_MAX_REGIONS},
    mm::page::{KernelBuf, KernelMemKind, PageListCursor},
};
use core::pin::Pin;
use kernel::{bindings, ffi, pr_warn_once, prelude::*};

/// `enum dm_io_mem_type`, plus the seed's bvec type as an extension.
const DM_IO_PAGE_LIST: ffi::c_uint = 0;
const DM_IO_BIO: ffi::c_uint = 1;
const DM_IO_VMA: ffi::c_uint = 2;
const DM_IO_KMEM: ffi::c_uint = 3;
const RDM_IO_BVEC: ffi::c_uint = 4;

/// `struct dm_io_memory`; `src/exports.c` checks the layout.
#[repr(C)]
pub(crate) struct DmIoMemoryC {
    kind: ffi::c_uint,
    offset: ffi::c_uint,
    ptr: *mut ffi::c_void,
}

/// `struct dm_io_notify`.
#[repr(C)]
pub(crate) struct DmIoNotifyC {
    func: Option<IoNotifyFn>,
    context: *mut ffi::c_void,
}

/// `struct dm_io_request`.
#[repr(C)]
pub(crate) struct DmIoRequestC {
    bi_opf: bindings::blk_opf_t,
    mem: DmIoMemoryC,
    notify: DmIoNotifyC,
    client: *mut DmIoClient,
}

fn err_ptr<T>(err: Error) -> *mut T {
    err.to_errno() as isize as *mut T
}

fn is_err_or_null<T>(ptr: *const T) -> bool {
    ptr.is_null() || (ptr as usize) >= (-(bindings::MAX_ERRNO as isize)) as usize
}

/// `dm_io_client_create()`: a client with the default reserve, or an
/// `ERR_PTR()`.
#[cfg_attr(not(dm_io_builtin), export_name = "rdm_io_client_create")]
#[cfg_attr(dm_io_builtin, export_name = "dm_io_client_create")]
pub(crate) extern "C" fn rdm_io_client_create() -> *mut DmIoClient {
    match KBox::pin_init(DmIoClient::new(), GFP_KERNEL) {
        // SAFETY: The client stays pinned: C only ever holds this pointer
        // and gives it back to `rdm_io_client_destroy`.
        Ok(client) => KBox::into_raw(unsafe { Pin::into_inner_unchecked(client) }),
        Err(e) => err_ptr(e),
    }
}

/// `dm_io_client_destroy()`. Ignores NULL and error pointers.
///
/// # Safety
///
/// `client` must come from [`rdm_io_client_create`], with no I/O left in
/// flight, and not be used afterwards.
#[cfg_attr(not(dm_io_builtin), export_name = "rdm_io_client_destroy")]
#[cfg_attr(dm_io_builtin, export_name = "dm_io_client_destroy")]
pub(crate) unsafe extern "C" fn rdm_io_client_destroy(client: *mut DmIoClient) {
    if is_err_or_null(client) {
        return;
    }
    // SAFETY: Guaranteed by the caller; the box was pinned, and dropping
    // it in place keeps the pinning promise.
    drop(unsafe { Pin::new_unchecked(KBox::from_raw(client)) });
}

/// `dm_io_client_resize()` of the original design: reserve io objects for
/// `num_pages` pages (four per page, as it did).
///
/// # Safety
///
/// `client` must be NULL or a live client from [`rdm_io_client_create`].
#[no_mangle]
pub(crate) unsafe extern "C" fn rdm_io_client_resize(
    num_pages: ffi::c_uint,
    client: *mut DmIoClient,
) -> ffi::c_int {
    if is_err_or_null(client) {
        return EINVAL.to_errno();
    }
    // SAFETY: Guaranteed by the caller.
    let client = unsafe { &*client };
    match client.resize(num_pages.saturating_mul(4)) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// How many bvecs a request may consume: walk until the largest region is
/// covered, so that the slice never reaches past what the caller provided.
///
/// # Safety
///
/// `bvecs` must hold enough entries to cover `max_bytes`.
unsafe fn bvec_len(bvecs: *const bindings::bio_vec, max_bytes: u64) -> usize {
    let (mut n, mut bytes) = (0usize, 0u64);
    while bytes < max_bytes {
        // SAFETY: Entries up to the one that covers `max_bytes` exist.
        bytes += u64::from(unsafe { (*bvecs.add(n)).bv_len });
        n += 1;
    }
    n
}

/// Converts the C memory description.
///
/// # Safety
///
/// The memory must be valid for the request, as `dm_io()` requires.
unsafe fn memory<'a>(mem: &DmIoMemoryC, regions: &[Region<'_>]) -> Result<DmIoMemory<'a>> {
    if mem.ptr.is_null() {
        // How upstream callers say "no data" (dm-raid1 and dm-bufio flushes
        // and discards, dm-integrity flushes): fine while no region needs
        // data, which the request's check enforces.
        return match mem.kind {
            DM_IO_PAGE_LIST | DM_IO_BIO | DM_IO_VMA | DM_IO_KMEM | RDM_IO_BVEC => {
                Ok(DmIoMemory::none())
            }
            _ => Err(EINVAL),
        };
    }
    // In every arm the caller guarantees that the memory is valid for
    // every byte the request touches, for the whole request.
    Ok(match mem.kind {
        DM_IO_PAGE_LIST => DmIoMemory::PageList {
            // SAFETY: A page_list chain from the caller; see above.
            list: unsafe { PageListCursor::from_raw(mem.ptr.cast()) },
            offset: mem.offset,
            nr_pages: None,
        },
        // SAFETY: The caller's bio; see above.
        DM_IO_BIO => DmIoMemory::Bio(unsafe { Bio::from_raw(mem.ptr.cast()) }),
        DM_IO_VMA => {
            // SAFETY: vmalloc memory from the caller; see above.
            DmIoMemory::Vma(unsafe { KernelBuf::from_raw(mem.ptr.cast(), KernelMemKind::Vmalloc) })
        }
        DM_IO_KMEM => {
            // SAFETY: Linear-map memory from the caller; see above.
            DmIoMemory::Kmem(unsafe { KernelBuf::from_raw(mem.ptr.cast(), KernelMemKind::Linear) })
        }
        RDM_IO_BVEC => {
            let max = regions
                .iter()
                .map(|r| r.count << bindings::SECTOR_SHIFT)
                .max()
                .unwrap_or(0);
            let bvecs = mem.ptr as *const bindings::bio_vec;
            // SAFETY: See above; the length covers exactly what is used.
            DmIoMemory::Bvec(unsafe { BioVec::slice_from_raw(bvecs, bvec_len(bvecs, max)) })
        }
        _ => return Err(EINVAL),
    })
}

/// `dm_io()`: see `include/dm-io-rs.h`.
///
/// # Safety
///
/// As for `dm_io()`: `io_req` and `where_` (`num_regions` entries) valid,
/// the memory and devices valid until the request completes.
#[cfg_attr(not(dm_io_builtin), export_name = "rdm_io")]
#[cfg_attr(dm_io_builtin, export_name = "dm_io")]
pub(crate) unsafe extern "C" fn rdm_io(
    io_req: *mut DmIoRequestC,
    num_regions: ffi::c_uint,
    where_: *mut ffi::c_void,
    sync_error_bits: *mut ffi::c_ulong,
    sync_unsup_bits: *mut ffi::c_ulong,
    ioprio: ffi::c_ushort,
) -> ffi::c_int {
    // SAFETY: Guaranteed by the caller.
    match unsafe {
        rdm_io_inner(
            io_req,
            num_regions,
            where_.cast(),
            sync_error_bits,
            sync_unsup_bits,
            ioprio,
        )
    } {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// See [`rdm_io`].
unsafe fn rdm_io_inner(
    io_req: *mut DmIoRequestC,
    num_regions: ffi::c_uint,
    where_: *const Region<'_>,
    sync_error_bits: *mut ffi::c_ulong,
    sync_unsup_bits: *mut ffi::c_ulong,
    ioprio: ffi::c_ushort,
) -> Result {
    // SAFETY: Guaranteed by the caller, when non-null.
    let req = unsafe { io_req.as_ref() }.ok_or(EINVAL)?;
    let opf = Opf::from_raw(req.bi_opf);
    if num_regions > 1 && !opf.is_write() {
        // Upstream's first check; the request's own check repeats it.
        pr_warn_once!("dm-io-rs: multi-region request that is not a write refused\n");
        return Err(EIO);
    }
    if is_err_or_null(req.client) || where_.is_null() || num_regions as usize > DM_IO_MAX_REGIONS {
        return Err(EINVAL);
    }
    // SAFETY: The client is live, by the caller's contract.
    let client = unsafe { &*req.client };
    // SAFETY: `Region` has the layout of `struct dm_io_region` (checked in
    // src/exports.c); the caller passes `num_regions` of them. A NULL
    // `bdev` reads as `None`.
    let regions = unsafe { core::slice::from_raw_parts(where_, num_regions as usize) };
    // SAFETY: The caller keeps the memory valid for the request.
    let mem = unsafe { memory(&req.mem, regions) }?;

    match req.notify.func {
        None => {
            let bits = client.sync_io(opf, regions, mem, ioprio)?;
            // SAFETY: Optional out-pointers from the caller.
            unsafe {
                if let Some(p) = sync_error_bits.as_mut() {
                    *p = bits.error_bits as ffi::c_ulong;
                }
                if let Some(p) = sync_unsup_bits.as_mut() {
                    *p = bits.unsup_bits as ffi::c_ulong;
                }
            }
            bits.to_result()
        }
        // SAFETY: The caller keeps memory, devices, client and context
        // valid until `func` runs, as `dm_io()` requires.
        Some(func) => unsafe {
            client.async_io_raw(opf, regions, mem, ioprio, func, req.notify.context)
        },
    }
}

/// `dm_io_init()`, called by dm-mod's init table when the Rust dm-io is
/// built in: creates the io cache behind every client's pool.
#[cfg(dm_io_builtin)]
#[no_mangle]
pub(crate) extern "C" fn dm_io_init() -> ffi::c_int {
    match crate::dm_io::io::publish_io_cache() {
        Ok(()) => {
            kernel::pr_info!("Rust dm-io (dm-io-rs) in place of drivers/md/dm-io.c\n");
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// `dm_io_exit()`, called by dm-mod's exit table after every client is
/// gone.
#[cfg(dm_io_builtin)]
#[no_mangle]
pub(crate) extern "C" fn dm_io_exit() {
    crate::dm_io::io::unpublish_io_cache();
}
