// SPDX-License-Identifier: GPL-2.0

//! Multi-region requests: every region written and checked, refusals, and
//! the count-0 and empty-flush rules.

#[kernel::prelude::kunit_tests(dm_io_rust_regions)]
mod tests {
    use crate::common::*;
    use crate::{
        block::{
            ioprio::IoPriority,
            opf::{Opf, ReqFlag, ReqOp},
        },
        device_mapper::io::{DmIoMemory, DmIoRequest, IoBits, Region, DM_IO_MAX_REGIONS},
    };
    use core::sync::atomic::{AtomicUsize, Ordering};
    use kernel::prelude::*;

    /// A 1 MiB test disk on which every sector fails.
    fn all_bad_disk() -> Result<crate::test_disk::TestDisk> {
        crate::test_disk::TestDisk::new(crate::test_disk::Config {
            sectors: 2048,
            bad_start: 0,
            bad_sectors: 2048,
            ..Default::default()
        })
    }

    #[test]
    fn two_regions_each_written() -> Result {
        let client = new_client()?;
        let (d0, d1) = (plain_disk(8)?, plain_disk(8)?);
        let regions = [
            Region::new(d0.bdev(), 100, 24),
            Region::new(d1.bdev(), 164, 24),
        ];
        let mut w = TestBuf::new(Kind::PageList, 2 * SECTOR, 24 * SECTOR)?;
        w.fill(0x21)?;
        assert_eq!(w.sync_io(&client, WRITE, &regions)?, IoBits::default());
        assert!(disk_holds(&d0, 100, 24 * SECTOR, 0x21)?);
        assert!(disk_holds(&d1, 164, 24 * SECTOR, 0x21)?);
        Ok(())
    }

    #[test]
    fn max_regions_each_written_once() -> Result {
        let client = new_client()?;
        let (d0, d1) = (plain_disk(8)?, plain_disk(8)?);
        let mut regions = KVec::new();
        for i in 0..DM_IO_MAX_REGIONS {
            let disk = if i % 2 == 0 { &d0 } else { &d1 };
            regions.push(Region::new(disk.bdev(), (i as u64) * 16, 8), GFP_KERNEL)?;
        }
        let mut w = TestBuf::new(Kind::Vmalloc, SECTOR, 8 * SECTOR)?;
        w.fill(0x42)?;
        assert_eq!(w.sync_io(&client, WRITE, &regions)?, IoBits::default());
        // One bio per region, each where its region is.
        let (b0, b1) = (d0.bios()?, d1.bios()?);
        assert_eq!(b0.len() + b1.len(), DM_IO_MAX_REGIONS);
        for (i, region) in regions.iter().enumerate() {
            let (disk, bios) = if i % 2 == 0 { (&d0, &b0) } else { (&d1, &b1) };
            assert!(bios
                .iter()
                .any(|b| b.sector == region.sector && b.size == 8 * SECTOR as u32));
            assert!(disk_holds(disk, region.sector, 8 * SECTOR, 0x42)?);
        }
        Ok(())
    }

    #[test]
    fn each_region_gets_its_own_bit() -> Result {
        // The region index travels in `bi_private` with the io object: with
        // one failing region at each index, exactly its bit is set.
        let client = new_client()?;
        let good = plain_disk(1)?;
        let bad = all_bad_disk()?;
        let buf = KVec::from_elem(0x11u8, 8 * SECTOR, GFP_KERNEL)?;
        for failing in 0..DM_IO_MAX_REGIONS {
            let mut regions = KVec::new();
            for i in 0..DM_IO_MAX_REGIONS {
                let disk = if i == failing { &bad } else { &good };
                regions.push(Region::new(disk.bdev(), (i as u64) * 8, 8), GFP_KERNEL)?;
            }
            let bits = sync_io(&client, WRITE, &regions, DmIoMemory::kmalloc_ro(&buf)?)?;
            assert_eq!(
                bits,
                IoBits {
                    error_bits: 1 << failing,
                    unsup_bits: 0
                }
            );
        }
        Ok(())
    }

    #[test]
    fn async_single_bio_gets_its_regions_bit() -> Result {
        // A request whose only bio is region `failing`'s, the regions before
        // it empty: its bit and no other, whether the io object rides in the
        // bio's front pad (region 0's, callback only) or in a pool element.
        let client = new_client()?;
        let good = plain_disk(1)?;
        let bad = all_bad_disk()?;
        let buf = KVec::from_elem(0x5au8, 8 * SECTOR, GFP_KERNEL)?;
        for failing in [0, 1, 2, DM_IO_MAX_REGIONS - 1] {
            let mut regions = KVec::new();
            for i in 0..=failing {
                let (disk, count) = if i == failing { (&bad, 8) } else { (&good, 0) };
                regions.push(Region::new(disk.bdev(), (i as u64) * 8, count), GFP_KERNEL)?;
            }
            let probe = scoped_async_io(&client, WRITE, &regions, DmIoMemory::kmalloc_ro(&buf)?)?;
            assert_eq!(probe.calls(), 1);
            assert_eq!(
                probe.bits(),
                IoBits {
                    error_bits: 1 << failing,
                    unsup_bits: 0
                }
            );
            assert_eq!(good.bios()?.len(), 0);
        }
        Ok(())
    }

