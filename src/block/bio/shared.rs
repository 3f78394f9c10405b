// SPDX-License-Identifier: GPL-2.0

//! State that several in-flight bios share: each bio holds a count of it
//! and carries, in `bi_private`, its address and a small tag; the last
//! count dropped releases it.
//!
//! This is the pattern of dm-io's `struct io` (`io->count`), dm core's
//! `struct dm_io` (`io_count`) and md's `r1bio` (`remaining`): one piece of
//! work split into bios that complete in any order, on any CPU, where each
//! bio's completion is recorded in the shared state ([`SharedEndIo::end_io`])
//! and the last one finishes the work ([`SharedEndIo::complete`]).
//!
//! Where the state lives, one file each:
//!
//! - [`scope`]: on the stack of a task that waits for its bios, whose data
//!   may then be borrowed;
//! - [`Shared::in_pool`]: in an element of a [`Mempool`], which goes back
//!   before [`SharedEndIo::complete`] runs;
//! - [`NewBio::submit_hosting`]: in the front pad of its first bio, which is
//!   freed with it.
//!
//! Whoever submits holds a count ([`SharedRef`]) while it submits, so the
//! state cannot be released before every bio is out.
//!
//! [`Mempool`]: crate::mempool::Mempool
//! [`NewBio::submit_hosting`]: super::NewBio::submit_hosting

mod host;
mod pool;
mod stack;

pub use stack::scope;

use super::{CompletedBio, Direction, NewBio};
use crate::{alloc::Flags, bindings, mempool::Mempool, sync::Completion};
use core::{
    marker::PhantomData,
    mem::ManuallyDrop,
    ptr::NonNull,
    sync::atomic::{AtomicU32, Ordering},
};

/// What the bios of a [`Shared`] do to it as they complete.
pub trait SharedEndIo: Send + Sync + Sized {
    /// A bio submitted with `tag` completed. Runs once per bio, in its
    /// completion context (possibly hard IRQ, possibly on several CPUs at
    /// once): must not sleep. The bio is freed after this returns.
    fn end_io(&self, tag: usize, bio: &mut CompletedBio<'_>);

    /// The last count was dropped: every bio completed and the submitter is
    /// done. Runs once, with the state moved out of memory that is already
    /// released (a pool element back in its pool, a host bio freed), in the
    /// context of whoever dropped the last count: the last bio's completion
    /// (possibly hard IRQ, must not sleep) or the submitter. Not called for
    /// state on a stack, which [`scope`] returns instead.
    fn complete(self) {}
}

/// The alignment of a [`Shared`], which leaves the low bits of its address
/// free for a tag.
const SHARED_ALIGN: usize = 64;

/// The largest tag a bio of a [`Shared`] carries.
pub const MAX_TAG: usize = SHARED_ALIGN - 1;

/// Where a [`Shared`] lives, which decides how its last count releases it.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Owner {
    /// On the stack of a task waiting on the [`Completion`] at `owner`.
    Stack,
    /// In an element of the `Mempool<Shared<T>>` at `owner`.
    Pool,
    /// In the front pad of the bio at `owner`, whose reference it holds.
    Host,
}

/// State of type `T` shared by in-flight bios, with their count.
///
/// Only this module makes one; it is named in the element type of a pool
/// ([`Shared::in_pool`]) and in the front pad of a bio set
/// ([`NewBio::submit_hosting`]).
///
/// [`NewBio::submit_hosting`]: super::NewBio::submit_hosting
///
/// # Invariants
///
/// `refs` counts the uncompleted bios submitted with this state plus the
/// [`SharedRef`]s to it. When it drops to zero the state is released,
/// exactly once, as `kind` says; until then the memory holding it stays
/// valid and `value` holds a `T`. `owner` is what `kind` names.
#[repr(C, align(64))]
pub struct Shared<T> {
    refs: AtomicU32,
    kind: Owner,
    owner: NonNull<()>,
    value: ManuallyDrop<T>,
}

