// SPDX-License-Identifier: GPL-2.0

//! The device-mapper I/O service for Rust callers: one request names up to
//! `BITS_PER_LONG` regions of block devices and one memory source, and
//! completes synchronously or through a callback that runs exactly once.
//!
//! C header: [`include/linux/dm-io.h`](srctree/include/linux/dm-io.h)
//!
//! This wraps `dm_io()`, whichever implementation dm-mod links. Requests are
//! checked here first, so that the C function is only called with what
//! either implementation handles (see [`DmIoRequest`]), and with devices and
//! memory that outlive the I/O.
//!
//! The functions that send requests sleep, and check it (`might_sleep()`):
//! a completion callback, which runs in interrupt context, must not call
//! them. The types keep a callback from reaching the scope it was sent
//! from ([`IoScope`] is not `Sync`); nothing keeps it from reaching a
//! client, so that rule is checked at run time.

use super::page_list::PageList;
pub use super::region::{IoBits, Region, DM_IO_MAX_REGIONS};
use crate::{
    alloc::flags::GFP_NOIO,
    bindings,
    block::{
        bio::{
            flush_vmap_range, in_submit_bio, Bio, Direction, KernelBufKind, Segment, BIO_MAX_VECS,
        },
        ioprio::IoPriority,
        opf::{Opf, ReqFlag},
        SECTOR_SHIFT, SECTOR_SIZE,
    },
    error::{code::*, to_result},
    ffi,
    mm::memalloc::memalloc_retry_wait,
    page::PAGE_SIZE,
    prelude::*,
    sync::Completion,
    task::might_sleep,
    types::NotThreadSafe,
    workqueue::{self, impl_has_work, new_work, Work, WorkItem},
};
use core::{
    marker::PhantomData,
    mem::MaybeUninit,
    ptr::NonNull,
    sync::atomic::{AtomicUsize, Ordering},
};

/// A dm-io client: the reserve of io objects and bios that lets its I/O
/// make progress under memory pressure (`struct dm_io_client`).
///
/// Dropping a client defers its destruction, `dm_io_client_destroy()`, to
/// a work item in process context: the last owner may be a request's
/// completion, which runs in interrupt context.
///
/// # Examples
///
/// ```
/// use kernel::block::{bdev::BlockDevice, ioprio::IoPriority, opf::{Opf, ReqOp}};
/// use kernel::device_mapper::io::{DmIoClient, DmIoMemory, DmIoRequest, Region};
///
/// /// Writes `buf` to the first sectors of both legs of a mirror.
/// fn write_both(legs: [&BlockDevice; 2], buf: &[u8]) -> Result {
///     let client = DmIoClient::new()?;
///     let sectors = (buf.len() >> 9) as u64;
///     let regions = [Region::new(legs[0], 0, sectors), Region::new(legs[1], 0, sectors)];
///     let bits = client.sync_io(DmIoRequest {
///         opf: Opf::new(ReqOp::Write),
///         regions: &regions,
///         memory: DmIoMemory::kmalloc_ro(buf)?,
///         ioprio: IoPriority::DEFAULT,
///     })?;
///     // `EIO` if a leg failed, `EOPNOTSUPP` if a leg refused the operation.
///     bits.to_result()
/// }
/// ```
pub struct DmIoClient {
    inner: Option<Pin<KBox<ClientInner>>>,
}

/// The C client and the work item that destroys it.
///
/// # Invariants
///
/// `raw` is a client from `dm_io_client_create()`, destroyed only by the
/// work item.
#[pin_data]
struct ClientInner {
    raw: NonNull<bindings::dm_io_client>,
    #[pin]
    work: Work<ClientInner>,
}

impl_has_work! {
    impl HasWork<Self> for ClientInner { self.work }
}

impl WorkItem for ClientInner {
    type Pointer = Pin<KBox<Self>>;

    fn run(this: Pin<KBox<Self>>) {
        // SAFETY: By the type invariant the client is ours to destroy; its
        // owner dropped it, and the safe API keeps no I/O in flight past the
        // owner (requests borrow the client or keep its owner alive).
        unsafe { bindings::dm_io_client_destroy(this.raw.as_ptr()) };
    }
}

// SAFETY: A dm-io client may be used and destroyed from any task.
unsafe impl Send for ClientInner {}
// SAFETY: `dm_io()` may be called on one client from several tasks at once.
unsafe impl Sync for ClientInner {}

