// SPDX-License-Identifier: GPL-2.0

//! Shared fixtures: the guest's devices, buffers of every memory kind, data
//! patterns, and the kernel's C dm-io as an independent path.
//!
//! Helpers return `Result` or `bool` and never assert: outside a `#[test]`
//! body an assertion would panic the kernel instead of failing the test.

use crate::{
    blk::{
        bio::{BioVec, NewBio},
        bio_set::BioSet,
        block_device::{BdevFile, BlockDevice},
        opf::{Opf, ReqFlags, ReqOp},
    },
    dm_io::{DmIoClient, DmIoMemory, IoBits, Region},
    mm::page::{KernelBuf, KernelMemKind, PageList, PageRef, PAGE_SIZE},
};
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use kernel::{bindings, ffi, prelude::*};

/// Bytes per sector.
pub(crate) const SECTOR: usize = 512;

/// The guest's test devices (tests/guest/lib.sh).
#[derive(Clone, Copy)]
pub(crate) enum Dev {
    /// 1 GiB, no discard.
    Plain0,
    /// 1 GiB, no discard.
    Plain1,
    /// 256 MiB with discard.
    Discard,
    /// 256 MiB, requests of at most 64 sectors.
    Small,
    /// 256 MiB, sectors 1024..=2047 fail.
    BadBlocks,
    /// 64 MiB virtio disk: discard and write-zeroes, limits of 2048 sectors.
    Virtio,
}

/// The first bad sector of [`Dev::BadBlocks`].
pub(crate) const BAD_SECTOR: u64 = 1024;

const DEV_PATHS: [&CStr; 10] = [
    c"/dev/nullb0",
    c"/dev/nullb1",
    c"/dev/nullb2",
    c"/dev/nullb3",
    c"/dev/nullb4",
    c"/dev/vda",
    // For the C stress suite (tests/c_stress.c): two null_blk devices that
    // complete from a timer, one that fails bios on demand
    // (fail_make_request), one that the guest powers off under load.
    c"/dev/nullb5",
    c"/dev/nullb6",
    c"/dev/nullb7",
    c"/dev/nullb8",
];

/// Device numbers of [`DEV_PATHS`], 0 where missing.
static DEVTS: [AtomicU32; 10] = [const { AtomicU32::new(0) }; 10];

/// Resolves the test devices' paths. Called from module init, in the
/// `insmod` task: the test cases run in kernel threads, whose root may be
/// the kernel's empty nullfs, where `/dev` does not exist.
pub(crate) fn resolve_devices() {
    for (path, devt) in DEV_PATHS.iter().zip(DEVTS.iter()) {
        if let Ok(n) = BdevFile::lookup(path) {
            devt.store(n, Ordering::Relaxed);
        }
    }
}

/// The device number of test device `index` (in the order of [`DEV_PATHS`]),
/// 0 where missing: the same devices for the C suites in tests/c_*.c.
#[no_mangle]
pub(crate) extern "C" fn rdm_test_devt(index: ffi::c_uint) -> u32 {
    DEVTS
        .get(index as usize)
        .map_or(0, |devt| devt.load(Ordering::Relaxed))
}

/// Opens a test device.
pub(crate) fn open(dev: Dev) -> Result<BdevFile> {
    let i = dev as usize;
    let devt = DEVTS[i].load(Ordering::Relaxed);
    if devt == 0 {
        pr_err!("dm-io-rs test: {:?} is missing\n", DEV_PATHS[i]);
        return Err(ENODEV);
    }
    BdevFile::open_devt(devt)
}

/// A client with the default reserve.
pub(crate) fn new_client() -> Result<Pin<KBox<DmIoClient>>> {
    KBox::pin_init(DmIoClient::new(), GFP_KERNEL)
        .inspect_err(|e| pr_err!("dm-io-rs test: client: {:?}\n", e))
}

/// A plain read.
pub(crate) const READ: Opf = Opf::new(ReqOp::Read, ReqFlags::NONE);
/// A plain write.
pub(crate) const WRITE: Opf = Opf::new(ReqOp::Write, ReqFlags::NONE);

