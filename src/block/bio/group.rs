// SPDX-License-Identifier: GPL-2.0

//! Bios submitted as one group whose completion is counted: each bio
//! carries its group and an index in `bi_private`, and the last bio to
//! complete completes the group.
//!
//! This is the shape of dm-io's `struct io` (a request split into bios,
//! one index per region), made a type: the group is a reference-counted
//! object that lives either on the submitter's stack, which then waits for
//! it, or in a [`Mempool`] element, released before the handler's final
//! call. The submitter holds a reference while it submits, so the group
//! cannot complete before every bio is out.

use super::{CompletedBio, NewBio};
use crate::{
    bindings,
    error::Result,
    mempool::{Mempool, PoolBox},
    sync::Completion,
};
use core::{
    marker::PhantomData,
    mem::ManuallyDrop,
    ptr::NonNull,
    sync::atomic::{AtomicU32, Ordering},
};

/// The alignment of a group (`repr(align)` below): its address leaves the
/// low bits of `bi_private` free for a bio's index.
const GROUP_ALIGN: usize = 64;

/// The largest index a bio of a group may carry.
pub const MAX_INDEX: usize = GROUP_ALIGN - 1;

/// What a group does as its bios complete.
pub trait BioGroupHandler: Send + Sync + Sized {
    /// A bio of the group completed; `index` is the one it was submitted
    /// with. Runs once per bio, in bio completion context (possibly hard
    /// IRQ, possibly on several CPUs at once): must not sleep.
    fn bio_done(&self, index: usize, bio: &mut CompletedBio<'_>);
}

/// What a pooled group does once all its bios are done.
pub trait PooledGroupHandler: BioGroupHandler + 'static {
    /// Every bio of the group completed (or none was submitted). Runs once,
    /// after the group's pool element was given back: in the completion
    /// context of the last bio, or in [`BioGroup::run_pooled`] itself if the
    /// submitter's reference is the last one.
    fn group_done(self);
}

/// A group of bios in flight.
///
/// 64 bytes with a handler of up to 48, as dm-io's `struct io`.
///
/// # Invariants
///
/// `refs` counts the group's submitted, uncompleted bios plus one while its
/// submitter may still submit. When it drops to zero the group is
/// completed, exactly once (a stack group whose submitter drops the last
/// reference has nobody to wake); until then the memory holding the group
/// stays valid. Every bio submitted with a tag of this group holds one of the
/// references. `owner` is the `Completion` that the task whose stack holds
/// the group waits on, or the `Mempool` that the group is an element of.
#[repr(C, align(64))]
pub struct BioGroup<H: BioGroupHandler> {
    refs: AtomicU32,
    owner: NonNull<()>,
    handler: ManuallyDrop<H>,
}

/// The `bi_end_io` of the bios of a kind of group.
type EndIo = unsafe extern "C" fn(*mut bindings::bio);

// SAFETY: The owner pointers are only used by whoever drops the last
// reference, which the handler's `Send`/`Sync` make fine from any task.
unsafe impl<H: BioGroupHandler> Send for BioGroup<H> {}
// SAFETY: Shared access is atomic (`refs`) or goes through `&H`, and `H`
// is `Sync`.
unsafe impl<H: BioGroupHandler> Sync for BioGroup<H> {}

/// Submits the bios of a group.
///
/// Bios borrow their data for `'env`: the stack variant waits for them
/// before `'env` can end, the pooled one requires `'static`. `'env` is
/// invariant, as in `std::thread::scope`.
pub struct Submitter<'g, 'env, H: BioGroupHandler> {
    group: &'g BioGroup<H>,
    end_io: EndIo,
    _env: PhantomData<&'env mut &'env ()>,
}

impl<'env, H: BioGroupHandler> Submitter<'_, 'env, H> {
    /// The group's handler.
    pub fn handler(&self) -> &H {
        &self.group.handler
    }

    /// Submits `bio` as a member of the group, with `index`; gives the bio
    /// back if `index` is above [`MAX_INDEX`].
    pub fn submit(&self, bio: NewBio<'env>, index: usize) -> Result<(), NewBio<'env>> {
        if index > MAX_INDEX {
            return Err(bio);
        }
        let tag = core::ptr::from_ref(self.group) as usize | index;
        self.group.refs.fetch_add(1, Ordering::Relaxed);
        let ptr = bio.into_raw().as_ptr();
        // SAFETY: We own the only reference to the unsubmitted bio. Its
        // reference and the group reference just taken pass to the block
        // layer, and come back to `end_io`, the end of this kind of group,
        // which alone reads the tag.
        unsafe {
            (*ptr).bi_end_io = Some(self.end_io);
            (*ptr).bi_private = tag as *mut core::ffi::c_void;
            bindings::submit_bio(ptr);
        }
        Ok(())
    }
}

