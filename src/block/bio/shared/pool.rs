// SPDX-License-Identifier: GPL-2.0

//! Shared state in an element of a mempool: it can be had under memory
//! pressure, and the element goes back before the state completes.

use super::{Owner, Shared, SharedEndIo, SharedRef};
use crate::{
    alloc::Flags,
    mempool::{Mempool, PoolBox},
};
use core::{marker::PhantomData, ptr::NonNull};

/// [`Shared::in_pool`].
#[inline]
pub(super) fn new<T: SharedEndIo>(
    pool: &'static Mempool<Shared<T>>,
    value: T,
    gfp: Flags,
) -> Result<SharedRef<'static, T>, T> {
    // One count, the caller's.
    let shared = Shared::new(value, Owner::Pool, NonNull::from(pool).cast(), 1);
    match pool.alloc(shared, gfp) {
        // INVARIANT: The element holds the state with the caller's count; its
        // owner, the pool, is `'static`.
        Ok(elem) => Ok(SharedRef {
            ptr: PoolBox::into_raw(elem),
            _env: PhantomData,
        }),
        Err((_, shared)) => Err(shared.into_value()),
    }
}

/// Gives the element holding `this` back to `pool`, and returns the value
/// it held.
///
/// # Safety
///
/// `this` is pooled state, an element of `pool`, whose last count the caller
/// dropped.
#[inline]
pub(super) unsafe fn release<T>(pool: NonNull<Mempool<Shared<T>>>, this: NonNull<Shared<T>>) -> T {
    // SAFETY: The pool outlives its elements; `this` is an element that `new`
    // gave up with `PoolBox::into_raw`, and nobody uses it any more (caller).
    let elem = unsafe { PoolBox::from_raw(pool.as_ref(), this) };
    PoolBox::into_inner(elem).into_value()
}
