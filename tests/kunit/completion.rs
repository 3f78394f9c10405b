// SPDX-License-Identifier: GPL-2.0

//! Asynchronous completion: many requests in flight, each callback exactly
//! once with the right bits.

#[kernel::prelude::kunit_tests(dm_io_rs_async)]
mod tests {
    use super::super::common::*;
    use crate::dm_io::{DmIoMemory, IoBits, Region};
    use core::sync::atomic::{AtomicUsize, Ordering};
    use kernel::prelude::*;

    const REQUESTS: usize = 128;

    #[test]
    fn many_in_flight_each_called_once() -> Result {
        let client = new_client()?;
        let (d0, d1) = (open(Dev::Plain0)?, open(Dev::Plain1)?);
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
        let region = |i: usize| {
            let dev = if i % 2 == 0 { &d0 } else { &d1 };
            Region::new(dev.bdev(), 900_000 + (i as u64) * 8, 8)
        };
        let sent = client.scope(|scope| -> Result<usize> {
            let mut sent = 0;
            for (i, buf) in bufs.iter().enumerate() {
                let (calls, bits) = (&calls[i], &bits[i]);
                scope.submit(
                    WRITE,
                    &[region(i)],
                    DmIoMemory::kmem_ro(buf)?,
                    0,
                    move |b: IoBits| {
                        calls.fetch_add(1, Ordering::Relaxed);
                        bits.store(b.error_bits | b.unsup_bits, Ordering::Relaxed);
                    },
                )?;
                sent += 1;
            }
            Ok(sent)
        })?;
        assert_eq!(sent, REQUESTS);
        assert!(calls.iter().all(|c| c.load(Ordering::Relaxed) == 1));
        assert!(bits.iter().all(|b| b.load(Ordering::Relaxed) == 0));
        let mut good = 0;
        for i in 0..REQUESTS {
            let mut r = TestBuf::new(Kind::Kmem, 0, 8 * SECTOR)?;
            if c_read(&mut r, region(i))?.ret == 0 && r.holds(i as u8)? {
                good += 1;
            }
        }
        assert_eq!(good, REQUESTS);
        Ok(())
    }

    #[test]
    fn callback_gets_the_failing_region_bit() -> Result {
        let client = new_client()?;
        let (d0, bad, d1) = (
            open(Dev::Plain0)?,
            open(Dev::BadBlocks)?,
            open(Dev::Plain1)?,
        );
        let regions = [
            Region::new(d0.bdev(), 1_000_000, 8),
            Region::new(bad.bdev(), BAD_SECTOR, 8),
            Region::new(d1.bdev(), 1_000_000, 8),
        ];
        let buf = KVec::from_elem(0x11u8, 8 * SECTOR, GFP_KERNEL)?;
        let probe = CallbackProbe::default();
        client.scope(|scope| {
            scope.submit(WRITE, &regions, DmIoMemory::kmem_ro(&buf)?, 0, |b| {
                probe.record(b)
            })
        })?;
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
}
