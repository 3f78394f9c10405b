// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2003 Sistina Software
// Copyright (C) 2006 Red Hat GmbH

//! The C entry points: `dm_io()`, `dm_io_client_create()`,
//! `dm_io_client_destroy()`, with the types and semantics of
//! [`include/linux/dm-io.h`](srctree/include/linux/dm-io.h), and dm-mod's
//! `dm_io_init()` / `dm_io_exit()`.
//!
//! Each entry point checks the raw pointers, turns them into typed
//! references, calls the safe dm-io, and turns its `Result` into an errno.
//! Bad input gets an error where upstream would crash or hang.

use super::{
    client::Client,
    io::{Notify, PooledIo},
    memory::{Memory, MemoryDirection},
    request::Request,
};
use crate::{
    bindings,
    block::{
        bio::{Bio, FromDevice, KernelBuf, KernelBufKind, Segment, ToDevice},
        ioprio::IoPriority,
        opf::Opf,
        SECTOR_SHIFT,
    },
    device_mapper::{
        page_list::PageListCursor,
        region::{IoBits, Region, DM_IO_MAX_REGIONS},
    },
    mm::kmem_cache::KmemCache,
};
use core::{
    pin::Pin,
    ptr::{null_mut, NonNull},
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::{error::from_err_ptr, ffi, prelude::*};

/// The `io_notify_fn` of an asynchronous C request and its context.
pub(crate) struct CNotify {
    func: unsafe extern "C" fn(ffi::c_ulong, ffi::c_ulong, *mut ffi::c_void),
    context: *mut ffi::c_void,
}

// SAFETY: `dm_io()`'s contract: the callback may be called, with its
// context, from any context.
unsafe impl Send for CNotify {}
// SAFETY: The context is only handed to the callback.
unsafe impl Sync for CNotify {}

impl Notify for CNotify {
    fn notify(self, bits: IoBits) {
        // SAFETY: The caller of `dm_io()` promised that `func` may be called
        // once with `context` when the request completes; this is that call.
        unsafe {
            (self.func)(
                bits.error_bits as ffi::c_ulong,
                bits.unsup_bits as ffi::c_ulong,
                self.context,
            )
        };
    }
}

/// What `struct dm_io_client` is, for C callers.
type DmIoClient = Client<CNotify>;

/// `IS_ERR_OR_NULL()`.
fn is_err_or_null<T>(ptr: *const T) -> bool {
    !matches!(from_err_ptr(ptr.cast_mut()), Ok(p) if !p.is_null())
}

/// `dm_io_client_create()`: a client with dm-mod's reserve, or an
/// `ERR_PTR()`.
#[cfg_attr(not(dm_io_rs_out_of_tree), export)]
#[cfg_attr(dm_io_rs_out_of_tree, export_name = "rdm_io_client_create")]
pub(crate) extern "C" fn dm_io_client_create() -> *mut bindings::dm_io_client {
    let Some(cache) = NonNull::new(IO_CACHE.load(Ordering::Acquire)) else {
        return ENOMEM.to_ptr();
    };
    // SAFETY: The cache lives from `dm_io_init()` to `dm_io_exit()`, and
    // every client between the two: clients are made and destroyed by
    // modules that use dm-mod's symbols, which keeps it loaded.
    let cache = unsafe { cache.as_ref() };
    // SAFETY: No preconditions; reads a module parameter of dm-mod.
    let min_ios = unsafe { bindings::dm_get_reserved_bio_based_ios() };
    match KBox::pin_init(DmIoClient::new(cache, min_ios), GFP_KERNEL) {
        // SAFETY: The client stays pinned: C only holds this pointer, as the
        // opaque `struct dm_io_client`, and gives it back to
        // `dm_io_client_destroy()`.
        Ok(client) => KBox::into_raw(unsafe { Pin::into_inner_unchecked(client) }).cast(),
        Err(e) => e.to_ptr(),
    }
}

/// `dm_io_client_destroy()`; ignores NULL and error pointers.
///
/// # Safety
///
/// `client` must come from [`dm_io_client_create`], with no I/O in
/// flight, and not be used afterwards.
#[cfg_attr(not(dm_io_rs_out_of_tree), export)]
#[cfg_attr(dm_io_rs_out_of_tree, export_name = "rdm_io_client_destroy")]
pub(crate) unsafe extern "C" fn dm_io_client_destroy(client: *mut bindings::dm_io_client) {
    if is_err_or_null(client) {
        return;
    }
    // SAFETY: Guaranteed by the caller: a client from `KBox::into_raw`; the
    // box was pinned, and dropping it in place keeps the pinning promise.
    drop(unsafe { Pin::new_unchecked(KBox::from_raw(client.cast::<DmIoClient>())) });
}

/// `dm_io_client_resize()` of the original design, which the out-of-tree
/// C ABI keeps: reserve io objects for `num_pages` pages, four per page as
/// it did.
///
/// # Safety
///
/// `client` must be NULL or a live client from [`dm_io_client_create`].
#[cfg(dm_io_rs_out_of_tree)]
#[export_name = "rdm_io_client_resize"]
pub(crate) unsafe extern "C" fn dm_io_client_resize(
    num_pages: ffi::c_uint,
    client: *mut DmIoClient,
) -> ffi::c_int {
    if is_err_or_null(client) {
        return EINVAL.to_errno();
    }
    // SAFETY: A live client (caller).
    match unsafe { &*client }.pool.resize(num_pages.saturating_mul(4)) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// The `max_bytes` at `ptr` as a buffer of `kind`: `EINVAL` unless both
/// ends are memory of that kind (a vmalloc address as `DM_IO_KMEM` would
/// give `virt_to_page()` garbage).
///
/// # Safety
///
/// As [`memory`]: the bytes are lent for the request, in direction `D`.
unsafe fn kernel_buf<'a, D: MemoryDirection>(
    ptr: NonNull<u8>,
    max_bytes: u64,
    kind: KernelBufKind,
) -> Result<Memory<'a, D>> {
    let len = usize::try_from(max_bytes).map_err(|_| EINVAL)?;
    if len > 0 && !kind.holds_range(ptr.as_ptr(), len) {
        return Err(EINVAL);
    }
    // SAFETY: `len` bytes of `kind` memory (checked), lent by the caller for
    // the request in direction `D`, which reaches no further than its
    // largest region.
    Ok(Memory::Kernel(unsafe {
        KernelBuf::from_raw(ptr, len, kind)
    }))
}

