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
//!
//! A pooled group that turns out to be a single bio needs no counting and
//! no pool element: its handler, in a smaller form, travels in the front
//! pad of that bio ([`SOLO_FRONT_PAD`]), and the bio's completion is the
//! group's. A pooled group whose first bio is not the last and has room in
//! its front pad ([`GROUP_FRONT_PAD`]) needs no pool element either: the
//! group lives there, and is freed with that bio. The submitter offers a
//! bio set for such first bios ([`PooledSubmitter::host_bios`]): one
//! without vector tables, for bios without data pages of their own (a
//! clone, an empty flush, a discard), whose objects are no larger for it.
//!
//! Bios are submitted from process context, and never from inside
//! `submit_bio()` (a device-mapper target's map hook) for a group on the
//! stack, which waits. A pooled group may start there, but its bios are
//! held until the caller returns: many such groups at once can exhaust a
//! bio set's reserve, as in C.

use super::{CompletedBio, Direction, NewBio};
use crate::{
    bindings,
    block::bio_set::BioSet,
    error::Result,
    mempool::{Mempool, PoolBox},
    sync::Completion,
    task::might_sleep,
    types::NotThreadSafe,
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
pub(crate) const MAX_INDEX: usize = GROUP_ALIGN - 1;

/// What a group does as its bios complete.
pub trait BioGroupHandler: Send + Sync + Sized {
    /// A bio of the group completed; `index` is the one it was submitted
    /// with. Runs once per bio, in bio completion context (possibly hard
    /// IRQ, possibly on several CPUs at once): must not sleep.
    fn bio_done(&self, index: usize, bio: &mut CompletedBio<'_>);
}

/// What a pooled group does once all its bios are done.
pub trait PooledGroupHandler: BioGroupHandler + 'static {
    /// The handler of a group that is a single bio.
    type Solo: SoloHandler;

    /// Every bio of the group completed (or none was submitted). Runs once,
    /// after the group's pool element was given back: in the completion
    /// context of the last bio, or in [`BioGroup::run_pooled`] itself if no
    /// bio was submitted.
    fn group_done(self);

    /// This handler as that of a group of one bio, or back if it cannot be
    /// one (it holds state that the small form has no room for).
    fn into_solo(self) -> Result<Self::Solo, Self>;
}

/// The handler of a pooled group that turned out to be a single bio: it
/// travels in that bio's front pad (see [`SOLO_FRONT_PAD`]), and the group
/// needs no pool element.
pub trait SoloHandler: Send + Sized + 'static {
    /// What the bio's completion leaves for [`SoloHandler::done`].
    type Outcome;

    /// The bio completed, with the `index` it was submitted with: as
    /// [`BioGroupHandler::bio_done`], in bio completion context, before the
    /// bio is freed.
    fn bio_done(&self, index: usize, bio: &mut CompletedBio<'_>) -> Self::Outcome;

    /// After the bio was freed: as [`PooledGroupHandler::group_done`].
    fn done(self, outcome: Self::Outcome);
}

/// The front pad that a [`BioSet`] needs
/// for its bios to carry a [`SoloHandler`] of up to 16 bytes: with the
/// inline vectors of `BIOSET_NEED_BVECS`, 24 bytes keep a bio within a
/// 192-byte, cache-aligned slab object, the size it has without them.
pub const SOLO_FRONT_PAD: u32 = 24;

/// The front pad that a [`BioSet`] needs for its bios to host a group
/// whose handler is up to 48 bytes: one group, at the start of a
/// cache-aligned slab object. A bio set without vector tables
/// ([`BioSet::without_bvecs`]) keeps such a bio in 192 bytes.
pub const GROUP_FRONT_PAD: u32 = GROUP_ALIGN as u32;

/// A [`SoloHandler`] in the front pad of its bio.
struct Solo<S> {
    handler: S,
    index: u8,
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
/// the group waits on, the `Mempool` that the group is an element of, or
/// the bio in whose front pad the group is (its host), whose submitter's
/// reference the group holds and drops after it completed.
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
///
/// Not `Sync`: a handler, which is `Send + Sync` and runs in completion
/// context, cannot hold one and submit from there.
pub struct Submitter<'g, 'env, H: BioGroupHandler> {
    group: &'g BioGroup<H>,
    end_io: EndIo,
    /// A stack group run inside `submit_bio()`, whose bios would only be
    /// queued until its caller returns: every bio is given back.
    refuse: bool,
    _env: PhantomData<&'env mut &'env ()>,
    _not_sync: NotThreadSafe,
}

impl<'env, H: BioGroupHandler> Submitter<'_, 'env, H> {
    /// The group's handler.
    pub fn handler(&self) -> &H {
        &self.group.handler
    }

    /// Submits `bio` as a member of the group, with `index`; gives the bio
    /// back if `index` is above 63, if the bio has no data and is not an
    /// empty flush, or if a group on the stack is run inside `submit_bio()`
    /// (a target's map hook), where its bios would wait for the caller to
    /// return, and the caller for them.
    pub fn submit<D: Direction>(
        &self,
        bio: NewBio<'env, D>,
        index: usize,
    ) -> Result<(), NewBio<'env, D>> {
        if index > MAX_INDEX || self.refuse || !bio.is_submittable() {
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

/// Submitting the bios of a group either way, for code that builds them
/// the same way for both.
pub trait Submit<'env, H> {
    /// Submits `bio` with `index`; `last` says that no other bio of the
    /// request follows. Gives the bio back if it cannot be submitted.
    fn submit<D: Direction>(
        &mut self,
        bio: NewBio<'env, D>,
        index: usize,
        last: bool,
    ) -> Result<(), NewBio<'env, D>>;

    /// The group's handler, unless it went out with the request's only bio.
    fn handler(&self) -> Option<&H>;

    /// The bio set for the next bio if it has no data pages of its own and
    /// is not the request's last: one whose bios can hold the group.
    fn host_bios(&self) -> Option<&'env BioSet>;
}

impl<'env, H: BioGroupHandler> Submit<'env, H> for &Submitter<'_, 'env, H> {
    fn submit<D: Direction>(
        &mut self,
        bio: NewBio<'env, D>,
        index: usize,
        _last: bool,
    ) -> Result<(), NewBio<'env, D>> {
        Submitter::submit(self, bio, index)
    }

    fn handler(&self) -> Option<&H> {
        Some(Submitter::handler(self))
    }

    fn host_bios(&self) -> Option<&'env BioSet> {
        None
    }
}

