// SPDX-License-Identifier: GPL-2.0

//! The copy engine that resynchronises a mirror (in the spirit of
//! dm-kcopyd): up to [`COPY_JOBS`] jobs, each copying one out-of-sync
//! region in chunks of at most [`CHUNK_SECTORS`] from the default leg to
//! every other healthy leg, through async dm-io requests on page-list
//! memory.
//!
//! Jobs advance from the mirror's work item: an I/O completion (possibly
//! in IRQ context) records its outcome in the job and queues the work
//! item, which sends the next request (dm-io may sleep for memory). A
//! region being copied is `Recovering`: writes to it wait on the mirror's
//! delayed list until the copy ends, and a region is only picked while
//! no write to it is in flight, so a copy never overwrites newer data.

use super::{bit_legs, leg_bit, region_legs, region_map::RegionState, Mirror};
use crate::{
    block::{
        ioprio::IoPriority,
        opf::{Opf, ReqOp},
    },
    device_mapper::{
        io::{async_io, DmIoClient, DmIoMemory, DmIoRequest, IoBits, OwnedIo, Region, RegionBuf},
        target::TargetRef,
    },
    mm::memalloc::memalloc_noio_scope,
};
use kernel::{
    prelude::*,
    time::{Delta, Instant, Monotonic},
};

/// Copy jobs in flight at most.
pub(crate) const COPY_JOBS: usize = 8;
/// Sectors per copy step (128 KiB), or the region size if smaller.
pub(crate) const CHUNK_SECTORS: u64 = 256;

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JobPhase {
    /// Free.
    Idle,
    /// Reading a chunk from the source leg.
    Reading,
    /// The read finished: successfully or not.
    ReadDone(bool),
    /// Writing the chunk to the destination legs.
    Writing,
    /// The write finished; the legs whose write failed.
    WriteDone(u64),
    /// A request could not be sent (no memory): give the region back
    /// without blaming a leg.
    Aborted,
}

/// One copy job.
#[derive(Clone, Copy)]
pub(crate) struct JobState {
    pub(crate) phase: JobPhase,
    region: usize,
    /// Sectors of the region done so far.
    offset: u64,
    src: usize,
    dsts: u64,
    /// [`Resync::generation`] when the job started.
    generation: u64,
}

impl JobState {
    const IDLE: Self = Self {
        phase: JobPhase::Idle,
        region: 0,
        offset: 0,
        src: 0,
        dsts: 0,
        generation: 0,
    };
}

/// The copy engine's state, under the mirror's lock.
pub(crate) struct Resync {
    /// Copying until every region is in sync.
    pub(crate) active: bool,
    pub(crate) jobs: [JobState; COPY_JOBS],
    /// Where the search for the next region starts.
    cursor: usize,
    /// Bumped by `resync` messages: a job started before must not mark its
    /// region in sync.
    generation: u64,
    /// Sectors copied since the start.
    copied: u64,
    started: Option<Instant<Monotonic>>,
}

impl Resync {
    pub(crate) fn new(active: bool) -> Self {
        Self {
            active,
            jobs: [JobState::IDLE; COPY_JOBS],
            cursor: 0,
            generation: 0,
            copied: 0,
            started: None,
        }
    }
}

/// `dmsetup message <m> 0 resync`: reinstate every leg and copy every
/// region again from the default leg.
pub(super) fn restart(this: &TargetRef<Mirror>) {
    {
        let mut st = this.state.lock();
        st.failed = 0;
        this.publish_read_leg(&st);
        st.regions.mark_all_out_of_sync();
        st.resync.generation += 1;
        st.resync.active = this.devices().len() > 1;
        st.resync.copied = 0;
        st.resync.started = None;
        if !st.resync.active {
            st.regions.mark_all_in_sync_single_leg();
        }
        st.event = true;
    }
    this.queue_work();
}