impl DmIoClient {
    /// `dm_io_client_create()`.
    pub fn new() -> Result<Self> {
        // SAFETY: No preconditions; returns a client or an `ERR_PTR()`.
        let raw = crate::error::from_err_ptr(unsafe { bindings::dm_io_client_create() })?;
        let raw = NonNull::new(raw).ok_or(ENOMEM)?;
        // INVARIANT: `raw` was just created.
        let inner = KBox::pin_init(
            pin_init!(ClientInner {
                raw,
                work <- new_work!("DmIoClient::destroy"),
            }),
            GFP_KERNEL,
        );
        match inner {
            Ok(inner) => Ok(Self { inner: Some(inner) }),
            Err(e) => {
                // SAFETY: Created above and never used.
                unsafe { bindings::dm_io_client_destroy(raw.as_ptr()) };
                Err(e)
            }
        }
    }

    fn as_raw(&self) -> *mut bindings::dm_io_client {
        self.inner
            .as_ref()
            .map_or(core::ptr::null_mut(), |inner| inner.raw.as_ptr())
    }

    /// A synchronous request (`dm_io()` without a notify function): sends
    /// it, waits with I/O accounting, and returns which regions failed.
    ///
    /// `Err` means that nothing was sent: `EINVAL` for a malformed request
    /// (see [`DmIoRequest`]), `EIO` for a read from more than one region.
    /// `Ok(bits)` comes once all I/O finished; [`IoBits::to_result`] gives
    /// the C return value.
    ///
    /// Sleeps: process context only, which `might_sleep()` checks; not
    /// inside `submit_bio()` either (a target's map hook), where it fails
    /// with `EDEADLK`.
    pub fn sync_io(&self, req: DmIoRequest<'_, '_>) -> Result<IoBits> {
        might_sleep();
        refuse_in_submit_bio()?;
        let mut c = req.to_c(self)?;
        let (mut error, mut unsup): (ffi::c_ulong, ffi::c_ulong) = (0, 0);
        // SAFETY: `to_c` checked the request: the regions and the memory are
        // borrowed by `req` until this returns, after the I/O completed.
        let r = unsafe {
            bindings::dm_io(
                &mut c.req,
                c.num_regions,
                c.regions,
                &mut error,
                &mut unsup,
                c.ioprio.as_raw(),
            )
        };
        bits_from_c(r, error, unsup)
    }

    /// Runs `f` with a scope in which asynchronous requests may borrow
    /// memory and devices for `'env`; returns when every request sent in it
    /// has completed (as `std::thread::scope` does for threads).
    ///
    /// Sleeps: process context only, which `might_sleep()` checks.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::sync::atomic::{AtomicUsize, Ordering};
    /// use kernel::block::{bdev::BlockDevice, ioprio::IoPriority, opf::{Opf, ReqOp}};
    /// use kernel::device_mapper::io::{DmIoClient, DmIoMemory, DmIoRequest, Region};
    ///
    /// /// Writes each buffer to its own place, all in flight at once.
    /// fn write_all(client: &DmIoClient, dev: &BlockDevice, bufs: &[KVec<u8>]) -> Result<usize> {
    ///     let failed = AtomicUsize::new(0);
    ///     client.scope(|s| -> Result {
    ///         for (i, buf) in bufs.iter().enumerate() {
    ///             let region = [Region::new(dev, i as u64 * 8, 8)];
    ///             let req = DmIoRequest {
    ///                 opf: Opf::new(ReqOp::Write),
    ///                 regions: &region,
    ///                 memory: DmIoMemory::kmalloc_ro(buf)?,
    ///                 ioprio: IoPriority::DEFAULT,
    ///             };
    ///             // Runs once, in completion context: it must not sleep.
    ///             s.submit(req, |bits| {
    ///                 if bits.to_result().is_err() {
    ///                     failed.fetch_add(1, Ordering::Relaxed);
    ///                 }
    ///             })?;
    ///         }
    ///         Ok(())
    ///     })?;
    ///     Ok(failed.load(Ordering::Relaxed))
    /// }
    /// ```
    pub fn scope<'env, R>(&'env self, f: impl FnOnce(&IoScope<'_, 'env>) -> R) -> R {
        might_sleep();
        pin_init::stack_pin_init!(let done = Completion::new());
        let scope = IoScope {
            client: self,
            pending: AtomicUsize::new(1),
            done: &done,
            _env: PhantomData,
            _not_sync: NotThreadSafe,
        };
        let r = f(&scope);
        scope.put();
        done.wait_for_completion_io();
        r
    }
}