impl<H: PooledGroupHandler> Submit<'static, H> for PooledSubmitter<H> {
    fn submit<D: Direction>(
        &mut self,
        bio: NewBio<'static, D>,
        index: usize,
        last: bool,
    ) -> Result<(), NewBio<'static, D>> {
        PooledSubmitter::submit(self, bio, index, last)
    }

    fn handler(&self) -> Option<&H> {
        PooledSubmitter::handler(self)
    }

    fn host_bios(&self) -> Option<&'static BioSet> {
        PooledSubmitter::host_bios(self)
    }
}

impl<H: BioGroupHandler> BioGroup<H> {
    /// Runs a group on this stack: `submit` submits its bios, then this
    /// waits, accounted as I/O wait (`wait_for_completion_io()`), until
    /// every one of them has completed, and returns the handler.
    ///
    /// Sleeps: process context only, which `might_sleep()` checks (also
    /// when every bio completed before it had to wait). Inside
    /// `submit_bio()` (a target's map hook), where bios only go out once the
    /// caller returns, the submitter gives every bio back.
    pub fn run_on_stack<'env>(handler: H, submit: impl FnOnce(&Submitter<'_, 'env, H>)) -> H {
        might_sleep();
        let refuse = super::in_submit_bio();
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
            refuse,
            _env: PhantomData,
            _not_sync: NotThreadSafe,
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

/// Submits the bios of a pooled request ([`BioGroup::run_pooled`]).
///
/// The group is placed with the first bio that is not the request's last:
/// in its front pad if it comes from the host bio set
/// ([`PooledSubmitter::host_bios`]), else in a pool element. A request
/// that is a single bio instead carries its handler in that bio's front
/// pad, when the bio set has one ([`SOLO_FRONT_PAD`]).
///
/// # Invariants
///
/// In state `Group`, the pointer is an element of `pool` holding a group
/// of which this submitter owns one reference (the group's invariant's
/// "one while its submitter may still submit"); in state `Hosted`, the
/// same of a group in the front pad of its first bio. In state `Solo`, the
/// handler went out in the front pad of a submitted bio, and nothing more
/// is submitted.
pub struct PooledSubmitter<H: PooledGroupHandler> {
    pool: &'static Mempool<BioGroup<H>>,
    host_bios: Option<&'static BioSet>,
    state: Pooled<H>,
}

enum Pooled<H: PooledGroupHandler> {
    /// No bio submitted yet.
    Unsent(H),
    /// Bios submitted as members of a group in a pool element, of which
    /// the submitter holds a reference.
    Group(NonNull<BioGroup<H>>),
    /// As `Group`, the group in the front pad of the request's first bio.
    Hosted(NonNull<BioGroup<H>>),
    /// The request's only bio went out with the handler.
    Solo,
    /// The pool gave no element: nothing was submitted, nor will be.
    NoMemory(H),
}

impl<H: PooledGroupHandler> PooledSubmitter<H> {
    /// The handler, unless it went out with the request's only bio.
    pub fn handler(&self) -> Option<&H> {
        match &self.state {
            Pooled::Unsent(h) | Pooled::NoMemory(h) => Some(h),
            Pooled::Group(group) | Pooled::Hosted(group) => {
                // SAFETY: By the type invariant the submitter's reference
                // keeps the group alive.
                let h: &H = unsafe { &group.as_ref().handler };
                Some(h)
            }
            Pooled::Solo => None,
        }
    }

