// SPDX-License-Identifier: GPL-2.0

//! Asynchronous completion: many requests in flight, each callback exactly
//! once with the right bits, from a disk that completes in interrupt
//! context; owned requests.

#[kernel::prelude::kunit_tests(dm_io_rust_async)]
mod tests {
    use crate::{
        block::{bdev::BlockDevice, ioprio::IoPriority, opf::ReqFlag},
        device_mapper::io::{
            async_io, DmIoClient, DmIoMemory, DmIoRequest, IoBits, OwnedIo, Region, RegionBuf,
        },
    };
    use crate::{
        common::*,
        test_disk::{Config, TestDisk},
    };
    use core::sync::atomic::{AtomicUsize, Ordering};
    use kernel::{
        prelude::*,
        sync::{Arc, Completion},
    };

    const REQUESTS: usize = 128;

    /// A disk that completes its bios from a timer, 100 µs later.
    fn timer_disk() -> Result<TestDisk> {
        TestDisk::new(Config {
            sectors: 16384,
            completion_nsec: 100_000,
            ..Default::default()
        })
    }

    #[test]
    fn many_in_flight_each_called_once() -> Result {
        let client = new_client()?;
        let (d0, d1) = (timer_disk()?, timer_disk()?);
        let mut bufs = KVec::new();
        let mut calls = KVec::new();
        let mut bits = KVec::new();
        for i in 0..REQUESTS {
            let mut b = KVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
            for (j, byte) in b.iter_mut().enumerate() {
                *byte = pattern(j, i as u8);
            }
            bufs.push(b, GFP_KERNEL)?;
            calls.push(AtomicUsize::new(0), GFP_KERNEL)?;
            bits.push(AtomicUsize::new(usize::MAX), GFP_KERNEL)?;
        }
        let disk = |i: usize| if i % 2 == 0 { &d0 } else { &d1 };
        // A request borrows its regions, as its memory, for the scope.
        let mut regions = KVec::with_capacity(REQUESTS, GFP_KERNEL)?;
        for i in 0..REQUESTS {
            regions.push([Region::new(disk(i).bdev(), (i as u64) * 8, 8)], GFP_KERNEL)?;
        }
        let sent = client.scope(|scope| -> Result<usize> {
            let mut sent = 0;
            for (i, buf) in bufs.iter().enumerate() {
                let (calls, bits) = (&calls[i], &bits[i]);
                let req = DmIoRequest {
                    opf: WRITE,
                    regions: &regions[i],
                    memory: DmIoMemory::kmalloc_ro(buf)?,
                    ioprio: IoPriority::DEFAULT,
                };
                scope.submit(req, move |b: IoBits| {
                    calls.fetch_add(1, Ordering::Relaxed);
                    bits.store(b.error_bits | b.unsup_bits, Ordering::Relaxed);
                })?;
                sent += 1;
            }
            Ok(sent)
        })?;
        assert_eq!(sent, REQUESTS);
        assert!(calls.iter().all(|c| c.load(Ordering::Relaxed) == 1));
        assert!(bits.iter().all(|b| b.load(Ordering::Relaxed) == 0));
        for i in 0..REQUESTS {
            assert!(disk_holds(disk(i), (i as u64) * 8, 8 * SECTOR, i as u8)?);
        }
        Ok(())
    }

    #[test]
    fn callback_gets_the_failing_region_bit() -> Result {
        let client = new_client()?;
        let good = timer_disk()?;
        let bad = TestDisk::new(Config {
            sectors: 4096,
            bad_start: 1024,
            bad_sectors: 1024,
            completion_nsec: 50_000,
            ..Default::default()
        })?;
        let regions = [
            Region::new(good.bdev(), 0, 8),
            Region::new(bad.bdev(), 1024, 8),
            Region::new(good.bdev(), 64, 8),
        ];
        let buf = KVec::from_elem(0x11u8, 8 * SECTOR, GFP_KERNEL)?;
        let probe = scoped_async_io(&client, WRITE, &regions, DmIoMemory::kmalloc_ro(&buf)?)?;
        assert_eq!(probe.calls(), 1);
        assert_eq!(
            probe.bits(),
            IoBits {
                error_bits: 0b010,
                unsup_bits: 0
            }
        );
        Ok(())
    }