/// Advances every job; called from the work item.
pub(super) fn step(this: &TargetRef<Mirror>) {
    // What to submit for each job once the lock is dropped: at most one
    // request per job and step (`Some(true)` is a write). A fixed array,
    // so that the step never fails for memory.
    let mut submits = [None::<bool>; COPY_JOBS];
    let mut done: Option<(u64, Delta)> = None;
    let mut kick = false;
    {
        let mut st = this.state.lock();
        if !st.resync.active {
            return;
        }
        if st.resync.started.is_none() {
            st.resync.started = Some(Instant::now());
        }
        let all = this.all_legs;
        // A job that finishes its region picks the next one on a second
        // pass.
        let mut freed = true;
        for j in (0..2).flat_map(|_| 0..COPY_JOBS) {
            if j == 0 && !core::mem::replace(&mut freed, false) {
                break;
            }
            let healthy = st.healthy(all);
            let job = st.resync.jobs[j];
            let region_start = job.region as u64 * this.region_sectors;
            let region_len = this
                .region_sectors
                .min(this.len.saturating_sub(region_start));
            let next = match job.phase {
                JobPhase::Idle => {
                    let src = st.default_leg;
                    let dsts = healthy & !leg_bit(src);
                    if st.suspended || st.stopping || healthy & leg_bit(src) == 0 || dsts == 0 {
                        continue;
                    }
                    let from = st.resync.cursor;
                    let Some(r) = st.regions.next_to_copy(from) else {
                        continue;
                    };
                    st.regions.set(r, RegionState::Recovering);
                    st.resync.cursor = (r + 1) % st.regions.len().max(1);
                    JobState {
                        phase: JobPhase::Reading,
                        region: r,
                        offset: 0,
                        src,
                        dsts,
                        generation: st.resync.generation,
                    }
                }
                JobPhase::ReadDone(true) => {
                    let dsts = job.dsts & healthy;
                    if dsts == 0 {
                        st.regions.set(job.region, RegionState::OutOfSync);
                        kick = true;
                        freed = true;
                        JobState::IDLE
                    } else {
                        JobState {
                            phase: JobPhase::Writing,
                            dsts,
                            ..job
                        }
                    }
                }
                JobPhase::Aborted => {
                    st.regions.set(job.region, RegionState::OutOfSync);
                    kick = true;
                    freed = true;
                    JobState::IDLE
                }
                JobPhase::ReadDone(false) => {
                    this.fail_legs(&mut st, leg_bit(job.src));
                    st.regions.set(job.region, RegionState::OutOfSync);
                    kick = true;
                    freed = true;
                    JobState::IDLE
                }
                JobPhase::WriteDone(failed) => {
                    this.fail_legs(&mut st, failed);
                    let step = this.chunk_sectors.min(region_len - job.offset);
                    st.resync.copied += step;
                    let offset = job.offset + step;
                    if offset >= region_len {
                        let ok = job.generation == st.resync.generation && job.dsts & !failed != 0;
                        let s = if ok {
                            RegionState::InSync
                        } else {
                            RegionState::OutOfSync
                        };
                        st.regions.set(job.region, s);
                        kick = true;
                        freed = true;
                        JobState::IDLE
                    } else {
                        JobState {
                            phase: JobPhase::Reading,
                            offset,
                            ..job
                        }
                    }
                }
                JobPhase::Reading | JobPhase::Writing => continue,
            };
            match next.phase {
                JobPhase::Reading => submits[j] = Some(false),
                JobPhase::Writing => submits[j] = Some(true),
                _ => {}
            }
            st.resync.jobs[j] = next;
        }
        let idle = st.resync.jobs.iter().all(|j| j.phase == JobPhase::Idle);
        if idle && st.regions.in_sync() == st.regions.len() {
            st.resync.active = false;
            st.event = true;
            let took = st.resync.started.map_or(Delta::ZERO, |t| t.elapsed());
            done = Some((st.resync.copied, took));
        }
        kick &= !st.delayed.is_empty();
    }
    for (j, write) in submits.into_iter().enumerate() {
        if let Some(write) = write {
            CopyIo::submit(this, j, write);
        }
    }
    if let Some((sectors, took)) = done {
        let kib = sectors / 2;
        let ms = took.as_millis();
        // KiB/s: `kib` seconds over the time taken. `Delta`'s division, as
        // a `u64` one would not link on 32-bit ARM (no __aeabi_uldivmod).
        let rate = if ms > 0 {
            Delta::from_secs(i64::try_from(kib).unwrap_or(i64::MAX)) / took
        } else {
            0
        };
        pr_info!(
            "rmirror: resync done: {} KiB copied in {} ms ({} KiB/s)\n",
            kib,
            ms,
            rate
        );
        this.queue_work();
    } else if kick {
        this.queue_work();
    }
}

