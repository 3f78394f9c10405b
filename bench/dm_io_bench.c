// SPDX-License-Identifier: GPL-2.0
/*
 * dm_io_bench: times the same dm-io workloads through the kernel's C
 * dm_io() and through dm-io-rs's rdm_io(), plus a floor: the same bios
 * built and submitted by hand, with no dm-io layer.
 *
 * One C caller drives both implementations through the same code, so the
 * comparison is fair. Within each round every (device, workload) cell runs
 * C, Rust, the floor and C again through a second client (the control, c2)
 * back to back, in an order that rotates with the round, operation by
 * operation. Each prints one machine-readable line per
 * cell:
 *
 *   dm-io-bench: cell round=R dev=D wl=W impl=I regions=.. sectors=.. mem=..
 *                async=.. ops=N ns=T bytes=B bios=K err=E submit_ns=S
 *                complete_ns=C slice_ps=P qd=Q offset=O cpus=U
 *
 * (B: bytes per operation; K: bios the device accounted, requests plus
 * merges, over the whole cell; S and C: for asynchronous cells, the time
 * spent queueing the requests and the time of the unplug that runs and
 * completes them; P: the median operation's time in picoseconds, which a
 * host hiccup in some operations does not move; Q: requests, or kcopyd
 * jobs, in flight, 0 for synchronous cells; O: mem.offset; U: submitting
 * CPUs). An operation is one request, or for the kcopyd rows one job (a
 * read, then a write to every destination); the two-CPU rows run a
 * submitter kthread per online CPU and count the requests of all.
 * scripts/bench.sh parses them into the table. Everything runs from the
 * module's init; the guest script unloads it afterwards.
 *
 * Time is read from the TSC: a TCG guest has no reference to calibrate it
 * against at boot, so its clocksource is jiffies (4 ms steps). The bench
 * calibrates the TSC against jiffies itself, over 200 ms at load.
 */

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dm-io.h>
#include <linux/highmem.h>
#include <linux/ioprio.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/part_stat.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/math64.h>
#include <asm/timex.h>
#include <dm-io-rs.h>

static char *devs = "/dev/nullb0,/dev/nullb1,/dev/nullb2,/dev/nullb3";
module_param(devs, charp, 0444);
MODULE_PARM_DESC(devs, "Comma-separated block devices to run on");
static char *names = "mb0,mb1,irq1,irq2";
module_param(names, charp, 0444);
MODULE_PARM_DESC(names, "Comma-separated labels of the devices");
static int rounds = 6;
module_param(rounds, int, 0444);
MODULE_PARM_DESC(rounds, "Rounds; each runs every implementation once per cell");
static int ms = 140;
module_param(ms, int, 0444);
MODULE_PARM_DESC(ms, "Milliseconds per cell (one implementation, one workload)");
static char *only = "";
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "Run only the workloads whose names contain this");
static bool mem;
module_param(mem, bool, 0444);
MODULE_PARM_DESC(mem, "Measure the memory requests hold in flight instead of timing them");
static int mem_seq;
module_param(mem_seq, int, 0444);
MODULE_PARM_DESC(mem_seq, "Memory phase: the point at which the module waits for a slab snapshot");
static int mem_ack;
module_param(mem_ack, int, 0644);
MODULE_PARM_DESC(mem_ack, "Memory phase: the guest script writes the point it took its snapshot at");
static uint impls = 15;
module_param(impls, uint, 0444);
MODULE_PARM_DESC(impls, "Implementations that run (bits: 1 C, 2 Rust, 4 floor, 8 C's control client); the others' turns are skipped (to profile one)");

#define MAX_DEVS 4
#define MAX_REGIONS 64
#define QD 64
/* Submitters of the two-CPU rows: one kthread per online CPU, at most. */
#define MAX_SUBS 2
/* kcopyd rows: jobs in flight, pages per job (512 KiB), destinations. */
#define KC_JOBS 8
#define KC_PAGES (SZ_512K / PAGE_SIZE)
#define KC_MAX_DST 8
#define PAGES_1M (SZ_1M / PAGE_SIZE)
/* Regions and queued requests start this far apart: no two ever merge. */
#define STRIDE 16
/* Operations timed per implementation, cell and round, at most. */
#define MAX_SAMPLES 4000

enum mem_kind { M_LIST, M_BIO, M_VMA, M_KMEM, M_NONE };
static const char *const mem_name[] = { "list", "bio", "vma", "kmem", "none" };
/*
 * I_C2 is the control: C dm_io() again, through a client of its own. C2/C
 * in a cell is the bench's own noise there, the band a Rust/C ratio must
 * leave before it says anything.
 */
enum bench_impl { I_C, I_RUST, I_FLOOR, I_C2, NR_IMPL };
static const char *const impl_name[NR_IMPL] = { "c", "rust", "floor", "c2" };

enum wl_kind {
	W_PLAIN,	/* one request, or qd requests queued under a plug */
	W_KCOPYD,	/* qd jobs: read, then write to the regions */
	W_2CPU_SHARED,	/* the async batch on every CPU at once, one client */
	W_2CPU_OWN,	/* the same, a client per CPU */
};

struct workload {
	const char *name;
	blk_opf_t opf;
	unsigned int regions;
	unsigned int sectors; /* per region */
	enum mem_kind mem;
	unsigned int qd; /* requests (jobs) in flight; 0: synchronous */
	unsigned int offset; /* mem.offset, bytes */
	enum wl_kind kind;
};

