// SPDX-License-Identifier: GPL-2.0

//! `rmirror`: a mirror target (what dm-raid1 does) in safe Rust on the
//! Rust dm-io API, with a kcopyd-style resync engine.
//!
//! C reference: [`drivers/md/dm-raid1.c`](srctree/drivers/md/dm-raid1.c),
//! [`drivers/md/dm-kcopyd.c`](srctree/drivers/md/dm-kcopyd.c).
//! Rust API: [`kernel::device_mapper`].
//!
//! Table: `<region_sectors> <n_legs> <dev>... [nosync]`.
//!
//! - Writes (and discards) go to every healthy leg as one multi-region
//!   dm-io request with the bio itself as memory (`DM_IO_BIO`), its state
//!   in its per-bio data (no allocation, as dm-raid1); the bio ends when
//!   every leg answered. A leg whose write fails is marked
//!   failed and skipped from then on; the write succeeds while one leg
//!   took it.
//! - Reads are remapped to one healthy leg (the default leg, or for an
//!   in-sync region another healthy one): no allocation on the read path,
//!   as dm-raid1; the legs tried so far are the bio's per-bio data. A
//!   failed read marks the leg failed; `end_io` takes the bio back
//!   (restored from the record the dm layer made at remap) and the work
//!   item sends it to another in-sync leg that it was not tried on, or
//!   fails it when there is none.
//! - Empty flushes go to every healthy leg as count-0 `PREFLUSH` regions.
//! - The copy engine ([`resync`]) copies out-of-sync regions from the
//!   default leg to the other healthy legs, several jobs in flight.

mod io;
mod region_map;
mod resync;

use crate::device_mapper::{
    bio::{BioList, BioOp, EndIoBio, EndIoResult, MapBio, MapResult, PendingBio, RetryBio},
    io::{DmIoClient, DM_IO_MAX_REGIONS},
    page_list::PageList,
    status::{StatusType, StatusWriter},
    target::{CtrError, DeviceIter, Target, TargetConfig, TargetInit, TargetRef},
};
use core::{
    fmt::Write,
    sync::atomic::{AtomicU32, Ordering},
};
use kernel::{
    alloc::AllocError,
    new_spinlock_irq,
    page::PAGE_SIZE,
    prelude::*,
    sync::SpinLockIrq,
    time::{delay::fsleep, Delta},
};
use region_map::{RegionMap, RegionState};
use resync::{JobPhase, JobState, Resync, COPY_JOBS};

#[cfg(dm_io_rs_out_of_tree)]
include!("../lib.rs");

#[cfg(not(dm_io_rs_out_of_tree))]
use crate::module_dm_target;

module_dm_target! {
    type: Mirror,
    name: "dm_rmirror",
    description: "rmirror: a device-mapper mirror target in Rust",
    license: "GPL",
}

/// Sectors per page.
const PAGE_SECTORS: u64 = (PAGE_SIZE >> kernel::block::SECTOR_SHIFT) as u64;

/// [`Mirror::read_leg`] when no leg is healthy.
const NO_LEG: u32 = u32::MAX;

/// What a bio carries as per-bio data. A read: the legs it was tried on,
/// and the one it went to last. A write: the legs it goes to, and the
/// region whose pending count it holds (none for an empty flush).
#[derive(Clone, Copy, Default)]
pub(crate) struct BioState {
    legs: u64,
    leg: u32,
    region: Option<usize>,
}

/// Everything that changes while the mirror runs, under one IRQ-safe lock
/// (bio completions update it).
pub(crate) struct State {
    /// Legs that failed (bit per leg).
    failed: u64,
    /// The leg trusted for out-of-sync regions, and the copy source.
    default_leg: usize,
    regions: RegionMap,
    /// Writes for the work item to send. While this list or `flushes` is
    /// not empty, the work item is queued: whoever adds to both empty
    /// lists queues it (dm-raid1's `queue_bio()`), and the work item
    /// empties both when it starts.
    deferred: BioList<PendingBio<Mirror>>,
    /// Empty flushes for the work item to send.
    flushes: BioList<PendingBio<Mirror>>,
    /// Writes waiting for a region the copy engine is copying; the work
    /// item looks at them again when the copy engine releases a region.
    delayed: BioList<PendingBio<Mirror>>,
    /// Reads to retry on another leg.
    retry: BioList<RetryBio<Mirror>>,
    resync: Resync,
    /// Suspended (or suspending): no new copy job starts.
    suspended: bool,
    /// The destructor runs: nothing new starts.
    stopping: bool,
    /// A leg failed or resync finished: tell dm (`dm_table_event()`).
    event: bool,
}

