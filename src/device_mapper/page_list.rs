// SPDX-License-Identifier: GPL-2.0

//! Page lists (`struct page_list`), the memory that dm-io requests of
//! kcopyd-like users name.
//!
//! C header: [`include/linux/dm-io.h`](srctree/include/linux/dm-io.h)

#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]
use crate::{alloc::Flags, page::Page, prelude::*};
use crate::{
    bindings,
    block::bio::{Direction, Segment},
    page::PAGE_SIZE,
};
use core::{marker::PhantomData, ptr::NonNull};

/// A walk along a `struct page_list` chain whose pages are lent for I/O in
/// direction `D`.
///
/// # Invariants
///
/// `node` is null (the end) or a valid `page_list` node; its chain and
/// pages stay valid and unchanged for `'a`, the pages lent for I/O in
/// direction `D`.
pub struct PageListCursor<'a, D: Direction> {
    node: *const bindings::page_list,
    _lifetime: PhantomData<(&'a bindings::page_list, D)>,
}

impl<D: Direction> Clone for PageListCursor<'_, D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D: Direction> Copy for PageListCursor<'_, D> {}

// SAFETY: The cursor only reads the chain, which its owner keeps unchanged
// while I/O uses it.
unsafe impl<D: Direction> Send for PageListCursor<'_, D> {}
// SAFETY: A shared cursor only reads the chain, which its owner keeps
// unchanged while I/O uses it.
unsafe impl<D: Direction> Sync for PageListCursor<'_, D> {}

impl<'a, D: Direction> PageListCursor<'a, D> {
    /// A walk from `head`.
    ///
    /// # Safety
    ///
    /// `head` must be null or a `page_list` chain (each `next` null or a
    /// valid node) whose nodes stay valid and unchanged, and whose pages
    /// stay valid and lent for I/O in direction `D`, for `'a`.
    #[inline]
    pub unsafe fn from_raw(head: *const bindings::page_list) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            node: head,
            _lifetime: PhantomData,
        }
    }

    /// The segment from byte `offset` of the current page to its end, at
    /// most `max` bytes; `None` past the end of the list, or for a node
    /// without a page.
    #[inline]
    pub fn segment(&self, offset: usize, max: usize) -> Option<Segment<'a, D>> {
        // SAFETY: By the type invariant a non-null node is valid.
        let node = unsafe { self.node.as_ref() }?;
        let page = NonNull::new(node.page)?;
        let len = u32::try_from(max.min(PAGE_SIZE.checked_sub(offset)?)).ok()?;
        if len == 0 {
            return None;
        }
        // SAFETY: `len` bytes from `offset` are inside the page, which is
        // valid and lent in direction `D` for `'a` by the type invariant.
        Some(unsafe { Segment::from_raw_parts(page, offset as u32, len) })
    }

    /// Moves to the next node.
    #[inline]
    pub fn advance(&mut self) {
        // SAFETY: By the type invariant a non-null node is valid.
        if let Some(node) = unsafe { self.node.as_ref() } {
            // INVARIANT: The next node is null or valid, by the invariant.
            self.node = node.next;
        }
    }
}

/// Pages of its own, linked as a `struct page_list` chain, for Rust
/// callers of dm-io.
///
/// # Invariants
///
/// `nodes[i].page` is `pages[i]`, `nodes[i].next` is `&nodes[i + 1]` (null
/// for the last), and neither vector is resized once linked.
#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]
pub struct PageList {
    nodes: KVec<bindings::page_list>,
    pages: KVec<Page>,
}

// SAFETY: The list owns its pages; its links point into its own heap
// buffer, which moves with it.
#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]
unsafe impl Send for PageList {}
// SAFETY: Shared access reads the links, and lends the pages for I/O:
// their bytes are not memory that Rust code reads as typed values (the
// kernel crate reaches them only through `unsafe` accessors), so I/O may
// write them whoever else borrows the list.
#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]
unsafe impl Sync for PageList {}

#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]
impl PageList {
    /// Allocates `nr_pages` pages and links them.
    pub fn alloc(nr_pages: usize, flags: Flags) -> Result<Self> {
        let mut pages = KVec::with_capacity(nr_pages, flags)?;
        let mut nodes = KVec::with_capacity(nr_pages, flags)?;
        for _ in 0..nr_pages {
            pages.push(Page::alloc_page(flags)?, flags)?;
            nodes.push(bindings::page_list::default(), flags)?;
        }
        let base = nodes.as_mut_ptr();
        for (i, (node, page)) in nodes.iter_mut().zip(pages.iter()).enumerate() {
            node.page = page.as_ptr();
            if i + 1 < nr_pages {
                // `i + 1` is inside the buffer, which does not move again.
                node.next = base.wrapping_add(i + 1);
            }
        }
        // INVARIANT: Linked above; the vectors are not resized again.
        Ok(Self { nodes, pages })
    }

    /// The pages, in list order.
    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    /// The head of the chain, for C (null for an empty list).
    pub(crate) fn as_raw(&self) -> *mut bindings::page_list {
        if self.nodes.is_empty() {
            core::ptr::null_mut()
        } else {
            self.nodes.as_ptr().cast_mut()
        }
    }
}