static const struct workload workloads[] = {
	{ "sync_read_4k", REQ_OP_READ, 1, 8, M_LIST, 0 },
	{ "sync_write_4k", REQ_OP_WRITE, 1, 8, M_LIST, 0 },
	{ "async_write_4k_qd64", REQ_OP_WRITE, 1, 8, M_LIST, QD },
	{ "write_4k_2reg", REQ_OP_WRITE, 2, 8, M_LIST, 0 },
	{ "write_4k_8reg", REQ_OP_WRITE, 8, 8, M_LIST, 0 },
	{ "write_4k_64reg", REQ_OP_WRITE, 64, 8, M_LIST, 0 },
	{ "read_1m_pagelist", REQ_OP_READ, 1, 2048, M_LIST, 0 },
	{ "read_1m_bio", REQ_OP_READ, 1, 2048, M_BIO, 0 },
	{ "read_1m_vmalloc", REQ_OP_READ, 1, 2048, M_VMA, 0 },
	{ "read_1m_kmalloc", REQ_OP_READ, 1, 2048, M_KMEM, 0 },
	{ "discard_64m", REQ_OP_DISCARD, 1, SZ_64M >> SECTOR_SHIFT, M_NONE, 0 },
	{ "flush_8reg", REQ_OP_WRITE | REQ_PREFLUSH, 8, 0, M_NONE, 0 },
	/* Shaped like the callers in drivers/md. dm-raid1 do_write(): */
	{ "raid1_write_4k_2reg_qd32", REQ_OP_WRITE, 2, 8, M_BIO, 32 },
	{ "raid1_write_4k_3reg_qd32", REQ_OP_WRITE, 3, 8, M_BIO, 32 },
	{ "raid1_write_64k_2reg_qd32", REQ_OP_WRITE, 2, 128, M_BIO, 32 },
	{ "raid1_write_64k_3reg_qd32", REQ_OP_WRITE, 3, 128, M_BIO, 32 },
	/* dm-kcopyd run_io_job(): regions are the destinations. */
	{ "kcopyd_512k_1dst", REQ_OP_WRITE, 1, 1024, M_LIST, KC_JOBS, 0, W_KCOPYD },
	{ "kcopyd_512k_2dst", REQ_OP_WRITE, 2, 1024, M_LIST, KC_JOBS, 0, W_KCOPYD },
	{ "kcopyd_512k_8dst", REQ_OP_WRITE, 8, 1024, M_LIST, KC_JOBS, 0, W_KCOPYD },
	/* dm-integrity rw_journal_sectors(): a sector into the first page. */
	{ "integrity_journal_fua_4k", REQ_OP_WRITE | REQ_FUA, 1, 8, M_LIST, 0, 512 },
	{ "integrity_journal_fua_64k", REQ_OP_WRITE | REQ_FUA, 1, 128, M_LIST, 0, 512 },
	/* dm-writecache ssd_commit_flushed(): */
	{ "writecache_vmalloc_sync_4k", REQ_OP_WRITE | REQ_SYNC, 1, 8, M_VMA, 16 },
	{ "writecache_vmalloc_sync_64k", REQ_OP_WRITE | REQ_SYNC, 1, 128, M_VMA, 16 },
	/* dm-bufio use_dmio() on a kmalloc buffer (as dm-verity reads): */
	{ "bufio_kmalloc_read_4k", REQ_OP_READ, 1, 8, M_KMEM, 0 },
	/* async_write_4k_qd64 on every online CPU at once: */
	{ "2cpu_async_4k_shared", REQ_OP_WRITE, 1, 8, M_LIST, QD, 0, W_2CPU_SHARED },
	{ "2cpu_async_4k_own", REQ_OP_WRITE, 1, 8, M_LIST, QD, 0, W_2CPU_OWN },
};

struct bench_dev {
	char name[16];
	struct file *file;
	struct block_device *bdev;
};

struct bench;
struct duo;

/* One kcopyd job: a page list read from one region, then written out. */
struct kc_job {
	struct sub *s;
	struct page *pages[KC_PAGES];
	struct page_list pl[KC_PAGES];
	struct dm_io_region src;
	struct dm_io_region dst[KC_MAX_DST];
	unsigned int nr_dst;
	atomic_t count;			/* the floor's write bios */
	bool failed;
	struct list_head node;
};

/* What one submitter (the module's init, or a per-CPU kthread) uses. */
struct sub {
	struct bench *b;
	struct dm_io_client *client[NR_IMPL];	/* in use; none for I_FLOOR */
	struct dm_io_client *own[NR_IMPL];	/* created for this submitter */
	struct dm_io_region where[MAX_REGIONS];
	sector_t base;			/* where its regions start */
	int cpu;			/* the two-CPU rows: bound there */
	unsigned int vma_off;		/* DM_IO_VMA: offset into vbuf */
	atomic_t inflight;
	atomic_t errors;
	wait_queue_head_t wq;
	spinlock_t kc_lock;		/* protects kc_ready */
	struct list_head kc_ready;	/* jobs whose read completed */
	/* The two-CPU rows. */
	struct duo *duo;
	u64 cycles;			/* its last batch */
	int errs;
	struct completion exited;
};

struct bench {
	struct bench_dev dev[MAX_DEVS];
	int nr_devs;
	struct sub main;
	struct sub cpu[MAX_SUBS];
	int nr_cpu;
	struct bio_set bs;		/* the floor's bios */
	struct page *pages[PAGES_1M];
	struct page_list pl[PAGES_1M];
	struct bio *src_bio;		/* DM_IO_BIO source */
	void *vbuf;			/* vmalloc, 1 MiB */
	void *kbuf;			/* kmalloc, 1 MiB */
	struct kc_job *kc;		/* KC_JOBS */
};

/* Completion of one asynchronous request, whoever ran it. */
static void bench_async_done(struct sub *s, bool failed)
{
	if (failed)
		atomic_inc(&s->errors);
	if (atomic_dec_and_test(&s->inflight))
		wake_up(&s->wq);
}

static void bench_notify(unsigned long error, unsigned long unsup, void *context)
{
	bench_async_done(context, error || unsup);
}

/* ---- through dm-io (C or Rust) ---------------------------------------- */

static void set_mem(struct sub *s, const struct workload *w,
		    struct dm_io_memory *mem)
{
	struct bench *b = s->b;

	mem->offset = w->offset;
	switch (w->mem) {
	case M_LIST:
		mem->type = DM_IO_PAGE_LIST;
		mem->ptr.pl = b->pl;
		break;
	case M_BIO:
		mem->type = DM_IO_BIO;
		mem->ptr.bio = b->src_bio;
		break;
	case M_VMA:
		mem->type = DM_IO_VMA;
		mem->ptr.vma = b->vbuf + s->vma_off;
		break;
	case M_KMEM:
	case M_NONE:
		mem->type = DM_IO_KMEM;
		mem->ptr.addr = b->kbuf;
		break;
	}
}

static int dmio_op(struct sub *s, enum bench_impl impl, const struct workload *w,
		   unsigned int nr_regions, bool async)
{
	struct dm_io_request req = {
		.bi_opf = w->opf,
		.client = s->client[impl],
		.notify.fn = async ? bench_notify : NULL,
		.notify.context = s,
	};
	unsigned long error_bits = 0;

	set_mem(s, w, &req.mem);
	if (impl == I_RUST)
		return rdm_io(&req, nr_regions, s->where, &error_bits, NULL,
			      IOPRIO_DEFAULT);
	return dm_io(&req, nr_regions, s->where, &error_bits, NULL,
		     IOPRIO_DEFAULT);
}

/* ---- the floor: the same bios, by hand -------------------------------- */

struct floor_sync {
	atomic_t count;
	atomic_t errors;
	struct completion done;
};

static void floor_sync_endio(struct bio *bio)
{
	struct floor_sync *f = bio->bi_private;

	if (bio->bi_status)
		atomic_inc(&f->errors);
	bio_put(bio);
	if (atomic_dec_and_test(&f->count))
		complete(&f->done);
}

static void floor_async_endio(struct bio *bio)
{
	struct sub *s = bio->bi_private;
	bool failed = bio->bi_status;

	bio_put(bio);
	bench_async_done(s, failed);
}

static void floor_submit(struct bio *bio, bio_end_io_t *end_io, void *private,
			 atomic_t *count)
{
	bio->bi_end_io = end_io;
	bio->bi_private = private;
	if (count)
		atomic_inc(count);
	submit_bio(bio);
}