/// `EDEADLK` inside `submit_bio()` (a target's map hook): the request's bios
/// would be held until the caller returns, and the caller would wait for
/// them.
fn refuse_in_submit_bio() -> Result {
    if in_submit_bio() {
        return Err(EDEADLK);
    }
    Ok(())
}

impl Drop for DmIoClient {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            // A box is never queued twice: this is its only enqueue.
            workqueue::system_unbound().enqueue(inner);
        }
    }
}

/// Where a request's data lives (`struct dm_io_memory`).
///
/// Each constructor checks what it can; the request checks the rest (that
/// the memory covers every region, and that a read's memory is lent to be
/// written: a buffer lent as `&mut [u8]`, segments lent
/// [`FromDevice`](crate::block::bio::FromDevice), a bio that is a read).
pub struct DmIoMemory<'a>(Memory<'a>);

enum Memory<'a> {
    None,
    PageList(&'a PageList, usize),
    /// The segments, and whether they are lent to be written.
    Bvec(&'a [bindings::bio_vec], bool),
    Bio(&'a Bio),
    Buf(KernelBufKind, &'a mut [u8]),
    BufRo(KernelBufKind, &'a [u8]),
}

impl<'a> DmIoMemory<'a> {
    /// No memory, for requests that move no data: empty flushes (count-0
    /// regions of a `REQ_PREFLUSH` request), discards and write-zeroes.
    pub fn none() -> Self {
        Self(Memory::None)
    }

    /// `DM_IO_PAGE_LIST`: `list`'s pages, read into or written from, from
    /// `offset` bytes into the first; `EINVAL` unless `offset` is a whole
    /// number of sectors inside a page.
    pub fn page_list(list: &'a PageList, offset: usize) -> Result<Self> {
        if offset >= PAGE_SIZE || offset % SECTOR_SIZE as usize != 0 {
            return Err(EINVAL);
        }
        Ok(Self(Memory::PageList(list, offset)))
    }

    /// `DM_IO_BVEC`: a series of segments, to read into if they are lent
    /// [`FromDevice`](crate::block::bio::FromDevice); `EINVAL` unless each
    /// starts and ends on a sector boundary. Only the Rust dm-io takes
    /// it: with dm-io.c (`CONFIG_DM_IO_RUST=n`) the request is refused
    /// with `EINVAL`.
    pub fn bvec<D: Direction>(segments: &'a [Segment<'a, D>]) -> Result<Self> {
        let sector = SECTOR_SIZE - 1;
        if segments
            .iter()
            .any(|s| (s.offset() | s.len()) & sector != 0)
        {
            return Err(EINVAL);
        }
        // SAFETY: `Segment` is a transparent wrapper of `bio_vec` (its marker
        // is zero-sized): the same `len` values, borrowed as long.
        let raw = unsafe {
            core::slice::from_raw_parts(
                segments.as_ptr().cast::<bindings::bio_vec>(),
                segments.len(),
            )
        };
        Ok(Self(Memory::Bvec(raw, D::FROM_DEVICE)))
    }

    /// `DM_IO_BIO`: each region gets a clone of `bio`, trimmed to the
    /// region.
    pub fn bio(bio: &'a Bio) -> Self {
        Self(Memory::Bio(bio))
    }

    /// `DM_IO_VMA`: a vmalloc buffer to read into or write from; `EINVAL`
    /// unless all of it is vmalloc memory, off the stack, and starts and
    /// ends on a sector boundary and aligned for DMA.
    pub fn vmalloc(buf: &'a mut [u8]) -> Result<Self> {
        Self::buf(KernelBufKind::Vmalloc, buf)
    }

    /// `DM_IO_KMEM`: a kmalloc (linear-map) buffer to read into or write
    /// from; `EINVAL` unless all of it is linear-map memory, off the stack,
    /// and starts and ends on a sector boundary and aligned for DMA.
    pub fn kmalloc(buf: &'a mut [u8]) -> Result<Self> {
        Self::buf(KernelBufKind::Linear, buf)
    }

    /// `DM_IO_KMEM` for writes only, with the same checks as
    /// [`DmIoMemory::kmalloc`].
    pub fn kmalloc_ro(buf: &'a [u8]) -> Result<Self> {
        Self::buf_ro(KernelBufKind::Linear, buf)
    }

    fn buf(kind: KernelBufKind, buf: &'a mut [u8]) -> Result<Self> {
        if !lendable(kind, buf) {
            return Err(EINVAL);
        }
        Ok(Self(Memory::Buf(kind, buf)))
    }

    fn buf_ro(kind: KernelBufKind, buf: &'a [u8]) -> Result<Self> {
        if !lendable(kind, buf) {
            return Err(EINVAL);
        }
        Ok(Self(Memory::BufRo(kind, buf)))
    }

    /// Bytes available to each region.
    fn capacity(&self) -> usize {
        match &self.0 {
            Memory::None => 0,
            Memory::PageList(list, offset) => {
                (list.pages().len() * PAGE_SIZE).saturating_sub(*offset)
            }
            Memory::Bvec(segs, _) => segs.iter().map(|s| s.bv_len as usize).sum(),
            Memory::Bio(bio) => bio.size() as usize,
            Memory::Buf(_, buf) => buf.len(),
            Memory::BufRo(_, buf) => buf.len(),
        }
    }

    /// The C description.
    fn to_c(&self) -> bindings::dm_io_memory {
        let mut mem = bindings::dm_io_memory::default();
        match &self.0 {
            Memory::None => mem.type_ = bindings::dm_io_mem_type_DM_IO_KMEM,
            Memory::PageList(list, offset) => {
                mem.type_ = bindings::dm_io_mem_type_DM_IO_PAGE_LIST;
                mem.offset = *offset as u32;
                mem.ptr.pl = list.as_raw();
            }
            Memory::Bvec(segs, _) => {
                mem.type_ = bindings::dm_io_mem_type_DM_IO_BVEC;
                mem.ptr.addr = segs.as_ptr().cast_mut().cast();
            }
            Memory::Bio(bio) => {
                mem.type_ = bindings::dm_io_mem_type_DM_IO_BIO;
                mem.ptr.bio = bio.as_raw();
            }
            Memory::Buf(kind, buf) => {
                mem.type_ = mem_type(*kind);
                mem.ptr.addr = buf.as_ptr().cast_mut().cast();
            }
            Memory::BufRo(kind, buf) => {
                mem.type_ = mem_type(*kind);
                mem.ptr.addr = buf.as_ptr().cast_mut().cast();
            }
        }
        mem
    }
}

/// Whether all of `buf` is memory of `kind` that may be lent for I/O
/// ([`KernelBufKind::holds_range`]); also not on the stack, and its start
/// and length sector aligned (the block layer's default DMA alignment, and
/// what dm-io.c's page walk assumes: it counts a segment's sectors rounded
/// down) and aligned for DMA (`dma_get_cache_alignment()`, 1 where DMA is
/// cache coherent), so that cache maintenance for it cannot touch a
/// neighbour's bytes.
fn lendable(kind: KernelBufKind, buf: &[u8]) -> bool {
    // SAFETY: No preconditions.
    let dma = unsafe { bindings::dma_get_cache_alignment() } as usize;
    let align = dma.max(SECTOR_SIZE as usize);
    // SAFETY: Classifies an address; does not access it.
    let on_stack = unsafe { bindings::object_is_on_stack(buf.as_ptr().cast()) };
    kind.holds_range(buf.as_ptr(), buf.len())
        && !on_stack
        && (buf.as_ptr() as usize | buf.len()) % align == 0
}

fn mem_type(kind: KernelBufKind) -> bindings::dm_io_mem_type {
    match kind {
        KernelBufKind::Vmalloc => bindings::dm_io_mem_type_DM_IO_VMA,
        KernelBufKind::Linear => bindings::dm_io_mem_type_DM_IO_KMEM,
    }
}

/// A request (`struct dm_io_request`, with the regions and the I/O
/// priority of `dm_io()`).
///
/// Refused with `EINVAL` before anything is sent, as neither dm-io that
/// dm-mod may link takes it safely: no region, or more than
/// [`DM_IO_MAX_REGIONS`]; a region whose byte count overflows or whose
/// sectors run past the end of the sector space; a discard or write-zeroes
/// region of 4 GiB or more, or past the end of its device; memory that does
/// not cover the largest region, or that a read may not write; a bio as the
/// memory of data it does not carry; an operation other than a read, a
/// write, a discard or a write-zeroes; a flush flag (`REQ_PREFLUSH`,
/// `REQ_FUA`) or `REQ_ATOMIC` on anything but a write; an atomic write with
/// a region of no sectors, or larger than one bio of pages (unless the
/// memory is a bio). `EIO` for more than one region of anything but a
/// write.
pub struct DmIoRequest<'r, 'a> {
    /// The operation and flags. Only hints and flush flags go on: flags
    /// that describe a caller's own bio (`REQ_ALLOC_CACHE`, `REQ_POLLED`,
    /// `REQ_NOWAIT`, `REQ_INTEGRITY`, a driver's or file system's private
    /// bits) are dropped.
    pub opf: Opf,
    /// The regions: at most [`DM_IO_MAX_REGIONS`], and only one unless the
    /// operation is a write. Borrowed only while the request is sent, as
    /// `dm_io()` reads them before it returns; their devices for `'a`.
    pub regions: &'r [Region<'a>],
    /// The memory every region reads into or writes from.
    pub memory: DmIoMemory<'a>,
    /// The I/O priority set on every bio.
    pub ioprio: IoPriority,
}

/// A checked request in C form.
pub(super) struct CRequest {
    req: bindings::dm_io_request,
    regions: *mut bindings::dm_io_region,
    num_regions: ffi::c_uint,
    ioprio: IoPriority,
}

impl CRequest {
    /// Sends the request asynchronously (`dm_io()` with a notify function):
    /// `notify` runs once with `context` when every region has finished. On
    /// `Err` nothing was sent and `notify` never runs.
    ///
    /// # Safety
    ///
    /// The regions that [`DmIoRequest::to_c`] saw are still there for this
    /// call; the client, the devices and the memory of the request stay
    /// valid until `notify` has run; `notify` may be called once with
    /// `context`, from any context.
    pub(super) unsafe fn submit_async(
        mut self,
        notify: unsafe extern "C" fn(ffi::c_ulong, ffi::c_ulong, *mut ffi::c_void),
        context: *mut ffi::c_void,
    ) -> Result {
        self.req.notify.fn_ = Some(notify);
        self.req.notify.context = context;
        // SAFETY: `to_c` checked the request; the caller guarantees that the
        // regions are there for the call and that what the I/O uses outlives
        // it.
        to_result(unsafe {
            bindings::dm_io(
                &mut self.req,
                self.num_regions,
                self.regions,
                core::ptr::null_mut(),
                core::ptr::null_mut(),
                self.ioprio.as_raw(),
            )
        })
    }
}

impl DmIoRequest<'_, '_> {
    /// Checks the request and builds its C form. What C's `dm_io()` does
    /// not check itself is checked here, so that the request is sound with
    /// either dm-io that dm-mod links.
    pub(super) fn to_c(&self, client: &DmIoClient) -> Result<CRequest> {
        let n = self.regions.len();
        if n > 1 && !self.opf.is_write() {
            return Err(EIO);
        }
        let opf = self.opf;
        // dm-io.c reads the first region before it looks at their number,
        // and would BUG() on more than it can count. The block layer warns
        // about a flush flag on anything but a write, and fails the bio.
        // dm-io sends data or discards: any other operation (a flush, a zone
        // or driver operation, secure erase) would get data pages it does
        // not expect.
        if n == 0 || n > DM_IO_MAX_REGIONS || !opf.flags_fit_op() || !opf.is_known_op() {
            return Err(EINVAL);
        }
        let no_data = opf.is_discard_or_write_zeroes();
        let mut largest = 0u64;
        for r in self.regions {
            // Every region made in Rust names its device.
            let bdev = r.bdev().ok_or(EINVAL)?;
            // dm-io.c's `to_bytes()` would wrap a count this large and walk
            // the memory past its end; a region whose sectors wrap would have
            // its later bios written at the start of the device.
            let bytes = r
                .count
                .checked_shl(SECTOR_SHIFT)
                .filter(|b| b >> SECTOR_SHIFT == r.count)
                .ok_or(EINVAL)?;
            let end = r.sector.checked_add(r.count).ok_or(EINVAL)?;
            // dm-io.c sizes a discard or write-zeroes bio (or a clone of a
            // bio) in 32 bits, which a device limit of `UINT_MAX` sectors
            // overflows; and a region far past the device would be cut into
            // bios that each fail, for hours.
            if no_data && (bytes > u64::from(u32::MAX) || end > bdev.nr_sectors()) {
                return Err(EINVAL);
            }
            // An empty atomic flush makes the block layer divide by the
            // device's atomic write unit, 0 where there is none.
            if r.count == 0 && opf.has(ReqFlag::Atomic) {
                return Err(EINVAL);
            }
            largest = largest.max(bytes);
        }
        if largest > 0 && !no_data {
            if largest > self.memory.capacity() as u64 {
                return Err(EINVAL);
            }
            let read = opf.is_read();
            match &self.memory.0 {
                // A read must not write into memory lent read-only, nor into
                // the pages of a bio that writes them out.
                Memory::BufRo(..) | Memory::Bvec(_, false) if read => return Err(EINVAL),
                Memory::Bio(bio) if read && !bio.opf().is_read() => return Err(EINVAL),
                // dm-io.c would clone a bio without data pages (a discard, an
                // empty flush) and send it as data: a NULL vector table.
                Memory::Bio(bio) if !bio.has_data() => return Err(EINVAL),
                // An atomic write that dm-io.c must split (it warns, and the
                // device may tear it): more than a bio of pages, less one for
                // an offset. A clone of a bio is never split.
                Memory::Bio(_) => {}
                _ if opf.has(ReqFlag::Atomic)
                    && largest > (u64::from(BIO_MAX_VECS) - 1) * PAGE_SIZE as u64 =>
                {
                    return Err(EINVAL)
                }
                _ => {}
            }
        }
        // dm-io.c flushes the vmalloc alias for the first region's bytes
        // only: a later, larger region of a write would be sent from stale
        // cache lines where the cache has aliases.
        if let Memory::Buf(KernelBufKind::Vmalloc, buf) = &self.memory.0 {
            let len = usize::try_from(largest)
                .unwrap_or(usize::MAX)
                .min(buf.len());
            if let Some(addr) = NonNull::new(buf.as_ptr().cast_mut()) {
                // SAFETY: `buf` is vmalloc memory (checked when the memory was
                // made), `len` bytes of it at most.
                unsafe { flush_vmap_range(addr, len) };
            }
        }
        Ok(CRequest {
            req: bindings::dm_io_request {
                // dm-io.c would pass the others on to its own bios.
                bi_opf: opf.for_new_bio().as_raw(),
                mem: self.memory.to_c(),
                notify: bindings::dm_io_notify::default(),
                client: client.as_raw(),
            },
            regions: self.regions.as_ptr().cast_mut().cast(),
            num_regions: n as ffi::c_uint,
            ioprio: self.ioprio,
        })
    }
}

/// The bits of a synchronous `dm_io()` that returned `r`: an error that no
/// region explains means the request was refused.
fn bits_from_c(r: ffi::c_int, error_bits: usize, unsup_bits: usize) -> Result<IoBits> {
    let bits = IoBits {
        error_bits,
        unsup_bits,
    };
    match to_result(r) {
        Ok(()) => Ok(bits),
        Err(e) if bits.to_result() == Err(e) => Ok(bits),
        Err(e) => Err(e),
    }
}

/// A scope for asynchronous requests that borrow for `'env`; see
/// [`DmIoClient::scope`].
///
/// Not `Sync`: a completion callback, which is `Send` and runs in interrupt
/// context, cannot hold the scope to send more requests from there. (The
/// requests' own completions use its count, which is atomic, from any
/// context.)
pub struct IoScope<'s, 'env> {
    client: &'env DmIoClient,
    /// Requests in flight, plus one until the scope's body returned.
    pending: AtomicUsize,
    done: &'s Completion,
    _env: PhantomData<&'env mut &'env ()>,
    _not_sync: NotThreadSafe,
}

/// The callback of one scoped request, boxed as the notify context.
struct ScopedCallback<'s, 'env, F> {
    scope: &'s IoScope<'s, 'env>,
    done: F,
}

impl<'s, 'env> IoScope<'s, 'env> {
    /// Sends an asynchronous request; `done` runs once when it completes.
    ///
    /// `done` runs in bio completion context (possibly hard IRQ), and it
    /// must not sleep; if no bio could be sent (every region unsupported, or
    /// no memory for one) it runs in this call. On `Err` nothing was sent
    /// and `done` is dropped without running.
    ///
    /// May sleep (allocations, `GFP_NOIO`): process context only, which
    /// `might_sleep()` checks. `EDEADLK` inside `submit_bio()` (a target's
    /// map hook), as the scope would wait for bios held until its caller
    /// returns.
    pub fn submit<F: FnOnce(IoBits) + Send + 'env>(
        &self,
        req: DmIoRequest<'_, 'env>,
        done: F,
    ) -> Result {
        might_sleep();
        refuse_in_submit_bio()?;
        let c = req.to_c(self.client)?;
        // dm-io never fails a request for want of memory (its pools wait),
        // and neither does the box of the callback: it waits for memory.
        let slot = loop {
            match KBox::<ScopedCallback<'_, '_, F>>::new_uninit(GFP_NOIO) {
                Ok(slot) => break slot,
                Err(_) => memalloc_retry_wait(GFP_NOIO),
            }
        };
        let context = KBox::into_raw(KBox::write(slot, ScopedCallback { scope: self, done }));
        self.pending.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `req` lends the regions for the call. The memory, devices
        // and client are borrowed for `'env`, and the scope waits for this
        // request before `'env` can end; `context` is the leaked box that
        // `scoped_notify` takes back, once.
        let r = unsafe { c.submit_async(scoped_notify::<F>, context.cast()) };
        if r.is_err() {
            // SAFETY: Refused: the callback never runs and never saw `context`.
            drop(unsafe { KBox::from_raw(context) });
            self.put();
        }
        r
    }

    fn put(&self) {
        if self.pending.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.done.complete_all();
        }
    }
}

