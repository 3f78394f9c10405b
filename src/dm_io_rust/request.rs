// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2003 Sistina Software
// Copyright (C) 2006 Red Hat GmbH

//! Requests: checking them, and running them synchronously or
//! asynchronously (`dm_io()`, `sync_io()`, `async_io()`).

use super::{
    client::Client,
    dispatch::Dispatch,
    io::{run_on_stack, run_pooled, AfterRead, Io, Notify},
    memory::{Memory, MemoryDirection},
};
use crate::block::{
    ioprio::IoPriority,
    opf::{Opf, ReqFlag},
    SECTOR_SHIFT,
};
use crate::device_mapper::region::{IoBits, Region, DM_IO_MAX_REGIONS};
use core::marker::PhantomData;
use kernel::{prelude::*, warn_on};

/// A request (`struct dm_io_request`, with the regions and I/O priority of
/// `dm_io()`) whose memory is lent in direction `D`. The regions are read
/// while the request is sent (`'r`); the devices and the memory are
/// borrowed until it completes (`'a`).
pub(crate) struct Request<'r, 'a, D: MemoryDirection> {
    pub(crate) opf: Opf,
    pub(crate) regions: &'r [Region<'a>],
    pub(crate) memory: Memory<'a, D>,
    pub(crate) ioprio: IoPriority,
}

impl<'a, D: MemoryDirection> Request<'_, 'a, D> {
    /// Checks a request before anything is sent; a refused request never
    /// calls its callback.
    // Once per request, in its path: a call would cost more than the check
    // of the usual one to three regions.
    #[inline(always)]
    pub(crate) fn check(&self) -> Result {
        // Only writes may go to more than one region: refused first of all,
        // with upstream's warning, whose stack trace names the caller.
        if warn_on!(self.regions.len() > 1 && !self.opf.is_write()) {
            return Err(EIO);
        }
        // Upstream BUG()s here.
        if self.regions.len() > DM_IO_MAX_REGIONS {
            return Err(EINVAL);
        }
        // Every region that sends a bio names its device.
        let flush = self.opf.has(ReqFlag::Preflush);
        if self
            .regions
            .iter()
            .any(|r| r.bdev().is_none() && (r.count != 0 || flush))
        {
            return Err(EINVAL);
        }
        if self.opf.is_discard_or_write_zeroes() {
            return Ok(());
        }
        match &self.memory {
            // A region that moves data needs memory.
            Memory::None if self.regions.iter().any(|r| r.count != 0) => Err(EINVAL),
            // Each clone is trimmed to its region, within the caller's bio.
            Memory::Bio(bio) => {
                let sectors = u64::from(bio.size() >> SECTOR_SHIFT);
                if self.regions.iter().any(|r| r.count > sectors) {
                    Err(EINVAL)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// The operation as dm-io sends it: without the flags that describe a
    /// caller's own bio (its allocation cache, that it is polled for
    /// completion, or must not block at submission), which would be wrong on
    /// the bios of the client's bio set: `bio_put()` would look for a per-cpu
    /// cache the bio set does not have, and nobody polls them.
    fn opf(&self) -> Opf {
        self.opf
            .without(ReqFlag::AllocCache | ReqFlag::Polled | ReqFlag::Nowait)
    }

    /// The bytes of the largest region, which memory work applies to.
    /// dm-io.c takes the first region's: a later, larger region of a write
    /// would then be sent from stale lines of a vmalloc buffer where the
    /// cache has aliases.
    fn largest_bytes(&self) -> u32 {
        self.regions
            .iter()
            .filter_map(|r| u32::try_from(r.count.checked_shl(SECTOR_SHIFT)?).ok())
            .max()
            .unwrap_or(0)
    }

    /// Memory work around the I/O (`dp_init()`): flush a vmalloc buffer
    /// before it; for reads, what the reader is owed after it.
    #[inline]
    fn prepare_memory(&self) -> AfterRead<'a> {
        D::prepare(&self.memory, self.largest_bytes())
    }
}

impl<N: Notify> Client<N> {
    /// A synchronous request: sends it, waits with I/O accounting, and
    /// returns which regions failed. `REQ_SYNC` is added, as upstream does.
    ///
    /// `Err` means that the request was refused and nothing was sent.
    /// Unlike upstream, the io object lives on this stack: no pool
    /// allocation for synchronous I/O.
    pub(crate) fn sync_io<D: MemoryDirection>(&self, req: Request<'_, '_, D>) -> Result<IoBits> {
        req.check()?;
        let opf = req.opf().with(ReqFlag::Sync);
        let io = Io::new(req.prepare_memory(), ());
        // `EDEADLK` inside `submit_bio()` (a target's map hook), where the
        // bios would be held until the caller returns, which waits for them:
        // dm-io.c hangs there.
        let io = run_on_stack(io, |sub| {
            Dispatch {
                sub,
                bios: &self.bios,
                opf,
                mem: &req.memory,
                ioprio: req.ioprio,
                plug: true,
                io: PhantomData,
            }
            .regions(req.regions)
        })?;
        Ok(io.finish().0)
    }

    /// An asynchronous request (`async_io()`): on `Ok`, `notify` is called
    /// exactly once, after the io object went back to the pool: from bio
    /// completion context, or from this call itself when no bio was sent
    /// (every region unsupported or failed at once). On `Err` nothing was
    /// sent and `notify` is dropped without a call.
    pub(crate) fn async_io<D: MemoryDirection>(
        &'static self,
        req: Request<'_, 'static, D>,
        notify: N,
    ) -> Result {
        req.check()?;
        let opf = req.opf();
        let io = Io::new(req.prepare_memory(), notify);
        run_pooled(&self.pool, &self.bios, &self.host_bios, io, |sub| {
            Dispatch {
                sub,
                bios: &self.bios,
                opf,
                mem: &req.memory,
                ioprio: req.ioprio,
                plug: false,
                io: PhantomData,
            }
            .regions(req.regions)
        })
        .map_err(|_| ENOMEM)
    }
}
