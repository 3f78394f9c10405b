// SPDX-License-Identifier: GPL-2.0

//! Requests: checking them, and running them synchronously or
//! asynchronously (`dm_io()`, `sync_io()`, `async_io()`).

use super::{
    client::DmIoClient,
    dispatch::Dispatch,
    io::{Fixup, Io},
    memory::DmIoMemory,
    region::Region,
    sync_wait::IoCompletion,
    DM_IO_MAX_REGIONS,
};
use crate::blk::{
    bio::with_plug,
    opf::{Opf, ReqFlags},
};
use core::marker::PhantomData;
use core::{
    ptr::NonNull,
    sync::atomic::{AtomicUsize, Ordering},
};
use kernel::{bindings, ffi, pr_warn_once, prelude::*};

/// `io_notify_fn`: called once per asynchronous request with the error and
/// unsupported bit sets (bit *i* for region *i*) and the caller's context.
pub type IoNotifyFn =
    unsafe extern "C" fn(error: ffi::c_ulong, unsup: ffi::c_ulong, context: *mut ffi::c_void);

/// The outcome of a request that was sent: which regions failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoBits {
    /// Regions with an I/O error.
    pub error_bits: usize,
    /// Regions the device refused as unsupported or invalid
    /// (`BLK_STS_NOTSUPP`, `BLK_STS_INVAL`): not media errors.
    pub unsup_bits: usize,
}

impl IoBits {
    /// The synchronous `dm_io()` return value: `-EIO` if any region
    /// failed, else `-EOPNOTSUPP` if any was unsupported, else success.
    pub fn to_result(self) -> Result {
        if self.error_bits != 0 {
            Err(EIO)
        } else if self.unsup_bits != 0 {
            Err(EOPNOTSUPP)
        } else {
            Ok(())
        }
    }
}

const SECTOR_SHIFT: u32 = bindings::SECTOR_SHIFT;
/// Sectors in a page.
const PAGE_SECTORS: u64 = (bindings::PAGE_SIZE as u64) >> SECTOR_SHIFT;
/// Sectors in a bio of `BIO_MAX_VECS` pages.
const BIO_SECTORS: u64 =
    (bindings::BIO_MAX_VECS as u64 * bindings::PAGE_SIZE as u64) >> SECTOR_SHIFT;

