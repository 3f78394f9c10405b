// SPDX-License-Identifier: GPL-2.0

//! Every memory source, read and write, at offset 0 and inside a page, for
//! one sector, one page, an odd multi-page size and a multi-MiB region:
//! written through one source, checked on the disk directly, read back
//! through another source.

#[kernel::prelude::kunit_tests(dm_io_rust_memory)]
mod tests {
    use crate::common::*;
    use crate::device_mapper::io::{IoBits, Region};
    use kernel::{page::PAGE_SIZE, prelude::*};

    const SIZES: [usize; 4] = [SECTOR, PAGE_SIZE, 21 * SECTOR, 2 * 1024 * 1024 + 3 * SECTOR];
    const OFFSETS: [usize; 2] = [0, 3 * SECTOR];
    const CASES: usize = SIZES.len() * OFFSETS.len();

    /// The reader for a writer: always another kind.
    fn reader_for(kind: Kind) -> Kind {
        let i = KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        KINDS[(i + 1) % KINDS.len()]
    }

    /// Writes with `writer` at every size and offset, checks the disk, reads
    /// back with another kind; returns how many round trips matched.
    fn round_trips(writer: Kind) -> Result<usize> {
        let client = new_client()?;
        let disk = plain_disk(64)?;
        let mut matched = 0;
        for (s, size) in SIZES.iter().enumerate() {
            for (o, offset) in OFFSETS.iter().enumerate() {
                let seed = (s * 2 + o) as u8 + 1;
                let sector = ((s * 2 + o) as u64) * 8192;
                let region = Region::new(disk.bdev(), sector, (*size / SECTOR) as u64);

                let mut w = TestBuf::new(writer, *offset, *size)?;
                w.fill(seed)?;
                let wrote = w.sync_io(&client, WRITE, &[region])?;
                let on_disk = disk_holds(&disk, sector, *size, seed)?;

                // Read back at the other offset, through another source.
                let other_offset = OFFSETS[(o + 1) % OFFSETS.len()];
                let mut r = TestBuf::new(reader_for(writer), other_offset, *size)?;
                r.set_all(0x5a)?;
                let read = r.sync_io(&client, READ, &[region])?;

                if wrote.to_result().is_ok()
                    && on_disk
                    && read.to_result().is_ok()
                    && r.holds(seed)?
                {
                    matched += 1;
                } else {
                    pr_err!(
                        "dm-io test: {:?} size {} offset {}: write {:?} on disk {} read {:?}\n",
                        writer,
                        size,
                        offset,
                        wrote,
                        on_disk,
                        read
                    );
                }
            }
        }
        Ok(matched)
    }

    #[test]
    fn page_list_round_trips() -> Result {
        assert_eq!(round_trips(Kind::PageList)?, CASES);
        Ok(())
    }

    #[test]
    fn bvec_round_trips() -> Result {
        if cfg!(CONFIG_DM_IO_RUST) {
            assert_eq!(round_trips(Kind::Bvec)?, CASES);
        } else {
            assert_bvec_refused()?;
        }
        Ok(())
    }

    #[test]
    fn bio_round_trips() -> Result {
        assert_eq!(round_trips(Kind::Bio)?, CASES);
        Ok(())
    }

    #[test]
    fn vmalloc_round_trips() -> Result {
        assert_eq!(round_trips(Kind::Vmalloc)?, CASES);
        Ok(())
    }

    #[test]
    fn kmalloc_round_trips() -> Result {
        assert_eq!(round_trips(Kind::Kmalloc)?, CASES);
        Ok(())
    }

    #[test]
    fn multi_mib_region_round_trips() -> Result {
        let client = new_client()?;
        let disk = plain_disk(16)?;
        let size = 4 * 1024 * 1024 + PAGE_SIZE;
        let mut w = TestBuf::new(Kind::Vmalloc, SECTOR, size)?;
        w.fill(0x77)?;
        let region = Region::new(disk.bdev(), 8, w.sectors());
        assert_eq!(w.sync_io(&client, WRITE, &[region])?.to_result(), Ok(()));
        assert!(disk_holds(&disk, 8, size, 0x77)?);
        let mut r = TestBuf::new(Kind::PageList, 0, size)?;
        assert_eq!(r.sync_io(&client, READ, &[region])?.to_result(), Ok(()));
        assert!(r.holds(0x77)?);
        Ok(())
    }