// SAFETY: The value is reached through shared references by the bios'
// completions (`T: Sync`) and moved out once, by whoever drops the last count,
// in any task (`T: Send`); the owner is used only then.
unsafe impl<T: Send> Send for Shared<T> {}
// SAFETY: Shared access is atomic (`refs`) or reads fields set before the
// state is shared, and `&T` (`T: Sync`).
unsafe impl<T: Sync> Sync for Shared<T> {}

// A tag fits in the alignment of the state, whatever `T` is.
const _: () = assert!(core::mem::align_of::<Shared<u8>>() == SHARED_ALIGN);

impl<T> Shared<T> {
    /// State with `refs` counts, living where `kind` and `owner` say.
    fn new(value: T, kind: Owner, owner: NonNull<()>, refs: u32) -> Self {
        Self {
            refs: AtomicU32::new(refs),
            kind,
            owner,
            value: ManuallyDrop::new(value),
        }
    }

    /// Moves the value out of state that was never shared.
    fn into_value(self) -> T {
        ManuallyDrop::into_inner(self.value)
    }

    /// Drops a count: true for the last, after which the caller releases
    /// the state and nobody else touches it.
    #[inline]
    fn put(&self) -> bool {
        self.refs.fetch_sub(1, Ordering::AcqRel) == 1
    }
}

impl<T: SharedEndIo> Shared<T> {
    /// Drops a count of `this`; the last releases it.
    ///
    /// # Safety
    ///
    /// The caller owns a count of `this`, and does not use it afterwards.
    #[inline]
    unsafe fn put_ref(this: NonNull<Self>) {
        // SAFETY: The caller's count keeps the state alive until it is dropped.
        if unsafe { this.as_ref() }.put() {
            // SAFETY: The count just dropped was the last.
            unsafe { Self::release(this) };
        }
    }

    /// What the last count does, out of line: every other bio's completion
    /// keeps the registers that it would need.
    ///
    /// # Safety
    ///
    /// `this` is state whose last count the caller dropped.
    #[inline(never)]
    unsafe fn release(this: NonNull<Self>) {
        // SAFETY: No count is left, so nothing else uses the state, whose
        // memory stays until its owner lets go of it below.
        let shared = unsafe { this.as_ref() };
        let owner = shared.owner;
        match shared.kind {
            // SAFETY: The owner of state on a stack is the completion its task
            // waits on, which lives until it is woken; the task may return at
            // once, so this is the last access.
            Owner::Stack => unsafe { owner.cast::<Completion>().as_ref() }.complete_all(),
            Owner::Pool => {
                // SAFETY: The owner of pooled state is its pool, `'static`
                // ([`Shared::in_pool`]), and the state is an element of it.
                let value = unsafe { pool::release(owner.cast(), this) };
                value.complete();
            }
            Owner::Host => {
                // SAFETY: The value is moved out once, before the memory
                // holding it goes.
                let value = unsafe { core::ptr::read(&shared.value) };
                // SAFETY: The state holds the host's reference (type
                // invariant), dropped once, here; the host completed, as every
                // bio of the state did.
                unsafe { bindings::bio_put(owner.cast::<bindings::bio>().as_ptr()) };
                ManuallyDrop::into_inner(value).complete();
            }
        }
    }
}