/* One region's bios, as dm-io would build them, with nothing around. */
static void floor_region(struct sub *s, const struct workload *w,
			 blk_opf_t opf, struct dm_io_region *r,
			 bio_end_io_t *end_io, void *private, atomic_t *count)
{
	struct bench *b = s->b;
	unsigned int bytes = r->count << SECTOR_SHIFT;
	unsigned int i, n = DIV_ROUND_UP(w->offset + bytes, PAGE_SIZE);
	void *vbuf = b->vbuf + s->vma_off;
	struct bio *bio;

	if (w->mem == M_NONE) {
		sector_t left = r->count, sector = r->sector;
		sector_t max = (opf & REQ_OP_MASK) == REQ_OP_DISCARD ?
				       bdev_max_discard_sectors(r->bdev) : 0;

		do {
			sector_t s = min(left, max);

			bio = bio_alloc_bioset(r->bdev, 0, opf, GFP_NOIO, &b->bs);
			bio->bi_iter.bi_sector = sector;
			bio->bi_iter.bi_size = s << SECTOR_SHIFT;
			floor_submit(bio, end_io, private, count);
			sector += s;
			left -= s;
		} while (left);
		return;
	}
	if (w->mem == M_BIO) {
		bio = bio_alloc_clone(r->bdev, b->src_bio, GFP_NOIO, &b->bs);
		bio->bi_iter.bi_sector = r->sector;
		bio->bi_iter.bi_size = bytes;
		bio->bi_opf = opf;
		floor_submit(bio, end_io, private, count);
		return;
	}
	bio = bio_alloc_bioset(r->bdev, w->mem == M_KMEM ? 1 : n, opf, GFP_NOIO,
			       &b->bs);
	bio->bi_iter.bi_sector = r->sector;
	switch (w->mem) {
	case M_LIST:
		if (!w->offset) {
			for (i = 0; i < n; i++)
				__bio_add_page(bio, b->pages[i], PAGE_SIZE, 0);
			break;
		}
		/* The first page from the offset, as dm-integrity's journal. */
		for (i = 0; i < n; i++) {
			unsigned int off = i ? 0 : w->offset;
			unsigned int len = min_t(unsigned int, bytes, PAGE_SIZE - off);

			__bio_add_page(bio, b->pages[i], len, off);
			bytes -= len;
		}
		break;
	case M_VMA:
		flush_kernel_vmap_range(vbuf, bytes);
		for (i = 0; i < n; i++)
			__bio_add_page(bio, vmalloc_to_page(vbuf + i * PAGE_SIZE),
				       PAGE_SIZE, 0);
		break;
	default:
		bio_add_virt_nofail(bio, b->kbuf, bytes);
		break;
	}
	floor_submit(bio, end_io, private, count);
}

static int floor_op(struct sub *s, const struct workload *w,
		    unsigned int nr_regions, bool async)
{
	struct floor_sync f;
	struct blk_plug plug;
	unsigned int i;
	/*
	 * Plugged as dm-io-rs does: several data bios, or one that the device
	 * splits; never empty flushes, which a plug cannot batch.
	 */
	bool plugged = w->sectors &&
		       (nr_regions > 1 ||
			s->where[0].count > queue_max_sectors(bdev_get_queue(s->where[0].bdev)));

	if (async) {
		/* One reference per bio: the caller took the request's. */
		if (nr_regions > 1)
			atomic_add(nr_regions - 1, &s->inflight);
		for (i = 0; i < nr_regions; i++)
			floor_region(s, w, w->opf, &s->where[i],
				     floor_async_endio, s, NULL);
		return 0;
	}
	atomic_set(&f.count, 1);
	atomic_set(&f.errors, 0);
	init_completion(&f.done);
	if (plugged)
		blk_start_plug(&plug);
	for (i = 0; i < nr_regions; i++)
		if (s->where[i].count || (w->opf & REQ_PREFLUSH))
			floor_region(s, w, w->opf | REQ_SYNC, &s->where[i],
				     floor_sync_endio, &f, &f.count);
	if (plugged)
		blk_finish_plug(&plug);
	if (!atomic_dec_and_test(&f.count))
		wait_for_completion_io(&f.done);
	if (w->mem == M_VMA && !op_is_write(w->opf))
		invalidate_kernel_vmap_range(s->b->vbuf, SZ_1M);
	return atomic_read(&f.errors) ? -EIO : 0;
}

/* ---- kcopyd: read a page list, then write it out ----------------------- */

/* The read completed: hand the job back to the submitter, as complete_io(). */
static void kc_read_done(struct kc_job *job, bool failed)
{
	struct sub *s = job->s;
	unsigned long flags;

	if (failed) {
		bench_async_done(s, true);
		return;
	}
	spin_lock_irqsave(&s->kc_lock, flags);
	list_add_tail(&job->node, &s->kc_ready);
	spin_unlock_irqrestore(&s->kc_lock, flags);
	wake_up(&s->wq);
}

static void kc_read_notify(unsigned long error, unsigned long unsup, void *context)
{
	kc_read_done(context, error || unsup);
}

static void kc_write_notify(unsigned long error, unsigned long unsup, void *context)
{
	struct kc_job *job = context;

	bench_async_done(job->s, error || unsup);
}

static void kc_floor_read_endio(struct bio *bio)
{
	struct kc_job *job = bio->bi_private;
	bool failed = bio->bi_status;

	bio_put(bio);
	kc_read_done(job, failed);
}

static void kc_floor_write_endio(struct bio *bio)
{
	struct kc_job *job = bio->bi_private;

	if (bio->bi_status)
		job->failed = true;
	bio_put(bio);
	if (atomic_dec_and_test(&job->count))
		bench_async_done(job->s, job->failed);
}

static struct bio *kc_floor_bio(struct kc_job *job, struct dm_io_region *r,
				blk_opf_t opf, bio_end_io_t *end_io)
{
	struct bio *bio = bio_alloc_bioset(r->bdev, KC_PAGES, opf, GFP_NOIO,
					   &job->s->b->bs);
	unsigned int i;

	bio->bi_iter.bi_sector = r->sector;
	for (i = 0; i < KC_PAGES; i++)
		__bio_add_page(bio, job->pages[i], PAGE_SIZE, 0);
	bio->bi_end_io = end_io;
	bio->bi_private = job;
	return bio;
}

/* One stage of a job: what run_io_job() does, through dm-io or by hand. */
static int kc_stage(struct kc_job *job, enum bench_impl impl, bool write)
{
	struct sub *s = job->s;
	struct dm_io_request req = {
		.bi_opf = write ? REQ_OP_WRITE : REQ_OP_READ,
		.mem.type = DM_IO_PAGE_LIST,
		.mem.ptr.pl = job->pl,
		.mem.offset = 0,
		.notify.fn = write ? kc_write_notify : kc_read_notify,
		.notify.context = job,
		.client = s->client[impl == I_FLOOR ? I_C : impl],
	};
	unsigned int i;

	if (impl == I_FLOOR) {
		if (!write) {
			submit_bio(kc_floor_bio(job, &job->src, REQ_OP_READ,
						kc_floor_read_endio));
			return 0;
		}
		job->failed = false;
		atomic_set(&job->count, job->nr_dst);
		for (i = 0; i < job->nr_dst; i++)
			submit_bio(kc_floor_bio(job, &job->dst[i], REQ_OP_WRITE,
						kc_floor_write_endio));
		return 0;
	}
	if (impl == I_RUST)
		return write ? rdm_io(&req, job->nr_dst, job->dst, NULL, NULL,
				      IOPRIO_DEFAULT) :
			       rdm_io(&req, 1, &job->src, NULL, NULL,
				      IOPRIO_DEFAULT);
	return write ? dm_io(&req, job->nr_dst, job->dst, NULL, NULL,
			     IOPRIO_DEFAULT) :
		       dm_io(&req, 1, &job->src, NULL, NULL, IOPRIO_DEFAULT);
}