    /// An asynchronous request of several bios without pages of their own
    /// (clones of a caller's bio, empty flushes) keeps its io object in the
    /// first bio: whether that bio completes first or last, or fails, the
    /// callback runs once with the failing regions' bits, and the other
    /// regions hold the data.
    #[test]
    fn first_bio_completing_first_last_or_failing() -> Result {
        let client = new_client()?;
        let disk = |completion_nsec, bad_sectors| {
            TestDisk::new(Config {
                sectors: 4096,
                bad_sectors,
                completion_nsec,
                ..Default::default()
            })
        };
        let (fast, slow, bad) = (disk(10_000, 0)?, disk(300_000, 0)?, disk(10_000, 4096)?);
        // The first region's disk, the other two regions' disk, and the
        // bits the callback must get.
        let cases: [(&TestDisk, &TestDisk, usize); 4] = [
            (&fast, &slow, 0),
            (&slow, &fast, 0),
            (&bad, &slow, 0b001),
            (&slow, &bad, 0b110),
        ];
        for (round, &(first, rest, bits)) in cases.iter().enumerate() {
            let seed = round as u8 + 1;
            let mut buf = TestBuf::new(Kind::Bio, 0, 8 * SECTOR)?;
            buf.fill(seed)?;
            let sectors = [8, 16, 32];
            let regions = [
                Region::new(first.bdev(), sectors[0], 8),
                Region::new(rest.bdev(), sectors[1], 8),
                Region::new(rest.bdev(), sectors[2], 8),
            ];
            let probe = buf.with_memory(first.bdev(), |memory| {
                scoped_async_io(&client, WRITE, &regions, memory)
            })??;
            assert_eq!(probe.calls(), 1);
            assert_eq!(
                probe.bits(),
                IoBits {
                    error_bits: bits,
                    unsup_bits: 0
                }
            );
            for (i, &sector) in sectors.iter().enumerate() {
                let d = if i == 0 { first } else { rest };
                if bits & (1 << i) == 0 {
                    assert!(disk_holds(d, sector, 8 * SECTOR, seed)?);
                }
            }

            // An empty flush to the same disks.
            let flush = [
                Region::new(first.bdev(), 0, 0),
                Region::new(rest.bdev(), 0, 0),
            ];
            let flush_opf = WRITE.with(ReqFlag::Preflush);
            let probe = scoped_async_io(&client, flush_opf, &flush, DmIoMemory::none())?;
            assert_eq!(probe.calls(), 1);
            assert_eq!(probe.bits(), IoBits::default());
        }
        Ok(())
    }

    /// An owned write that shares its client and signals when it is done.
    struct OwnedWrite {
        client: Arc<DmIoClient>,
        disk: Arc<TestDisk>,
        buf: KVec<u8>,
        done: Arc<Pin<KBox<Completion>>>,
        bits: Arc<AtomicUsize>,
    }

    impl OwnedIo for OwnedWrite {
        fn client(&self) -> &DmIoClient {
            &self.client
        }

        fn request<'a>(&'a self, regions: &'a mut RegionBuf<'a>) -> Result<DmIoRequest<'a, 'a>> {
            let bdev: &BlockDevice = self.disk.bdev();
            regions.push(Region::new(bdev, 16, 8))?;
            Ok(DmIoRequest {
                opf: WRITE,
                regions: regions.as_slice(),
                memory: DmIoMemory::kmalloc_ro(&self.buf)?,
                ioprio: IoPriority::DEFAULT,
            })
        }

        fn complete(this: KBox<Self>, bits: IoBits) {
            this.bits
                .store(bits.error_bits | bits.unsup_bits, Ordering::Relaxed);
            let done = this.done.clone();
            // The request drops here, in completion context, with the last
            // reference to its client: the client's destruction is deferred.
            drop(this);
            done.complete_all();
        }
    }

    #[test]
    fn owned_request_may_drop_the_last_client_reference() -> Result {
        let disk = Arc::new(timer_disk()?, GFP_KERNEL)?;
        let done = Arc::new(KBox::pin_init(Completion::new(), GFP_KERNEL)?, GFP_KERNEL)?;
        let bits = Arc::new(AtomicUsize::new(usize::MAX), GFP_KERNEL)?;
        let mut buf = KVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
        for (i, b) in buf.iter_mut().enumerate() {
            *b = pattern(i, 0x6b);
        }
        let req = KBox::new(
            OwnedWrite {
                client: Arc::new(new_client()?, GFP_KERNEL)?,
                disk: disk.clone(),
                buf,
                done: done.clone(),
                bits: bits.clone(),
            },
            GFP_KERNEL,
        )?;
        assert!(async_io(req).is_ok());
        done.wait_for_completion();
        assert_eq!(bits.load(Ordering::Relaxed), 0);
        assert!(disk_holds(&disk, 16, 8 * SECTOR, 0x6b)?);
        Ok(())
    }
}
