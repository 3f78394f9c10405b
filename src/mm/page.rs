// SPDX-License-Identifier: GPL-2.0

//! Pages and the memory shapes dm-io reads them from: page lists,
//! vmalloc buffers and linear-map (kmalloc) buffers.
//!
//! C headers: [`include/linux/dm-io.h`](srctree/include/linux/dm-io.h),
//! [`include/linux/mm.h`](srctree/include/linux/mm.h).

use crate::helpers;
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{alloc::Flags, bindings, page::Page, prelude::*};

/// `PAGE_SIZE`.
pub const PAGE_SIZE: usize = bindings::PAGE_SIZE;

/// A page that stays valid for `'a`.
///
/// # Invariants
///
/// `ptr` points to a valid `struct page` for `'a`.
#[derive(Clone, Copy)]
pub struct PageRef<'a> {
    ptr: NonNull<bindings::page>,
    _lifetime: PhantomData<&'a bindings::page>,
}

impl<'a> PageRef<'a> {
    /// Wraps a raw page pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid page for `'a`.
    pub unsafe fn from_raw(ptr: *mut bindings::page) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            // SAFETY: A valid page pointer is not null.
            ptr: unsafe { NonNull::new_unchecked(ptr) },
            _lifetime: PhantomData,
        }
    }

    /// Borrows an owned [`Page`].
    pub fn of(page: &'a Page) -> Self {
        // SAFETY: `page` owns a valid page for as long as it is borrowed.
        unsafe { Self::from_raw(page.as_ptr()) }
    }

    /// The raw pointer.
    pub fn as_raw(&self) -> *mut bindings::page {
        self.ptr.as_ptr()
    }
}

/// `struct page_list` of `include/linux/dm-io.h` (not in the kernel
/// crate's bindings); `src/exports.c` checks the layout.
#[repr(C)]
pub struct RawPageList {
    /// The next node, or null.
    pub next: *mut RawPageList,
    /// This node's page.
    pub page: *mut bindings::page,
}

/// A walk along a C `struct page_list` chain (`DM_IO_PAGE_LIST`).
///
/// # Invariants
///
/// `node` is null (end of list) or a valid `page_list` node whose chain and
/// pages stay valid for `'a`.
#[derive(Clone, Copy)]
pub struct PageListCursor<'a> {
    node: *const RawPageList,
    _lifetime: PhantomData<&'a RawPageList>,
}

// SAFETY: The cursor only reads the list, which its owner keeps unchanged
// while I/O uses it.
unsafe impl Send for PageListCursor<'_> {}
// SAFETY: See above.
unsafe impl Sync for PageListCursor<'_> {}

impl<'a> PageListCursor<'a> {
    /// A walk from `head`.
    ///
    /// # Safety
    ///
    /// `head` must be null or a `page_list` chain (each `next` null or
    /// valid) whose nodes and pages stay valid and unchanged for `'a`.
    pub unsafe fn from_raw(head: *const RawPageList) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            node: head,
            _lifetime: PhantomData,
        }
    }

    /// The current page, or `None` past the end of the list.
    pub fn page(&self) -> Option<PageRef<'a>> {
        if self.node.is_null() {
            return None;
        }
        // SAFETY: By the type invariant a non-null node is valid.
        let page = unsafe { (*self.node).page };
        // SAFETY: A node's page is valid for `'a` by the type invariant;
        // a list with a null page is treated as ended.
        (!page.is_null()).then(|| unsafe { PageRef::from_raw(page) })
    }

    /// Moves to the next node.
    pub fn advance(&mut self) {
        if !self.node.is_null() {
            // SAFETY: By the type invariant a non-null node is valid.
            self.node = unsafe { (*self.node).next };
        }
    }
}

/// A list of owned pages linked as a C `struct page_list`, as kcopyd-style
/// users pass them to dm-io.
///
/// # Invariants
///
/// `nodes[i].page` is `pages[i]`, `nodes[i].next` is `&nodes[i + 1]` (null
/// for the last), and neither vector is resized after linking, so the chain
/// stays valid while `self` lives.
pub struct PageList {
    nodes: KVec<RawPageList>,
    pages: KVec<Page>,
}

// SAFETY: The list owns its pages; the raw links point into its own heap
// buffer, which moves with it.
unsafe impl Send for PageList {}
// SAFETY: Shared access only reads.
unsafe impl Sync for PageList {}

impl PageList {
    /// Allocates `nr_pages` pages and links them.
    pub fn alloc(nr_pages: usize, flags: Flags) -> Result<Self> {
        let mut pages = KVec::with_capacity(nr_pages, flags)?;
        let mut nodes = KVec::with_capacity(nr_pages, flags)?;
        for _ in 0..nr_pages {
            pages.push(Page::alloc_page(flags)?, flags)?;
            nodes.push(
                RawPageList {
                    next: core::ptr::null_mut(),
                    page: core::ptr::null_mut(),
                },
                flags,
            )?;
        }
        let base = nodes.as_mut_ptr();
        for (i, (node, page)) in nodes.iter_mut().zip(pages.iter()).enumerate() {
            node.page = page.as_ptr();
            if i + 1 < nr_pages {
                // SAFETY: `i + 1` is in bounds of the node buffer.
                node.next = unsafe { base.add(i + 1) };
            }
        }
        // INVARIANT: linked above; the vectors are not resized again.
        Ok(Self { nodes, pages })
    }

    /// The pages, in list order.
    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    /// A walk from the head of the list.
    pub fn cursor(&self) -> PageListCursor<'_> {
        // SAFETY: By the type invariant the chain is valid while `self` is
        // borrowed, and it is not changed through a shared borrow.
        unsafe { PageListCursor::from_raw(self.head()) }
    }

    /// The head node, for C callers.
    pub fn head(&self) -> *const RawPageList {
        if self.nodes.is_empty() {
            core::ptr::null()
        } else {
            self.nodes.as_ptr()
        }
    }
}

