// SPDX-License-Identifier: GPL-2.0
/*
 * dm_io_bench: times the same dm-io workloads through the kernel's C
 * dm_io() and through dm-io-rs's rdm_io(), plus a floor: the same bios
 * built and submitted by hand, with no dm-io layer.
 *
 * One C caller drives both implementations through the same code, so the
 * comparison is fair. Within each round every (device, workload) cell runs
 * C, Rust and the floor back to back, in an order that rotates with the
 * round, operation by operation. Each prints one machine-readable line per
 * cell:
 *
 *   dm-io-bench: cell round=R dev=D wl=W impl=I regions=.. sectors=.. mem=..
 *                async=.. ops=N ns=T bytes=B bios=K err=E submit_ns=S
 *                complete_ns=C slice_ps=P
 *
 * (B: bytes per operation; K: bios the device accounted, requests plus
 * merges, over the whole cell; S and C: for asynchronous cells, the time
 * spent queueing the requests and the time of the unplug that runs and
 * completes them; P: the median operation's time in picoseconds, which a
 * host hiccup in some operations does not move).
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
#include <linux/dm-io.h>
#include <linux/highmem.h>
#include <linux/ioprio.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/part_stat.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/math64.h>
#include <asm/timex.h>
#include <dm-io-rs.h>

static char *devs = "/dev/nullb0,/dev/nullb1";
module_param(devs, charp, 0444);
MODULE_PARM_DESC(devs, "Comma-separated block devices to run on");
static char *names = "mb0,mb1";
module_param(names, charp, 0444);
MODULE_PARM_DESC(names, "Comma-separated labels of the devices");
static int rounds = 5;
module_param(rounds, int, 0444);
MODULE_PARM_DESC(rounds, "Rounds; each runs every implementation once per cell");
static int ms = 200;
module_param(ms, int, 0444);
MODULE_PARM_DESC(ms, "Milliseconds per cell (one implementation, one workload)");
static bool control;
module_param(control, bool, 0444);
MODULE_PARM_DESC(control, "Control run: the Rust slot runs C dm_io() with a second client");
static char *only = "";
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "Run only the workloads whose names contain this");

#define MAX_DEVS 4
#define MAX_REGIONS 64
#define QD 64
#define PAGES_1M (SZ_1M / PAGE_SIZE)
/* Regions and queued requests start this far apart: no two ever merge. */
#define STRIDE 16
/* Operations timed per implementation, cell and round, at most. */
#define MAX_SAMPLES 4000

enum mem_kind { M_LIST, M_BIO, M_VMA, M_KMEM, M_NONE };
static const char *const mem_name[] = { "list", "bio", "vma", "kmem", "none" };
enum bench_impl { I_C, I_RUST, I_FLOOR, NR_IMPL };
static const char *const impl_name[NR_IMPL] = { "c", "rust", "floor" };

struct workload {
	const char *name;
	blk_opf_t opf;
	unsigned int regions;
	unsigned int sectors; /* per region */
	enum mem_kind mem;
	bool async; /* QD requests in flight, else synchronous */
};

static const struct workload workloads[] = {
	{ "sync_read_4k", REQ_OP_READ, 1, 8, M_LIST, false },
	{ "sync_write_4k", REQ_OP_WRITE, 1, 8, M_LIST, false },
	{ "async_write_4k_qd64", REQ_OP_WRITE, 1, 8, M_LIST, true },
	{ "write_4k_2reg", REQ_OP_WRITE, 2, 8, M_LIST, false },
	{ "write_4k_8reg", REQ_OP_WRITE, 8, 8, M_LIST, false },
	{ "write_4k_64reg", REQ_OP_WRITE, 64, 8, M_LIST, false },
	{ "read_1m_pagelist", REQ_OP_READ, 1, 2048, M_LIST, false },
	{ "read_1m_bio", REQ_OP_READ, 1, 2048, M_BIO, false },
	{ "read_1m_vmalloc", REQ_OP_READ, 1, 2048, M_VMA, false },
	{ "read_1m_kmalloc", REQ_OP_READ, 1, 2048, M_KMEM, false },
	{ "discard_64m", REQ_OP_DISCARD, 1, SZ_64M >> SECTOR_SHIFT, M_NONE, false },
	{ "flush_8reg", REQ_OP_WRITE | REQ_PREFLUSH, 8, 0, M_NONE, false },
};