static bool kc_wake(struct sub *s)
{
	bool ready;

	spin_lock_irq(&s->kc_lock);
	ready = !list_empty(&s->kc_ready);
	spin_unlock_irq(&s->kc_lock);
	return ready || !atomic_read(&s->inflight);
}

/*
 * w->qd jobs: every read queued under a plug; each completed read hands its
 * job back, and the submitter, like kcopyd's worker, queues the writes of
 * the jobs handed back under a plug, until every write completed.
 */
static void kc_batch(struct sub *s, const struct workload *w, enum bench_impl impl,
		     struct bench_dev *d, int *errs)
{
	unsigned int span = w->sectors + STRIDE, i, k;
	struct kc_job *job, *tmp;
	struct blk_plug plug;
	LIST_HEAD(ready);

	atomic_set(&s->inflight, w->qd);
	blk_start_plug(&plug);
	for (i = 0; i < w->qd; i++) {
		job = &s->b->kc[i];
		job->s = s;
		job->nr_dst = w->regions;
		job->src = (struct dm_io_region){ d->bdev, i * span, w->sectors };
		for (k = 0; k < w->regions; k++)
			job->dst[k] = (struct dm_io_region){
				d->bdev, (KC_JOBS + i * KC_MAX_DST + k) * span,
				w->sectors };
		if (kc_stage(job, impl, false)) {
			(*errs)++;
			bench_async_done(s, false);
		}
	}
	blk_finish_plug(&plug);
	for (;;) {
		wait_event(s->wq, kc_wake(s));
		spin_lock_irq(&s->kc_lock);
		list_splice_init(&s->kc_ready, &ready);
		spin_unlock_irq(&s->kc_lock);
		if (list_empty(&ready)) {
			if (!atomic_read(&s->inflight))
				break;
			continue;
		}
		blk_start_plug(&plug);
		list_for_each_entry_safe(job, tmp, &ready, node) {
			list_del(&job->node);
			if (kc_stage(job, impl, true)) {
				(*errs)++;
				bench_async_done(s, false);
			}
		}
		blk_finish_plug(&plug);
	}
}

/* ---- time -------------------------------------------------------------- */

/* TSC cycles per millisecond, measured at load. */
static u64 cycles_per_ms;

/* Counts TSC cycles over whole jiffies, busy-waiting on the edges. */
static int calibrate_tsc(void)
{
	unsigned long j0, j1;
	cycles_t c0, c1;
	const unsigned int nr = max(1U, msecs_to_jiffies(200));

	j0 = jiffies;
	while (!time_after(jiffies, j0))
		cpu_relax();
	c0 = get_cycles();
	j0 = jiffies;
	j1 = j0 + nr;
	while (time_before(jiffies, j1))
		cpu_relax();
	c1 = get_cycles();
	cycles_per_ms = div_u64(c1 - c0, jiffies_to_msecs(nr));
	return cycles_per_ms ? 0 : -ENODEV;
}

static u64 cycles_to_ns(u64 cycles)
{
	return mul_u64_u64_div_u64(cycles, NSEC_PER_MSEC, cycles_per_ms);
}

/* ---- cells ------------------------------------------------------------- */

static int one_op(struct sub *s, enum bench_impl impl, const struct workload *w,
		  bool async)
{
	if (impl == I_FLOOR)
		return floor_op(s, w, w->regions, async);
	return dmio_op(s, impl, w, w->regions, async);
}

static unsigned long dev_bios(struct block_device *bdev)
{
	unsigned long n = 0;
	int g;

	for (g = 0; g < NR_STAT_GROUPS; g++)
		n += part_stat_read(bdev, ios[g]) + part_stat_read(bdev, merges[g]);
	return n;
}

/* What one implementation did in one cell, summed over its slices. */
struct tally {
	u64 ops;
	u64 cycles;
	u64 submit, complete;	/* async: cycles in each phase */
	u64 slice_ps[MAX_SAMPLES];	/* picoseconds per op, per turn */
	int nr_slices;
	unsigned long bios;
	int errs;
};

static struct tally tallies[NR_IMPL];

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Regions of a request this far apart: 16 sectors, or 16 free between. */
static unsigned int region_span(const struct workload *w)
{
	return w->sectors < STRIDE ? STRIDE : w->sectors + STRIDE;
}

/*
 * One operation, or one batch of w->qd requests; returns the operations it
 * counts (requests; kcopyd: jobs).
 */
static unsigned int run_once(struct sub *s, struct bench_dev *d,
			     const struct workload *w, enum bench_impl impl,
			     u64 *submit, u64 *complete, int *errs)
{
	unsigned int span = region_span(w);
	unsigned int i, r;

	if (w->kind == W_KCOPYD) {
		kc_batch(s, w, impl, d, errs);
		return w->qd;
	}
	for (i = 0; i < w->regions; i++) {
		s->where[i].bdev = d->bdev;
		s->where[i].sector = s->base + i * span;
		s->where[i].count = w->sectors;
	}
	if (w->qd) {
		struct blk_plug plug;

		/* The batch holds one reference until all are out. */
		cycles_t c0, c1;

		atomic_set(&s->inflight, 1);
		blk_start_plug(&plug);
		c0 = get_cycles();
		for (i = 0; i < w->qd; i++) {
			for (r = 0; r < w->regions; r++)
				s->where[r].sector =
					s->base + (i * w->regions + r) * span;
			if (w->mem == M_VMA)
				s->vma_off = (i * w->sectors << SECTOR_SHIFT) % SZ_1M;
			atomic_inc(&s->inflight);
			if (one_op(s, impl, w, true)) {
				atomic_dec(&s->inflight);
				(*errs)++;
			}
		}
		/*
		 * Phases: building and queueing the requests, then
		 * the unplug, in which the driver runs them and every
		 * completion (endio, io free, callback) happens.
		 */
		c1 = get_cycles();
		blk_finish_plug(&plug);
		*submit += c1 - c0;
		*complete += get_cycles() - c1;
		if (!atomic_dec_and_test(&s->inflight))
			wait_event(s->wq, !atomic_read(&s->inflight));
		s->vma_off = 0;
		return w->qd;
	}
	if (one_op(s, impl, w, false))
		(*errs)++;
	return 1;
}

