// SPDX-License-Identifier: GPL-2.0

//! An asynchronous request's io object in the front pad of one of its bios,
//! instead of a pool element.
//!
//! - Hosted: the group goes with the request's first bio when that is not
//!   its last and comes from the client's bio set for bios without pages
//!   of their own (clones, empty flushes, discards: most of dm-raid1's and
//!   dm-integrity's requests), which keeps the group in its front pad at no
//!   size cost; the bio is freed with the group.
//! - Solo: a request that is a single bio (most requests) needs no count:
//!   only its callback and region index go in that bio's front pad, and the
//!   bio's completion is the request's.

use super::{bio_error, endio, Group, Io, Notify, Tag};
use crate::block::{
    bio::{CompletedBio, Direction, NewBio},
    bio_set::BioSet,
};
use core::{mem::ManuallyDrop, ptr::NonNull};
use kernel::bindings;

/// What a single-bio request keeps in its bio's front pad: its callback
/// and the region index, the bits coming from the bio's status.
pub(crate) struct Solo<N> {
    notify: N,
    index: u8,
}

/// Submits a request's only bio with its callback in the bio's front pad;
/// gives both back if the io object has more to keep than the callback
/// (bits already set, or work owed to a read's memory) or the bio is not
/// from `bios`.
pub(super) fn submit_solo<N: Notify, D: Direction>(
    bios: &BioSet<Solo<N>>,
    bio: NewBio<'static, D>,
    index: usize,
    io: Io<'static, N>,
) -> Result<(), (NewBio<'static, D>, Io<'static, N>)> {
    let (Some(slot), Ok(index), true) = (bio.front_pad(bios), u8::try_from(index), io.is_bare())
    else {
        return Err((bio, io));
    };
    // SAFETY: `slot` is room for a `Solo<N>` in the bio's front pad, which
    // only its submitter uses: it holds the callback until `end_io_solo`
    // moves it out, before the bio is freed.
    unsafe {
        slot.as_ptr().write(Solo {
            notify: io.notify,
            index,
        })
    };
    // SAFETY: `end_io_solo` takes over the bio's reference and reads the
    // `Solo<N>` that `bi_private` points to; the data is `'static`.
    match unsafe { bio.submit(end_io_solo::<N>, slot.as_ptr().cast()) } {
        Ok(()) => Ok(()),
        Err(bio) => {
            // SAFETY: Written just above, and not submitted: moved back out.
            let solo = unsafe { slot.as_ptr().read() };
            Err((bio, Io::new(super::AfterRead::Nothing, solo.notify)))
        }
    }
}

/// The `bi_end_io` of a request's only bio, which carries its callback.
///
/// # Safety
///
/// Only the block layer calls this, once, for a bio that [`submit_solo`]
/// submitted with a `Solo<N>` in its front pad, which `bi_private` points
/// to.
unsafe extern "C" fn end_io_solo<N: Notify>(bio: *mut bindings::bio) {
    // SAFETY: Written at submission and read once, here, before the bio (and
    // its front pad) is freed.
    let solo = unsafe { (*bio).bi_private.cast::<Solo<N>>().read() };
    // SAFETY: The completed bio, submitted as a `NewBio`, referenced until it
    // is put below.
    let mut done = unsafe { CompletedBio::from_raw(NonNull::new_unchecked(bio)) };
    let io = Io::new(super::AfterRead::Nothing, solo.notify);
    if let Some(err) = bio_error(&mut done) {
        io.fail(usize::from(solo.index), err);
    }
    // SAFETY: The submitter's reference on the bio, dropped once, here.
    unsafe { bindings::bio_put(bio) };
    io.complete();
}

/// A first bio and the io object it could not take.
type NotHosted<N, D> = (NewBio<'static, D>, Io<'static, N>);