    #[test]
    fn kmalloc_memory_goes_as_one_segment() -> Result {
        // Physically contiguous: added as one multi-page segment (dm-io.c
        // adds it a page at a time, which bio_add_page() merges the same).
        let client = new_client()?;
        let disk = plain_disk(1)?;
        let region = [Region::new(disk.bdev(), 0, 128)];
        let mut w = TestBuf::new(Kind::Kmalloc, 0, 64 * 1024)?;
        w.fill(0x3c)?;
        assert_eq!(w.sync_io(&client, WRITE, &region)?, IoBits::default());
        let bios = disk.bios()?;
        assert_eq!(bios.len(), 1);
        assert_eq!(bios[0].vcnt, 1);
        assert!(disk_holds(&disk, 0, 64 * 1024, 0x3c)?);
        Ok(())
    }

    #[test]
    fn synchronous_requests_are_plugged() -> Result {
        // A synchronous request of several bios goes out under one plug; an
        // asynchronous one under its caller's, here none, as dm-io.c's.
        // dm-io.c plugs neither (the README's differences).
        let sync_plugged = u8::from(cfg!(CONFIG_DM_IO_RUST));
        let client = new_client()?;
        let (d0, d1) = (plain_disk(1)?, plain_disk(1)?);
        let regions = [Region::new(d0.bdev(), 0, 8), Region::new(d1.bdev(), 0, 8)];
        let buf = KVec::from_elem(0x5au8, 8 * SECTOR, GFP_KERNEL)?;
        let memory = || crate::device_mapper::io::DmIoMemory::kmalloc_ro(&buf);
        assert_eq!(
            sync_io(&client, WRITE, &regions, memory()?)?,
            IoBits::default()
        );
        let (b0, b1) = (d0.bios()?, d1.bios()?);
        assert!(b0.len() == 1 && b1.len() == 1);
        assert!(b0[0].plugged == sync_plugged && b1[0].plugged == sync_plugged);
        d0.forget();
        d1.forget();
        let probe = scoped_async_io(&client, WRITE, &regions, memory()?)?;
        assert_eq!((probe.calls(), probe.bits()), (1, IoBits::default()));
        let (b0, b1) = (d0.bios()?, d1.bios()?);
        assert!(b0.len() == 1 && b1.len() == 1 && b0[0].plugged == 0 && b1[0].plugged == 0);
        Ok(())
    }

    #[test]
    fn unmergeable_memory_splits_at_max_vecs() -> Result {
        if !cfg!(CONFIG_DM_IO_RUST) {
            return assert_bvec_refused();
        }
        let client = new_client()?;
        let disk = plain_disk(8)?;
        // 2048 one-sector segments, each the start of a page of its own: at
        // most BIO_MAX_VECS (256) per bio, so at least 8 bios.
        let list = crate::device_mapper::page_list::PageList::alloc(2048, GFP_KERNEL)?;
        let mut segs = KVec::with_capacity(2048, GFP_KERNEL)?;
        let mut sector = KVec::from_elem(0u8, SECTOR, GFP_KERNEL)?;
        for (i, page) in list.pages().iter().enumerate() {
            for (j, b) in sector.iter_mut().enumerate() {
                *b = pattern(i * SECTOR + j, 0x78);
            }
            // SAFETY: One sector fits the page; no I/O runs yet.
            unsafe { page.write_raw(sector.as_ptr(), 0, SECTOR)? };
            segs.push(
                crate::block::bio::Segment::<crate::block::bio::ToDevice>::new(page, 0, SECTOR)?,
                GFP_KERNEL,
            )?;
        }
        let region = Region::new(disk.bdev(), 0, 2048);
        let memory = crate::device_mapper::io::DmIoMemory::bvec(&segs)?;
        assert_eq!(
            sync_io(&client, WRITE, &[region], memory)?.to_result(),
            Ok(())
        );
        let bios = disk.bios()?;
        pr_info!(
            "dm-io test: 2048 unmergeable sectors took {} bios\n",
            bios.len()
        );
        assert!(bios.len() >= 8);
        assert!(bios.iter().all(|b| b.size as usize <= 256 * SECTOR));
        assert!(disk_holds(&disk, 0, 2048 * SECTOR, 0x78)?);
        Ok(())
    }
}