    /// The bio set to take the next bio from, if it is not the request's
    /// last and has no data pages of its own (a clone, or no data), for it to
    /// hold the group in its front pad: until the group is placed.
    pub fn host_bios(&self) -> Option<&'static BioSet> {
        match self.state {
            Pooled::Unsent(_) => self.host_bios,
            _ => None,
        }
    }

    /// Submits `bio` with `index`; `last` says that no other bio of the
    /// request follows. Gives the bio back if `index` is above 63, if the
    /// bio has no data and is not an empty flush, after the request's last
    /// bio, or if no pool element could be had.
    pub fn submit<D: Direction>(
        &mut self,
        bio: NewBio<'static, D>,
        index: usize,
        last: bool,
    ) -> Result<(), NewBio<'static, D>> {
        if index > MAX_INDEX || !bio.is_submittable() {
            return Err(bio);
        }
        let (group, end_io): (_, EndIo) = match self.state {
            Pooled::Group(group) => (group, end_io_pooled::<H>),
            Pooled::Hosted(group) => (group, end_io_hosted::<H>),
            _ => return self.submit_unsent(bio, index, last),
        };
        // SAFETY: By the type invariant the submitter's reference keeps the
        // group alive.
        let group = unsafe { group.as_ref() };
        Submitter {
            group,
            end_io,
            refuse: false,
            _env: PhantomData,
            _not_sync: NotThreadSafe,
        }
        .submit(bio, index)
    }

    /// The request's first bio: it goes out alone with the handler if it is
    /// the last, or places the group, in its front pad or a pool element.
    // Once per request, out of line: the bios after the first keep the
    // registers that it would need.
    #[inline(never)]
    fn submit_unsent<D: Direction>(
        &mut self,
        bio: NewBio<'static, D>,
        index: usize,
        last: bool,
    ) -> Result<(), NewBio<'static, D>> {
        match core::mem::replace(&mut self.state, Pooled::Solo) {
            Pooled::Unsent(handler) if last => match Self::submit_solo(bio, index, handler) {
                Ok(()) => Ok(()),
                Err((bio, handler)) => self.submit_first(bio, index, handler),
            },
            Pooled::Unsent(handler) => match self.submit_hosted(bio, index, handler) {
                Ok(()) => Ok(()),
                Err((bio, handler)) => self.submit_first(bio, index, handler),
            },
            state => {
                self.state = state;
                Err(bio)
            }
        }
    }

    /// The first bio of a request of several: its group goes into a pool
    /// element (`mempool_alloc(GFP_NOIO)`), holding the submitter's
    /// reference.
    fn submit_first<D: Direction>(
        &mut self,
        bio: NewBio<'static, D>,
        index: usize,
        handler: H,
    ) -> Result<(), NewBio<'static, D>> {
        // INVARIANT: The submitter's reference; the owner is the pool the
        // group becomes an element of.
        let group = BioGroup {
            refs: AtomicU32::new(1),
            owner: NonNull::from(self.pool).cast(),
            handler: ManuallyDrop::new(handler),
        };
        match self.pool.alloc(group) {
            Ok(elem) => {
                // INVARIANT: The element holds the group with the
                // submitter's reference.
                self.state = Pooled::Group(PoolBox::into_raw(elem));
                self.submit(bio, index, false)
            }
            Err((_, group)) => {
                self.state = Pooled::NoMemory(ManuallyDrop::into_inner(group.handler));
                Err(bio)
            }
        }
    }

    /// Submits the first bio of a request of several with the group in its
    /// front pad; gives both back if the bio has no room for it.
    fn submit_hosted<D: Direction>(
        &mut self,
        bio: NewBio<'static, D>,
        index: usize,
        handler: H,
    ) -> Result<(), (NewBio<'static, D>, H)> {
        let Some(slot) = front_pad_slot::<BioGroup<H>, D>(&bio) else {
            return Err((bio, handler));
        };
        let ptr = bio.into_raw();
        // INVARIANT: Two references, the submitter's and the first bio's.
        // The owner is the first bio, whose submitter reference passes to
        // the group.
        let group = BioGroup {
            refs: AtomicU32::new(2),
            owner: ptr.cast(),
            handler: ManuallyDrop::new(handler),
        };
        let tag = slot.as_ptr() as usize | index;
        // SAFETY: `slot` is in the front pad of the bio, which we own alone
        // until it is submitted and which nothing else uses; it is aligned
        // for a group, so its low bits are free for `index`, at most
        // `MAX_INDEX` (checked by the caller). The group stays there until
        // `put_hosted` frees the bio. The bio's reference passes to the
        // group, its group reference to the block layer, which gives it back
        // to `end_io_hosted`.
        unsafe {
            slot.as_ptr().write(group);
            (*ptr.as_ptr()).bi_end_io = Some(end_io_hosted::<H>);
            (*ptr.as_ptr()).bi_private = tag as *mut core::ffi::c_void;
        }
        // INVARIANT: The submitter's reference to the group in the bio.
        self.state = Pooled::Hosted(slot);
        // SAFETY: The bio is filled in, as above.
        unsafe { bindings::submit_bio(ptr.as_ptr()) };
        Ok(())
    }

    /// Submits a request's only bio with the handler in its front pad; gives
    /// both back if the handler cannot be a solo one or has no room.
    fn submit_solo<D: Direction>(
        bio: NewBio<'static, D>,
        index: usize,
        handler: H,
    ) -> Result<(), (NewBio<'static, D>, H)> {
        let Some(slot) = front_pad_slot::<Solo<H::Solo>, D>(&bio) else {
            return Err((bio, handler));
        };
        let solo = match handler.into_solo() {
            Ok(solo) => solo,
            Err(handler) => return Err((bio, handler)),
        };
        let ptr = bio.into_raw().as_ptr();
        // SAFETY: `slot` is in the front pad of the bio, which we own alone
        // until it is submitted and which nothing else uses: it holds the
        // handler until `end_io_solo` moves it out, before the bio is freed.
        // The bio's reference passes to the block layer and comes back to
        // `end_io_solo`. `index` is at most `MAX_INDEX` (checked by the
        // caller).
        unsafe {
            slot.as_ptr().write(Solo {
                handler: solo,
                index: index as u8,
            });
            (*ptr).bi_end_io = Some(end_io_solo::<H::Solo>);
            (*ptr).bi_private = slot.as_ptr().cast();
            bindings::submit_bio(ptr);
        }
        Ok(())
    }
}

