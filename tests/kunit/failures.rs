// SPDX-License-Identifier: GPL-2.0

//! Failing and unsupported regions: only their own bits, the other
//! regions' data intact, failed reads zero-filled; discard and write-zeroes
//! with and without device support; atomic writes never split.

#[kernel::prelude::kunit_tests(dm_io_rs_failures)]
mod tests {
    use super::super::common::*;
    use crate::{
        blk::opf::{Opf, ReqFlags, ReqOp},
        dm_io::{DmIoMemory, IoBits, Region},
    };
    use kernel::prelude::*;

    const DISCARD: Opf = Opf::new(ReqOp::Discard, ReqFlags::NONE);
    const WRITE_ZEROES: Opf = Opf::new(ReqOp::WriteZeroes, ReqFlags::NONE);

    #[test]
    fn failing_region_sets_only_its_bit() -> Result {
        let client = new_client()?;
        let (d0, bad, d1) = (
            open(Dev::Plain0)?,
            open(Dev::BadBlocks)?,
            open(Dev::Plain1)?,
        );
        let regions = [
            Region::new(d0.bdev(), 1_100_000, 16),
            Region::new(bad.bdev(), BAD_SECTOR, 16),
            Region::new(d1.bdev(), 1_100_000, 16),
        ];
        let mut w = TestBuf::new(Kind::PageList, 0, 16 * SECTOR)?;
        w.fill(0x5c)?;
        let bits = w.sync_io(&client, WRITE, &regions)?;
        assert_eq!(
            bits,
            IoBits {
                error_bits: 0b010,
                unsup_bits: 0
            }
        );
        assert_eq!(bits.to_result(), Err(EIO));
        for region in [regions[0], regions[2]] {
            let mut r = TestBuf::new(Kind::Kmem, 0, 16 * SECTOR)?;
            assert_eq!(c_read(&mut r, region)?.ret, 0);
            assert!(r.holds(0x5c)?);
        }
        Ok(())
    }

    #[test]
    fn failed_read_is_zero_filled() -> Result {
        let client = new_client()?;
        let bad = open(Dev::BadBlocks)?;
        for kind in KINDS {
            let mut r = TestBuf::new(kind, 0, 8 * SECTOR)?;
            r.set_all(0xaa)?;
            let bits = r.sync_io(&client, READ, &[Region::new(bad.bdev(), BAD_SECTOR, 8)])?;
            assert_eq!(
                bits,
                IoBits {
                    error_bits: 1,
                    unsup_bits: 0
                }
            );
            assert!(r.is_all(0)?);
        }
        Ok(())
    }

    #[test]
    fn discard_unsupported_is_not_an_error() -> Result {
        let client = new_client()?;
        let d0 = open(Dev::Plain0)?;
        let mut buf = KVec::from_elem(0u8, SECTOR, GFP_KERNEL)?;
        for opf in [DISCARD, WRITE_ZEROES] {
            let bits = client.sync_io(
                opf,
                &[Region::new(d0.bdev(), 0, 2048)],
                DmIoMemory::kmem(&mut buf)?,
                0,
            )?;
            assert_eq!(
                bits,
                IoBits {
                    error_bits: 0,
                    unsup_bits: 1
                }
            );
            assert_eq!(bits.to_result(), Err(EOPNOTSUPP));
            assert_eq!(client.bios_submitted(), 0);
        }
        Ok(())
    }

    #[test]
    fn multi_leg_discard_with_one_unsupported_completes_once() -> Result {
        let client = new_client()?;
        let (ok, plain) = (open(Dev::Discard)?, open(Dev::Plain0)?);
        let regions = [
            Region::new(ok.bdev(), 0, 2048),
            Region::new(plain.bdev(), 0, 2048),
        ];
        let buf = KVec::from_elem(0u8, SECTOR, GFP_KERNEL)?;
        let probe = CallbackProbe::default();
        client.scope(|scope| {
            scope.submit(DISCARD, &regions, DmIoMemory::kmem_ro(&buf)?, 0, |b| {
                probe.record(b)
            })
        })?;
        assert_eq!(probe.calls(), 1);
        assert_eq!(
            probe.bits(),
            IoBits {
                error_bits: 0,
                unsup_bits: 0b10
            }
        );
        Ok(())
    }