/// Checks a request before anything is sent; a refused request never
/// calls its callback.
fn check(opf: Opf, regions: &[Region<'_>], mem: &DmIoMemory<'_>) -> Result {
    // Upstream warns and refuses first of all: only writes may go to more
    // than one region.
    if regions.len() > 1 && !opf.is_write() {
        pr_warn_once!("dm-io-rs: multi-region request that is not a write refused\n");
        return Err(EIO);
    }
    // Upstream BUG()s here; refuse instead.
    if regions.len() > DM_IO_MAX_REGIONS {
        return Err(EINVAL);
    }
    mem.validate()?;
    let data = !opf.is_no_data_special();
    if data && !opf.is_write() && !mem.writable() {
        return Err(EINVAL);
    }
    let flush = opf.has(ReqFlags::PREFLUSH);
    for region in regions {
        if region.count == 0 && !flush {
            continue;
        }
        if region.bdev().is_none() {
            return Err(EINVAL);
        }
        let bytes = region.count.checked_shl(SECTOR_SHIFT).ok_or(EINVAL)?;
        if bytes >> SECTOR_SHIFT != region.count
            || region.sector.checked_add(region.count).is_none()
        {
            return Err(EINVAL);
        }
        if !data {
            continue;
        }
        if let Some(capacity) = mem.capacity() {
            if bytes > capacity as u64 {
                return Err(EINVAL);
            }
        }
        if let DmIoMemory::Bio(bio) = mem {
            // Each clone is trimmed to the region; it cannot reach past the
            // end of the caller's bio.
            if bytes > u64::from(bio.size()) {
                return Err(EINVAL);
            }
        }
    }
    Ok(())
}

impl DmIoClient {
    /// Memory work around the I/O (`dp_init()`): flush a vmalloc buffer
    /// before, and for reads, have `io` invalidate it after, or zero the
    /// caller's bio if a read through a clone fails.
    fn prepare_memory(opf: Opf, regions: &[Region<'_>], mem: &DmIoMemory<'_>, io: &mut Io) {
        let size = regions
            .first()
            .map_or(0, |r| (r.count << SECTOR_SHIFT) as usize);
        match mem {
            DmIoMemory::Vma(buf) => {
                buf.flush_vmap(size);
                if opf.is_read() && size != 0 {
                    io.set_fixup(Fixup::InvalidateVmap {
                        addr: buf.addr(),
                        // As far as the C call can reach (an `int`).
                        size: size.min(i32::MAX as usize) as u32,
                    });
                }
            }
            DmIoMemory::Bio(bio) if opf.is_read() => io.set_fixup(Fixup::ZeroSourceOnError {
                bio: NonNull::new(bio.as_raw()),
                bytes: size as u32,
            }),
            _ => {}
        }
    }

    fn dispatch(
        &self,
        opf: Opf,
        regions: &[Region<'_>],
        mem: &DmIoMemory<'_>,
        io: &Io,
        ioprio: u16,
    ) {
        let mut dispatch = Dispatch {
            client: self,
            opf,
            io,
            ioprio,
            bios: 0,
        };
        // Several bios or requests go out as one batch under a plug: more
        // than one region, or a region that dm-io (at BIO_MAX_VECS pages)
        // or the block layer (at the device's request size) splits.
        // No device takes less than a page per request, so a region of a
        // page or less is not split and needs no look at the queue limits.
        let splits = |r: &Region<'_>| {
            r.count > PAGE_SECTORS
                && r.bdev()
                    .is_some_and(|bdev| r.count > u64::from(bdev.max_sectors()).min(BIO_SECTORS))
        };
        // An empty flush has nothing to batch: its bios never wait in a
        // plug (blk-mq hands them to the flush machinery, and without a
        // write cache they complete at submission).
        let data = regions.iter().any(|r| r.count > 0);
        if data && (regions.len() > 1 || regions.first().is_some_and(splits)) {
            with_plug(|| dispatch.regions(regions, mem));
        } else {
            dispatch.regions(regions, mem);
        }
    }

    /// A synchronous request: sends it, waits with I/O accounting, and
    /// returns which regions failed.
    ///
    /// `Err` means the request was refused and nothing was sent: `EIO` for
    /// a multi-region read, `EINVAL` for a malformed request. `Ok(bits)`
    /// comes back once all I/O finished; [`IoBits::to_result`] gives the
    /// C return code. `REQ_SYNC` is added, as upstream does.
    ///
    /// Unlike upstream, the io object lives on this stack: no pool
    /// allocation for synchronous I/O.
    pub fn sync_io(
        &self,
        opf: Opf,
        regions: &[Region<'_>],
        mem: DmIoMemory<'_>,
        ioprio: u16,
    ) -> Result<IoBits> {
        check(opf, regions, &mem)?;
        let opf = opf.with(ReqFlags::SYNC);
        pin_init::stack_pin_init!(let waiter = SyncWaiter::new());
        let mut io = Io::new(None, SyncWaiter::notify, waiter.as_context());
        Self::prepare_memory(opf, regions, &mem, &mut io);
        self.dispatch(opf, regions, &mem, &io, ioprio);
        // SAFETY: Dropping the dispatcher's reference; `io` stays on this
        // stack until the waiter below has been signalled, which happens
        // only after the last access to it.
        unsafe { Io::put(NonNull::from(&io), 0, 0) };
        waiter.done.wait_io();
        Ok(waiter.bits())
    }

    /// An asynchronous request with a C-style callback (`async_io()`).
    ///
    /// On `Err` nothing was sent and `notify` is not called; on `Ok` it is
    /// called exactly once, from bio completion context (possibly IRQ),
    /// after the io object has gone back to the pool.
    ///
    /// # Safety
    ///
    /// The memory, the devices of `regions`, `context` and `self` must stay
    /// valid until `notify` has been called, and `notify` must be safe to
    /// call from completion context with `context`.
    pub unsafe fn async_io_raw(
        &self,
        opf: Opf,
        regions: &[Region<'_>],
        mem: DmIoMemory<'_>,
        ioprio: u16,
        notify: IoNotifyFn,
        context: *mut ffi::c_void,
    ) -> Result {
        check(opf, regions, &mem)?;
        let mut io = Io::new(Some(&self.pool), notify, context);
        Self::prepare_memory(opf, regions, &mem, &mut io);
        let io = Io::alloc_in(&self.pool, io)?;
        // SAFETY: `io` is live: the dispatcher's reference is held until
        // the `put` below.
        self.dispatch(opf, regions, &mem, unsafe { io.as_ref() }, ioprio);
        // SAFETY: We own the dispatcher's reference and drop it here.
        unsafe { Io::put(io, 0, 0) };
        Ok(())
    }

    /// Runs `f` with a scope in which asynchronous requests may borrow
    /// memory and devices; returns only when all of them have completed
    /// (as `std::thread::scope` does for threads).
    pub fn scope<'env, R>(&'env self, f: impl FnOnce(&IoScope<'env>) -> R) -> R {
        pin_init::stack_pin_init!(let scope = IoScope::new(self));
        let r = f(&scope);
        scope.finish();
        r
    }
}

/// The stack side of a synchronous request (`struct sync_io`).
#[pin_data]
struct SyncWaiter {
    error_bits: AtomicUsize,
    unsup_bits: AtomicUsize,
    #[pin]
    done: IoCompletion,
}

impl SyncWaiter {
    fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            error_bits: AtomicUsize::new(0),
            unsup_bits: AtomicUsize::new(0),
            done <- IoCompletion::new(),
        })
    }

    fn as_context(&self) -> *mut ffi::c_void {
        core::ptr::from_ref(self).cast_mut().cast()
    }

    /// `sync_io_complete()`.
    ///
    /// # Safety
    ///
    /// `context` must be a live `SyncWaiter` whose owner waits on it.
    unsafe extern "C" fn notify(
        error: ffi::c_ulong,
        unsup: ffi::c_ulong,
        context: *mut ffi::c_void,
    ) {
        // SAFETY: Guaranteed by the caller.
        let this = unsafe { &*(context as *const Self) };
        this.error_bits.store(error, Ordering::Relaxed);
        this.unsup_bits.store(unsup, Ordering::Relaxed);
        // The waiter may return, and its stack go, once this is done.
        this.done.complete();
    }

    fn bits(&self) -> IoBits {
        IoBits {
            error_bits: self.error_bits.load(Ordering::Relaxed),
            unsup_bits: self.unsup_bits.load(Ordering::Relaxed),
        }
    }
}

/// A scope for asynchronous requests that borrow from `'env`; see
/// [`DmIoClient::scope`].
///
/// `'env` is invariant, as in `std::thread::Scope`: a request cannot
/// borrow anything that ends before the scope has waited for it.
#[pin_data]
pub struct IoScope<'env> {
    client: &'env DmIoClient,
    pending: AtomicUsize,
    #[pin]
    done: IoCompletion,
    _invariant: PhantomData<&'env mut &'env ()>,
}