/// Where a `T` fits at the end of the front pad of `bio`, aligned, if it
/// does.
fn front_pad_slot<T, D: Direction>(bio: &NewBio<'_, D>) -> Option<NonNull<T>> {
    let size = core::mem::size_of::<T>();
    let align = core::mem::align_of::<T>();
    let ptr = bio.as_raw_ptr();
    // SAFETY: By the type invariant of `NewBio` the bio came from
    // `bio_alloc_bioset()` or `bio_alloc_clone()` of a bio set, which
    // `bi_pool` points to and which outlives the bio.
    let front_pad = unsafe {
        let bs = (*ptr).bi_pool;
        if bs.is_null() {
            return None;
        }
        (*bs).front_pad as usize
    };
    let start = (ptr as usize).checked_sub(front_pad)?;
    let slot = (ptr as usize).checked_sub(size)? & !(align - 1);
    if slot < start {
        return None;
    }
    NonNull::new(slot as *mut T)
}

impl<H: PooledGroupHandler> BioGroup<H> {
    /// Runs a pooled group: `submit` submits its bios through a
    /// [`PooledSubmitter`] and returns at once;
    /// [`PooledGroupHandler::group_done`] (or its solo form's
    /// [`SoloHandler::done`]) runs when they have completed, or before this
    /// returns if none was submitted.
    ///
    /// The first bio, if it comes from `host_bios` (see
    /// [`PooledSubmitter::host_bios`]) and its front pad has room
    /// ([`GROUP_FRONT_PAD`]), holds the group instead of a pool element.
    ///
    /// Gives the handler back, with nothing submitted, if no pool element
    /// could be allocated.
    ///
    /// Sleeps (the pool's `GFP_NOIO` allocations). The handler's code runs
    /// when the bios complete: the module it is in must not be unloaded
    /// before that.
    pub fn run_pooled(
        pool: &'static Mempool<Self>,
        host_bios: Option<&'static BioSet>,
        handler: H,
        submit: impl FnOnce(&mut PooledSubmitter<H>),
    ) -> Result<(), H> {
        #[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
        might_sleep();
        let mut sub = PooledSubmitter {
            pool,
            host_bios,
            state: Pooled::Unsent(handler),
        };
        submit(&mut sub);
        match sub.state {
            Pooled::Unsent(handler) => handler.group_done(),
            // SAFETY: Dropping the submitter's reference, not used afterwards.
            Pooled::Group(group) => unsafe { Self::put_pooled(group) },
            // SAFETY: Dropping the submitter's reference to the group in its
            // first bio's front pad, not used afterwards.
            Pooled::Hosted(group) => unsafe { Self::put_hosted(group) },
            Pooled::Solo => {}
            Pooled::NoMemory(handler) => return Err(handler),
        }
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

impl<H: PooledGroupHandler> BioGroup<H> {
    /// Drops one reference to a group in its first bio's front pad; the
    /// last one frees that bio, and with it the group, and then runs
    /// [`PooledGroupHandler::group_done`].
    ///
    /// # Safety
    ///
    /// `group` must be a group in its first bio's front pad, of which the
    /// caller owns a reference, and is not used afterwards.
    #[inline]
    unsafe fn put_hosted(group: NonNull<Self>) {
        // SAFETY: The caller's reference keeps the group valid until the
        // decrement.
        let g = unsafe { group.as_ref() };
        if g.refs.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        // SAFETY: The count went to zero: the caller's reference was the
        // last, and it is not used afterwards (caller).
        unsafe { Self::release_hosted(group) };
    }

    /// What the last reference of a hosted group does, out of line: every
    /// other bio's completion keeps the registers that it would need.
    ///
    /// # Safety
    ///
    /// `group` must be a group in its first bio's front pad whose last
    /// reference the caller dropped, and is not used afterwards.
    #[inline(never)]
    unsafe fn release_hosted(group: NonNull<Self>) {
        // SAFETY: With no reference left, nothing else uses the group, whose
        // memory stays until its host bio is put below.
        let g = unsafe { group.as_ref() };
        let host = g.owner.cast::<bindings::bio>();
        // SAFETY: No reference is left but ours: the handler is moved out
        // once, before the memory holding it goes.
        let handler = unsafe { ManuallyDrop::take(&mut (*group.as_ptr()).handler) };
        // SAFETY: The group holds the host's submitter reference (type
        // invariant), dropped once, here; the host completed, as every bio of
        // the group did.
        unsafe { bindings::bio_put(host.as_ptr()) };
        handler.group_done();
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
    // SAFETY: A live group, as just said; its handler is only read.
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

/// The `bi_end_io` of the bios of a group in its first bio's front pad.
///
/// # Safety
///
/// Only the block layer calls this, once, for a bio that
/// [`PooledSubmitter`] submitted for a group of handler `H` in its first
/// bio's front pad.
unsafe extern "C" fn end_io_hosted<H: PooledGroupHandler>(bio: *mut bindings::bio) {
    // SAFETY: The block layer passes the completed bio, which the
    // submitter's reference keeps valid.
    let mut done = unsafe { CompletedBio::from_raw(NonNull::new_unchecked(bio)) };
    // SAFETY: The submitter stored a group address with the index in the low
    // bits that its alignment leaves free.
    let tag = unsafe { (*bio).bi_private } as usize;
    // SAFETY: The group is aligned and this bio holds one of its references,
    // so the address is a live group.
    let group = unsafe { NonNull::new_unchecked((tag & !MAX_INDEX) as *mut BioGroup<H>) };
    // SAFETY: A live group, as just said, whose fields are only read here.
    let g = unsafe { group.as_ref() };
    g.handler.bio_done(tag & MAX_INDEX, &mut done);
    // The host's submitter reference is the group's, dropped with it.
    if g.owner.cast::<bindings::bio>().as_ptr() != bio {
        // SAFETY: The submitter's reference on the bio, dropped once, here.
        unsafe { bindings::bio_put(bio) };
    }
    // SAFETY: The bio's group reference, dropped once, here.
    unsafe { BioGroup::put_hosted(group) };
}

/// The `bi_end_io` of a request's only bio, which carries its handler.
///
/// # Safety
///
/// Only the block layer calls this, once, for a bio that
/// [`PooledSubmitter::submit_solo`] submitted with a `Solo<S>` in its front
/// pad, which `bi_private` points to.
unsafe extern "C" fn end_io_solo<S: SoloHandler>(bio: *mut bindings::bio) {
    // SAFETY: The handler was written there at submission and is read once,
    // here, before the bio (and with it the front pad) is freed.
    let solo = unsafe { (*bio).bi_private.cast::<Solo<S>>().read() };
    // SAFETY: The block layer passes the completed bio, which the
    // submitter's reference keeps valid until it is dropped below.
    let mut done = unsafe { CompletedBio::from_raw(NonNull::new_unchecked(bio)) };
    let outcome = solo.handler.bio_done(usize::from(solo.index), &mut done);
    // SAFETY: The submitter's reference on the bio, dropped once, here.
    unsafe { bindings::bio_put(bio) };
    solo.handler.done(outcome);
}