struct bench_dev {
	char name[16];
	struct file *file;
	struct block_device *bdev;
};

struct bench {
	struct bench_dev dev[MAX_DEVS];
	int nr_devs;
	struct dm_io_client *client[2]; /* I_C, I_RUST */
	struct bio_set bs;		/* the floor's bios */
	struct page *pages[PAGES_1M];
	struct page_list pl[PAGES_1M];
	struct bio *src_bio;		/* DM_IO_BIO source */
	void *vbuf;			/* vmalloc, 1 MiB */
	void *kbuf;			/* kmalloc, 1 MiB */
	struct dm_io_region where[MAX_REGIONS];
	atomic_t inflight;
	atomic_t errors;
	wait_queue_head_t wq;
};

/* Completion of one asynchronous request, whoever ran it. */
static void bench_async_done(struct bench *b, bool failed)
{
	if (failed)
		atomic_inc(&b->errors);
	if (atomic_dec_and_test(&b->inflight))
		wake_up(&b->wq);
}

static void bench_notify(unsigned long error, unsigned long unsup, void *context)
{
	bench_async_done(context, error || unsup);
}

/* ---- through dm-io (C or Rust) ---------------------------------------- */

static void set_mem(struct bench *b, const struct workload *w,
		    struct dm_io_memory *mem)
{
	mem->offset = 0;
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
		mem->ptr.vma = b->vbuf;
		break;
	case M_KMEM:
	case M_NONE:
		mem->type = DM_IO_KMEM;
		mem->ptr.addr = b->kbuf;
		break;
	}
}