/// Byte `i` of the data pattern `seed`: every sector differs, and so does
/// every seed.
pub(crate) fn pattern(i: usize, seed: u8) -> u8 {
    let x = (i as u32).wrapping_mul(2_654_435_761) ^ ((i / SECTOR) as u32).wrapping_mul(40_503);
    ((x >> 13) as u8) ^ seed
}

/// The memory kinds dm-io reads from and writes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    PageList,
    Bvec,
    Bio,
    Vma,
    Kmem,
}

/// Every kind.
pub(crate) const KINDS: [Kind; 5] = [Kind::PageList, Kind::Bvec, Kind::Bio, Kind::Vma, Kind::Kmem];

enum Store {
    Pages(PageList),
    Linear(KVec<u8>),
    Vmalloc(VVec<u8>),
}

/// `len` bytes of `kind` memory, starting `offset` bytes into a page.
pub(crate) struct TestBuf {
    kind: Kind,
    offset: usize,
    len: usize,
    store: Store,
}

impl TestBuf {
    /// A zeroed buffer.
    pub(crate) fn new(kind: Kind, offset: usize, len: usize) -> Result<Self> {
        let total = offset + len;
        let store = match kind {
            Kind::PageList | Kind::Bvec => {
                Store::Pages(PageList::alloc(total.div_ceil(PAGE_SIZE), GFP_KERNEL)?)
            }
            Kind::Bio | Kind::Kmem => {
                // Page-aligned, so that `offset` is the offset in the page.
                let mut v = KVec::with_capacity(total.max(PAGE_SIZE), GFP_KERNEL)?;
                v.resize(total.max(PAGE_SIZE), 0, GFP_KERNEL)?;
                Store::Linear(v)
            }
            Kind::Vma => {
                let mut v = VVec::with_capacity(total, GFP_KERNEL)?;
                v.resize(total, 0, GFP_KERNEL)?;
                Store::Vmalloc(v)
            }
        };
        let mut buf = Self {
            kind,
            offset,
            len,
            store,
        };
        buf.set_all(0)?;
        Ok(buf)
    }

    /// Sectors of data.
    pub(crate) fn sectors(&self) -> u64 {
        (self.len / SECTOR) as u64
    }

    /// Runs `f` over each chunk of the data: `f(data_index, bytes)`.
    fn for_each_chunk(&mut self, mut f: impl FnMut(usize, &mut [u8])) -> Result {
        let (offset, len) = (self.offset, self.len);
        match &mut self.store {
            Store::Linear(v) => f(0, &mut v[offset..offset + len]),
            Store::Vmalloc(v) => f(0, &mut v[offset..offset + len]),
            Store::Pages(list) => {
                let mut chunk = KVec::with_capacity(PAGE_SIZE, GFP_KERNEL)?;
                chunk.resize(PAGE_SIZE, 0, GFP_KERNEL)?;
                let mut done = 0;
                while done < len {
                    let pos = offset + done;
                    let (page, in_page) = (pos / PAGE_SIZE, pos % PAGE_SIZE);
                    let n = (PAGE_SIZE - in_page).min(len - done);
                    let page = list.pages().get(page).ok_or(EINVAL)?;
                    // SAFETY: `chunk` has room for `n` bytes.
                    unsafe { page.read_raw(chunk.as_mut_ptr(), in_page, n)? };
                    f(done, &mut chunk[..n]);
                    // SAFETY: `chunk` holds `n` valid bytes.
                    unsafe { page.write_raw(chunk.as_ptr(), in_page, n)? };
                    done += n;
                }
            }
        }
        Ok(())
    }