impl State {
    fn healthy(&self, all: u64) -> u64 {
        all & !self.failed
    }

    /// Marks legs failed; moves the default leg off a failed one. Only
    /// through [`Mirror::fail_legs`], which publishes the read leg.
    fn mark_failed(&mut self, legs: u64, all: u64) {
        if legs & !self.failed == 0 {
            return;
        }
        self.failed |= legs;
        self.event = true;
        if self.failed & leg_bit(self.default_leg) != 0 {
            let healthy = self.healthy(all);
            if healthy != 0 {
                self.default_leg = healthy.trailing_zeros() as usize;
            }
        }
    }
}

/// One mirror; its legs are the target's devices, in table order.
#[pin_data]
pub(crate) struct Mirror {
    client: DmIoClient,
    /// Bit per leg.
    all_legs: u64,
    region_shift: u32,
    region_sectors: u64,
    len: u64,
    nosync: bool,
    /// The copy jobs' buffers.
    job_pages: KVec<PageList>,
    /// Sectors one copy step moves.
    chunk_sectors: u64,
    /// Where map sends a read: the default leg while it is healthy, else
    /// [`NO_LEG`]. A copy of what `state` says, written under its lock
    /// ([`Mirror::publish_read_leg`]) and read without it, so that a read
    /// takes no lock (as dm-raid1's reads do not): one that races with a
    /// leg failure may still go to the failed leg, fail there and be
    /// retried on another by `end_io`.
    read_leg: AtomicU32,
    #[pin]
    state: SpinLockIrq<State>,
}

fn parse_u64(s: &CStr) -> Option<u64> {
    s.to_str().ok()?.parse::<u64>().ok()
}

/// The bit of `leg` in a mask of legs; none for an index past the 64 legs a
/// mirror can have (no leg has one, but then no shift can overflow).
fn leg_bit(leg: usize) -> u64 {
    u32::try_from(leg)
        .ok()
        .and_then(|leg| 1u64.checked_shl(leg))
        .unwrap_or(0)
}

/// The legs set in `mask`, lowest first (`for_each_set_bit()`): one step
/// per leg, not per bit, as this runs for every write.
fn bit_legs(mask: u64) -> impl Iterator<Item = usize> {
    let mut rest = mask;
    core::iter::from_fn(move || {
        if rest == 0 {
            return None;
        }
        let leg = rest.trailing_zeros() as usize;
        // Clears the lowest set bit.
        rest &= rest - 1;
        Some(leg)
    })
}

/// The legs among `legs` whose regions `hit` says yes to: region *i* of a
/// request to `legs` is the *i*-th leg of the mask, as [`bit_legs`] walks
/// it.
fn region_legs(legs: u64, hit: impl Fn(usize) -> bool) -> u64 {
    bit_legs(legs)
        .enumerate()
        .filter(|&(i, _)| hit(i))
        .fold(0, |mask, (_, leg)| mask | leg_bit(leg))
}

impl Mirror {
    fn region_of(&self, sector: u64) -> usize {
        (sector >> self.region_shift) as usize
    }

    /// Marks `legs` failed (under the state lock, `st`) and publishes the
    /// leg reads go to now.
    fn fail_legs(&self, st: &mut State, legs: u64) {
        st.mark_failed(legs, self.all_legs);
        self.publish_read_leg(st);
    }

    /// Stores in `read_leg` what [`Mirror::choose_read_leg`] answers for a
    /// new read: the default leg, which [`State::mark_failed`] keeps on a
    /// healthy leg while there is one, whatever the region's state. Called
    /// under the state lock (`st`) whenever the failed legs or the default
    /// leg change.
    fn publish_read_leg(&self, st: &State) {
        let leg = if st.healthy(self.all_legs) & leg_bit(st.default_leg) != 0 {
            st.default_leg as u32
        } else {
            NO_LEG
        };
        self.read_leg.store(leg, Ordering::Relaxed);
    }

    /// A healthy leg to read `region` from, not in `tried`.
    fn choose_read_leg(&self, st: &State, region: usize, tried: u64) -> Option<usize> {
        let healthy = st.healthy(self.all_legs) & !tried;
        if st.regions.get(region) == RegionState::InSync {
            // Prefer the default leg, as dm-raid1 does.
            if healthy & leg_bit(st.default_leg) != 0 {
                return Some(st.default_leg);
            }
            bit_legs(healthy).next()
        } else if healthy & leg_bit(st.default_leg) != 0 {
            Some(st.default_leg)
        } else {
            None
        }
    }