/// # Safety
///
/// `context` must be a `ScopedCallback<F>` leaked by [`IoScope::submit`];
/// `dm_io()` calls this once per request.
unsafe extern "C" fn scoped_notify<F: FnOnce(IoBits)>(
    error: ffi::c_ulong,
    unsup: ffi::c_ulong,
    context: *mut ffi::c_void,
) {
    // SAFETY: Guaranteed by the caller; this is the only call.
    let cb = unsafe { KBox::from_raw(context.cast::<ScopedCallback<'_, '_, F>>()) };
    let ScopedCallback { scope, done } = KBox::into_inner(cb);
    done(IoBits {
        error_bits: error,
        unsup_bits: unsup,
    });
    // The scope waits for this request, so it is still there; `put` only
    // touches its atomic count and its completion, which any context may.
    scope.put();
}

/// Room for the regions of an owned request, filled by
/// [`OwnedIo::request`]; at most [`DM_IO_MAX_REGIONS`].
///
/// # Invariants
///
/// The first `len` entries of `regions` are initialised.
pub struct RegionBuf<'a> {
    regions: [MaybeUninit<Region<'a>>; DM_IO_MAX_REGIONS],
    len: usize,
}

impl<'a> RegionBuf<'a> {
    pub(super) fn new() -> Self {
        // INVARIANT: None is initialised yet.
        Self {
            regions: [const { MaybeUninit::uninit() }; DM_IO_MAX_REGIONS],
            len: 0,
        }
    }

