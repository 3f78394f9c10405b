// SPDX-License-Identifier: GPL-2.0

//! The io object of a request (`struct io`): gathers the regions' error
//! bits as their bios complete, and runs the completion once.

use crate::block::bio::{
    group::{BioGroupHandler, PooledGroupHandler, SoloHandler},
    AfterRead, CompletedBio,
};
use core::sync::atomic::{AtomicUsize, Ordering};
use kernel::prelude::*;

/// At most this many regions per request: one bit each in the error and
/// unsupported bit sets, one bio index each in `bi_private`.
pub(crate) const DM_IO_MAX_REGIONS: usize = usize::BITS as usize;

/// The outcome of a request: which regions failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct IoBits {
    /// Regions with an I/O error (bit *i* for region *i*).
    pub(crate) error_bits: usize,
    /// Regions the device refused as unsupported or invalid: not media
    /// errors.
    pub(crate) unsup_bits: usize,
}

impl IoBits {
    /// The synchronous `dm_io()` return value: `EIO` if any region failed,
    /// else `EOPNOTSUPP` if any was unsupported.
    pub(crate) fn to_result(self) -> Result {
        if self.error_bits != 0 {
            Err(EIO)
        } else if self.unsup_bits != 0 {
            Err(EOPNOTSUPP)
        } else {
            Ok(())
        }
    }
}

/// How an asynchronous request tells its caller that it completed.
pub(crate) trait Notify: Send + Sync + 'static {
    /// Called once, with the request's bits.
    fn notify(self, bits: IoBits);
}

/// One request in flight: the handler of its group of bios.
///
/// 48 bytes, so that its group is 64 bytes, as C's `struct io`. The bit
/// sets are set with relaxed `set_bit()` semantics; the group's final,
/// fully ordered decrement publishes them to the completion.
pub(crate) struct Io<'r, N> {
    error_bits: AtomicUsize,
    unsup_bits: AtomicUsize,
    after_read: AfterRead<'r>,
    notify: N,
}

impl<'r, N> Io<'r, N> {
    pub(crate) fn new(after_read: AfterRead<'r>, notify: N) -> Self {
        Self {
            error_bits: AtomicUsize::new(0),
            unsup_bits: AtomicUsize::new(0),
            after_read,
            notify,
        }
    }

    /// Records that region `index` failed with `err`: `EOPNOTSUPP`
    /// (`BLK_STS_NOTSUPP`) and `EINVAL` (`BLK_STS_INVAL`) are not media
    /// errors and go to the unsupported set.
    pub(crate) fn fail(&self, index: usize, err: Error) {
        let bit = 1usize << (index % DM_IO_MAX_REGIONS);
        if err == EOPNOTSUPP || err == EINVAL {
            self.unsup_bits.fetch_or(bit, Ordering::Relaxed);
        } else {
            self.error_bits.fetch_or(bit, Ordering::Relaxed);
        }
    }

    /// The bits, and what the caller is owed for a read: after every bio.
    pub(crate) fn finish(self) -> (IoBits, N) {
        let bits = IoBits {
            error_bits: self.error_bits.into_inner(),
            unsup_bits: self.unsup_bits.into_inner(),
        };
        self.after_read.run(bits.error_bits != 0);
        (bits, self.notify)
    }
}

/// The error of a completed bio, its data zeroed if it was a read: no stale
/// data reaches a reader. A clone refuses (its pages are the source's), and
/// the request's `after_read` zeroes the source instead.
#[inline]
fn bio_error(bio: &mut CompletedBio<'_>) -> Option<Error> {
    let err = bio.status().err()?;
    if !bio.opf().is_write() {
        let _ = bio.zero_fill();
    }
    Some(err)
}

impl<N: Send + Sync> BioGroupHandler for Io<'_, N> {
    // Every bio's completion, in the bio group's `bi_end_io`.
    #[inline]
    fn bio_done(&self, index: usize, bio: &mut CompletedBio<'_>) {
        if let Some(err) = bio_error(bio) {
            self.fail(index, err);
        }
    }
}

impl<N: Notify> PooledGroupHandler for Io<'static, N> {
    type Solo = SoloIo<N>;

    fn group_done(self) {
        let (bits, notify) = self.finish();
        notify.notify(bits);
    }

    fn into_solo(self) -> Result<SoloIo<N>, Self> {
        // Only a fresh request with nothing to do after a read: the solo form
        // has room for the callback alone.
        if self.error_bits.load(Ordering::Relaxed) != 0
            || self.unsup_bits.load(Ordering::Relaxed) != 0
            || !self.after_read.is_nothing()
        {
            return Err(self);
        }
        Ok(SoloIo {
            notify: self.notify,
        })
    }
}

/// The io object of a request that is a single bio, which carries it: the
/// callback alone, the bits coming from the bio's status.
pub(crate) struct SoloIo<N> {
    notify: N,
}

impl<N: Notify> SoloHandler for SoloIo<N> {
    type Outcome = IoBits;

    fn bio_done(&self, index: usize, bio: &mut CompletedBio<'_>) -> IoBits {
        let io = Io::new(AfterRead::nothing(), ());
        if let Some(err) = bio_error(bio) {
            io.fail(index, err);
        }
        io.finish().0
    }

    fn done(self, bits: IoBits) {
        self.notify.notify(bits);
    }
}

// A group's handler has 48 bytes (`GROUP_FRONT_PAD` less the count and the
// owner): 48 on 64-bit, less on 32-bit.
const _: () = assert!(core::mem::size_of::<Io<'static, [usize; 2]>>() <= 48);