    /// Sends a read taken back in `end_io` to another leg, or ends it with
    /// an error when no untried leg holds its data.
    fn resubmit_read(this: &TargetRef<Self>, mut bio: RetryBio<Self>) {
        let region = this.region_of(bio.sector());
        let tried = bio.data().legs;
        let leg = {
            let st = this.state.lock();
            this.choose_read_leg(&st, region, tried)
        };
        match leg {
            Some(leg) => {
                *bio.data_mut() = BioState {
                    legs: tried | leg_bit(leg),
                    leg: leg as u32,
                    region: None,
                };
                let sector = bio.sector();
                bio.resubmit(leg, sector);
            }
            None => bio.end(Err(EIO)),
        }
    }

    /// A remapped read failed on its leg: the leg is marked failed and the
    /// read goes to the work item, which sends it to another leg.
    #[cold]
    fn read_failed<'a>(bio: EndIoBio<'a, Self>) -> EndIoResult<'a> {
        let leg = bio.data().leg;
        pr_warn!("rmirror: read failed on leg {}, trying another leg\n", leg);
        // Counted: once the bio is on the retry list, the work item may send
        // it, and its completion end the original, before this returns.
        let this = bio.target().clone();
        let (bio, r) = match bio.retry() {
            Ok(retry) => retry,
            Err(bio) => return bio.done(),
        };
        {
            let mut st = this.state.lock();
            this.fail_legs(&mut st, leg_bit(leg as usize));
            st.retry.push(bio);
        }
        // The work item sends it again, or fails it if no leg is left.
        this.queue_work();
        r
    }

    /// A write (or discard) or an empty flush: queued for the work item,
    /// which sends it to every healthy leg. Not sent from map, as dm-raid1
    /// does not: bios submitted in map wait on `current->bio_list` until it
    /// returns, so a request to many legs could wait forever for its own
    /// bios to give back the bio set's reserve.
    fn map_write(this: &TargetRef<Self>, bio: PendingBio<Self>, flush: bool) {
        {
            let mut st = this.state.lock();
            if st.healthy(this.all_legs) != 0 {
                let queued = !st.deferred.is_empty() || !st.flushes.is_empty();
                if flush {
                    st.flushes.push(bio);
                } else {
                    st.deferred.push(bio);
                }
                drop(st);
                if !queued {
                    this.queue_work();
                }
                return;
            }
        }
        bio.end(Err(EIO));
    }

    /// The work item: retried reads, writes released from copied regions,
    /// events, and the copy engine.
    fn do_work(this: &TargetRef<Self>) {
        let (mut retry, mut flushes, mut ready, legs, event) = {
            let mut st = this.state.lock();
            let mut retry = BioList::new();
            st.retry.append_to(&mut retry);
            let mut flushes = BioList::new();
            st.flushes.append_to(&mut flushes);
            let mut waiting = BioList::new();
            st.delayed.append_to(&mut waiting);
            st.deferred.append_to(&mut waiting);
            let mut ready = BioList::new();
            while let Some(bio) = waiting.pop() {
                let region = this.region_of(bio.sector());
                if st.regions.get(region) == RegionState::Recovering {
                    st.delayed.push(bio);
                } else {
                    st.regions.inc_pending(region);
                    ready.push(bio);
                }
            }
            let event = core::mem::replace(&mut st.event, false);
            // The legs of this batch. One that fails while the batch goes
            // out still gets its writes, which fail there and change
            // nothing (as dm-raid1, which writes to every leg).
            let legs = st.healthy(this.all_legs);
            (retry, flushes, ready, legs, event)
        };
        while let Some(bio) = retry.pop() {
            Self::resubmit_read(this, bio);
        }
        while let Some(bio) = flushes.pop() {
            io::submit_write(this, bio, legs, None);
        }
        while let Some(bio) = ready.pop() {
            let region = this.region_of(bio.sector());
            io::submit_write(this, bio, legs, Some(region));
        }
        resync::step(this);
        if event {
            this.event();
        }
    }

    /// Waits until no copy job is running.
    fn wait_jobs_idle(&self) {
        loop {
            let busy = {
                let st = self.state.lock();
                st.resync.jobs.iter().any(|j| j.phase != JobPhase::Idle)
            };
            if !busy {
                return;
            }
            fsleep(Delta::from_millis(1));
        }
    }
}