/* Runs one implementation for one operation or batch. */
static void run_slice(struct sub *s, struct bench_dev *d,
		      const struct workload *w, enum bench_impl impl, struct tally *t)
{
	unsigned long bios = dev_bios(d->bdev);
	unsigned int ops;
	u64 start, now;

	if (!(impls & BIT(impl)))
		return;
	atomic_set(&s->errors, 0);
	start = get_cycles();
	ops = run_once(s, d, w, impl, &t->submit, &t->complete, &t->errs);
	now = get_cycles();
	t->ops += ops;
	t->cycles += now - start;
	if (t->nr_slices < MAX_SAMPLES)
		t->slice_ps[t->nr_slices++] =
			div64_u64(cycles_to_ns(now - start) * 1000, ops);
	t->bios += dev_bios(d->bdev) - bios;
	t->errs += atomic_read(&s->errors);
	cond_resched();
}

static u64 cell_bytes(const struct workload *w)
{
	/* kcopyd: the bytes copied per job; else written or read per request. */
	if (w->kind == W_KCOPYD)
		return (u64)w->sectors << SECTOR_SHIFT;
	return (u64)w->regions * w->sectors << SECTOR_SHIFT;
}

static void print_cell(int round, struct bench_dev *d, const struct workload *w,
		       int cpus)
{
	struct tally *t = tallies;
	int k;

	for (k = 0; k < NR_IMPL; k++)
		sort(t[k].slice_ps, t[k].nr_slices, sizeof(u64), cmp_u64, NULL);
	for (k = 0; k < NR_IMPL; k++)
		pr_info("dm-io-bench: cell round=%d dev=%s wl=%s impl=%s regions=%u sectors=%u mem=%s async=%d ops=%llu ns=%llu bytes=%llu bios=%lu err=%d submit_ns=%llu complete_ns=%llu slice_ps=%llu qd=%u offset=%u cpus=%d\n",
			round, d->name, w->name, impl_name[k], w->regions,
			w->sectors, mem_name[w->mem], w->qd > 0, t[k].ops,
			cycles_to_ns(t[k].cycles), cell_bytes(w), t[k].bios,
			t[k].errs, cycles_to_ns(t[k].submit),
			cycles_to_ns(t[k].complete),
			t[k].slice_ps[t[k].nr_slices / 2], w->qd, w->offset, cpus);
}

/*
 * One cell: the implementations take turns operation by operation
 * (or batch by batch), in an order that rotates, until each has had @ms
 * or MAX_SAMPLES operations; a round's figure is then each one's median
 * operation. Pairing single operations makes every change in the host's
 * load hit them all alike, and the median ignores the operations that a
 * host hiccup hit.
 */
static void run_cell(struct bench *b, int round, struct bench_dev *d,
		     const struct workload *w)
{
	struct tally *t = tallies;
	u64 budget = (u64)ms * cycles_per_ms * NR_IMPL;
	cycles_t start;
	int s, k;

	/* Warm-up: one of each, not counted. */
	memset(t, 0, sizeof(tallies));
	for (k = 0; k < NR_IMPL; k++)
		run_slice(&b->main, d, w, k, &t[k]);
	memset(t, 0, sizeof(tallies));
	start = get_cycles();
	for (s = 0; s < MAX_SAMPLES && get_cycles() - start < budget; s++)
		for (k = 0; k < NR_IMPL; k++)
			run_slice(&b->main, d, w, (round + s + k) % NR_IMPL,
				  &t[(round + s + k) % NR_IMPL]);
	print_cell(round, d, w, 1);
}

/* ---- two CPUs at once --------------------------------------------------- */

/*
 * Every submitter runs the same implementation's batch at the same time:
 * they meet at a barrier before each batch, and the last to arrive times
 * the batch just done (the slowest submitter's time: the wall time of the
 * step, per request of all submitters), reads the device's counters and
 * picks the next step's implementation, in the rotation run_cell() uses.
 */
struct duo {
	struct bench *b;
	struct bench_dev *d;
	const struct workload *w;
	int round;
	int nr;
	atomic_t arrived;
	atomic_t gen;
	unsigned int step;	/* the step about to run; NR_IMPL warm-up ones */
	enum bench_impl impl;
	bool stop;
	cycles_t start;
	unsigned long bios;
};

static void duo_next(struct duo *u)
{
	unsigned int i, timed;
	int errs = 0;
	u64 slowest = 0;

	if (u->step > NR_IMPL) {
		struct tally *t = &tallies[u->impl];
		unsigned long bios = dev_bios(u->d->bdev);

		for (i = 0; i < u->nr; i++) {
			slowest = max(slowest, u->b->cpu[i].cycles);
			errs += u->b->cpu[i].errs + atomic_read(&u->b->cpu[i].errors);
			u->b->cpu[i].errs = 0;
		}
		t->ops += u->nr * u->w->qd;
		t->cycles += slowest;
		if (t->nr_slices < MAX_SAMPLES)
			t->slice_ps[t->nr_slices++] =
				div64_u64(cycles_to_ns(slowest) * 1000, u->nr * u->w->qd);
		t->bios += bios - u->bios;
		t->errs += errs;
	}
	if (u->step == NR_IMPL) {
		memset(tallies, 0, sizeof(tallies));
		u->start = get_cycles();
	}
	if (u->step < NR_IMPL) {
		u->impl = u->step;
	} else {
		timed = u->step - NR_IMPL;
		if (!(timed % NR_IMPL) &&
		    (timed / NR_IMPL >= MAX_SAMPLES ||
		     get_cycles() - u->start >= (u64)ms * cycles_per_ms * NR_IMPL)) {
			u->stop = true;
			return;
		}
		u->impl = (u->round + timed / NR_IMPL + timed % NR_IMPL) % NR_IMPL;
	}
	for (i = 0; i < u->nr; i++)
		atomic_set(&u->b->cpu[i].errors, 0);
	u->bios = dev_bios(u->d->bdev);
	u->step++;
}

/* Returns false when the cell is over. */
static bool duo_barrier(struct duo *u)
{
	int gen = atomic_read(&u->gen);

	if (atomic_inc_return(&u->arrived) == u->nr) {
		atomic_set(&u->arrived, 0);
		duo_next(u);
		atomic_set_release(&u->gen, gen + 1);
	} else {
		while (atomic_read_acquire(&u->gen) == gen) {
			cpu_relax();
			cond_resched();
		}
	}
	return !READ_ONCE(u->stop);
}

static int duo_worker(void *arg)
{
	struct sub *s = arg;
	struct duo *u = s->duo;
	u64 submit = 0, complete = 0;

	while (duo_barrier(u)) {
		cycles_t c0 = get_cycles();

		run_once(s, u->d, u->w, READ_ONCE(u->impl), &submit, &complete,
			 &s->errs);
		s->cycles = get_cycles() - c0;
	}
	kthread_complete_and_exit(&s->exited, 0);
}