/// The `bi_end_io` of the bios of a [`Shared`]: records the bio in the
/// state, frees it (unless it is the state's host), and drops its count.
///
/// # Safety
///
/// Only the block layer calls this, once, for a bio that a [`SharedRef`]
/// of a `Shared<T>` submitted.
unsafe extern "C" fn end_io<T: SharedEndIo>(bio: *mut bindings::bio) {
    // SAFETY: Valid, submitted with its state's address and a tag.
    let private = unsafe { (*bio).bi_private } as usize;
    // SAFETY: The address of a `Shared<T>`, aligned, not null, alive while the
    // bio's count is held.
    let shared = unsafe { NonNull::new_unchecked((private & !MAX_TAG) as *mut Shared<T>) };
    // SAFETY: The completed bio, submitted as a `NewBio`, referenced until it
    // is freed below or with its state.
    let mut done = unsafe { CompletedBio::from_raw(NonNull::new_unchecked(bio)) };
    // SAFETY: Alive while the bio's count is held; shared access only.
    let state = unsafe { shared.as_ref() };
    state.value.end_io(private & MAX_TAG, &mut done);
    if state.kind != Owner::Host || state.owner.as_ptr() != bio.cast() {
        // SAFETY: The submitter's reference on the bio, dropped once, here.
        unsafe { bindings::bio_put(bio) };
    }
    // SAFETY: The bio's count, dropped once, here.
    unsafe { Shared::put_ref(shared) };
}

/// A count of a [`Shared`], with which its holder submits bios that each
/// take one more; dropping it drops the count.
///
/// The bios' data is borrowed for `'env`, which the state's owner outlasts:
/// `'static` unless the state is on a stack ([`scope`]). `'env` is
/// invariant, as in `std::thread::scope`. Neither `Send` nor `Sync`: nothing
/// that runs in completion context, such as the state itself, can hold one.
///
/// # Invariants
///
/// `ptr` is a live `Shared<T>` of which this holds a count, and whose owner
/// outlasts `'env`; unless it is on a stack that waits for its bios, `T` is
/// `'static`.
pub struct SharedRef<'env, T: SharedEndIo> {
    ptr: NonNull<Shared<T>>,
    _env: PhantomData<&'env mut &'env ()>,
}

impl<'env, T: SharedEndIo> SharedRef<'env, T> {
    /// The state.
    #[inline]
    pub fn get(&self) -> &T {
        // SAFETY: By the type invariant the state is alive while this count
        // is held.
        &unsafe { self.ptr.as_ref() }.value
    }

    /// Submits `bio` with this state and `tag`, which [`SharedEndIo::end_io`]
    /// gets back when it completes. Gives the bio back if `tag` is above
    /// [`MAX_TAG`], or if the bio cannot be submitted yet (see
    /// [`NewBio::alloc`]).
    ///
    /// [`NewBio::alloc`]: super::NewBio::alloc
    #[inline]
    pub fn submit<D: Direction>(
        &self,
        bio: NewBio<'env, D>,
        tag: usize,
    ) -> Result<(), NewBio<'env, D>> {
        // SAFETY: By the type invariant the state is alive while this count
        // is held.
        let shared = unsafe { self.ptr.as_ref() };
        if tag > MAX_TAG {
            return Err(bio);
        }
        shared.refs.fetch_add(1, Ordering::Relaxed);
        let private = (self.ptr.as_ptr() as usize | tag) as *mut core::ffi::c_void;
        // SAFETY: `end_io::<T>` takes over the bio's reference and the count
        // just taken, and finds the state and tag in `private`; the data is
        // borrowed for `'env`, which the state's owner outlasts (type
        // invariant), and the owner is released only after the bio's count is
        // dropped.
        match unsafe { bio.submit(end_io::<T>, private) } {
            Ok(()) => Ok(()),
            Err(bio) => {
                // Not submitted: the count goes back; this one keeps the state.
                shared.put();
                Err(bio)
            }
        }
    }
}

impl<T: SharedEndIo> Drop for SharedRef<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant this holds a count, dropped once, here.
        unsafe { Shared::put_ref(self.ptr) };
    }
}

impl<T: SharedEndIo> Shared<T> {
    /// `T` in an element of `pool` ([`Mempool::alloc`] with `gfp`), with a
    /// count for the caller. Gives `value` back if the pool has no element.
    #[inline]
    pub fn in_pool(
        pool: &'static Mempool<Self>,
        value: T,
        gfp: Flags,
    ) -> Result<SharedRef<'static, T>, T> {
        pool::new(pool, value, gfp)
    }
}
