// SPDX-License-Identifier: GPL-2.0

//! Failing and unsupported regions: only their own bits, the other regions'
//! data intact, failed reads zeroed; discard and write-zeroes with and
//! without device support, cut at the device's limit.

#[kernel::prelude::kunit_tests(dm_io_rust_failures)]
mod tests {
    use crate::{
        alloc::flags::GFP_NOIO,
        block::opf::{Opf, ReqOp},
        device_mapper::io::{DmIoMemory, IoBits, Region},
    };
    use crate::{
        common::*,
        test_disk::{Config, TestDisk},
    };
    use kernel::prelude::*;

    const DISCARD: Opf = Opf::new(ReqOp::Discard);
    const WRITE_ZEROES: Opf = Opf::new(ReqOp::WriteZeroes);

    /// A disk whose sectors 1024..2048 fail.
    fn bad_disk() -> Result<TestDisk> {
        TestDisk::new(Config {
            sectors: 8192,
            bad_start: 1024,
            bad_sectors: 1024,
            ..Default::default()
        })
    }

    #[test]
    fn failing_region_sets_only_its_bit() -> Result {
        let client = new_client()?;
        let (d0, bad, d1) = (plain_disk(4)?, bad_disk()?, plain_disk(4)?);
        let regions = [
            Region::new(d0.bdev(), 100, 16),
            Region::new(bad.bdev(), 1024, 16),
            Region::new(d1.bdev(), 100, 16),
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
        assert!(disk_holds(&d0, 100, 16 * SECTOR, 0x5c)?);
        assert!(disk_holds(&d1, 100, 16 * SECTOR, 0x5c)?);
        Ok(())
    }

    #[test]
    fn failed_read_is_zero_filled() -> Result {
        // At completion blk-mq has moved `bi_iter` to the end, so
        // `zero_fill_bio()` on the completed bio would clear nothing.
        let client = new_client()?;
        let bad = bad_disk()?;
        for kind in KINDS {
            let mut r = TestBuf::new(kind, 0, 8 * SECTOR)?;
            r.set_all(0xaa)?;
            let bits = r.sync_io(&client, READ, &[Region::new(bad.bdev(), 1024, 8)])?;
            assert_eq!(
                bits,
                IoBits {
                    error_bits: 1,
                    unsup_bits: 0
                }
            );
            if !r.is_all(0)? {
                pr_err!("dm-io test: failed {:?} read not zeroed\n", kind);
            }
            assert!(r.is_all(0)?);
        }
        Ok(())
    }

    #[test]
    fn async_failed_read_of_one_bio_is_zero_filled_once() -> Result {
        // One region, one bio: the request's io object travels in the bio
        // itself; its completion must still zero the read, set the region's
        // bit and call back once.
        let client = new_client()?;
        let bad = bad_disk()?;
        for kind in KINDS {
            let mut r = TestBuf::new(kind, 0, 8 * SECTOR)?;
            r.set_all(0xaa)?;
            let regions = [Region::new(bad.bdev(), 1024, 8)];
            let probe = r.with_memory(bad.bdev(), |memory| {
                scoped_async_io(&client, READ, &regions, memory)
            })??;
            assert_eq!(probe.calls(), 1);
            assert_eq!(
                probe.bits(),
                IoBits {
                    error_bits: 1,
                    unsup_bits: 0
                }
            );
            if !r.is_all(0)? {
                pr_err!("dm-io test: failed async {:?} read not zeroed\n", kind);
            }
            assert!(r.is_all(0)?);
        }
        Ok(())
    }

    #[test]
    fn discard_and_write_zeroes_unsupported_are_not_errors() -> Result {
        let client = new_client()?;
        let disk = plain_disk(4)?;
        for opf in [DISCARD, WRITE_ZEROES] {
            let bits = sync_io(
                &client,
                opf,
                &[Region::new(disk.bdev(), 0, 2048)],
                DmIoMemory::none(),
            )?;
            assert_eq!(
                bits,
                IoBits {
                    error_bits: 0,
                    unsup_bits: 1
                }
            );
            assert_eq!(bits.to_result(), Err(EOPNOTSUPP));
        }
        // Refused without a bio.
        assert_eq!(disk.bios()?.len(), 0);
        Ok(())
    }

    #[test]
    fn multi_leg_discard_with_one_unsupported_completes_once() -> Result {
        let client = new_client()?;
        let ok = TestDisk::new(Config {
            sectors: 8192,
            max_discard_sectors: 4096,
            ..Default::default()
        })?;
        let plain = plain_disk(4)?;
        let regions = [
            Region::new(ok.bdev(), 0, 2048),
            Region::new(plain.bdev(), 0, 2048),
        ];
        let probe = scoped_async_io(&client, DISCARD, &regions, DmIoMemory::none())?;
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
    fn discard_and_write_zeroes_cut_at_the_limit() -> Result {
        let client = new_client()?;
        let disk = TestDisk::new(Config {
            sectors: 65536,
            max_discard_sectors: 2048,
            max_write_zeroes_sectors: 1024,
            ..Default::default()
        })?;
        for (opf, limit) in [(WRITE_ZEROES, 1024u64), (DISCARD, 2048)] {
            let (sector, count) = (512u64, 3 * limit + 8);
            disk_fill(&disk, sector, count as usize * SECTOR, 0x99)?;
            disk.forget();
            let region = [Region::new(disk.bdev(), sector, count)];
            assert_eq!(
                sync_io(&client, opf, &region, DmIoMemory::none())?,
                IoBits::default()
            );
            let bios = disk.bios()?;
            assert_eq!(bios.len(), 4);
            assert!(bios
                .iter()
                .all(|b| u64::from(b.size) <= limit * SECTOR as u64));
            let covered: u64 = bios.iter().map(|b| u64::from(b.size)).sum();
            assert_eq!(covered, count * SECTOR as u64);
            assert!(disk_is_all(&disk, sector, count as usize * SECTOR, 0)?);
        }
        Ok(())
    }

    #[test]
    fn region_past_the_end_fails_alone() -> Result {
        let client = new_client()?;
        let (small, d0) = (plain_disk(1)?, plain_disk(4)?);
        let end = small.bdev().nr_sectors();
        let regions = [
            Region::new(d0.bdev(), 64, 8),
            Region::new(small.bdev(), end - 4, 8),
        ];
        let mut w = TestBuf::new(Kind::Kmalloc, 0, 8 * SECTOR)?;
        w.fill(0x44)?;
        let bits = w.sync_io(&client, WRITE, &regions)?;
        assert_eq!(bits.error_bits | bits.unsup_bits, 0b10);
        assert!(disk_holds(&d0, 64, 8 * SECTOR, 0x44)?);
        Ok(())
    }

    #[test]
    fn region_past_the_sector_space_is_refused() -> Result {
        // Over dm-io.c, the later bios of a region whose sectors wrap would
        // be written at the start of the device: the Rust API refuses the
        // request before anything is sent, whichever dm-io dm-mod links.
        // (The Rust dm-io itself fails such a region alone: the C suite
        // `dm_io_rust_c_abi` checks it through the C entry point.)
        let client = new_client()?;
        let d0 = plain_disk(4)?;
        let buf = KVec::from_elem(0x45u8, 8 * SECTOR, GFP_KERNEL)?;
        for sector in [u64::MAX - 2, u64::MAX - 7] {
            let regions = [
                Region::new(d0.bdev(), 64, 8),
                Region::new(d0.bdev(), sector, 8),
            ];
            let r = sync_io(&client, WRITE, &regions, DmIoMemory::kmalloc_ro(&buf)?);
            assert_eq!(r, Err(EINVAL));
        }
        assert_eq!(d0.bios()?.len(), 0);
        // Up to the last sector of the sector space is a place: past the end
        // of this device, so the region fails.
        let last = [Region::new(d0.bdev(), u64::MAX - 8, 8)];
        let bits = sync_io(&client, WRITE, &last, DmIoMemory::kmalloc_ro(&buf)?)?;
        assert_eq!(bits.error_bits, 1);
        Ok(())
    }

    #[test]
    fn small_requests_get_the_whole_data() -> Result {
        let client = new_client()?;
        let disk = TestDisk::new(Config {
            sectors: 16384,
            max_sectors: 64,
            ..Default::default()
        })?;
        let size = 3 * 1024 * 1024 + 5 * SECTOR;
        let region = Region::new(disk.bdev(), 100, (size / SECTOR) as u64);
        // A bio_vec array where the dm-io under test takes one.
        let kind = if cfg!(CONFIG_DM_IO_RUST) {
            Kind::Bvec
        } else {
            Kind::PageList
        };
        let mut w = TestBuf::new(kind, SECTOR, size)?;
        w.fill(0x7e)?;
        assert_eq!(w.sync_io(&client, WRITE, &[region])?, IoBits::default());
        assert!(disk_holds(&disk, 100, size, 0x7e)?);
        let mut r = TestBuf::new(Kind::Vmalloc, 0, size)?;
        assert_eq!(r.sync_io(&client, READ, &[region])?, IoBits::default());
        assert!(r.holds(0x7e)?);
        Ok(())
    }

    #[test]
    fn bad_input_refused_before_io() -> Result {
        let client = new_client()?;
        let d0 = plain_disk(1)?;
        let region = Region::new(d0.bdev(), 0, 8);

        // A read into memory lent for writing only.
        let buf = KVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
        let r = sync_io(&client, READ, &[region], DmIoMemory::kmalloc_ro(&buf)?);
        assert_eq!(r, Err(EINVAL));

        // A buffer smaller than the region.
        let mut small = KVec::from_elem(0u8, 4 * SECTOR, GFP_KERNEL)?;
        let r = sync_io(&client, WRITE, &[region], DmIoMemory::kmalloc(&mut small)?);
        assert_eq!(r, Err(EINVAL));

        // vmalloc memory passed as kmalloc memory, and the reverse.
        let mut v = kernel::alloc::VVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
        assert!(DmIoMemory::kmalloc(&mut v).is_err());
        let mut k = KVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
        assert!(DmIoMemory::vmalloc(&mut k).is_err());

        // A buffer on the stack: cache maintenance for its DMA could touch
        // the bytes around it.
        let mut on_stack = [0u8; SECTOR];
        assert!(DmIoMemory::kmalloc(&mut on_stack).is_err());
        assert!(DmIoMemory::vmalloc(&mut on_stack).is_err());

        // A read into the pages of a bio that writes them out, which lends
        // them only to be read.
        use crate::block::bio::{KernelBuf, KernelBufKind, NewBio, ToDevice};
        let bs = KBox::pin_init(crate::block::bio_set::BioSet::new(2), GFP_KERNEL)?;
        let page_buf = KVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
        let addr = core::ptr::NonNull::new(page_buf.as_ptr().cast_mut()).ok_or(EINVAL)?;
        // SAFETY: `page_buf` is kmalloc memory of that length, borrowed until
        // the end of this test; nothing writes it, and it is lent to be read.
        let kbuf =
            unsafe { KernelBuf::<ToDevice>::from_raw(addr, page_buf.len(), KernelBufKind::Linear) };
        let seg = kbuf.segment(0, 8 * SECTOR).ok_or(EINVAL)?;
        // A bio built from memory lent to be read cannot be a read.
        assert_eq!(
            NewBio::<ToDevice>::alloc(&bs, d0.bdev(), 1, READ, GFP_NOIO).err(),
            Some(EINVAL)
        );
        let mut wbio = NewBio::<ToDevice>::alloc(&bs, d0.bdev(), 1, WRITE, GFP_NOIO)?;
        assert!(wbio.add(&seg));
        let r = sync_io(&client, READ, &[region], DmIoMemory::bio(wbio.as_bio()));
        assert_eq!(r, Err(EINVAL));
        // Nor can a clone of it, through either of its bio sets' paths.
        assert_eq!(
            NewBio::<crate::block::bio::FromDevice>::clone_of(
                &bs,
                d0.bdev(),
                wbio.as_bio(),
                SECTOR as u32,
                READ,
                GFP_NOIO
            )
            .err(),
            Some(EINVAL)
        );
        // The buffer's segments end where it does.
        assert!(kbuf.segment(8 * SECTOR, SECTOR).is_none());
        assert_eq!(
            kbuf.segment(7 * SECTOR, 4 * SECTOR).map(|s| s.len()),
            Some(SECTOR as u32)
        );

        // Page-list offsets at and beyond a page.
        let list = crate::device_mapper::page_list::PageList::alloc(2, GFP_KERNEL)?;
        for offset in [kernel::page::PAGE_SIZE, kernel::page::PAGE_SIZE + SECTOR] {
            assert!(DmIoMemory::page_list(&list, offset).is_err());
        }
        // An empty page list.
        let empty = crate::device_mapper::page_list::PageList::alloc(0, GFP_KERNEL)?;
        let r = sync_io(&client, WRITE, &[region], DmIoMemory::page_list(&empty, 0)?);
        assert_eq!(r, Err(EINVAL));

        assert_eq!(d0.bios()?.len(), 0);
        Ok(())
    }

    #[test]
    fn requests_either_dm_io_mishandles_are_refused() -> Result {
        use crate::block::{
            bio::{NewBio, ToDevice},
            bio_set::BioSet,
            opf::ReqFlag,
        };
        let client = new_client()?;
        let d0 = plain_disk(1)?;
        let region = [Region::new(d0.bdev(), 0, 8)];
        let buf = KVec::from_elem(0x3au8, 8 * SECTOR, GFP_KERNEL)?;
        let mut rbuf = KVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;

        // Flush flags and REQ_ATOMIC on anything but a write: the block layer
        // warns and fails the bio.
        for flag in [ReqFlag::Fua, ReqFlag::Preflush, ReqFlag::Atomic] {
            let r = sync_io(
                &client,
                READ.with(flag),
                &region,
                DmIoMemory::kmalloc(&mut rbuf)?,
            );
            assert_eq!(r, Err(EINVAL));
            let r = sync_io(&client, DISCARD.with(flag), &region, DmIoMemory::none());
            assert_eq!(r, Err(EINVAL));
        }
        // Operations dm-io does not send: a flush as an operation, a zone
        // reset, a driver operation, secure erase.
        use kernel::bindings::{
            req_op_REQ_OP_DRV_IN, req_op_REQ_OP_FLUSH, req_op_REQ_OP_SECURE_ERASE,
            req_op_REQ_OP_ZONE_APPEND, req_op_REQ_OP_ZONE_RESET,
        };
        for op in [
            req_op_REQ_OP_FLUSH,
            req_op_REQ_OP_ZONE_RESET,
            req_op_REQ_OP_ZONE_APPEND,
            req_op_REQ_OP_DRV_IN,
            req_op_REQ_OP_SECURE_ERASE,
        ] {
            let r = sync_io(
                &client,
                Opf::from_raw(op),
                &region,
                DmIoMemory::kmalloc_ro(&buf)?,
            );
            assert_eq!(r, Err(EINVAL));
        }
        // A bio without data pages (a discard) as the memory of a write:
        // dm-io.c would clone it and send a data bio without a vector table.
        let bs = KBox::pin_init(BioSet::new(2), GFP_KERNEL)?;
        let discard = NewBio::<ToDevice>::alloc_no_data(
            &bs,
            d0.bdev(),
            DISCARD,
            0,
            8 * SECTOR as u32,
            GFP_NOIO,
        )?;
        let r = sync_io(&client, WRITE, &region, DmIoMemory::bio(discard.as_bio()));
        assert_eq!(r, Err(EINVAL));
        // ... which a discard may still take, as its data is not used.
        let r = sync_io(&client, DISCARD, &region, DmIoMemory::bio(discard.as_bio()));
        assert!(r.is_ok());
        // New bios refuse what the block layer mishandles: a flush flag on a
        // read, a data-less bio that is not a discard, write-zeroes or flush.
        assert_eq!(
            NewBio::<crate::block::bio::FromDevice>::alloc(
                &bs,
                d0.bdev(),
                1,
                READ.with(ReqFlag::Fua),
                GFP_NOIO
            )
            .err(),
            Some(EINVAL)
        );
        assert_eq!(
            NewBio::<ToDevice>::alloc_no_data(&bs, d0.bdev(), WRITE, 0, 0, GFP_NOIO).err(),
            Some(EINVAL)
        );
        assert_eq!(
            NewBio::<ToDevice>::alloc_no_data(&bs, d0.bdev(), WRITE, 0, 4096, GFP_NOIO).err(),
            Some(EINVAL)
        );
        assert_eq!(d0.bios()?.len(), 0);
        Ok(())
    }

    #[test]
    fn shapes_that_dm_io_c_mishandles_are_refused() -> Result {
        use crate::block::{bio::FromDevice, opf::ReqFlag};
        let client = new_client()?;
        let d0 = plain_disk(1)?;
        let buf = KVec::from_elem(0x3au8, 8 * SECTOR + SECTOR, GFP_KERNEL)?;
        // No region at all: dm-io.c reads the first before it counts them.
        let r = sync_io(
            &client,
            WRITE,
            &[],
            DmIoMemory::kmalloc_ro(&buf[..8 * SECTOR])?,
        );
        assert_eq!(r, Err(EINVAL));
        // An empty atomic flush: the block layer would divide by the
        // device's atomic write unit, 0 here.
        let flush = WRITE.with(ReqFlag::Preflush).with(ReqFlag::Atomic);
        let empty = [Region::new(d0.bdev(), 0, 0)];
        assert_eq!(
            sync_io(&client, flush, &empty, DmIoMemory::none()),
            Err(EINVAL)
        );
        // Discards dm-io.c would size in 32 bits, or cut into bios failing
        // past the end of the device for hours.
        for count in [1u64 << 23, 1 << 40, d0.bdev().nr_sectors() + 8] {
            let huge = [Region::new(d0.bdev(), 0, count)];
            assert_eq!(
                sync_io(&client, DISCARD, &huge, DmIoMemory::none()),
                Err(EINVAL)
            );
        }
        // Memory that does not start or end on a sector: dm-io.c's page walk
        // counts a segment's sectors rounded down, and writes past it.
        assert!(DmIoMemory::kmalloc_ro(&buf[1..8 * SECTOR + 1]).is_err());
        assert!(DmIoMemory::kmalloc_ro(&buf[..8 * SECTOR - 1]).is_err());
        let list = crate::device_mapper::page_list::PageList::alloc(2, GFP_KERNEL)?;
        assert!(DmIoMemory::page_list(&list, 100).is_err());
        let mut page = kernel::page::Page::alloc_page(GFP_KERNEL)?;
        let odd = [crate::block::bio::Segment::<FromDevice>::new(
            &mut page, 0, 100,
        )?];
        assert!(DmIoMemory::bvec(&odd).is_err());
        assert_eq!(d0.bios()?.len(), 0);
        Ok(())
    }

    #[test]
    fn flags_of_another_bio_do_not_reach_the_device() -> Result {
        let client = new_client()?;
        let d0 = plain_disk(1)?;
        let region = [Region::new(d0.bdev(), 0, 8)];
        let buf = KVec::from_elem(0x3au8, 8 * SECTOR, GFP_KERNEL)?;
        // REQ_INTEGRITY (no payload comes with it) and REQ_DRV (nvme's
        // multipath mark): bits of someone else's bio.
        let raw = kernel::bindings::req_op_REQ_OP_WRITE
            | (1 << kernel::bindings::req_flag_bits___REQ_INTEGRITY)
            | (1 << kernel::bindings::req_flag_bits___REQ_DRV)
            | (1 << kernel::bindings::req_flag_bits___REQ_SYNC);
        let bits = sync_io(
            &client,
            Opf::from_raw(raw),
            &region,
            DmIoMemory::kmalloc_ro(&buf)?,
        )?;
        assert_eq!(bits, IoBits::default());
        let bios = d0.bios()?;
        assert_eq!(bios.len(), 1);
        let opf = bios[0].opf;
        assert_eq!(
            opf & (1 << kernel::bindings::req_flag_bits___REQ_INTEGRITY),
            0
        );
        assert_eq!(opf & (1 << kernel::bindings::req_flag_bits___REQ_DRV), 0);
        assert_ne!(opf & (1 << kernel::bindings::req_flag_bits___REQ_SYNC), 0);
        Ok(())
    }

    #[test]
    fn kernel_block_refuses_what_the_block_layer_mishandles() -> Result {
        use crate::block::bio::{
            shared::{scope, SharedEndIo, MAX_TAG},
            CompletedBio,
        };
        use crate::block::{
            bio::{NewBio, Segment, ToDevice},
            bio_set::BioSet,
            opf::ReqFlag,
        };
        use core::sync::atomic::{AtomicUsize, Ordering};
        /// Counts its bios' completions.
        struct Count(AtomicUsize);
        impl SharedEndIo for Count {
            fn end_io(&self, _tag: usize, _bio: &mut CompletedBio<'_>) {
                self.0.fetch_add(1, Ordering::Relaxed);
            }
        }
        let d0 = plain_disk(1)?;
        let bs = KBox::pin_init(BioSet::new(2), GFP_KERNEL)?;
        let page = kernel::page::Page::alloc_page(GFP_KERNEL)?;
        let mut checked = Err(EINVAL);
        let done = scope(Count(AtomicUsize::new(0)), |s| {
            checked = (|| -> Result {
                // A data bio with no data, and an empty atomic write: given back.
                let empty = NewBio::<ToDevice>::alloc(&bs, d0.bdev(), 1, WRITE, GFP_NOIO)?;
                assert!(s.submit(empty, 0).is_err());
                let atomic = WRITE.with(ReqFlag::Preflush).with(ReqFlag::Atomic);
                let bio = NewBio::<ToDevice>::alloc(&bs, d0.bdev(), 0, atomic, GFP_NOIO)?;
                assert!(s.submit(bio, 0).is_err());
                // Part of a sector, which device-mapper would pass on as a bio of
                // none: given back, or refused when made.
                let mut bio = NewBio::<ToDevice>::alloc(&bs, d0.bdev(), 1, WRITE, GFP_NOIO)?;
                assert!(bio.add(&Segment::<ToDevice>::new(&page, 0, 1)?));
                assert!(s.submit(bio, 0).is_err());
                for bytes in [1, SECTOR as u32 + 1] {
                    assert_eq!(
                        NewBio::alloc_no_data(&bs, d0.bdev(), WRITE_ZEROES, 0, bytes, GFP_NOIO)
                            .err(),
                        Some(EINVAL)
                    );
                }
                let mut src = NewBio::<ToDevice>::alloc(&bs, d0.bdev(), 1, WRITE, GFP_NOIO)?;
                assert!(src.add(&Segment::<ToDevice>::new(&page, 0, SECTOR)?));
                assert_eq!(
                    NewBio::<ToDevice>::clone_of(&bs, d0.bdev(), src.as_bio(), 1, WRITE, GFP_NOIO)
                        .err(),
                    Some(EINVAL)
                );
                // A whole sector, but a tag the state's address has no room for.
                assert!(s.submit(src, MAX_TAG + 1).is_err());
                Ok(())
            })()
        })
        .map_err(|(err, _)| err)?;
        checked?;
        // Nothing was submitted.
        assert_eq!(done.0.load(Ordering::Relaxed), 0);
        // Discards and write-zeroes come from alloc_no_data only.
        assert_eq!(
            NewBio::<ToDevice>::alloc(&bs, d0.bdev(), 0, DISCARD, GFP_NOIO).err(),
            Some(EINVAL)
        );
        // Bio sets whose reserve is too large to allocate up front.
        assert_eq!(
            KBox::pin_init(BioSet::new(1 << 20), GFP_KERNEL).err(),
            Some(EINVAL)
        );
        assert_eq!(d0.bios()?.len(), 0);
        Ok(())
    }
}