    /// Adds a region; `EINVAL` once [`DM_IO_MAX_REGIONS`] are there.
    pub fn push(&mut self, region: Region<'a>) -> Result {
        let slot = self.regions.get_mut(self.len).ok_or(EINVAL)?;
        slot.write(region);
        // INVARIANT: The entry at `len` was just initialised.
        self.len += 1;
        Ok(())
    }

    /// The regions so far.
    pub fn as_slice(&self) -> &[Region<'a>] {
        // SAFETY: By the type invariant the first `len` entries are
        // initialised; `MaybeUninit<T>` has the layout of `T`.
        unsafe { core::slice::from_raw_parts(self.regions.as_ptr().cast(), self.len) }
    }
}

/// An asynchronous request that owns, or keeps alive, everything its I/O
/// touches: how a device-mapper target sends I/O that outlives the function
/// that sends it (a bio's write to every leg, a copy job's read).
///
/// The request is boxed and `'static`. While its I/O is in flight the box
/// stays where it is, unchanged, so whatever [`OwnedIo::request`] borrows
/// from it (devices, memory) and the client stay valid.
/// [`OwnedIo::complete`] gets the box back exactly once.
pub trait OwnedIo: Send + 'static {
    /// The client to send through, owned or kept alive by `self`.
    fn client(&self) -> &DmIoClient;

    /// The request: regions filled into `regions`, memory and devices
    /// borrowed from `self`.
    fn request<'a>(&'a self, regions: &'a mut RegionBuf<'a>) -> Result<DmIoRequest<'a, 'a>>;

    /// Runs once, when every region has finished: in bio completion
    /// context (possibly hard IRQ), so it must not sleep; or in
    /// [`async_io`] itself if no bio could be sent.
    fn complete(this: KBox<Self>, bits: IoBits);
}