/// The bytes of the largest region of `opf`, as far as the memory must
/// reach: an overflowing count fails its region in dispatch and needs none.
fn max_bytes(opf: Opf, regions: &[Region<'_>]) -> u64 {
    if opf.is_discard_or_write_zeroes() {
        return 0;
    }
    regions
        .iter()
        .filter_map(|r| {
            r.count
                .checked_shl(SECTOR_SHIFT)
                .filter(|b| b >> SECTOR_SHIFT == r.count)
        })
        .max()
        .unwrap_or(0)
}

/// The memory of a C request for `regions`, lent in direction `D`: the
/// direction of `opf`.
///
/// # Safety
///
/// The memory must stay valid for `'a`, as far as the regions reach, as
/// `dm_io()` requires: for I/O to read, and to write too for a read.
unsafe fn memory<'a, D: MemoryDirection>(
    mem: &bindings::dm_io_memory,
    opf: Opf,
    regions: &[Region<'_>],
) -> Result<Memory<'a, D>> {
    // SAFETY: Every member of the union is a pointer.
    let ptr = unsafe { mem.ptr.addr };
    let Some(ptr) = NonNull::new(ptr.cast::<u8>()) else {
        // How upstream callers say "no data" (dm-raid1, dm-bufio and
        // dm-integrity flushes and discards): the request refuses it for a
        // region that moves data.
        return match mem.type_ {
            bindings::dm_io_mem_type_DM_IO_PAGE_LIST
            | bindings::dm_io_mem_type_DM_IO_BIO
            | bindings::dm_io_mem_type_DM_IO_VMA
            | bindings::dm_io_mem_type_DM_IO_KMEM
            | bindings::dm_io_mem_type_DM_IO_BVEC => Ok(Memory::None),
            _ => Err(EINVAL),
        };
    };
    Ok(match mem.type_ {
        bindings::dm_io_mem_type_DM_IO_PAGE_LIST => {
            let offset = mem.offset as usize;
            if offset >= kernel::page::PAGE_SIZE {
                return Err(EINVAL);
            }
            Memory::PageList {
                // SAFETY: A `page_list` chain that the caller keeps for the
                // request, its pages lent in direction `D`.
                list: unsafe { PageListCursor::from_raw(ptr.as_ptr().cast()) },
                offset,
            }
        }
        bindings::dm_io_mem_type_DM_IO_BIO => {
            // SAFETY: The caller's bio, which it keeps unchanged for the
            // request; a bio lends its pages to be read, and to be written if
            // it is a read.
            let bio = unsafe { Bio::from_raw(ptr.as_ptr().cast()) };
            // A read into the pages of a bio that writes them out.
            if D::FROM_DEVICE && !bio.opf().is_read() {
                return Err(EINVAL);
            }
            Memory::Bio(bio)
        }
        // SAFETY: The caller lends the memory, as far as the regions reach.
        bindings::dm_io_mem_type_DM_IO_VMA => unsafe {
            kernel_buf(ptr, max_bytes(opf, regions), KernelBufKind::Vmalloc)?
        },
        // SAFETY: The caller lends the memory, as far as the regions reach.
        bindings::dm_io_mem_type_DM_IO_KMEM => unsafe {
            kernel_buf(ptr, max_bytes(opf, regions), KernelBufKind::Linear)?
        },
        bindings::dm_io_mem_type_DM_IO_BVEC => {
            // The array has no length: take the entries that cover the
            // largest region, refusing an empty one.
            let bvecs = ptr.as_ptr().cast::<bindings::bio_vec>();
            let reach = max_bytes(opf, regions);
            let (mut n, mut bytes) = (0usize, 0u64);
            while bytes < reach {
                // SAFETY: The caller provides entries up to the one that covers
                // the largest region; this stops there.
                let bv = unsafe { &*bvecs.add(n) };
                if bv.bv_len == 0 || bv.bv_page.is_null() {
                    return Err(EINVAL);
                }
                bytes += u64::from(bv.bv_len);
                n += 1;
            }
            // SAFETY: `n` checked, non-empty entries, valid for the request in
            // direction `D`.
            Memory::Bvec(unsafe { Segment::slice_from_raw(bvecs, n) })
        }
        _ => return Err(EINVAL),
    })
}