/// The completion of one scoped request, boxed as the callback context.
struct ScopedCompletion<'env, F> {
    scope: *const IoScope<'env>,
    done: F,
}

impl<'env> IoScope<'env> {
    fn new(client: &'env DmIoClient) -> impl PinInit<Self> {
        pin_init!(Self {
            client,
            pending: AtomicUsize::new(1),
            done <- IoCompletion::new(),
            _invariant: PhantomData,
        })
    }

    /// Sends an asynchronous request; `done` runs once when it completes,
    /// in bio completion context (it must not sleep).
    ///
    /// On `Err` nothing was sent and `done` is dropped without running.
    pub fn submit<F: FnOnce(IoBits) + Send + 'env>(
        &self,
        opf: Opf,
        regions: &[Region<'env>],
        mem: DmIoMemory<'env>,
        ioprio: u16,
        done: F,
    ) -> Result {
        let completion = KBox::new(
            ScopedCompletion {
                scope: core::ptr::from_ref(self),
                done,
            },
            GFP_KERNEL,
        )?;
        let context = KBox::into_raw(completion);
        self.pending.fetch_add(1, Ordering::Relaxed);
        // SAFETY: The memory, the devices and the client are borrowed for
        // `'env`, and `finish` waits for every completion before `'env`
        // ends; `context` is a leaked box that `scoped_notify` takes back.
        let r = unsafe {
            self.client.async_io_raw(
                opf,
                regions,
                mem,
                ioprio,
                Self::scoped_notify::<F>,
                context.cast(),
            )
        };
        if r.is_err() {
            // SAFETY: Refused, so the callback will never see `context`.
            drop(unsafe { KBox::from_raw(context) });
            self.pending.fetch_sub(1, Ordering::Relaxed);
        }
        r
    }