#[vtable]
impl Target for Mirror {
    const NAME: &'static CStr = c"rmirror";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = BioState;

    fn new(ti: &mut TargetInit<'_>, args: &[&CStr]) -> Result<impl PinInit<Self, Error>, CtrError> {
        let inval = |msg| CtrError::new(EINVAL, msg);
        if args.len() < 2 {
            return Err(inval(
                c"not enough arguments: <region_sectors> <n_legs> <dev>... [nosync]",
            ));
        }
        let region_sectors = parse_u64(args[0]).ok_or(inval(c"invalid region size"))?;
        if !region_sectors.is_power_of_two() || region_sectors < PAGE_SECTORS {
            return Err(inval(
                c"region size must be a power of two of at least a page",
            ));
        }
        let n_legs = parse_u64(args[1]).ok_or(inval(c"invalid number of legs"))?;
        if n_legs == 0 {
            return Err(inval(c"at least one leg is needed"));
        }
        if n_legs > DM_IO_MAX_REGIONS as u64 {
            return Err(inval(
                c"more legs than one dm-io request can write (BITS_PER_LONG)",
            ));
        }
        let n = n_legs as usize;
        let nosync = match args.len().checked_sub(2 + n) {
            Some(0) => false,
            Some(1) if args[2 + n] == c"nosync" => true,
            Some(1) => return Err(inval(c"unknown feature argument (only 'nosync')")),
            _ => return Err(inval(c"wrong number of arguments for the number of legs")),
        };
        let len = ti.len();
        // A shift, not `div_ceil()`: a `u64` division does not link on
        // 32-bit ARM (no __aeabi_uldivmod).
        let region_shift = region_sectors.trailing_zeros();
        let nr_regions = (len >> region_shift) + u64::from(len & (region_sectors - 1) != 0);
        if nr_regions > (1 << 24) {
            return Err(inval(c"too many regions: use a larger region size"));
        }
        let nomem = |_: AllocError| CtrError::new(ENOMEM, c"cannot allocate");
        for path in &args[2..2 + n] {
            let dev = ti
                .get_device(path)
                .map_err(|e| CtrError::new(e, c"device lookup failed"))?;
            if dev.bdev().nr_sectors() < len {
                return Err(inval(c"a leg is shorter than the target"));
            }
        }
        let chunk_sectors = region_sectors.min(resync::CHUNK_SECTORS);
        let mut job_pages = KVec::with_capacity(COPY_JOBS, GFP_KERNEL).map_err(nomem)?;
        for _ in 0..COPY_JOBS {
            let pages = PageList::alloc((chunk_sectors / PAGE_SECTORS) as usize, GFP_KERNEL)
                .map_err(|e| CtrError::new(e, c"cannot allocate the copy buffers"))?;
            job_pages.push(pages, GFP_KERNEL).map_err(nomem)?;
        }
        let regions = RegionMap::new(nr_regions as usize, nosync || n == 1)
            .map_err(|e| CtrError::new(e, c"cannot allocate the region map"))?;
        ti.configure(&TargetConfig {
            num_flush_bios: 1,
            num_discard_bios: 1,
            max_io_len: region_sectors,
        })
        .map_err(|e| CtrError::new(e, c"cannot set the region size as I/O limit"))?;
        let client =
            DmIoClient::new().map_err(|e| CtrError::new(e, c"cannot create a dm-io client"))?;
        let all_legs = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        let resync = Resync::new(!nosync && n > 1);
        Ok(try_pin_init!(Self {
            client,
            all_legs,
            region_shift,
            region_sectors,
            len,
            nosync,
            job_pages,
            chunk_sectors,
            // No leg failed yet: leg 0, the default leg.
            read_leg: AtomicU32::new(0),
            state <- new_spinlock_irq!(State {
                failed: 0,
                default_leg: 0,
                regions,
                deferred: BioList::new(),
                flushes: BioList::new(),
                delayed: BioList::new(),
                retry: BioList::new(),
                resync,
                suspended: false,
                stopping: false,
                event: false,
            }, "rmirror_state"),
        }? Error))
    }