/// `dm_io()`.
///
/// Beyond upstream, refuses with `-EINVAL` (and no callback) a NULL
/// request, client or region array, more than `BITS_PER_LONG` regions, an
/// unknown memory type, a NULL memory pointer for a region that moves data,
/// a page-list offset of `PAGE_SIZE` or more, a `DM_IO_BVEC` array with an
/// empty entry, a region to move data with a NULL `bdev`, a `DM_IO_BIO`
/// region larger than the bio, a read into a `DM_IO_BIO` bio that is not
/// a read, or an I/O priority whose class no I/O scheduler knows.
///
/// # Safety
///
/// As for upstream `dm_io()`: `io_req` and the `num_regions` entries of
/// `where_` are valid for the call; the client, the devices, the memory and
/// the notify context stay valid until the request completes.
#[cfg_attr(not(dm_io_rs_out_of_tree), export)]
#[cfg_attr(dm_io_rs_out_of_tree, export_name = "rdm_io")]
pub(crate) unsafe extern "C" fn dm_io(
    io_req: *mut bindings::dm_io_request,
    num_regions: ffi::c_uint,
    where_: *mut bindings::dm_io_region,
    sync_error_bits: *mut ffi::c_ulong,
    sync_unsup_bits: *mut ffi::c_ulong,
    ioprio: ffi::c_ushort,
) -> ffi::c_int {
    // SAFETY: Guaranteed by the caller.
    match unsafe {
        dm_io_inner(
            io_req,
            num_regions,
            where_,
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
/// See [`dm_io`].
unsafe fn dm_io_inner(
    io_req: *mut bindings::dm_io_request,
    num_regions: ffi::c_uint,
    where_: *mut bindings::dm_io_region,
    sync_error_bits: *mut ffi::c_ulong,
    sync_unsup_bits: *mut ffi::c_ulong,
    ioprio: ffi::c_ushort,
) -> Result {
    // SAFETY: Valid for the call when not NULL (caller).
    let req = unsafe { io_req.as_ref() }.ok_or(EINVAL)?;
    let opf = Opf::from_raw(req.bi_opf);
    let client = req.client.cast::<DmIoClient>();
    // Reads of several regions are refused by the request's own check.
    if is_err_or_null(client) || where_.is_null() || num_regions as usize > DM_IO_MAX_REGIONS {
        return Err(EINVAL);
    }
    // A class no I/O scheduler knows: mq-deadline would index past its
    // table of classes.
    let ioprio = IoPriority::from_raw(ioprio)?;
    // SAFETY: A live client until the request completes (caller); `'static`
    // because the request may complete after this call, and dm-io keeps no
    // reference past the completion.
    let client: &'static DmIoClient = unsafe { &*client };
    // SAFETY: `Region` has the layout of `struct dm_io_region` (checked
    // where it is defined); the caller passes `num_regions` of them, valid during this
    // call (dm-io reads them before it returns); their devices stay until
    // the request completes; a NULL `bdev` reads as `None`.
    let regions: &[Region<'static>] =
        unsafe { core::slice::from_raw_parts(where_.cast(), num_regions as usize) };
    let out = SyncBits {
        error: sync_error_bits,
        unsup: sync_unsup_bits,
    };
    // The memory is lent in the direction the operation moves data: a read
    // writes it, anything else only reads it.
    if opf.is_read() {
        // SAFETY: Guaranteed by the caller, for a read.
        unsafe { run::<FromDevice>(client, req, opf, regions, ioprio, out) }
    } else {
        // SAFETY: Guaranteed by the caller.
        unsafe { run::<ToDevice>(client, req, opf, regions, ioprio, out) }
    }
}

/// Where a synchronous C request wants its bits: optional out-pointers.
struct SyncBits {
    error: *mut ffi::c_ulong,
    unsup: *mut ffi::c_ulong,
}

/// Sends a C request whose memory is lent in direction `D`.
///
/// # Safety
///
/// As for [`dm_io`], with `req` the request and `out` its out-pointers;
/// the memory is lent for I/O in direction `D`.
unsafe fn run<D: MemoryDirection>(
    client: &'static DmIoClient,
    req: &bindings::dm_io_request,
    opf: Opf,
    regions: &[Region<'static>],
    ioprio: IoPriority,
    out: SyncBits,
) -> Result {
    // SAFETY: The caller keeps the memory valid until the request completes;
    // dm-io keeps no reference past it.
    let memory: Memory<'static, D> = unsafe { memory(&req.mem, opf, regions) }?;
    let request = Request {
        opf,
        regions,
        memory,
        ioprio,
    };
    match req.notify.fn_ {
        None => {
            let bits = client.sync_io(request)?;
            // SAFETY: Optional out-pointers, valid when not NULL (caller).
            unsafe {
                if let Some(p) = out.error.as_mut() {
                    *p = bits.error_bits as ffi::c_ulong;
                }
                if let Some(p) = out.unsup.as_mut() {
                    *p = bits.unsup_bits as ffi::c_ulong;
                }
            }
            bits.to_result()
        }
        Some(func) => client.async_io(
            request,
            CNotify {
                func,
                context: req.notify.context,
            },
        ),
    }
}

/// The slab cache of io objects (`_dm_io_cache`), from `dm_io_init()` to
/// `dm_io_exit()`; null outside.
static IO_CACHE: AtomicPtr<KmemCache<PooledIo<CNotify>>> = AtomicPtr::new(null_mut());

/// The io objects' cache's name: `KMEM_CACHE(io, 0)`'s, beside the
/// built-in C dm-io's for the module.
#[cfg(not(dm_io_rs_out_of_tree))]
const IO_CACHE_NAME: &kernel::str::CStr = c"io";
#[cfg(dm_io_rs_out_of_tree)]
const IO_CACHE_NAME: &kernel::str::CStr = c"rdm_io";

/// `dm_io_init()`, from dm-mod's init table (the module's init for the
/// module): makes the io objects' slab cache.
#[cfg_attr(not(dm_io_rs_out_of_tree), no_mangle)]
pub(crate) extern "C" fn dm_io_init() -> ffi::c_int {
    let cache = match KmemCache::new(IO_CACHE_NAME).and_then(|c| Ok(KBox::new(c, GFP_KERNEL)?)) {
        Ok(cache) => cache,
        Err(e) => return e.to_errno(),
    };
    IO_CACHE.store(KBox::into_raw(cache), Ordering::Release);
    0
}

/// `dm_io_exit()`, from dm-mod's exit table (the module's exit for the
/// module): destroys the io objects' slab cache.
#[cfg_attr(not(dm_io_rs_out_of_tree), no_mangle)]
pub(crate) extern "C" fn dm_io_exit() {
    let cache = IO_CACHE.swap(null_mut(), Ordering::AcqRel);
    if !cache.is_null() {
        // SAFETY: Made by `dm_io_init()` with `KBox::into_raw`; no client is
        // left (dm-mod's users are gone), so no pool borrows it.
        drop(unsafe { KBox::from_raw(cache) });
    }
}
