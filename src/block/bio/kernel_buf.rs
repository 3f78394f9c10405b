// SPDX-License-Identifier: GPL-2.0

//! Virtually contiguous kernel memory lent for I/O: vmalloc and linear-map
//! (kmalloc) buffers, and the segments behind them.
//!
//! C headers: [`include/linux/vmalloc.h`](srctree/include/linux/vmalloc.h),
//! [`include/linux/highmem.h`](srctree/include/linux/highmem.h).

use super::{Direction, FromDevice, Segment};
use crate::{bindings, ffi, page::PAGE_SIZE};
use core::{marker::PhantomData, ptr::NonNull};

/// Where a kernel buffer lives, which decides how its pages are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelBufKind {
    /// vmalloc space: each page through `vmalloc_to_page()`.
    Vmalloc,
    /// The linear map, as kmalloc memory: physically contiguous, pages
    /// through `virt_to_page()`.
    Linear,
}

impl KernelBufKind {
    /// Whether the `len` bytes at `addr` are memory of this kind
    /// (`is_vmalloc_addr()` or `virt_addr_valid()` of the first and last
    /// byte); false for an empty range.
    pub fn holds_range(self, addr: *const u8, len: usize) -> bool {
        let Some(last) = len.checked_sub(1) else {
            return false;
        };
        let is = |p: *const u8| {
            let p = p.cast();
            // SAFETY: These classify an address; they do not access it.
            unsafe {
                match self {
                    Self::Vmalloc => bindings::is_vmalloc_addr(p),
                    Self::Linear => bindings::virt_addr_valid(p),
                }
            }
        };
        is(addr) && is(addr.wrapping_add(last))
    }
}

/// The longest segment of linear-map memory: 1 GiB, page aligned, so that
/// several fit in a bio below `bi_size`'s 4 GiB.
const LINEAR_SEGMENT_MAX: usize = 1 << 30;

/// A kernel buffer lent for I/O in direction `D`: as `&'a [u8]` for
/// [`ToDevice`](super::ToDevice), as `&'a mut [u8]` for [`FromDevice`].
/// Not `Copy`, and its bytes are reached only through the segments it
/// gives to bios.
///
/// # Invariants
///
/// The `len` bytes at `addr` are memory of `kind`, lent for I/O in
/// direction `D` for `'a`: valid, written by nothing else, and, for
/// [`FromDevice`], accessed by nothing but the I/O.
pub struct KernelBuf<'a, D: Direction> {
    addr: NonNull<u8>,
    len: usize,
    kind: KernelBufKind,
    _lent: PhantomData<(&'a mut [u8], D)>,
}

// SAFETY: The buffer is kernel memory, usable for I/O from any task.
unsafe impl<D: Direction> Send for KernelBuf<'_, D> {}
// SAFETY: Shared access hands out segments of the lent memory, which only
// I/O touches while it is lent, from any task.
unsafe impl<D: Direction> Sync for KernelBuf<'_, D> {}

impl<'a, D: Direction> KernelBuf<'a, D> {
    /// The `len` bytes at `addr`, as C describes a buffer.
    ///
    /// # Safety
    ///
    /// The `len` bytes at `addr` must be memory of `kind` that is valid,
    /// and that nothing else writes, for `'a`; for [`FromDevice`], that
    /// nothing but the I/O accesses.
    pub unsafe fn from_raw(addr: NonNull<u8>, len: usize, kind: KernelBufKind) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            addr,
            len,
            kind,
            _lent: PhantomData,
        }
    }

    /// Whether the buffer is physically contiguous (linear-map memory), so
    /// that one segment covers it.
    #[inline]
    pub fn is_contiguous(&self) -> bool {
        self.kind == KernelBufKind::Linear
    }

    /// The segment of up to `max` bytes at `offset`: to the end of its page
    /// for vmalloc memory, physically contiguous for linear memory, never
    /// past the end of the buffer. `None` past the end, or if no page backs
    /// that address.
    pub fn segment(&self, offset: usize, max: usize) -> Option<Segment<'a, D>> {
        let max = max.min(self.len.checked_sub(offset)?);
        let p = self.addr.as_ptr().wrapping_add(offset);
        let in_page = p as usize % PAGE_SIZE;
        let room = match self.kind {
            KernelBufKind::Vmalloc => PAGE_SIZE - in_page,
            KernelBufKind::Linear => LINEAR_SEGMENT_MAX - in_page,
        };
        let len = u32::try_from(max.min(room)).ok().filter(|&len| len != 0)?;
        // SAFETY: `p` is inside the buffer (`offset < len`, since `len`
        // above is not 0), which is `kind` memory by the type invariant;
        // these only translate the address.
        let page = unsafe {
            match self.kind {
                KernelBufKind::Vmalloc => bindings::vmalloc_to_page(p.cast()),
                KernelBufKind::Linear => bindings::virt_to_page(p.cast()),
            }
        };
        // SAFETY: The page backs `len` bytes of the buffer from `in_page`
        // (contiguously for linear memory), lent in direction `D` for `'a`.
        Some(unsafe { Segment::from_raw_parts(NonNull::new(page)?, in_page as u32, len) })
    }

    /// `flush_kernel_vmap_range()` over the first `len` bytes (at most the
    /// buffer): makes CPU writes through the vmalloc alias visible to I/O.
    /// Nothing for linear memory.
    pub fn flush_vmap(&self, len: usize) {
        if self.kind == KernelBufKind::Vmalloc {
            // SAFETY: The range is inside the buffer, vmalloc memory by the
            // type invariant.
            unsafe { flush_vmap_range(self.addr, len.min(self.len)) };
        }
    }
}