static void run_cell_cpus(struct bench *b, int round, struct bench_dev *d,
			  const struct workload *w)
{
	struct duo u = { .b = b, .d = d, .w = w, .round = round, .nr = b->nr_cpu };
	struct task_struct *task[MAX_SUBS];
	int i, k;

	atomic_set(&u.arrived, 0);
	atomic_set(&u.gen, 0);
	memset(tallies, 0, sizeof(tallies));
	for (i = 0; i < b->nr_cpu; i++) {
		struct sub *s = &b->cpu[i];

		for (k = 0; k < NR_IMPL; k++)
			s->client[k] = w->kind == W_2CPU_OWN ? s->own[k] :
							       b->main.client[k];
		s->duo = &u;
		s->errs = 0;
		atomic_set(&s->errors, 0);
		init_completion(&s->exited);
		task[i] = kthread_create(duo_worker, s, "dm_io_bench/%d", i);
		if (IS_ERR(task[i])) {
			pr_err("dm-io-bench: no submitter thread: %ld\n",
			       PTR_ERR(task[i]));
			u.nr = i;
			break;
		}
		kthread_bind(task[i], s->cpu);
	}
	if (u.nr < b->nr_cpu) {
		/* Nothing ran yet: stop the threads made so far. */
		for (i = 0; i < u.nr; i++)
			kthread_stop(task[i]);
		return;
	}
	for (i = 0; i < u.nr; i++)
		wake_up_process(task[i]);
	for (i = 0; i < u.nr; i++)
		wait_for_completion(&b->cpu[i].exited);
	print_cell(round, d, w, u.nr);
}

/*
 * The rows the devices that complete after submission (irq*) run: where
 * a synchronous request must wait, and the callers' common shapes.
 */
static const char *const irq_rows[] = {
	"sync_read_4k", "sync_write_4k", "async_write_4k_qd64",
	"raid1_write_4k_2reg_qd32", "raid1_write_4k_3reg_qd32",
	"kcopyd_512k_1dst", "kcopyd_512k_8dst", "integrity_journal_fua_4k",
	"bufio_kmalloc_read_4k", "2cpu_async_4k_shared", "2cpu_async_4k_own",
};

static bool wanted(const struct workload *w, struct bench_dev *d)
{
	size_t i;

	if (*only && !strstr(w->name, only))
		return false;
	if (!strncmp(d->name, "irq", 3)) {
		for (i = 0; i < ARRAY_SIZE(irq_rows); i++)
			if (!strcmp(w->name, irq_rows[i]))
				break;
		if (i == ARRAY_SIZE(irq_rows))
			return false;
	}
	/* null_blk discards only with memory backing. */
	if ((w->opf & REQ_OP_MASK) == REQ_OP_DISCARD &&
	    !bdev_max_discard_sectors(d->bdev))
		return false;
	return true;
}

/* ---- setup ------------------------------------------------------------- */

static void destroy_clients(struct dm_io_client **client)
{
	if (!IS_ERR_OR_NULL(client[I_C]))
		dm_io_client_destroy(client[I_C]);
	if (!IS_ERR_OR_NULL(client[I_C2]))
		dm_io_client_destroy(client[I_C2]);
	if (!IS_ERR_OR_NULL(client[I_RUST]))
		rdm_io_client_destroy(client[I_RUST]);
}

static void bench_free(struct bench *b)
{
	int i, k;

	for (i = 0; i < b->nr_devs; i++)
		fput(b->dev[i].file);
	if (b->src_bio)
		bio_put(b->src_bio);
	bioset_exit(&b->bs);
	destroy_clients(b->main.own);
	for (i = 0; i < MAX_SUBS; i++)
		destroy_clients(b->cpu[i].own);
	for (i = 0; i < PAGES_1M; i++)
		if (b->pages[i])
			__free_page(b->pages[i]);
	for (i = 0; b->kc && i < KC_JOBS; i++)
		for (k = 0; k < KC_PAGES; k++)
			if (b->kc[i].pages[k])
				__free_page(b->kc[i].pages[k]);
	kfree(b->kc);
	vfree(b->vbuf);
	kfree(b->kbuf);
	kfree(b);
}

static int open_devs(struct bench *b)
{
	char *dl = kstrdup(devs, GFP_KERNEL), *nl = kstrdup(names, GFP_KERNEL);
	char *dp = dl, *np = nl, *path, *name;
	int r = 0;

	if (!dl || !nl) {
		r = -ENOMEM;
		goto out;
	}
	while ((path = strsep(&dp, ",")) && b->nr_devs < MAX_DEVS) {
		struct bench_dev *d = &b->dev[b->nr_devs];

		name = np ? strsep(&np, ",") : NULL;
		d->file = bdev_file_open_by_path(path, BLK_OPEN_READ | BLK_OPEN_WRITE,
						 b, NULL);
		if (IS_ERR(d->file)) {
			r = PTR_ERR(d->file);
			pr_err("dm-io-bench: cannot open %s: %d\n", path, r);
			goto out;
		}
		d->bdev = file_bdev(d->file);
		strscpy(d->name, name ? name : path, sizeof(d->name));
		b->nr_devs++;
	}
out:
	kfree(dl);
	kfree(nl);
	return r;
}

static void sub_init(struct bench *b, struct sub *s)
{
	s->b = b;
	init_waitqueue_head(&s->wq);
	spin_lock_init(&s->kc_lock);
	INIT_LIST_HEAD(&s->kc_ready);
}

static int create_clients(struct dm_io_client **client)
{
	client[I_C] = dm_io_client_create();
	if (IS_ERR(client[I_C]))
		return PTR_ERR(client[I_C]);
	client[I_C2] = dm_io_client_create();
	if (IS_ERR(client[I_C2]))
		return PTR_ERR(client[I_C2]);
	client[I_RUST] = rdm_io_client_create();
	if (IS_ERR(client[I_RUST]))
		return PTR_ERR(client[I_RUST]);
	return 0;
}

static int bench_alloc(struct bench *b)
{
	int i, k, r, cpu;

	sub_init(b, &b->main);
	r = bioset_init(&b->bs, 16, 0, BIOSET_NEED_BVECS);
	if (r)
		return r;
	r = create_clients(b->main.own);
	if (r)
		return r;
	memcpy(b->main.client, b->main.own, sizeof(b->main.client));
	/* The two-CPU rows: a submitter per online CPU, 512 MiB apart. */
	for_each_online_cpu(cpu) {
		struct sub *s = &b->cpu[b->nr_cpu];

		if (b->nr_cpu == MAX_SUBS)
			break;
		sub_init(b, s);
		s->cpu = cpu;
		s->base = (sector_t)b->nr_cpu << (29 - SECTOR_SHIFT);
		r = create_clients(s->own);
		if (r)
			return r;
		b->nr_cpu++;
	}
	b->kc = kcalloc(KC_JOBS, sizeof(*b->kc), GFP_KERNEL);
	if (!b->kc)
		return -ENOMEM;
	for (i = 0; i < KC_JOBS; i++) {
		struct kc_job *job = &b->kc[i];

		for (k = 0; k < KC_PAGES; k++) {
			job->pages[k] = alloc_page(GFP_KERNEL);
			if (!job->pages[k])
				return -ENOMEM;
			memset(page_address(job->pages[k]), i + k, PAGE_SIZE);
			job->pl[k].page = job->pages[k];
			job->pl[k].next = k + 1 < KC_PAGES ? &job->pl[k + 1] : NULL;
		}
	}
	for (i = 0; i < PAGES_1M; i++) {
		b->pages[i] = alloc_page(GFP_KERNEL);
		if (!b->pages[i])
			return -ENOMEM;
		memset(page_address(b->pages[i]), i, PAGE_SIZE);
		b->pl[i].page = b->pages[i];
		b->pl[i].next = i + 1 < PAGES_1M ? &b->pl[i + 1] : NULL;
	}
	b->vbuf = vmalloc(SZ_1M);
	b->kbuf = kmalloc(SZ_1M, GFP_KERNEL);
	if (!b->vbuf || !b->kbuf)
		return -ENOMEM;
	memset(b->vbuf, 0x5a, SZ_1M);
	memset(b->kbuf, 0xa5, SZ_1M);
	b->src_bio = bio_alloc_bioset(NULL, PAGES_1M, REQ_OP_READ, GFP_KERNEL,
				      &b->bs);
	if (!b->src_bio)
		return -ENOMEM;
	for (i = 0; i < PAGES_1M; i++)
		__bio_add_page(b->src_bio, b->pages[i], PAGE_SIZE, 0);
	/* The memory phase runs on a disk of its own. */
	return mem ? 0 : open_devs(b);
}

