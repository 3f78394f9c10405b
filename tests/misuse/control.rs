// SPDX-License-Identifier: GPL-2.0

//! The control: correct uses of what the misuse tests get wrong. It must
//! build, or the other tests would fail for the wrong reason.

use kernel::block::bdev::BlockDevice;
use kernel::block::ioprio::IoPriority;
use kernel::block::opf::{Opf, ReqOp};
use kernel::device_mapper::bio::{
    BioList, EndIoBio, EndIoResult, MapBio, MapResult, PendingBio, RetryBio,
};
use kernel::device_mapper::bio_io::{bio_io, BioIo};
use kernel::device_mapper::io::{
    async_io, DmIoClient, DmIoMemory, DmIoRequest, IoBits, OwnedIo, Region, RegionBuf,
};
use kernel::device_mapper::target::{CtrError, Target, TargetInit, TargetRef};
use kernel::prelude::*;
use kernel::sync::{Arc, SpinLockIrq};

#[pin_data]
struct Demo {
    client: DmIoClient,
    /// Taken in `end_io`, which may run in hard-IRQ context: the lock
    /// disables interrupts.
    #[pin]
    retries: SpinLockIrq<BioList<RetryBio<Demo>>>,
}

#[vtable]
impl Target for Demo {
    const NAME: &'static CStr = c"demo";
    const VERSION: [u32; 3] = [1, 0, 0];
    type PerBio = u64;

    fn new(ti: &mut TargetInit<'_>, args: &[&CStr]) -> Result<impl PinInit<Self, Error>, CtrError> {
        for path in args {
            ti.get_device(path)
                .map_err(|e| CtrError::new(e, c"device lookup failed"))?;
        }
        let client = DmIoClient::new().map_err(|e| CtrError::new(e, c"no dm-io client"))?;
        Ok(try_pin_init!(Demo {
            client,
            retries <- kernel::new_spinlock_irq!(BioList::default()),
        }))
    }

    fn map<'a>(this: &TargetRef<Self>, mut bio: MapBio<'a, Self>) -> MapResult<'a> {
        *bio.data_mut() = bio.sector();
        if this.devices().is_empty() {
            let (pending, result) = bio.take();
            pending.end(Err(EIO));
            return result;
        }
        let sector = bio.sector();
        bio.remap(0, sector)
    }

    fn end_io<'a>(bio: EndIoBio<'a, Self>, status: Result) -> EndIoResult<'a> {
        if status.is_ok() {
            return bio.done();
        }
        // Counted: once on the list, the bio may complete and the table go.
        let this = bio.target().clone();
        match bio.retry() {
            Ok((retry, result)) => {
                this.retries.lock().push(retry);
                this.queue_work();
                result
            }
            Err(bio) => bio.done(),
        }
    }

    fn work(this: &TargetRef<Self>) {
        let mut list = BioList::default();
        this.retries.lock().append_to(&mut list);
        while let Some(retry) = list.pop() {
            match this.devices().len().checked_sub(1) {
                Some(last) => {
                    let sector = retry.data();
                    retry.resubmit(last, sector);
                }
                None => retry.end(Err(EIO)),
            }
        }
    }
}

/// An owned request that owns its buffer and shares its client.
struct Write {
    client: Arc<DmIoClient>,
    target: TargetRef<Demo>,
    buf: KVec<u8>,
}

impl OwnedIo for Write {
    fn client(&self) -> &DmIoClient {
        &self.client
    }

    fn request<'a>(&'a self, regions: &'a mut RegionBuf<'a>) -> Result<DmIoRequest<'a, 'a>> {
        for dev in self.target.devices() {
            regions.push(Region::new(dev.bdev(), 0, (self.buf.len() >> 9) as u64))?;
        }
        Ok(DmIoRequest {
            opf: Opf::new(ReqOp::Write),
            regions: regions.as_slice(),
            memory: DmIoMemory::kmalloc_ro(&self.buf)?,
            ioprio: IoPriority::DEFAULT,
        })
    }

    fn complete(this: KBox<Self>, _bits: IoBits) {
        drop(this);
    }
}

fn send(client: Arc<DmIoClient>, target: TargetRef<Demo>, buf: KVec<u8>) -> Result {
    let req = KBox::new(
        Write {
            client,
            target,
            buf,
        },
        GFP_KERNEL,
    )?;
    async_io(req).map_err(|(e, _)| e)
}

/// A write bio of `Demo` sent on to every device as a request of its own.
impl BioIo for Demo {
    fn client(this: &TargetRef<Self>) -> &DmIoClient {
        &this.client
    }

    fn request<'a>(
        this: &'a TargetRef<Self>,
        bio: &'a PendingBio<Self>,
        regions: &'a mut RegionBuf<'a>,
    ) -> Result<DmIoRequest<'a, 'a>> {
        for dev in this.devices() {
            regions.push(Region::new(dev.bdev(), bio.sector(), bio.sectors()))?;
        }
        Ok(DmIoRequest {
            opf: bio.opf(),
            regions: regions.as_slice(),
            memory: DmIoMemory::bio(bio.as_bio()),
            ioprio: IoPriority::DEFAULT,
        })
    }

    fn bio_done(_this: &TargetRef<Self>, bio: PendingBio<Self>, bits: IoBits) {
        bio.end(bits.to_result());
    }
}

fn send_bio(bio: PendingBio<Demo>) {
    if let Err((e, bio)) = bio_io(bio) {
        bio.end(Err(e));
    }
}

/// Reads two places at once into buffers that outlive the scope.
fn read_two(client: &DmIoClient, dev: &BlockDevice, a: &mut [u8], b: &mut [u8]) -> Result {
    client.scope(|s| -> Result {
        for (i, buf) in [a, b].into_iter().enumerate() {
            let region = [Region::new(dev, i as u64 * 8, 8)];
            let req = DmIoRequest {
                opf: Opf::new(ReqOp::Read),
                regions: &region,
                memory: DmIoMemory::kmalloc(buf)?,
                ioprio: IoPriority::DEFAULT,
            };
            s.submit(req, |_bits| {})?;
        }
        Ok(())
    })
}

/// Uses the functions above. Never called: building is the test.
#[allow(dead_code)]
fn control(
    c: Arc<DmIoClient>,
    t: TargetRef<Demo>,
    dev: &BlockDevice,
    bio: PendingBio<Demo>,
) -> Result {
    let (mut a, mut b) = ([0u8; 4096], [0u8; 4096]);
    read_two(&c, dev, &mut a, &mut b)?;
    send_bio(bio);
    send(c, t, KVec::new())
}