impl<H: BioGroupHandler> BioGroup<H> {
    /// Runs a group on this stack: `submit` submits its bios, then this
    /// waits, accounted as I/O wait (`wait_for_completion_io()`), until
    /// every one of them has completed, and returns the handler.
    pub fn run_on_stack<'env>(handler: H, submit: impl FnOnce(&Submitter<'_, 'env, H>)) -> H {
        pin_init::stack_pin_init!(let done = Completion::new());
        // INVARIANT: The submitter's reference; the owner is the completion
        // this task waits on below.
        let group = BioGroup {
            refs: AtomicU32::new(1),
            owner: NonNull::from(&*done).cast(),
            handler: ManuallyDrop::new(handler),
        };
        submit(&Submitter {
            group: &group,
            end_io: end_io_stack::<H>,
            _env: PhantomData,
        });
        // The submitter's reference. If it is the last one, every bio has
        // completed already (a driver that completes in the submitting
        // context): nothing to wake or wait for. Otherwise the last bio
        // completes `done`.
        if group.refs.fetch_sub(1, Ordering::AcqRel) != 1 {
            done.wait_for_completion_io();
        }
        ManuallyDrop::into_inner(group.handler)
    }

    /// Drops one reference to a group on a stack; the last one wakes the
    /// waiter, which owns the group and may return at once.
    ///
    /// # Safety
    ///
    /// `group` must be a stack group of which the caller owns a reference,
    /// and is not used afterwards.
    unsafe fn put_stack(group: NonNull<Self>) {
        // SAFETY: The caller's reference keeps the group valid until the
        // decrement; after it, only the last reference reads the owner.
        let g = unsafe { group.as_ref() };
        if g.refs.fetch_sub(1, Ordering::AcqRel) == 1 {
            // SAFETY: The owner of a stack group is the waiter's completion,
            // which lives until it is woken.
            unsafe { g.owner.cast::<Completion>().as_ref() }.complete_all();
        }
    }
}

impl<H: PooledGroupHandler> BioGroup<H> {
    /// Runs a group in an element of `pool` (`mempool_alloc(GFP_NOIO)`):
    /// `submit` submits its bios and returns at once;
    /// [`PooledGroupHandler::group_done`] runs when they have completed.
    ///
    /// Gives the handler back if no element could be allocated.
    pub fn run_pooled(
        pool: &'static Mempool<Self>,
        handler: H,
        submit: impl FnOnce(&Submitter<'_, 'static, H>),
    ) -> Result<(), H> {
        // INVARIANT: The submitter's reference; the owner is the pool the
        // group becomes an element of.
        let group = BioGroup {
            refs: AtomicU32::new(1),
            owner: NonNull::from(pool).cast(),
            handler: ManuallyDrop::new(handler),
        };
        let elem = match pool.alloc(group) {
            Ok(elem) => elem,
            Err((_, group)) => return Err(ManuallyDrop::into_inner(group.handler)),
        };
        let group = PoolBox::into_raw(elem);
        submit(&Submitter {
            // SAFETY: The submitter's reference keeps the element alive until
            // the `put_pooled` below.
            group: unsafe { group.as_ref() },
            end_io: end_io_pooled::<H>,
            _env: PhantomData,
        });
        // SAFETY: Dropping the submitter's reference, not used afterwards.
        unsafe { Self::put_pooled(group) };
        Ok(())
    }

    /// Drops one reference to a pooled group; the last one gives the
    /// element back and then runs [`PooledGroupHandler::group_done`].
    ///
    /// # Safety
    ///
    /// `group` must be a pooled group of which the caller owns a reference,
    /// and is not used afterwards.
    #[inline]
    unsafe fn put_pooled(group: NonNull<Self>) {
        // SAFETY: The caller's reference keeps the group valid until the
        // decrement.
        let g = unsafe { group.as_ref() };
        if g.refs.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        // SAFETY: The owner of a pooled group is its pool, `'static`.
        let pool = unsafe { g.owner.cast::<Mempool<Self>>().as_ref() };
        // SAFETY: The group is an element of `pool` that `run_pooled` gave up,
        // and no reference is left but ours.
        let this = PoolBox::into_inner(unsafe { PoolBox::from_raw(pool, group) });
        ManuallyDrop::into_inner(this.handler).group_done();
    }
}

/// The completion of one bio of a group: runs the handler's `bio_done` and
/// drops the bio, and returns the group, whose reference the caller drops.
///
/// # Safety
///
/// `bio` is a completed bio that [`Submitter::submit`] submitted for a
/// group of handler `H`, and this is its only completion.
#[inline]
unsafe fn bio_end<H: BioGroupHandler>(bio: *mut bindings::bio) -> NonNull<BioGroup<H>> {
    // SAFETY: The block layer passes the completed bio, which the
    // submitter's reference keeps valid until it is dropped below.
    let mut done = unsafe { CompletedBio::from_raw(NonNull::new_unchecked(bio)) };
    // SAFETY: `Submitter::submit` stored a group address with the index in
    // the low bits that its alignment leaves free.
    let tag = unsafe { (*bio).bi_private } as usize;
    // SAFETY: The group is aligned and this bio holds one of its references,
    // so the address is a live group.
    let group = unsafe { NonNull::new_unchecked((tag & !MAX_INDEX) as *mut BioGroup<H>) };
    // SAFETY: See above.
    unsafe { group.as_ref() }
        .handler
        .bio_done(tag & MAX_INDEX, &mut done);
    // SAFETY: The submitter's reference on the bio, dropped once, here.
    unsafe { bindings::bio_put(bio) };
    group
}

/// The `bi_end_io` of the bios of a group on a stack.
///
/// # Safety
///
/// Only the block layer calls this, once, for a bio that
/// [`Submitter::submit`] submitted for a stack group of handler `H`.
unsafe extern "C" fn end_io_stack<H: BioGroupHandler>(bio: *mut bindings::bio) {
    // SAFETY: Guaranteed by the caller; the bio's group reference is dropped
    // once, here.
    unsafe { BioGroup::put_stack(bio_end::<H>(bio)) };
}

/// The `bi_end_io` of the bios of a pooled group.
///
/// # Safety
///
/// Only the block layer calls this, once, for a bio that
/// [`Submitter::submit`] submitted for a pooled group of handler `H`.
unsafe extern "C" fn end_io_pooled<H: PooledGroupHandler>(bio: *mut bindings::bio) {
    // SAFETY: Guaranteed by the caller; the bio's group reference is dropped
    // once, here.
    unsafe { BioGroup::put_pooled(bio_end::<H>(bio)) };
}
