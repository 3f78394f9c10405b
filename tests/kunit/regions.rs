// SPDX-License-Identifier: GPL-2.0

//! Multi-region requests: every region written and checked, refusals, and
//! the count-0 and empty-flush rules.

#[kernel::prelude::kunit_tests(dm_io_rs_regions)]
mod tests {
    use super::super::common::*;
    use crate::{
        blk::opf::{Opf, ReqFlags, ReqOp},
        dm_io::{IoBits, Region, DM_IO_MAX_REGIONS},
    };
    use core::sync::atomic::{AtomicUsize, Ordering};
    use kernel::prelude::*;

    #[test]
    fn two_regions_each_written() -> Result {
        let client = new_client()?;
        let (d0, d1) = (open(Dev::Plain0)?, open(Dev::Plain1)?);
        let regions = [
            Region::new(d0.bdev(), 600_000, 24),
            Region::new(d1.bdev(), 600_064, 24),
        ];
        let mut w = TestBuf::new(Kind::PageList, 2 * SECTOR, 24 * SECTOR)?;
        w.fill(0x21)?;
        assert_eq!(w.sync_io(&client, WRITE, &regions)?, IoBits::default());
        for region in regions {
            let mut r = TestBuf::new(Kind::Kmem, 0, 24 * SECTOR)?;
            assert_eq!(c_read(&mut r, region)?.ret, 0);
            assert!(r.holds(0x21)?);
        }
        Ok(())
    }

    #[test]
    fn max_regions_each_written() -> Result {
        let client = new_client()?;
        let (d0, d1) = (open(Dev::Plain0)?, open(Dev::Plain1)?);
        let mut regions = KVec::new();
        for i in 0..DM_IO_MAX_REGIONS {
            let dev = if i % 2 == 0 { &d0 } else { &d1 };
            regions.push(
                Region::new(dev.bdev(), 700_000 + (i as u64) * 16, 8),
                GFP_KERNEL,
            )?;
        }
        let mut w = TestBuf::new(Kind::Vma, SECTOR, 8 * SECTOR)?;
        w.fill(0x42)?;
        let before = client.bios_submitted();
        assert_eq!(w.sync_io(&client, WRITE, &regions)?, IoBits::default());
        assert_eq!(client.bios_submitted() - before, DM_IO_MAX_REGIONS as u64);
        let mut good = 0;
        for region in regions.iter() {
            let mut r = TestBuf::new(Kind::Bvec, 0, 8 * SECTOR)?;
            if r.sync_io(&client, READ, &[*region])? == IoBits::default() && r.holds(0x42)? {
                good += 1;
            }
        }
        assert_eq!(good, DM_IO_MAX_REGIONS);
        Ok(())
    }

    #[test]
    fn too_many_regions_refused() -> Result {
        let client = new_client()?;
        let d0 = open(Dev::Plain0)?;
        let mut regions = KVec::new();
        for i in 0..=DM_IO_MAX_REGIONS {
            regions.push(Region::new(d0.bdev(), (i as u64) * 8, 8), GFP_KERNEL)?;
        }
        let mut w = TestBuf::new(Kind::Kmem, 0, 8 * SECTOR)?;
        let before = client.bios_submitted();
        assert_eq!(w.sync_io(&client, WRITE, &regions), Err(EINVAL));
        assert_eq!(client.bios_submitted(), before);
        Ok(())
    }

    #[test]
    fn multi_region_read_refused_without_callback() -> Result {
        let client = new_client()?;
        let (d0, d1) = (open(Dev::Plain0)?, open(Dev::Plain1)?);
        let regions = [Region::new(d0.bdev(), 0, 8), Region::new(d1.bdev(), 0, 8)];
        let mut r = TestBuf::new(Kind::Kmem, 0, 8 * SECTOR)?;
        assert_eq!(r.sync_io(&client, READ, &regions), Err(EIO));

        let calls = AtomicUsize::new(0);
        let mut buf = KVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
        let submitted = client.scope(|scope| -> Result {
            let mem = crate::dm_io::DmIoMemory::kmem(&mut buf)?;
            scope.submit(READ, &regions, mem, 0, |_| {
                calls.fetch_add(1, Ordering::Relaxed);
            })
        });
        assert_eq!(submitted, Err(EIO));
        assert_eq!(calls.load(Ordering::Relaxed), 0);
        assert_eq!(client.bios_submitted(), 0);
        Ok(())
    }