    #[test]
    fn too_many_regions_refused() -> Result {
        let client = new_client()?;
        let d0 = plain_disk(1)?;
        let mut regions = KVec::new();
        for i in 0..=DM_IO_MAX_REGIONS {
            regions.push(Region::new(d0.bdev(), (i as u64) * 8, 8), GFP_KERNEL)?;
        }
        let buf = KVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
        let r = sync_io(&client, WRITE, &regions, DmIoMemory::kmalloc_ro(&buf)?);
        assert_eq!(r, Err(EINVAL));
        assert_eq!(d0.bios()?.len(), 0);
        Ok(())
    }

    #[test]
    fn multi_region_read_refused_without_callback() -> Result {
        let client = new_client()?;
        let (d0, d1) = (plain_disk(1)?, plain_disk(1)?);
        let regions = [Region::new(d0.bdev(), 0, 8), Region::new(d1.bdev(), 0, 8)];
        let mut buf = KVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
        let r = sync_io(&client, READ, &regions, DmIoMemory::kmalloc(&mut buf)?);
        assert_eq!(r, Err(EIO));

        let calls = AtomicUsize::new(0);
        let submitted = client.scope(|scope| -> Result {
            let req = DmIoRequest {
                opf: READ,
                regions: &regions,
                memory: DmIoMemory::kmalloc(&mut buf)?,
                ioprio: IoPriority::DEFAULT,
            };
            scope.submit(req, |_| {
                calls.fetch_add(1, Ordering::Relaxed);
            })
        });
        assert_eq!(submitted, Err(EIO));
        assert_eq!(calls.load(Ordering::Relaxed), 0);
        assert_eq!(d0.bios()?.len() + d1.bios()?.len(), 0);
        Ok(())
    }

    #[test]
    fn count_zero_region_skipped() -> Result {
        let client = new_client()?;
        let (d0, d1) = (plain_disk(1)?, plain_disk(1)?);
        let regions = [Region::new(d0.bdev(), 8, 0), Region::new(d1.bdev(), 8, 8)];
        let mut w = TestBuf::new(Kind::Kmalloc, 0, 8 * SECTOR)?;
        w.fill(0x33)?;
        assert_eq!(w.sync_io(&client, WRITE, &regions)?, IoBits::default());
        assert_eq!(d0.bios()?.len(), 0);
        assert_eq!(d1.bios()?.len(), 1);
        assert!(disk_holds(&d1, 8, 8 * SECTOR, 0x33)?);
        Ok(())
    }

    #[test]
    fn empty_flush_reaches_every_region() -> Result {
        let client = new_client()?;
        let disks = [plain_disk(1)?, plain_disk(1)?, plain_disk(1)?];
        let regions = [
            Region::new(disks[0].bdev(), 0, 0),
            Region::new(disks[1].bdev(), 0, 0),
            Region::new(disks[2].bdev(), 0, 0),
        ];
        let flush = Opf::new(ReqOp::Write).with(ReqFlag::Preflush);
        assert_eq!(
            sync_io(&client, flush, &regions, DmIoMemory::none())?,
            IoBits::default()
        );
        for disk in &disks {
            let bios = disk.bios()?;
            assert_eq!(bios.len(), 1);
            assert_eq!(bios[0].size, 0);
            assert!(Opf::from_raw(bios[0].opf).has(ReqFlag::Preflush));
        }
        Ok(())
    }

    #[test]
    fn no_memory_only_without_data() -> Result {
        // How dm-raid1, dm-bufio and dm-integrity flush and discard: no memory
        // while no region moves data; refused when one does.
        let client = new_client()?;
        let disk = crate::test_disk::TestDisk::new(crate::test_disk::Config {
            sectors: 8192,
            max_discard_sectors: 1024,
            ..Default::default()
        })?;
        let discard = Opf::new(ReqOp::Discard);
        let region = [Region::new(disk.bdev(), 0, 64)];
        assert_eq!(
            sync_io(&client, discard, &region, DmIoMemory::none())?,
            IoBits::default()
        );
        let r = sync_io(&client, WRITE, &region, DmIoMemory::none());
        assert_eq!(r, Err(EINVAL));
        assert_eq!(disk.bios()?.len(), 1);
        Ok(())
    }
}