    // Inlined into the `map` hook dm-core calls: reads are remapped there
    // and writes leave at once.
    #[inline]
    fn map<'a>(this: &TargetRef<Self>, mut bio: MapBio<'a, Self>) -> MapResult<'a> {
        match bio.op() {
            BioOp::Read => {
                // What `choose_read_leg(.., 0)` would say, without the lock.
                let leg = this.read_leg.load(Ordering::Relaxed) as usize;
                if leg >= this.devices().len() {
                    return bio.kill();
                }
                *bio.data_mut() = BioState {
                    legs: leg_bit(leg),
                    leg: leg as u32,
                    region: None,
                };
                let sector = bio.sector();
                bio.remap(leg, sector)
            }
            BioOp::Write | BioOp::Discard => {
                let (bio, r) = bio.take();
                Self::map_write(this, bio, false);
                r
            }
            BioOp::Flush => {
                let (bio, r) = bio.take();
                Self::map_write(this, bio, true);
                r
            }
            BioOp::Other => bio.kill(),
        }
    }

    // Inlined into the `end_io` hook dm-core calls: every read passes here,
    // and only a failed one goes further.
    #[inline]
    fn end_io<'a>(bio: EndIoBio<'a, Self>, status: Result) -> EndIoResult<'a> {
        // Writes end in `io`; only a failed remapped read is
        // retried. Unsupported or invalid requests and read-ahead are not
        // media errors (dm-raid1 neither fails the leg for them).
        let media_error = matches!(status, Err(e) if e != EOPNOTSUPP && e != EINVAL);
        if bio.op() != BioOp::Read || !media_error || bio.is_readahead() {
            return bio.done();
        }
        Self::read_failed(bio)
    }

    fn presuspend(this: &TargetRef<Self>) {
        this.state.lock().suspended = true;
        // Jobs finish the region they copy; none starts.
        this.wait_jobs_idle();
    }

    fn resume(this: &TargetRef<Self>) {
        let active = {
            let mut st = this.state.lock();
            st.suspended = false;
            st.resync.active
        };
        if active {
            this.queue_work();
        }
    }

    fn status(this: &TargetRef<Self>, kind: StatusType, out: &mut StatusWriter<'_>) {
        let _ = match kind {
            StatusType::Info => Self::status_info(this, out),
            StatusType::Table => Self::status_table(this, out),
            StatusType::Ima => write!(out, "rmirror,legs={}", this.devices().len()),
        };
    }

    fn message(this: &TargetRef<Self>, args: &[&CStr]) -> Result {
        match args {
            [cmd] if *cmd == c"resync" => {
                resync::restart(this);
                Ok(())
            }
            _ => {
                pr_warn!("rmirror: unknown message (try 'resync')\n");
                Err(EINVAL)
            }
        }
    }

    fn iterate_devices(this: &TargetRef<Self>, it: &mut DeviceIter<'_>) {
        for leg in 0..this.devices().len() {
            if !it.visit(leg, 0, this.len) {
                return;
            }
        }
    }

    fn work(this: &TargetRef<Self>) {
        Self::do_work(this);
    }

    fn stop(this: &TargetRef<Self>) {
        this.state.lock().stopping = true;
        this.wait_jobs_idle();
    }
}

impl Mirror {
    fn status_info(this: &TargetRef<Self>, out: &mut StatusWriter<'_>) -> core::fmt::Result {
        let (failed, in_sync, total, state) = {
            let st = this.state.lock();
            let state = if !st.resync.active {
                "idle"
            } else if st.suspended {
                "frozen"
            } else {
                "resync"
            };
            (st.failed, st.regions.in_sync(), st.regions.len(), state)
        };
        let legs = this.devices();
        write!(out, "{}", legs.len())?;
        for leg in legs {
            write!(out, " {}", leg.name().to_str().unwrap_or("?"))?;
        }
        write!(out, " {}/{} 1 ", in_sync, total)?;
        for i in 0..legs.len() {
            out.write_char(if failed & leg_bit(i) != 0 { 'D' } else { 'A' })?;
        }
        write!(out, " 1 {}", state)
    }

    fn status_table(this: &TargetRef<Self>, out: &mut StatusWriter<'_>) -> core::fmt::Result {
        let legs = this.devices();
        write!(out, "{} {}", this.region_sectors, legs.len())?;
        for leg in legs {
            write!(out, " {}", leg.name().to_str().unwrap_or("?"))?;
        }
        if this.nosync {
            write!(out, " nosync")?;
        }
        Ok(())
    }
}

/// Keeps the in-flight job states reachable for [`resync`].
impl State {
    pub(crate) fn job(&mut self, j: usize) -> Option<&mut JobState> {
        self.resync.jobs.get_mut(j)
    }
}