    /// Fills the data with pattern `seed`.
    pub(crate) fn fill(&mut self, seed: u8) -> Result {
        self.for_each_chunk(|at, bytes| {
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = pattern(at + i, seed);
            }
        })
    }

    /// Sets every data byte to `byte`.
    pub(crate) fn set_all(&mut self, byte: u8) -> Result {
        self.for_each_chunk(|_, bytes| bytes.fill(byte))
    }

    /// Whether the data is pattern `seed`.
    pub(crate) fn holds(&mut self, seed: u8) -> Result<bool> {
        let mut ok = true;
        self.for_each_chunk(|at, bytes| {
            ok &= bytes
                .iter()
                .enumerate()
                .all(|(i, b)| *b == pattern(at + i, seed));
        })?;
        Ok(ok)
    }

    /// Whether every data byte is `byte`.
    pub(crate) fn is_all(&mut self, byte: u8) -> Result<bool> {
        let mut ok = true;
        self.for_each_chunk(|_, bytes| ok &= bytes.iter().all(|b| *b == byte))?;
        Ok(ok)
    }

    /// Runs `f` with this buffer as dm-io memory. `bdev` is only where a
    /// [`Kind::Bio`] source bio is allocated for.
    pub(crate) fn with_memory<R>(
        &mut self,
        bdev: &BlockDevice,
        f: impl FnOnce(DmIoMemory<'_>) -> R,
    ) -> Result<R> {
        let (offset, len) = (self.offset, self.len);
        match (&mut self.store, self.kind) {
            (Store::Pages(list), Kind::PageList) => Ok(f(DmIoMemory::page_list(list, offset)?)),
            (Store::Pages(list), Kind::Bvec) => {
                let mut bvecs = KVec::new();
                let mut pos = offset;
                while pos < offset + len {
                    let in_page = pos % PAGE_SIZE;
                    let n = (PAGE_SIZE - in_page).min(offset + len - pos);
                    let page = list.pages().get(pos / PAGE_SIZE).ok_or(EINVAL)?;
                    bvecs.push(
                        BioVec::new(PageRef::of(page), n as u32, in_page as u32),
                        GFP_KERNEL,
                    )?;
                    pos += n;
                }
                Ok(f(DmIoMemory::Bvec(&bvecs)))
            }
            (Store::Linear(v), Kind::Bio) => {
                // One multi-page bvec over physically contiguous memory.
                let bs = KBox::pin_init(BioSet::new(2), GFP_KERNEL)?;
                let data = KernelBuf::new(&mut v[offset..offset + len], KernelMemKind::Linear)?;
                let page = data.page_at(0).ok_or(EINVAL)?;
                let in_page = (data.addr() % PAGE_SIZE) as u32;
                let mut bio = NewBio::alloc(&bs, bdev, 1, WRITE).ok_or(ENOMEM)?;
                if !bio.add_page(page, len as u32, in_page) {
                    return Err(EINVAL);
                }
                let r = f(DmIoMemory::Bio(bio.as_bio()));
                drop(bio);
                Ok(r)
            }
            (Store::Linear(v), Kind::Kmem) => {
                Ok(f(DmIoMemory::kmem(&mut v[offset..offset + len])?))
            }
            (Store::Vmalloc(v), Kind::Vma) => Ok(f(DmIoMemory::vma(&mut v[offset..offset + len])?)),
            _ => Err(EINVAL),
        }
    }

    /// A synchronous request on this buffer.
    pub(crate) fn sync_io(
        &mut self,
        client: &DmIoClient,
        opf: Opf,
        regions: &[Region<'_>],
    ) -> Result<IoBits> {
        let bdev = regions.first().and_then(|r| r.bdev()).ok_or(EINVAL)?;
        self.with_memory(bdev, |mem| client.sync_io(opf, regions, mem, 0))?
    }

    /// The start of the data, for the C helpers (linear memory only).
    fn linear_ptr(&mut self) -> Result<*mut u8> {
        match &mut self.store {
            Store::Linear(v) => Ok(v[self.offset..].as_mut_ptr()),
            _ => Err(EINVAL),
        }
    }
}

// Only pointers cross; see src/helpers.rs.
#[allow(improper_ctypes)]
extern "C" {
    fn rdm_test_dm_io(
        rust: bool,
        opf: bindings::blk_opf_t,
        mem: *mut MemC,
        num_regions: ffi::c_uint,
        regions: *mut Region<'_>,
        error_bits: *mut ffi::c_ulong,
        unsup_bits: *mut ffi::c_ulong,
    ) -> ffi::c_int;
}

/// `struct dm_io_memory`, for the C helpers.
#[repr(C)]
pub(crate) struct MemC {
    pub(crate) kind: ffi::c_uint,
    pub(crate) offset: ffi::c_uint,
    pub(crate) ptr: *mut ffi::c_void,
}

/// What one request through C returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct COutcome {
    pub(crate) ret: i32,
    pub(crate) error_bits: usize,
    pub(crate) unsup_bits: usize,
}