    #[test]
    fn discard_zeroes_memory_backed_null_blk() -> Result {
        let client = new_client()?;
        let dev = open(Dev::Discard)?;
        let region = Region::new(dev.bdev(), 4096, 256);
        let mut w = TestBuf::new(Kind::Kmem, 0, 256 * SECTOR)?;
        w.fill(0x66)?;
        assert_eq!(w.sync_io(&client, WRITE, &[region])?, IoBits::default());
        assert_eq!(w.sync_io(&client, DISCARD, &[region])?, IoBits::default());
        let mut r = TestBuf::new(Kind::Kmem, 0, 256 * SECTOR)?;
        r.set_all(0xff)?;
        assert_eq!(c_read(&mut r, region)?.ret, 0);
        assert!(r.is_all(0)?);
        Ok(())
    }

    #[test]
    fn write_zeroes_and_discard_split_by_device_limit() -> Result {
        let client = new_client()?;
        let dev = open(Dev::Virtio)?;
        let limit = u64::from(dev.bdev().max_write_zeroes_sectors());
        assert_eq!(limit, 2048);
        assert_eq!(u64::from(dev.bdev().max_discard_sectors()), 2048);
        let region = Region::new(dev.bdev(), 0, 4 * limit);
        let mut w = TestBuf::new(Kind::Vma, 0, (4 * limit) as usize * SECTOR)?;
        w.fill(0x99)?;
        assert_eq!(w.sync_io(&client, WRITE, &[region])?, IoBits::default());

        let before = client.bios_submitted();
        assert_eq!(
            w.sync_io(&client, WRITE_ZEROES, &[region])?,
            IoBits::default()
        );
        assert_eq!(client.bios_submitted() - before, 4);
        let mut r = TestBuf::new(Kind::Kmem, 0, (4 * limit) as usize * SECTOR)?;
        r.set_all(0xff)?;
        assert_eq!(c_read(&mut r, region)?.ret, 0);
        assert!(r.is_all(0)?);

        let before = client.bios_submitted();
        let odd = Region::new(dev.bdev(), 20_000, 3 * limit + 8);
        assert_eq!(w.sync_io(&client, DISCARD, &[odd])?, IoBits::default());
        assert_eq!(client.bios_submitted() - before, 4);
        Ok(())
    }

    #[test]
    fn atomic_write_is_never_split() -> Result {
        let client = new_client()?;
        let dev = open(Dev::Plain1)?;
        let size = 512 * SECTOR;
        let region = Region::new(dev.bdev(), 1_200_000, (size / SECTOR) as u64);
        let mut first = TestBuf::new(Kind::Kmem, 0, size)?;
        first.fill(0x10)?;
        assert_eq!(first.sync_io(&client, WRITE, &[region])?, IoBits::default());

        // Unmergeable memory: the region cannot fit one bio.
        let before = client.bios_submitted();
        let atomic = Opf::new(ReqOp::Write, ReqFlags::ATOMIC);
        let bits = fragmented_io(&client, atomic, region, 0x20)?;
        assert_eq!(
            bits,
            IoBits {
                error_bits: 0,
                unsup_bits: 1
            }
        );
        assert_eq!(client.bios_submitted(), before);
        let mut r = TestBuf::new(Kind::Kmem, 0, size)?;
        assert_eq!(c_read(&mut r, region)?.ret, 0);
        assert!(r.holds(0x10)?);
        Ok(())
    }

    #[test]
    fn region_past_the_end_fails_alone() -> Result {
        let client = new_client()?;
        let (small, d0) = (open(Dev::Small)?, open(Dev::Plain0)?);
        let end = small.bdev().nr_sectors();
        let regions = [
            Region::new(d0.bdev(), 1_300_000, 8),
            Region::new(small.bdev(), end - 4, 8),
        ];
        let mut w = TestBuf::new(Kind::Kmem, 0, 8 * SECTOR)?;
        w.fill(0x44)?;
        let bits = w.sync_io(&client, WRITE, &regions)?;
        assert_eq!(bits.error_bits | bits.unsup_bits, 0b10);
        let mut r = TestBuf::new(Kind::Kmem, 0, 8 * SECTOR)?;
        assert_eq!(c_read(&mut r, regions[0])?.ret, 0);
        assert!(r.holds(0x44)?);
        Ok(())
    }

    #[test]
    fn device_with_small_requests_gets_whole_data() -> Result {
        let client = new_client()?;
        let small = open(Dev::Small)?;
        let size = 3 * 1024 * 1024 + 5 * SECTOR;
        let region = Region::new(small.bdev(), 10_000, (size / SECTOR) as u64);
        let mut w = TestBuf::new(Kind::Bvec, SECTOR, size)?;
        w.fill(0x7e)?;
        assert_eq!(w.sync_io(&client, WRITE, &[region])?, IoBits::default());
        let mut r = TestBuf::new(Kind::Vma, 0, size)?;
        assert_eq!(r.sync_io(&client, READ, &[region])?, IoBits::default());
        assert!(r.holds(0x7e)?);
        Ok(())
    }
}