/* ---- memory held per request ------------------------------------------ */

/*
 * B/io is measured, not derived from either implementation's allocation
 * rules: MEM_REQS requests of a workload's shape are held in flight on a
 * disk that keeps every bio until told to end it, and the guest script
 * (tests/guest/bench.sh) takes a snapshot of every slab cache's object
 * count, after shrinking it, before and while they are held. The
 * difference, objects times their slab size, is what the requests hold.
 * Synchronous requests are held by MEM_REQS threads, made before the
 * first snapshot, so that their stacks and task structs do not count
 * (nor does an io object on a stack).
 */
#define MEM_REQS 256

static struct {
	struct gendisk *disk;
	struct file *file;
	spinlock_t lock;		/* protects bios and nr */
	struct bio_list bios;
	unsigned int nr;
} hold;

static void hold_submit_bio(struct bio *bio)
{
	spin_lock_irq(&hold.lock);
	bio_list_add(&hold.bios, bio);
	hold.nr++;
	spin_unlock_irq(&hold.lock);
}

static const struct block_device_operations hold_fops = {
	.owner = THIS_MODULE,
	.submit_bio = hold_submit_bio,
};

/* Ends every bio held so far; returns how many. */
static unsigned int hold_release(void)
{
	struct bio_list bios;
	struct bio *bio;
	unsigned int nr;

	spin_lock_irq(&hold.lock);
	bios = hold.bios;
	bio_list_init(&hold.bios);
	nr = hold.nr;
	hold.nr = 0;
	spin_unlock_irq(&hold.lock);
	while ((bio = bio_list_pop(&bios)))
		bio_endio(bio);
	return nr;
}

/* Bios held once no more arrive: the submitters are all waiting. */
static unsigned int hold_settle(void)
{
	unsigned int nr, last = UINT_MAX;

	for (;;) {
		nr = READ_ONCE(hold.nr);
		if (nr == last && nr >= MEM_REQS)
			return nr;
		last = nr;
		msleep(100);
	}
}

static void hold_destroy(struct bench *b)
{
	if (!hold.disk)
		return;
	hold_release();
	if (hold.file)
		fput(hold.file);
	del_gendisk(hold.disk);
	put_disk(hold.disk);
	hold.disk = NULL;
}

static int hold_create(struct bench *b)
{
	/* A disk with a volatile cache, so that flushes and FUA reach it. */
	struct queue_limits lim = {
		.features = BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA,
		.max_hw_discard_sectors = UINT_MAX >> SECTOR_SHIFT,
	};
	int r;

	spin_lock_init(&hold.lock);
	bio_list_init(&hold.bios);
	hold.disk = blk_alloc_disk(&lim, NUMA_NO_NODE);
	if (IS_ERR(hold.disk)) {
		r = PTR_ERR(hold.disk);
		hold.disk = NULL;
		return r;
	}
	hold.disk->fops = &hold_fops;
	hold.disk->flags |= GENHD_FL_NO_PART;
	strscpy(hold.disk->disk_name, "dm_io_bench_hold", DISK_NAME_LEN);
	/* 256 requests of the largest shape (discard_64m) fit, none stored. */
	set_capacity(hold.disk, 32ULL << (30 - SECTOR_SHIFT));
	r = add_disk(hold.disk);
	if (r) {
		put_disk(hold.disk);
		hold.disk = NULL;
		return r;
	}
	hold.file = bdev_file_open_by_dev(disk_devt(hold.disk),
					  BLK_OPEN_READ | BLK_OPEN_WRITE, b, NULL);
	if (IS_ERR(hold.file)) {
		r = PTR_ERR(hold.file);
		hold.file = NULL;
		hold_destroy(b);
		return r;
	}
	return 0;
}

/* Waits until the guest script has taken snapshot @seq. */
static int mem_wait(int seq)
{
	unsigned long end = jiffies + 120 * HZ;

	WRITE_ONCE(mem_seq, seq);
	while (READ_ONCE(mem_ack) != seq) {
		if (time_after(jiffies, end)) {
			pr_err("dm-io-bench: no slab snapshot %d from the guest script\n",
			       seq);
			return -ETIMEDOUT;
		}
		msleep(20);
	}
	return 0;
}

/*
 * The threads that hold synchronous requests, one each; made once, so that
 * no thread is made or freed between two snapshots.
 */
struct holder {
	struct sub s;
	int err;
	struct task_struct *task;
	struct completion exited;
};

static struct {
	wait_queue_head_t wq;		/* holders wait here for their request */
	unsigned int gen;		/* bumped for each round of requests */
	const struct workload *w;
	enum bench_impl impl;
	bool stop;
	atomic_t pending;		/* holders still in their request */
	struct completion done;		/* ... and when none is */
} holders;

static int holder_fn(void *arg)
{
	struct holder *h = arg;
	unsigned int seen = 0;

	for (;;) {
		wait_event(holders.wq, READ_ONCE(holders.gen) != seen ||
				       READ_ONCE(holders.stop));
		if (READ_ONCE(holders.stop))
			break;
		seen = READ_ONCE(holders.gen);
		h->err = one_op(&h->s, holders.impl, holders.w, false);
		if (atomic_dec_and_test(&holders.pending))
			complete(&holders.done);
	}
	kthread_complete_and_exit(&h->exited, 0);
}

/* Request @i's regions, on the hold disk, none overlapping another's. */
static void mem_regions(struct sub *s, const struct workload *w, unsigned int i)
{
	unsigned int r, span = region_span(w);

	for (r = 0; r < w->regions; r++) {
		s->where[r].bdev = file_bdev(hold.file);
		s->where[r].sector = (sector_t)(i * w->regions + r) * span;
		s->where[r].count = w->sectors;
	}
}

static int mem_one(struct bench *b, struct holder *h, const struct workload *w,
		   enum bench_impl impl, int *seq)
{
	struct sub *s = &b->main;
	unsigned int i, bios;
	int r, errs = 0;