/// Where a virtually contiguous kernel buffer lives, which decides how its
/// pages are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelMemKind {
    /// vmalloc space (`DM_IO_VMA`): pages through `vmalloc_to_page()`.
    Vmalloc,
    /// The linear map, as from kmalloc (`DM_IO_KMEM`): `virt_to_page()`.
    Linear,
}

/// A virtually contiguous kernel buffer, borrowed for I/O.
///
/// # Invariants
///
/// `[addr, addr + len)` is memory of `kind` that stays valid for `'a`, and
/// writable if `writable` (`len` is `usize::MAX` when a C caller gave no
/// length).
#[derive(Clone, Copy)]
pub struct KernelBuf<'a> {
    addr: usize,
    len: usize,
    kind: KernelMemKind,
    writable: bool,
    _lifetime: PhantomData<&'a mut [u8]>,
}

impl<'a> KernelBuf<'a> {
    fn checked(addr: usize, len: usize, kind: KernelMemKind, writable: bool) -> Result<Self> {
        let last = addr
            .checked_add(len.checked_sub(1).ok_or(EINVAL)?)
            .ok_or(EINVAL)?;
        let ok = |a: usize| -> bool {
            let p = a as *const _;
            // SAFETY: These only classify an address; they do not access it.
            unsafe {
                match kind {
                    KernelMemKind::Vmalloc => helpers::rdm_is_vmalloc_addr(p),
                    KernelMemKind::Linear => helpers::rdm_virt_addr_valid(p),
                }
            }
        };
        if !ok(addr) || !ok(last) {
            return Err(EINVAL);
        }
        // INVARIANT: the caller's borrow keeps the buffer valid for `'a`,
        // and both ends are in `kind` memory.
        Ok(Self {
            addr,
            len,
            kind,
            writable,
            _lifetime: PhantomData,
        })
    }

    /// A buffer that I/O may read into: `-EINVAL` unless it is all of
    /// `kind` memory.
    pub fn new(buf: &'a mut [u8], kind: KernelMemKind) -> Result<Self> {
        Self::checked(buf.as_mut_ptr() as usize, buf.len(), kind, true)
    }

    /// A buffer for writes only.
    pub fn new_ro(buf: &'a [u8], kind: KernelMemKind) -> Result<Self> {
        Self::checked(buf.as_ptr() as usize, buf.len(), kind, false)
    }

    /// No memory at all, for requests that move no data.
    pub fn empty() -> Self {
        // INVARIANT: An empty range is memory of any kind, valid forever.
        Self {
            addr: 0,
            len: 0,
            kind: KernelMemKind::Linear,
            writable: true,
            _lifetime: PhantomData,
        }
    }

    /// A buffer from C, of unknown length.
    ///
    /// # Safety
    ///
    /// `addr` must be `kind` memory, valid for reads and writes for `'a`
    /// over every byte the request touches.
    pub unsafe fn from_raw(addr: *mut u8, kind: KernelMemKind) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            addr: addr as usize,
            len: usize::MAX,
            kind,
            writable: true,
            _lifetime: PhantomData,
        }
    }

    /// Start address.
    pub fn addr(&self) -> usize {
        self.addr
    }

    /// Whether the buffer is empty (never: construction refuses it).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Length in bytes (`usize::MAX` if unknown).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether I/O may write into it (reads from the device).
    pub fn writable(&self) -> bool {
        self.writable
    }

    /// The kind of memory.
    pub fn kind(&self) -> KernelMemKind {
        self.kind
    }

    /// The page holding byte `offset` of the buffer; `None` if no page is
    /// mapped there.
    pub fn page_at(&self, offset: usize) -> Option<PageRef<'a>> {
        if offset >= self.len {
            return None;
        }
        let p = self.addr.wrapping_add(offset) as *const _;
        // SAFETY: `p` is inside the buffer, which is `kind` memory by the
        // type invariant; these only translate the address.
        let page = unsafe {
            match self.kind {
                KernelMemKind::Vmalloc => bindings::vmalloc_to_page(p),
                KernelMemKind::Linear => helpers::rdm_virt_to_page(p),
            }
        };
        // SAFETY: The page backs buffer memory valid for `'a`.
        (!page.is_null()).then(|| unsafe { PageRef::from_raw(page) })
    }

    /// `flush_kernel_vmap_range()` over the first `size` bytes: makes the
    /// CPU's writes through the vmap alias visible before I/O.
    pub fn flush_vmap(&self, size: usize) {
        if self.kind == KernelMemKind::Vmalloc {
            let size = size.min(self.len).min(i32::MAX as usize) as i32;
            // SAFETY: The range is inside the vmalloc buffer.
            unsafe { helpers::rdm_flush_kernel_vmap_range(self.addr as *mut _, size) };
        }
    }
}

/// `invalidate_kernel_vmap_range()` after a read into vmalloc memory, so
/// the CPU does not see stale lines through the vmap alias.
///
/// Kept apart from [`KernelBuf`] because it runs at completion, when only
/// the address and size survive.
///
/// # Safety
///
/// `[addr, addr + size)` must be vmalloc memory that is still mapped.
pub unsafe fn invalidate_vmap(addr: usize, size: usize) {
    let size = size.min(i32::MAX as usize) as i32;
    // SAFETY: Guaranteed by the caller.
    unsafe { helpers::rdm_invalidate_kernel_vmap_range(addr as *mut _, size) };
}
