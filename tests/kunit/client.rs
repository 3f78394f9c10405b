// SPDX-License-Identifier: GPL-2.0

//! Clients: resizing under load, a minimal reserve, and bad input refused
//! before anything is sent.

#[kernel::prelude::kunit_tests(dm_io_rs_client)]
mod tests {
    use super::super::common::*;
    use crate::{
        dm_io::{DmIoClient, DmIoMemory, IoBits, Region},
        mm::page::{PageList, PAGE_SIZE},
    };
    use core::sync::atomic::{AtomicUsize, Ordering};
    use kernel::prelude::*;

    /// Sends `n` async 8-sector writes with data `seed` while `between`
    /// runs after each; returns (callbacks, failed callbacks).
    fn load(
        client: &DmIoClient,
        n: usize,
        seed: u8,
        mut between: impl FnMut(usize),
    ) -> Result<(usize, usize)> {
        let d0 = open(Dev::Plain0)?;
        let mut buf = KVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
        for (j, b) in buf.iter_mut().enumerate() {
            *b = pattern(j, seed);
        }
        let calls = AtomicUsize::new(0);
        let failed = AtomicUsize::new(0);
        client.scope(|scope| -> Result {
            for i in 0..n {
                let region = Region::new(d0.bdev(), 1_400_000 + (i as u64) * 8, 8);
                scope.submit(
                    WRITE,
                    &[region],
                    DmIoMemory::kmem_ro(&buf)?,
                    0,
                    |b: IoBits| {
                        calls.fetch_add(1, Ordering::Relaxed);
                        if b != IoBits::default() {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    },
                )?;
                between(i);
            }
            Ok(())
        })?;
        let mut good = 0;
        for i in 0..n {
            let mut r = TestBuf::new(Kind::Kmem, 0, 8 * SECTOR)?;
            let region = Region::new(d0.bdev(), 1_400_000 + (i as u64) * 8, 8);
            if c_read(&mut r, region)?.ret == 0 && r.holds(seed)? {
                good += 1;
            }
        }
        if good != n {
            return Err(EIO);
        }
        Ok((
            calls.load(Ordering::Relaxed),
            failed.load(Ordering::Relaxed),
        ))
    }

    #[test]
    fn resize_under_load() -> Result {
        let client = new_client()?;
        let sizes = [1u32, 64, 4, 256, 16];
        let mut resized = 0;
        let (calls, failed) = load(&client, 200, 0x3d, |i| {
            if i % 10 == 0 && client.resize(sizes[(i / 10) % sizes.len()]).is_ok() {
                resized += 1;
            }
        })?;
        assert_eq!(calls, 200);
        assert_eq!(failed, 0);
        assert_eq!(resized, 20);
        assert_eq!(client.resize(0), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn minimal_reserve_still_completes() -> Result {
        let client = KBox::pin_init(DmIoClient::with_reserve(1), GFP_KERNEL)?;
        let (calls, failed) = load(&client, 100, 0x4e, |_| {})?;
        assert_eq!(calls, 100);
        assert_eq!(failed, 0);
        Ok(())
    }

    #[test]
    fn bad_input_refused_before_io() -> Result {
        let client = new_client()?;
        let d0 = open(Dev::Plain0)?;
        let region = Region::new(d0.bdev(), 0, 8);

        // A read into memory lent for writing only.
        let buf = KVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
        assert_eq!(
            client.sync_io(READ, &[region], DmIoMemory::kmem_ro(&buf)?, 0),
            Err(EINVAL)
        );

        // A buffer smaller than the region.
        let mut small = KVec::from_elem(0u8, 4 * SECTOR, GFP_KERNEL)?;
        assert_eq!(
            client.sync_io(WRITE, &[region], DmIoMemory::kmem(&mut small)?, 0),
            Err(EINVAL)
        );

        // vmalloc memory passed as kmalloc memory, and the reverse.
        let mut v = VVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
        assert!(DmIoMemory::kmem(&mut v).is_err());
        let mut k = KVec::from_elem(0u8, 8 * SECTOR, GFP_KERNEL)?;
        assert!(DmIoMemory::vma(&mut k).is_err());

        // Page-list offsets at and beyond a page.
        let list = PageList::alloc(2, GFP_KERNEL)?;
        for offset in [PAGE_SIZE, PAGE_SIZE + SECTOR] {
            assert_eq!(
                client.sync_io(WRITE, &[region], DmIoMemory::page_list(&list, offset)?, 0),
                Err(EINVAL)
            );
        }
        // An empty page list.
        let empty = PageList::alloc(0, GFP_KERNEL)?;
        assert_eq!(
            client.sync_io(WRITE, &[region], DmIoMemory::page_list(&empty, 0)?, 0),
            Err(EINVAL)
        );

        // A region whose end overflows.
        let wrap = Region::new(d0.bdev(), u64::MAX - 2, 8);
        assert_eq!(
            client.sync_io(WRITE, &[wrap], DmIoMemory::kmem(&mut k)?, 0),
            Err(EINVAL)
        );

        assert_eq!(client.bios_submitted(), 0);
        Ok(())
    }
}