/// One read or write of a copy job.
struct CopyIo {
    mirror: TargetRef<Mirror>,
    job: usize,
    write: bool,
    src: usize,
    dsts: u64,
    sector: u64,
    count: u64,
}

impl CopyIo {
    /// The legs this step's request goes to: the source to read, the
    /// destinations to write.
    fn legs(&self) -> u64 {
        if self.write {
            self.dsts
        } else {
            leg_bit(self.src)
        }
    }

    fn submit(this: &TargetRef<Mirror>, job: usize, write: bool) {
        let state = {
            let mut st = this.state.lock();
            st.job(job).copied()
        };
        let Some(state) = state else {
            return;
        };
        let region_start = state.region as u64 * this.region_sectors;
        let region_len = this
            .region_sectors
            .min(this.len.saturating_sub(region_start));
        let sector = region_start + state.offset;
        let count = this.chunk_sectors.min(region_len - state.offset);
        let req = CopyIo {
            mirror: this.clone(),
            job,
            write,
            src: state.src,
            dsts: state.dsts,
            sector,
            count,
        };
        let sent = match memalloc_noio_scope(|| KBox::new(req, GFP_KERNEL)) {
            Ok(req) => async_io(req).is_ok(),
            Err(_) => false,
        };
        if !sent {
            // The region's copy ends for now; no leg is to blame.
            Self::record(this, job, JobPhase::Aborted);
        }
    }

    fn record(mirror: &TargetRef<Mirror>, job: usize, phase: JobPhase) {
        {
            let mut st = mirror.state.lock();
            if let Some(j) = st.job(job) {
                j.phase = phase;
            }
        }
        mirror.queue_work();
    }
}

impl OwnedIo for CopyIo {
    fn client(&self) -> &DmIoClient {
        &self.mirror.client
    }

    fn request<'a>(&'a self, regions: &'a mut RegionBuf<'a>) -> Result<DmIoRequest<'a, 'a>> {
        let pages = self.mirror.job_pages.get(self.job).ok_or(EINVAL)?;
        for leg in bit_legs(self.legs()) {
            let dev = self.mirror.devices().get(leg).ok_or(EINVAL)?;
            regions.push(Region::new(dev.bdev(), self.sector, self.count))?;
        }
        Ok(DmIoRequest {
            opf: Opf::new(if self.write {
                ReqOp::Write
            } else {
                ReqOp::Read
            }),
            regions: regions.as_slice(),
            memory: DmIoMemory::page_list(pages, 0)?,
            ioprio: IoPriority::DEFAULT,
        })
    }

    fn complete(this: KBox<Self>, bits: IoBits) {
        let this = KBox::into_inner(this);
        let failed = region_legs(this.legs(), |i| bits.failed(i) || bits.unsupported(i));
        let phase = if this.write {
            JobPhase::WriteDone(failed)
        } else {
            JobPhase::ReadDone(failed == 0)
        };
        Self::record(&this.mirror, this.job, phase);
    }
}