/// Sends an owned request (`dm_io()` with a notify function).
///
/// On `Err` nothing was sent and the request comes back, so its owner can
/// still finish what it carries (end a bio, free a job).
///
/// May sleep (allocations, `GFP_NOIO`): process context only, so not from
/// [`OwnedIo::complete`]; a request that follows another is sent from a
/// work item.
///
/// [`OwnedIo::complete`] runs when the I/O is over, maybe after the call
/// that sent it returned: the module it is in must not be unloaded before
/// then. A target's module is held by dm-core for as long as a table uses
/// it, and its destructor waits for the [`TargetRef`] a request holds.
///
/// [`TargetRef`]: super::target::TargetRef
///
/// # Examples
///
/// ```
/// use kernel::block::{bdev::BlockDevice, ioprio::IoPriority, opf::{Opf, ReqOp}};
/// use kernel::device_mapper::io::{
///     async_io, DmIoClient, DmIoMemory, DmIoRequest, IoBits, OwnedIo, Region, RegionBuf,
/// };
/// use kernel::sync::Arc;
///
/// /// A write of a buffer it owns, through a client it shares.
/// struct Write {
///     client: Arc<DmIoClient>,
///     dev: &'static BlockDevice,
///     buf: KVec<u8>,
/// }
///
/// impl OwnedIo for Write {
///     fn client(&self) -> &DmIoClient {
///         &self.client
///     }
///
///     fn request<'a>(&'a self, regions: &'a mut RegionBuf<'a>) -> Result<DmIoRequest<'a, 'a>> {
///         regions.push(Region::new(self.dev, 0, (self.buf.len() >> 9) as u64))?;
///         Ok(DmIoRequest {
///             opf: Opf::new(ReqOp::Write),
///             regions: regions.as_slice(),
///             memory: DmIoMemory::kmalloc_ro(&self.buf)?,
///             ioprio: IoPriority::DEFAULT,
///         })
///     }
///
///     fn complete(this: KBox<Self>, bits: IoBits) {
///         // Completion context: no sleeping. Dropping `this` is fine, even
///         // when it holds the last reference to the client.
///         if bits.to_result().is_err() {
///             pr_warn!("write failed\n");
///         }
///         drop(this);
///     }
/// }
///
/// fn send(client: Arc<DmIoClient>, dev: &'static BlockDevice, buf: KVec<u8>) -> Result {
///     let req = KBox::new(Write { client, dev, buf }, GFP_KERNEL)?;
///     async_io(req).map_err(|(e, _req)| e)
/// }
/// ```
pub fn async_io<T: OwnedIo>(req: KBox<T>) -> Result<(), (Error, KBox<T>)> {
    might_sleep();
    let raw = KBox::into_raw(req);
    let r = {
        // SAFETY: `raw` is the leaked box, valid until `owned_notify` or the
        // error path below takes it back.
        let this = unsafe { &*raw };
        let mut regions = RegionBuf::new();
        match this.request(&mut regions) {
            Ok(req) => match req.to_c(this.client()) {
                // SAFETY: `regions` is on this stack for the call. The
                // client, the devices and the memory are borrowed from the
                // box (or kept alive by it), which `owned_notify` frees only
                // once the I/O is over; `raw` is its context.
                Ok(c) => unsafe { c.submit_async(owned_notify::<T>, raw.cast()) },
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        }
    };
    // SAFETY: Refused: the callback never runs, the box is ours again.
    r.map_err(|e| (e, unsafe { KBox::from_raw(raw) }))
}

/// # Safety
///
/// `context` must be the box leaked by [`async_io`] for this `T`; `dm_io()`
/// calls this once per request.
unsafe extern "C" fn owned_notify<T: OwnedIo>(
    error: ffi::c_ulong,
    unsup: ffi::c_ulong,
    context: *mut ffi::c_void,
) {
    // SAFETY: Guaranteed by the caller.
    let req = unsafe { KBox::from_raw(context.cast::<T>()) };
    T::complete(
        req,
        IoBits {
            error_bits: error,
            unsup_bits: unsup,
        },
    );
}