	r = mem_wait(++*seq);
	if (w->qd) {
		atomic_set(&s->inflight, 1);
		for (i = 0; !r && i < MEM_REQS; i++) {
			mem_regions(s, w, i);
			atomic_inc(&s->inflight);
			if (one_op(s, impl, w, true)) {
				atomic_dec(&s->inflight);
				errs++;
			}
		}
	} else {
		for (i = 0; i < MEM_REQS; i++) {
			mem_regions(&h[i].s, w, i);
			h[i].err = 0;
		}
		holders.w = w;
		holders.impl = impl;
		atomic_set(&holders.pending, MEM_REQS);
		reinit_completion(&holders.done);
		/* wake_up_all() orders the stores above before the holders' loads. */
		WRITE_ONCE(holders.gen, holders.gen + 1);
		wake_up_all(&holders.wq);
	}
	bios = r || errs ? READ_ONCE(hold.nr) : hold_settle();
	pr_info("dm-io-bench: held seq=%d wl=%s impl=%s reqs=%u bios=%u\n",
		*seq + 1, w->name, impl_name[impl], MEM_REQS, bios);
	if (!r)
		r = mem_wait(++*seq);
	/*
	 * Until every request has completed: an implementation may end a
	 * request from a worker, and after a timed-out wait synchronous ones
	 * may still be submitting.
	 */
	for (;;) {
		hold_release();
		if (w->qd ? atomic_read(&s->inflight) == 1 : completion_done(&holders.done))
			break;
		msleep(20);
	}
	atomic_set(&s->inflight, 0);
	for (i = 0; !w->qd && i < MEM_REQS; i++)
		errs += !!h[i].err;
	/* What the script's own processes freed by RCU is gone before the next. */
	rcu_barrier();
	if (!r && errs) {
		pr_err("dm-io-bench: %s/%s: %d requests failed\n", w->name,
		       impl_name[impl], errs);
		r = -EIO;
	}
	return r;
}

/* Every workload's shape, every implementation, on the hold disk. */
static int mem_phase(struct bench *b)
{
	struct holder *h;
	unsigned int i, started;
	int seq = 0, r, k;
	size_t wl;

	r = hold_create(b);
	if (r)
		return r;
	h = kvcalloc(MEM_REQS, sizeof(*h), GFP_KERNEL);
	if (!h) {
		hold_destroy(b);
		return -ENOMEM;
	}
	init_waitqueue_head(&holders.wq);
	init_completion(&holders.done);
	for (started = 0; started < MEM_REQS; started++) {
		sub_init(b, &h[started].s);
		memcpy(h[started].s.client, b->main.client, sizeof(b->main.client));
		init_completion(&h[started].exited);
		h[started].task = kthread_run(holder_fn, &h[started],
					      "dm_io_bench_hold/%u", started);
		if (IS_ERR(h[started].task)) {
			r = PTR_ERR(h[started].task);
			break;
		}
	}
	/* A pair of snapshots around nothing: the measurement's own noise. */
	if (!r)
		r = mem_wait(++seq);
	if (!r) {
		pr_info("dm-io-bench: held seq=%d wl=nothing impl=none reqs=%u bios=%u\n",
			seq + 1, MEM_REQS, READ_ONCE(hold.nr));
		r = mem_wait(++seq);
	}
	for (wl = 0; !r && wl < ARRAY_SIZE(workloads); wl++) {
		const struct workload *w = &workloads[wl];

		/* The two-CPU rows are async_write_4k_qd64's requests. */
		if (w->kind == W_2CPU_SHARED || w->kind == W_2CPU_OWN ||
		    (*only && !strstr(w->name, only)))
			continue;
		for (k = 0; !r && k < NR_IMPL; k++)
			if (impls & BIT(k))
				r = mem_one(b, h, w, k, &seq);
	}
	WRITE_ONCE(holders.stop, true);
	wake_up_all(&holders.wq);
	for (i = 0; i < started; i++)
		wait_for_completion(&h[i].exited);
	kvfree(h);
	hold_destroy(b);
	return r;
}

static int __init dm_io_bench_init(void)
{
	struct bench *b = kzalloc(sizeof(*b), GFP_KERNEL);
	/* Writes first, so that memory-backed reads copy real data. */
	static const struct workload prefill = {
		"prefill", REQ_OP_WRITE, 1, SZ_1M >> SECTOR_SHIFT, M_LIST, 0
	};
	/* The first MiBs, where the kcopyd rows' sources lie too. */
	const unsigned int prefill_mib =
		DIV_ROUND_UP(KC_JOBS * (KC_PAGES * PAGE_SIZE + (STRIDE << SECTOR_SHIFT)),
			     SZ_1M);
	int r, round, i, j;
	size_t wl;
	u64 t0 = ktime_get_ns();

	if (!b)
		return -ENOMEM;
	r = bench_alloc(b);
	if (!r)
		r = calibrate_tsc();
	if (r)
		goto out;
	if (mem) {
		r = mem_phase(b);
		pr_info("dm-io-bench: memory phase %s in %llu ms\n",
			r ? "failed" : "done", (ktime_get_ns() - t0) / NSEC_PER_MSEC);
		goto out;
	}
	pr_info("dm-io-bench: start rounds=%d ms=%d devs=%d bio_slab=%u inline_vecs=4 page_size=%lu tsc_khz=%llu\n",
		rounds, ms, b->nr_devs, kmem_cache_size(b->bs.bio_slab),
		PAGE_SIZE, cycles_per_ms);
	for (i = 0; i < b->nr_devs; i++) {
		for (j = 0; j < prefill_mib; j++) {
			b->main.where[0] = (struct dm_io_region){
				b->dev[i].bdev, (sector_t)j << (20 - SECTOR_SHIFT),
				SZ_1M >> SECTOR_SHIFT };
			r = floor_op(&b->main, &prefill, 1, false);
			if (r) {
				pr_err("dm-io-bench: prefill of %s failed: %d\n",
				       b->dev[i].name, r);
				goto out;
			}
		}
	}
	for (round = 0; round < rounds; round++) {
		for (i = 0; i < b->nr_devs; i++) {
			for (wl = 0; wl < ARRAY_SIZE(workloads); wl++) {
				const struct workload *w = &workloads[wl];

				if (!wanted(w, &b->dev[i]))
					continue;
				if (w->kind == W_2CPU_SHARED || w->kind == W_2CPU_OWN)
					run_cell_cpus(b, round, &b->dev[i], w);
				else
					run_cell(b, round, &b->dev[i], w);
			}
		}
	}
	pr_info("dm-io-bench: done in %llu ms\n",
		(ktime_get_ns() - t0) / NSEC_PER_MSEC);
out:
	bench_free(b);
	return r;
}

/* Nothing to undo: the init above freed everything it used. */
static void __exit dm_io_bench_exit(void)
{
}

module_init(dm_io_bench_init);
module_exit(dm_io_bench_exit);

MODULE_DESCRIPTION("dm-io benchmark: C dm_io() against dm-io-rs rdm_io()");
MODULE_LICENSE("GPL");