    /// # Safety
    ///
    /// `context` must be a `ScopedCompletion<F>` leaked by `submit`.
    unsafe extern "C" fn scoped_notify<F: FnOnce(IoBits) + Send + 'env>(
        error: ffi::c_ulong,
        unsup: ffi::c_ulong,
        context: *mut ffi::c_void,
    ) {
        // SAFETY: Guaranteed by the caller; this is the only call.
        let completion = unsafe { KBox::from_raw(context.cast::<ScopedCompletion<'env, F>>()) };
        let ScopedCompletion { scope, done } = KBox::into_inner(completion);
        done(IoBits {
            error_bits: error,
            unsup_bits: unsup,
        });
        // SAFETY: The scope waits for this request, so it is still live.
        unsafe { (*scope).put() };
    }

    fn put(&self) {
        if self.pending.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.done.complete();
        }
    }

    /// Drops the scope's own reference and waits for the rest.
    fn finish(&self) {
        self.put();
        self.done.wait_io();
    }
}

/// Room for the regions of one owned request, filled by
/// [`OwnedIo::prepare`]; at most [`DM_IO_MAX_REGIONS`].
pub struct RegionBuf<'a> {
    regions: [Region<'a>; DM_IO_MAX_REGIONS],
    len: usize,
}

impl<'a> RegionBuf<'a> {
    fn new() -> Self {
        Self {
            regions: [Region::EMPTY; DM_IO_MAX_REGIONS],
            len: 0,
        }
    }

    /// Adds a region; `EINVAL` once [`DM_IO_MAX_REGIONS`] are there.
    pub fn push(&mut self, region: Region<'a>) -> Result {
        let slot = self.regions.get_mut(self.len).ok_or(EINVAL)?;
        *slot = region;
        self.len += 1;
        Ok(())
    }

    /// The regions so far.
    pub fn as_slice(&self) -> &[Region<'a>] {
        &self.regions[..self.len]
    }
}

/// An asynchronous request that owns everything its I/O uses: the way a
/// device-mapper target sends I/O that outlives the function sending it
/// (a bio's write to every leg, a copy job's read).
///
/// The request is boxed; while the I/O is in flight the box stays put and
/// unchanged, so whatever [`OwnedIo::prepare`] borrows from it (devices,
/// memory, the client) stays valid. [`OwnedIo::complete`] gets the box
/// back exactly once, from completion context, after the io object went
/// back to the client's pool.
pub trait OwnedIo: Send + Sized {
    /// The client to send through; it must be owned (or kept alive) by
    /// `self`.
    fn client(&self) -> &DmIoClient;

    /// Fills `regions` and returns the memory, both borrowed from `self`.
    fn prepare<'a>(&'a self, regions: &mut RegionBuf<'a>) -> Result<DmIoMemory<'a>>;

    /// Runs once, when every region has finished, in bio completion context
    /// (possibly hard IRQ): must not sleep.
    fn complete(this: KBox<Self>, bits: IoBits);
}

/// Sends an owned request (`dm_io()` with a notify function).
///
/// On `Err` nothing was sent and the request comes back, so its owner can
/// still finish what it carries (end a bio, free a job).
pub fn async_io<T: OwnedIo>(
    req: KBox<T>,
    opf: Opf,
    ioprio: u16,
) -> core::result::Result<(), (Error, KBox<T>)> {
    let raw = KBox::into_raw(req);
    let r = {
        // SAFETY: `raw` is the leaked box, valid until `owned_notify` or
        // the error path below takes it back.
        let this = unsafe { &*raw };
        let mut regions = RegionBuf::new();
        match this.prepare(&mut regions) {
            // SAFETY: The client, the devices and the memory are borrowed
            // from the box (or kept alive by it), which `owned_notify`
            // frees only when the I/O is over; `raw` is its context.
            Ok(mem) => unsafe {
                this.client().async_io_raw(
                    opf,
                    regions.as_slice(),
                    mem,
                    ioprio,
                    owned_notify::<T>,
                    raw.cast(),
                )
            },
            Err(e) => Err(e),
        }
    };
    match r {
        Ok(()) => Ok(()),
        // SAFETY: Refused: the callback will never run, the box is ours.
        Err(e) => Err((e, unsafe { KBox::from_raw(raw) })),
    }
}

/// # Safety
///
/// `context` must be the box leaked by [`async_io`] for this `T`.
unsafe extern "C" fn owned_notify<T: OwnedIo>(
    error: ffi::c_ulong,
    unsup: ffi::c_ulong,
    context: *mut ffi::c_void,
) {
    // SAFETY: Guaranteed by the caller; dm-io calls this once.
    let req = unsafe { KBox::from_raw(context.cast::<T>()) };
    T::complete(
        req,
        IoBits {
            error_bits: error,
            unsup_bits: unsup,
        },
    );
}
