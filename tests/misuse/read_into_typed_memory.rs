// SPDX-License-Identifier: GPL-2.0

//! A read into the page of a `VBox<[bool; 4096]>`: the device's bytes
//! would become invalid `bool`s that safe code then reads (or, in a box of
//! function pointers, addresses that it calls). Memory is lent to be
//! written only by `&mut Page`, which a typed value's pages never give.
//!
//! expect: error[E0308]

use kernel::block::bio::{FromDevice, Segment};
use kernel::page::{AsPageIter, PAGE_SIZE};
use kernel::prelude::*;

fn read_into_bools() -> Result {
    let mut bools = VBox::<[bool; PAGE_SIZE]>::new([false; PAGE_SIZE], GFP_KERNEL)?;
    let mut pages = bools.page_iter();
    let page = pages.next().ok_or(EINVAL)?;
    let _seg = Segment::<FromDevice>::new(&page, 0, PAGE_SIZE)?;
    Ok(())
}
