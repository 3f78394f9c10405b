// SPDX-License-Identifier: GPL-2.0

//! What reaches the device: the I/O priority on every bio, an atomic write
//! in one bio, and the flags that describe only a caller's own bio dropped.

#[kernel::prelude::kunit_tests(dm_io_rust_flags)]
mod tests {
    use crate::{
        block::{
            ioprio::{IoPriority, IoPriorityClass},
            opf::{Opf, ReqFlag, ReqOp},
        },
        device_mapper::io::{DmIoMemory, DmIoRequest, IoBits, Region},
    };
    use crate::{
        common::*,
        test_disk::{Config, TestDisk},
    };
    use kernel::prelude::*;

    /// `IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 3)`.
    const IOPRIO: u16 = (2 << 13) | 3;

    #[test]
    fn ioprio_reaches_every_bio() -> Result {
        let prio = IoPriority::new(IoPriorityClass::BestEffort, 3)?;
        assert_eq!(prio.as_raw(), IOPRIO);
        let client = new_client()?;
        let disks = [
            TestDisk::new(Config {
                sectors: 65536,
                max_discard_sectors: 256,
                ..Default::default()
            })?,
            plain_disk(32)?,
        ];
        let regions = [
            Region::new(disks[0].bdev(), 0, 4096),
            Region::new(disks[1].bdev(), 0, 4096),
        ];
        // Data split into several bios, a discard cut into several, and an
        // empty flush: every bio of each carries the request's priority.
        let mut w = TestBuf::new(Kind::PageList, 0, 4096 * SECTOR)?;
        w.fill(0x31)?;
        let flush = Opf::new(ReqOp::Write).with(ReqFlag::Preflush);
        let discard = [Region::new(disks[0].bdev(), 0, 4096)];
        let empty = [
            Region::new(disks[0].bdev(), 0, 0),
            Region::new(disks[1].bdev(), 0, 0),
        ];
        let bdev = disks[0].bdev();
        w.with_memory(bdev, |memory| {
            client.sync_io(DmIoRequest {
                opf: WRITE,
                regions: &regions,
                memory,
                ioprio: prio,
            })
        })??;
        for (opf, regions) in [
            (Opf::new(ReqOp::Discard), &discard[..]),
            (flush, &empty[..]),
        ] {
            let req = DmIoRequest {
                opf,
                regions,
                memory: DmIoMemory::none(),
                ioprio: prio,
            };
            assert_eq!(client.sync_io(req)?, IoBits::default());
        }
        // Each disk got data bios and an empty flush, and the first a discard
        // cut at its 256-sector limit into 16 bios: every one with the
        // request's priority.
        for disk in &disks {
            let bios = disk.bios()?;
            assert!(bios
                .iter()
                .any(|b| b.size > 0 && Opf::from_raw(b.opf).is(ReqOp::Write)));
            assert!(bios.iter().any(|b| b.size == 0));
            assert!(bios.iter().all(|b| b.ioprio == IOPRIO));
        }
        let discards = disks[0]
            .bios()?
            .iter()
            .filter(|b| Opf::from_raw(b.opf).is(ReqOp::Discard))
            .count();
        assert_eq!(discards, 16);
        Ok(())
    }

    #[test]
    fn atomic_write_reaches_the_device_in_one_bio() -> Result {
        let client = new_client()?;
        let disk = TestDisk::new(Config {
            sectors: 8192,
            atomic_write_max_bytes: 64 * 1024,
            ..Default::default()
        })?;
        let atomic = Opf::new(ReqOp::Write).with(ReqFlag::Atomic);
        let mut w = TestBuf::new(Kind::Kmalloc, 0, 32 * 1024)?;
        w.fill(0x52)?;
        let region = [Region::new(disk.bdev(), 64, 64)];
        assert_eq!(w.sync_io(&client, atomic, &region)?, IoBits::default());
        let bios = disk.bios()?;
        assert_eq!(bios.len(), 1);
        assert_eq!(bios[0].size, 32 * 1024);
        assert!(Opf::from_raw(bios[0].opf).has(ReqFlag::Atomic));
        assert!(disk_holds(&disk, 64, 32 * 1024, 0x52)?);
        Ok(())
    }

    #[test]
    fn atomic_write_that_needs_two_bios_is_refused_whole() -> Result {
        // Unmergeable memory needs DM_IO_BVEC.
        if !cfg!(CONFIG_DM_IO_RUST) {
            return assert_bvec_refused();
        }
        let client = new_client()?;
        let disk = TestDisk::new(Config {
            sectors: 8192,
            atomic_write_max_bytes: 64 * 1024,
            ..Default::default()
        })?;
        disk_fill(&disk, 0, 512 * SECTOR, 0x10)?;
        // Unmergeable memory: 512 one-sector segments, more than one bio holds.
        let list = crate::device_mapper::page_list::PageList::alloc(512, GFP_KERNEL)?;
        let mut segs = KVec::with_capacity(512, GFP_KERNEL)?;
        for page in list.pages() {
            segs.push(
                crate::block::bio::Segment::<crate::block::bio::ToDevice>::new(page, 0, SECTOR)?,
                GFP_KERNEL,
            )?;
        }
        let atomic = Opf::new(ReqOp::Write).with(ReqFlag::Atomic);
        let region = [Region::new(disk.bdev(), 0, 512)];
        // dm-io.c splits it, with a `WARN_ON_ONCE`: the same warning.
        let memory = DmIoMemory::bvec(&segs)?;
        let bits = expect_warning("dispatch.rs", || sync_io(&client, atomic, &region, memory))?;
        assert_eq!(
            bits,
            IoBits {
                error_bits: 0,
                unsup_bits: 1
            }
        );
        assert_eq!(disk.bios()?.len(), 0);
        assert!(disk_holds(&disk, 0, 512 * SECTOR, 0x10)?);
        Ok(())
    }

    #[test]
    fn callers_bio_flags_are_dropped() -> Result {
        // REQ_ALLOC_CACHE would send dm-io's bios to a per-cpu cache its bio
        // set lacks; REQ_POLLED bios would wait for a poll that never comes;
        // REQ_NOWAIT cannot hold for a request that may wait for memory.
        let client = new_client()?;
        let disk = plain_disk(4)?;
        let opf = WRITE
            .with(ReqFlag::AllocCache)
            .with(ReqFlag::Polled)
            .with(ReqFlag::Nowait)
            .with(ReqFlag::Fua);
        for kind in [Kind::Kmalloc, Kind::Bio] {
            disk.forget();
            let mut w = TestBuf::new(kind, 0, 8 * SECTOR)?;
            w.fill(0x61)?;
            let region = [Region::new(disk.bdev(), 8, 8)];
            assert_eq!(w.sync_io(&client, opf, &region)?, IoBits::default());
            let bios = disk.bios()?;
            assert_eq!(bios.len(), 1);
            let got = Opf::from_raw(bios[0].opf);
            assert!(got.has(ReqFlag::Fua));
            assert!(!got.has(ReqFlag::AllocCache));
            assert!(!got.has(ReqFlag::Polled));
            assert!(!got.has(ReqFlag::Nowait));
        }
        assert!(disk_holds(&disk, 8, 8 * SECTOR, 0x61)?);
        Ok(())
    }
}