impl<'a> KernelBuf<'a, FromDevice> {
    /// What a read of the first `len` bytes (at most the buffer) owes this
    /// buffer once its I/O is over, if anything:
    /// `invalidate_kernel_vmap_range()` for vmalloc memory, so the CPU does
    /// not see stale lines through the vmalloc alias.
    pub fn invalidate_after_read(&self, len: u32) -> Option<VmapInvalidate<'a>> {
        match self.kind {
            // INVARIANT: The range is inside the buffer, vmalloc memory lent
            // to be written for `'a`.
            KernelBufKind::Vmalloc => Some(VmapInvalidate {
                addr: self.addr,
                len: len.min(u32::try_from(self.len).unwrap_or(u32::MAX)),
                _lent: PhantomData,
            }),
            KernelBufKind::Linear => None,
        }
    }
}

/// `invalidate_kernel_vmap_range()` that a read owes a vmalloc buffer once
/// its I/O is over, whichever context that is in: kept with the request,
/// and done once ([`VmapInvalidate::run`] takes it).
///
/// Packed, 12 bytes on 64-bit: an enum of it and of another pointer and
/// length then keeps its tag where this would have padding (dm-io's io
/// object keeps one in 16 bytes).
///
/// # Invariants
///
/// `len` bytes at `addr` are vmalloc memory lent to be written for `'a`.
#[repr(C, packed)]
pub struct VmapInvalidate<'a> {
    addr: NonNull<u8>,
    len: u32,
    _lent: PhantomData<&'a mut [u8]>,
}

// SAFETY: Cache maintenance on lent memory may be done from any task; `run`
// takes the value, so it is done once.
unsafe impl Send for VmapInvalidate<'_> {}
// SAFETY: A shared reference can do nothing.
unsafe impl Sync for VmapInvalidate<'_> {}

impl VmapInvalidate<'_> {
    /// Invalidates the range, once all I/O into it is over.
    #[inline]
    pub fn run(self) {
        // Copies, as the fields of a packed struct may be unaligned.
        let (addr, len) = (self.addr, self.len);
        for_vmap_chunks(addr, len as usize, |p, n| {
            // SAFETY: A piece of the range, vmalloc memory by the type
            // invariant.
            unsafe { bindings::invalidate_kernel_vmap_range(p, n) }
        });
    }
}

/// The most bytes one `flush_kernel_vmap_range()` or
/// `invalidate_kernel_vmap_range()` call is given: their size is an `int`.
const VMAP_CHUNK: usize = 1 << 30;

/// Calls `op` over `len` bytes at `addr` in pieces that an `int` holds.
fn for_vmap_chunks(addr: NonNull<u8>, len: usize, op: impl Fn(*mut ffi::c_void, i32)) {
    let mut done = 0;
    while done < len {
        let n = (len - done).min(VMAP_CHUNK);
        op(addr.as_ptr().wrapping_add(done).cast(), n as i32);
        done += n;
    }
}

/// `flush_kernel_vmap_range()` over `len` bytes at `addr`, of any size:
/// makes CPU writes through the vmalloc alias visible to I/O.
///
/// # Safety
///
/// `len` bytes at `addr` are vmalloc memory.
pub(crate) unsafe fn flush_vmap_range(addr: NonNull<u8>, len: usize) {
    for_vmap_chunks(addr, len, |p, n| {
        // SAFETY: A piece of the range, vmalloc memory (caller).
        unsafe { bindings::flush_kernel_vmap_range(p, n) }
    });
}
