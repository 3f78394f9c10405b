// SPDX-License-Identifier: GPL-2.0

//! Every memory source, read and write, at offset 0 and inside a page, for
//! one sector, one page, an odd multi-page size and a multi-MiB region.
//! Data written through one source is read back through another, and
//! through the kernel's C dm-io.

#[kernel::prelude::kunit_tests(dm_io_rs_memory)]
mod tests {
    use super::super::common::*;
    use crate::{dm_io::Region, mm::page::PAGE_SIZE};
    use kernel::prelude::*;

    const SIZES: [usize; 4] = [SECTOR, PAGE_SIZE, 21 * SECTOR, 2 * 1024 * 1024 + 3 * SECTOR];
    const OFFSETS: [usize; 2] = [0, 3 * SECTOR];

    /// The reader for a writer: always a different kind.
    fn reader_for(kind: Kind) -> Kind {
        let i = KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        KINDS[(i + 1) % KINDS.len()]
    }

    /// Writes with `writer` at every size and offset, reads back with
    /// another kind and with C; returns how many round trips matched.
    fn round_trips(writer: Kind, area: u64) -> Result<usize> {
        let client = new_client()?;
        let dev = open(Dev::Plain0)?;
        let mut matched = 0;
        for (s, size) in SIZES.iter().enumerate() {
            for (o, offset) in OFFSETS.iter().enumerate() {
                let seed = (s * 2 + o) as u8 + 1;
                let sector = area + ((s * 2 + o) as u64) * 8192;
                let region = Region::new(dev.bdev(), sector, (*size / SECTOR) as u64);

                let mut w = TestBuf::new(writer, *offset, *size)?;
                w.fill(seed)?;
                let wrote = w.sync_io(&client, WRITE, &[region])?;

                // Read back at the other offset, through another source.
                let other_offset = OFFSETS[(o + 1) % OFFSETS.len()];
                let mut r = TestBuf::new(reader_for(writer), other_offset, *size)?;
                r.set_all(0x5a)?;
                let read = r.sync_io(&client, READ, &[region])?;

                let mut c = TestBuf::new(Kind::Kmem, 0, *size)?;
                let oracle = c_read(&mut c, region)?;

                if wrote.error_bits == 0
                    && wrote.unsup_bits == 0
                    && read.error_bits == 0
                    && r.holds(seed)?
                    && oracle.ret == 0
                    && c.holds(seed)?
                {
                    matched += 1;
                } else {
                    pr_err!(
                        "dm-io-rs test: {:?} size {} offset {}: write {:?} read {:?} C {:?}\n",
                        writer,
                        size,
                        offset,
                        wrote,
                        read,
                        oracle
                    );
                }
            }
        }
        Ok(matched)
    }

    const CASES: usize = SIZES.len() * OFFSETS.len();

    #[test]
    fn page_list_round_trips() -> Result {
        assert_eq!(round_trips(Kind::PageList, 0)?, CASES);
        Ok(())
    }

    #[test]
    fn bvec_round_trips() -> Result {
        assert_eq!(round_trips(Kind::Bvec, 100_000)?, CASES);
        Ok(())
    }

    #[test]
    fn bio_round_trips() -> Result {
        assert_eq!(round_trips(Kind::Bio, 200_000)?, CASES);
        Ok(())
    }

    #[test]
    fn vmalloc_round_trips() -> Result {
        assert_eq!(round_trips(Kind::Vma, 300_000)?, CASES);
        Ok(())
    }

    #[test]
    fn kmalloc_round_trips() -> Result {
        assert_eq!(round_trips(Kind::Kmem, 400_000)?, CASES);
        Ok(())
    }

    #[test]
    fn multi_mib_region_round_trips() -> Result {
        let client = new_client()?;
        let dev = open(Dev::Plain1)?;
        let size = 4 * 1024 * 1024 + PAGE_SIZE;
        let mut w = TestBuf::new(Kind::Vma, SECTOR, size)?;
        w.fill(0x77)?;
        let region = Region::new(dev.bdev(), 500_000, w.sectors());
        assert_eq!(w.sync_io(&client, WRITE, &[region])?.to_result(), Ok(()));
        let mut r = TestBuf::new(Kind::PageList, 0, size)?;
        assert_eq!(r.sync_io(&client, READ, &[region])?.to_result(), Ok(()));
        assert!(r.holds(0x77)?);
        Ok(())
    }

    #[test]
    fn fragmented_region_splits_at_max_vecs() -> Result {
        let client = new_client()?;
        let dev = open(Dev::Plain1)?;
        // 2048 unmergeable one-sector segments: at most BIO_MAX_VECS (256)
        // per bio, so at least 8 bios.
        let region = Region::new(dev.bdev(), 520_000, 2048);
        let before = client.bios_submitted();
        assert_eq!(
            fragmented_io(&client, WRITE, region, 0x78)?.to_result(),
            Ok(())
        );
        let bios = client.bios_submitted() - before;
        pr_info!(
            "dm-io-rs test: 2048 fragmented sectors took {} bios\n",
            bios
        );
        assert!(bios >= 8);
        let mut r = TestBuf::new(Kind::Kmem, 0, 2048 * SECTOR)?;
        assert_eq!(c_read(&mut r, region)?.ret, 0);
        assert!(r.holds(0x78)?);
        Ok(())
    }
}