    #[test]
    fn count_zero_region_skipped() -> Result {
        let client = new_client()?;
        let (d0, d1) = (open(Dev::Plain0)?, open(Dev::Plain1)?);
        let regions = [
            Region::new(d0.bdev(), 800_000, 0),
            Region::new(d1.bdev(), 800_000, 8),
        ];
        let mut w = TestBuf::new(Kind::Kmem, 0, 8 * SECTOR)?;
        w.fill(0x33)?;
        assert_eq!(w.sync_io(&client, WRITE, &regions)?, IoBits::default());
        assert_eq!(client.bios_submitted(), 1);
        let mut r = TestBuf::new(Kind::Kmem, 0, 8 * SECTOR)?;
        assert_eq!(c_read(&mut r, regions[1])?.ret, 0);
        assert!(r.holds(0x33)?);
        Ok(())
    }

    #[test]
    fn empty_flush_reaches_every_region() -> Result {
        let client = new_client()?;
        let (d0, d1, d2) = (open(Dev::Plain0)?, open(Dev::Plain1)?, open(Dev::Discard)?);
        let regions = [
            Region::new(d0.bdev(), 0, 0),
            Region::new(d1.bdev(), 0, 0),
            Region::new(d2.bdev(), 0, 0),
        ];
        let flush = Opf::new(ReqOp::Write, ReqFlags::PREFLUSH);
        let mut w = TestBuf::new(Kind::Kmem, 0, SECTOR)?;
        assert_eq!(w.sync_io(&client, flush, &regions)?, IoBits::default());
        assert_eq!(client.bios_submitted(), 3);
        Ok(())
    }

    /// dm-raid1, dm-bufio and dm-integrity flush (and dm-raid1 discards)
    /// with `DM_IO_KMEM` and a NULL address: accepted by `rdm_io()` as by
    /// the kernel's `dm_io()` while no region moves data, refused when one
    /// does (where `dm_io()` would dereference NULL).
    #[test]
    fn null_memory_without_data() -> Result {
        let (d0, d1, d2) = (open(Dev::Plain0)?, open(Dev::Plain1)?, open(Dev::Discard)?);
        let null_kmem = || MemC {
            kind: 3,
            offset: 0,
            ptr: core::ptr::null_mut(),
        };
        let ok = COutcome {
            ret: 0,
            error_bits: 0,
            unsup_bits: 0,
        };
        let flush = Opf::new(ReqOp::Write, ReqFlags::PREFLUSH);
        let discard = Opf::new(ReqOp::Discard, ReqFlags::NONE);
        for rust in [true, false] {
            let mut regions = [Region::new(d0.bdev(), 0, 0), Region::new(d1.bdev(), 0, 0)];
            // SAFETY: No region moves data, so no memory is touched.
            let out = unsafe { c_dm_io(rust, flush, &mut null_kmem(), &mut regions) };
            assert_eq!(out, ok);
            let mut regions = [Region::new(d2.bdev(), 2048, 64)];
            // SAFETY: A discard moves no data.
            let out = unsafe { c_dm_io(rust, discard, &mut null_kmem(), &mut regions) };
            assert_eq!(out, ok);
        }
        let mut regions = [Region::new(d0.bdev(), 0, 8)];
        // SAFETY: Only dm-io-rs, which refuses before touching memory.
        let out = unsafe { c_dm_io(true, WRITE, &mut null_kmem(), &mut regions) };
        assert_eq!(out.ret, EINVAL.to_errno());
        Ok(())
    }
}