/// A synchronous request through the C ABI: `rust` picks `rdm_io()` or the
/// kernel's own `dm_io()`.
///
/// # Safety
///
/// `mem` must describe memory valid for the request.
pub(crate) unsafe fn c_dm_io(
    rust: bool,
    opf: Opf,
    mem: &mut MemC,
    regions: &mut [Region<'_>],
) -> COutcome {
    let (mut e, mut u): (ffi::c_ulong, ffi::c_ulong) = (!0, !0);
    // SAFETY: The caller vouches for `mem`; the regions are live.
    let ret = unsafe {
        rdm_test_dm_io(
            rust,
            opf.as_raw(),
            mem,
            regions.len() as u32,
            regions.as_mut_ptr(),
            &mut e,
            &mut u,
        )
    };
    COutcome {
        ret,
        error_bits: e,
        unsup_bits: u,
    }
}

/// Reads `buf` (a [`Kind::Kmem`] buffer) back from `region` through the
/// kernel's C dm-io: a path that shares no code with dm-io-rs.
pub(crate) fn c_read(buf: &mut TestBuf, region: Region<'_>) -> Result<COutcome> {
    if buf.kind != Kind::Kmem {
        return Err(EINVAL);
    }
    let mut mem = MemC {
        kind: 3,
        offset: 0,
        ptr: buf.linear_ptr()?.cast(),
    };
    let mut regions = [region];
    // SAFETY: The buffer is linear memory covering the region.
    Ok(unsafe { c_dm_io(false, READ, &mut mem, &mut regions) })
}

/// Writes `sectors` sectors of pattern `seed` from memory that cannot
/// merge: each sector is the first 512 bytes of a page of its own, so a
/// bio holds at most `BIO_MAX_VECS` sectors and a region needs many bios.
pub(crate) fn fragmented_io(
    client: &DmIoClient,
    opf: Opf,
    region: Region<'_>,
    seed: u8,
) -> Result<IoBits> {
    let sectors = region.count as usize;
    let list = PageList::alloc(sectors, GFP_KERNEL)?;
    let mut bvecs = KVec::with_capacity(sectors, GFP_KERNEL)?;
    let mut data = KVec::from_elem(0u8, SECTOR, GFP_KERNEL)?;
    for (i, page) in list.pages().iter().enumerate() {
        for (j, b) in data.iter_mut().enumerate() {
            *b = pattern(i * SECTOR + j, seed);
        }
        // SAFETY: `data` holds one sector, which fits the page.
        unsafe { page.write_raw(data.as_ptr(), 0, SECTOR)? };
        bvecs.push(BioVec::new(PageRef::of(page), SECTOR as u32, 0), GFP_KERNEL)?;
    }
    client.sync_io(opf, &[region], DmIoMemory::Bvec(&bvecs), 0)
}

/// Records what an asynchronous request's callback was given, and how
/// often it ran.
#[derive(Default)]
pub(crate) struct CallbackProbe {
    calls: AtomicUsize,
    error_bits: AtomicUsize,
    unsup_bits: AtomicUsize,
}

impl CallbackProbe {
    /// The callback body: counts the call and keeps the bits.
    pub(crate) fn record(&self, bits: IoBits) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.error_bits.store(bits.error_bits, Ordering::Relaxed);
        self.unsup_bits.store(bits.unsup_bits, Ordering::Relaxed);
    }

    /// How many times the callback ran.
    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    /// The bits of the last call.
    pub(crate) fn bits(&self) -> IoBits {
        IoBits {
            error_bits: self.error_bits.load(Ordering::Relaxed),
            unsup_bits: self.unsup_bits.load(Ordering::Relaxed),
        }
    }
}