/// Submits the first bio of a request of several with the group in its
/// front pad, and returns the group, of which the caller then holds
/// dispatch's count; gives both back if the bio is not from `host_bios` or
/// has no room.
pub(super) fn submit_hosted<N: Notify, D: Direction>(
    host_bios: &BioSet<Group<'static, N>>,
    bio: NewBio<'static, D>,
    index: usize,
    io: Io<'static, N>,
) -> Result<NonNull<Group<'static, N>>, NotHosted<N, D>> {
    let Some((slot, tag)) = bio
        .front_pad(host_bios)
        .and_then(|slot| Some((slot, Tag::new(slot, index)?)))
    else {
        return Err((bio, io));
    };
    // INVARIANT: Two counts, dispatch's and the first bio's. The owner is the
    // first bio, whose reference passes to the group.
    let group = Group::new(io, bio.as_raw().cast(), 2);
    // SAFETY: `slot` is room for a group in the bio's front pad, which only
    // its submitter uses, aligned for it (its low bits are free for the
    // index); the group stays there until `release_hosted` frees the bio.
    unsafe { slot.as_ptr().write(group) };
    // SAFETY: `end_io_hosted` completes a bio of a hosted group; the bio's
    // reference passes to the group, its count to the block layer; the data
    // is `'static`.
    match unsafe { bio.submit(end_io_hosted::<N>, tag.as_private()) } {
        Ok(()) => Ok(slot),
        Err(bio) => {
            // SAFETY: Written just above, and not submitted: moved back out.
            let group = unsafe { slot.as_ptr().read() };
            Err((bio, ManuallyDrop::into_inner(group.io)))
        }
    }
}

/// Drops a count of a group in its first bio's front pad; the last frees
/// that bio, and with it the group, and then completes the io object.
///
/// # Safety
///
/// `group` is a hosted group of which the caller owns a count, and is not
/// used afterwards.
#[inline]
pub(super) unsafe fn put_hosted<N: Notify>(group: NonNull<Group<'static, N>>) {
    // SAFETY: The caller's count keeps the group alive until it is dropped.
    if unsafe { group.as_ref() }.put() {
        // SAFETY: The count just dropped was the last.
        unsafe { release_hosted(group) };
    }
}

/// What the last count of a hosted group does, out of line: every other
/// bio's completion keeps the registers that it would need.
///
/// # Safety
///
/// `group` is a hosted group whose last count the caller dropped.
#[inline(never)]
unsafe fn release_hosted<N: Notify>(group: NonNull<Group<'static, N>>) {
    // SAFETY: With no count left nothing else uses the group, whose memory
    // stays until its host bio is put below.
    let host = unsafe { group.as_ref() }.owner.cast::<bindings::bio>();
    // SAFETY: As above: the io object is moved out once, before the memory
    // holding it goes.
    let io = unsafe { ManuallyDrop::take(&mut (*group.as_ptr()).io) };
    // SAFETY: The group holds the host's reference (type invariant), dropped
    // once, here; the host completed, as every bio of the group did.
    unsafe { bindings::bio_put(host.as_ptr()) };
    io.complete();
}

/// The `bi_end_io` of the bios of a group in its first bio's front pad.
///
/// # Safety
///
/// Only the block layer calls this, once, for a bio that a
/// [`super::PooledSubmitter`] submitted for a hosted group.
pub(super) unsafe extern "C" fn end_io_hosted<N: Notify>(bio: *mut bindings::bio) {
    // SAFETY: A completed bio of a live hosted group (caller), completed once.
    let group = unsafe { endio::<N>(bio) };
    // SAFETY: The bio's count keeps the group alive. The host's reference is
    // the group's, dropped with it.
    if unsafe { group.as_ref() }
        .owner
        .cast::<bindings::bio>()
        .as_ptr()
        != bio
    {
        // SAFETY: The submitter's reference on the bio, dropped once, here.
        unsafe { bindings::bio_put(bio) };
    }
    // SAFETY: The bio's count, dropped once, here.
    unsafe { put_hosted(group) };
}