static int dmio_op(struct bench *b, enum bench_impl impl, const struct workload *w,
		   unsigned int nr_regions, bool async)
{
	struct dm_io_request req = {
		.bi_opf = w->opf,
		.client = b->client[impl],
		.notify.fn = async ? bench_notify : NULL,
		.notify.context = b,
	};
	unsigned long error_bits = 0;

	set_mem(b, w, &req.mem);
	if (impl == I_C || control)
		return dm_io(&req, nr_regions, b->where, &error_bits, NULL,
			     IOPRIO_DEFAULT);
	return rdm_io(&req, nr_regions, b->where, &error_bits, NULL,
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
	struct bench *b = bio->bi_private;
	bool failed = bio->bi_status;

	bio_put(bio);
	bench_async_done(b, failed);
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
static void floor_region(struct bench *b, const struct workload *w,
			 blk_opf_t opf, struct dm_io_region *r,
			 bio_end_io_t *end_io, void *private, atomic_t *count)
{
	unsigned int bytes = r->count << SECTOR_SHIFT;
	unsigned int i, n = DIV_ROUND_UP(bytes, PAGE_SIZE);
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
		for (i = 0; i < n; i++)
			__bio_add_page(bio, b->pages[i], PAGE_SIZE, 0);
		break;
	case M_VMA:
		flush_kernel_vmap_range(b->vbuf, bytes);
		for (i = 0; i < n; i++)
			__bio_add_page(bio,
				       vmalloc_to_page(b->vbuf + i * PAGE_SIZE),
				       PAGE_SIZE, 0);
		break;
	default:
		bio_add_virt_nofail(bio, b->kbuf, bytes);
		break;
	}
	floor_submit(bio, end_io, private, count);
}

static int floor_op(struct bench *b, const struct workload *w,
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
			b->where[0].count > queue_max_sectors(bdev_get_queue(b->where[0].bdev)));

	if (async) {
		floor_region(b, w, w->opf, &b->where[0], floor_async_endio, b,
			     NULL);
		return 0;
	}
	atomic_set(&f.count, 1);
	atomic_set(&f.errors, 0);
	init_completion(&f.done);
	if (plugged)
		blk_start_plug(&plug);
	for (i = 0; i < nr_regions; i++)
		if (b->where[i].count || (w->opf & REQ_PREFLUSH))
			floor_region(b, w, w->opf | REQ_SYNC, &b->where[i],
				     floor_sync_endio, &f, &f.count);
	if (plugged)
		blk_finish_plug(&plug);
	if (!atomic_dec_and_test(&f.count))
		wait_for_completion_io(&f.done);
	if (w->mem == M_VMA && !op_is_write(w->opf))
		invalidate_kernel_vmap_range(b->vbuf, SZ_1M);
	return atomic_read(&f.errors) ? -EIO : 0;
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

static int one_op(struct bench *b, enum bench_impl impl, const struct workload *w,
		  bool async)
{
	if (impl == I_FLOOR)
		return floor_op(b, w, async ? 1 : w->regions, async);
	return dmio_op(b, impl, w, async ? 1 : w->regions, async);
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

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Runs one implementation for at least @cycles (0: one operation or batch). */
static void run_slice(struct bench *b, struct bench_dev *d,
		      const struct workload *w, enum bench_impl impl, u64 cycles,
		      struct tally *t)
{
	unsigned long bios = dev_bios(d->bdev);
	u64 start, now, ops0 = t->ops;
	unsigned int i;

	for (i = 0; i < w->regions; i++) {
		b->where[i].bdev = d->bdev;
		b->where[i].sector = i * STRIDE;
		b->where[i].count = w->sectors;
	}
	atomic_set(&b->errors, 0);
	start = get_cycles();
	do {
		if (w->async) {
			struct blk_plug plug;

			/* The batch holds one reference until all are out. */
			cycles_t c0, c1;

			atomic_set(&b->inflight, 1);
			blk_start_plug(&plug);
			c0 = get_cycles();
			for (i = 0; i < QD; i++) {
				b->where[0].sector = i * STRIDE;
				atomic_inc(&b->inflight);
				if (one_op(b, impl, w, true)) {
					atomic_dec(&b->inflight);
					t->errs++;
				}
			}
			/*
			 * Phases: building and queueing the requests, then
			 * the unplug, in which the driver runs them and every
			 * completion (endio, io free, callback) happens.
			 */
			c1 = get_cycles();
			blk_finish_plug(&plug);
			t->submit += c1 - c0;
			t->complete += get_cycles() - c1;
			if (!atomic_dec_and_test(&b->inflight))
				wait_event(b->wq, !atomic_read(&b->inflight));
			t->ops += QD;
		} else {
			if (one_op(b, impl, w, false))
				t->errs++;
			t->ops++;
		}
		now = get_cycles();
	} while (now - start < cycles);
	t->cycles += now - start;
	if (t->nr_slices < MAX_SAMPLES)
		t->slice_ps[t->nr_slices++] =
			div64_u64(cycles_to_ns(now - start) * 1000, t->ops - ops0);
	t->bios += dev_bios(d->bdev) - bios;
	t->errs += atomic_read(&b->errors);
	cond_resched();
}

/*
 * One cell: the three implementations take turns operation by operation
 * (or batch by batch), in an order that rotates, until each has had @ms
 * or MAX_SAMPLES operations; a round's figure is then each one's median
 * operation. Pairing single operations makes every change in the host's
 * load hit all three alike, and the median ignores the operations that a
 * host hiccup hit.
 */
static void run_cell(struct bench *b, int round, struct bench_dev *d,
		     const struct workload *w)
{
	static struct tally t[NR_IMPL];
	u64 budget = (u64)ms * cycles_per_ms * NR_IMPL;
	cycles_t start;
	int s, k;

	/* Warm-up: one of each, not counted. */
	memset(t, 0, sizeof(t));
	for (k = 0; k < NR_IMPL; k++)
		run_slice(b, d, w, k, 0, &t[k]);
	memset(t, 0, sizeof(t));
	start = get_cycles();
	for (s = 0; s < MAX_SAMPLES && get_cycles() - start < budget; s++)
		for (k = 0; k < NR_IMPL; k++)
			run_slice(b, d, w, (round + s + k) % NR_IMPL, 0,
				  &t[(round + s + k) % NR_IMPL]);
	for (k = 0; k < NR_IMPL; k++)
		sort(t[k].slice_ps, t[k].nr_slices, sizeof(u64), cmp_u64, NULL);
	for (k = 0; k < NR_IMPL; k++)
		pr_info("dm-io-bench: cell round=%d dev=%s wl=%s impl=%s regions=%u sectors=%u mem=%s async=%d ops=%llu ns=%llu bytes=%llu bios=%lu err=%d submit_ns=%llu complete_ns=%llu slice_ps=%llu\n",
			round, d->name, w->name, impl_name[k], w->regions,
			w->sectors, mem_name[w->mem], w->async, t[k].ops,
			cycles_to_ns(t[k].cycles),
			(u64)w->regions * w->sectors << SECTOR_SHIFT, t[k].bios,
			t[k].errs, cycles_to_ns(t[k].submit),
			cycles_to_ns(t[k].complete),
			t[k].slice_ps[t[k].nr_slices / 2]);
}

static bool wanted(const struct workload *w, struct bench_dev *d)
{
	if (*only && !strstr(w->name, only))
		return false;
	/* null_blk discards only with memory backing. */
	if ((w->opf & REQ_OP_MASK) == REQ_OP_DISCARD &&
	    !bdev_max_discard_sectors(d->bdev))
		return false;
	return true;
}

/* ---- setup ------------------------------------------------------------- */

static void bench_free(struct bench *b)
{
	int i;

	for (i = 0; i < b->nr_devs; i++)
		fput(b->dev[i].file);
	if (b->src_bio)
		bio_put(b->src_bio);
	bioset_exit(&b->bs);
	if (!IS_ERR_OR_NULL(b->client[I_C]))
		dm_io_client_destroy(b->client[I_C]);
	if (!IS_ERR_OR_NULL(b->client[I_RUST]) && control)
		dm_io_client_destroy(b->client[I_RUST]);
	else if (!IS_ERR_OR_NULL(b->client[I_RUST]))
		rdm_io_client_destroy(b->client[I_RUST]);
	for (i = 0; i < PAGES_1M; i++)
		if (b->pages[i])
			__free_page(b->pages[i]);
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

static int bench_alloc(struct bench *b)
{
	int i, r;

	init_waitqueue_head(&b->wq);
	r = bioset_init(&b->bs, 16, 0, BIOSET_NEED_BVECS);
	if (r)
		return r;
	b->client[I_C] = dm_io_client_create();
	if (IS_ERR(b->client[I_C]))
		return PTR_ERR(b->client[I_C]);
	/* The control run measures C against C: the bench's own noise. */
	b->client[I_RUST] = control ? dm_io_client_create() : rdm_io_client_create();
	if (IS_ERR(b->client[I_RUST]))
		return PTR_ERR(b->client[I_RUST]);
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
	return open_devs(b);
}

static int __init dm_io_bench_init(void)
{
	struct bench *b = kzalloc(sizeof(*b), GFP_KERNEL);
	/* Writes first, so that memory-backed reads copy real data. */
	static const struct workload prefill = {
		"prefill", REQ_OP_WRITE, 1, SZ_1M >> SECTOR_SHIFT, M_LIST, false
	};
	int r, round, i;
	size_t wl;
	u64 t0 = ktime_get_ns();

	if (!b)
		return -ENOMEM;
	r = bench_alloc(b);
	if (!r)
		r = calibrate_tsc();
	if (r)
		goto out;
	pr_info("dm-io-bench: start control=%d rounds=%d ms=%d devs=%d bio_slab=%u inline_vecs=4 page_size=%lu tsc_khz=%llu\n",
		control, rounds, ms, b->nr_devs, kmem_cache_size(b->bs.bio_slab),
		PAGE_SIZE, cycles_per_ms);
	for (i = 0; i < b->nr_devs; i++) {
		b->where[0] = (struct dm_io_region){ b->dev[i].bdev, 0, SZ_1M >> SECTOR_SHIFT };
		r = floor_op(b, &prefill, 1, false);
		if (r) {
			pr_err("dm-io-bench: prefill of %s failed: %d\n", b->dev[i].name, r);
			goto out;
		}
	}
	for (round = 0; round < rounds; round++) {
		for (i = 0; i < b->nr_devs; i++) {
			for (wl = 0; wl < ARRAY_SIZE(workloads); wl++) {
				const struct workload *w = &workloads[wl];

				if (!wanted(w, &b->dev[i]))
					continue;
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
