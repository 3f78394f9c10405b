// SPDX-License-Identifier: GPL-2.0
/*
 * dm_io_rust_failnth: every allocation of an operation fails, one at a time.
 *
 * Each operation (a request shape, or client create, resize or destroy)
 * runs with current->fail_nth = 1, 2, ...: with FAULT_INJECTION, FAILSLAB
 * and FAIL_PAGE_ALLOC, exactly the n-th allocation this task makes fails
 * (should_fail_ex() in lib/fault-inject.c counts fail_nth down before any
 * other filter, and fails the allocation that brings it to zero; 7.3's
 * mempool_alloc() asks it too, before its own allocation). The loop ends
 * with the first run that leaves fail_nth above zero: that run made fewer
 * than n allocations, so nothing was injected. After every run:
 *
 *  - an I/O is never refused for want of memory (dm-io.c's pools wait,
 *    and dm-raid1 BUG_ON()s dm_io()'s error): it calls back exactly once
 *    (async) or returns what its bits say (sync), and its bits name only
 *    its own regions; a region fails only where an allocation below dm-io
 *    failed (the memory-backed null_blk's pages), and the run with nothing
 *    injected sets no bit at all;
 *  - every region without its bit holds the data, read back through the
 *    kernel's own dm_io(); a failed region holds the old or the new data;
 *    the sectors around the regions and the memory after the request's
 *    bytes are untouched;
 *  - a client that could not be created or resized says -ENOMEM, and one
 *    that could still does I/O.
 *
 * Leaks show in the kmemleak scan after rmmod (tests/guest/lib.sh). Each
 * operation prints how many allocation points it reached, so a change that
 * adds an allocation shows in the log; a request shape runs twice, and
 * must reach at least one, and the same number both times (except
 * 64-region shapes, and on a kernel with kmemleak or KASAN, whose own
 * allocations shift it). Most injected failures are absorbed:
 * a GFP_NOIO mempool_alloc() falls back to the pool's reserve.
 *
 * forward_progress_*: with the client's reserve in use and every further
 * allocation of the submitting task failing (make_it_fail), requests
 * still complete, from the reserve alone.
 *
 * The requests go through a table of callers (struct fnth_api): the C ABI
 * here; a Rust-API caller plugs in with the same four functions.
 *
 * The fault attributes must count sleeping allocations and single pages
 * and fail every allocation of a task that sets make_it_fail: see
 * setup_failnth_faults in tests/guest/lib.sh. suite_init checks that.
 */

#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dm-io.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/ioprio.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <dm-io-rs.h>
#include "test_dev.h"
#include "test_mem.h"

#ifdef CONFIG_FAULT_INJECTION

/* ---- the callers: one row per API that drives dm-io-rs ---- */

/*
 * One way to call dm-io-rs, with the C types. Each function performs one
 * operation and reports its outcome as the C ABI does: create returns a
 * client or an ERR_PTR(), io returns 0 or an errno and, when the request
 * has no notify function, the bits.
 */
struct fnth_api {
	const char *name;	/* "" for the C ABI, else shown in the report */
	struct dm_io_client *(*create)(void);
	void (*destroy)(struct dm_io_client *client);
	/* NULL where the API has none: no resize, no forward-progress cases. */
	int (*resize)(unsigned int num_pages, struct dm_io_client *client);
	/* The memory kinds it takes (bits of enum dm_io_mem_type). */
	unsigned int kinds;
	/* Only its asynchronous requests differ from the row before. */
	bool async_only;
	int (*io)(struct dm_io_request *req, unsigned int num_regions,
		  struct dm_io_region *where, unsigned long *error_bits,
		  unsigned long *unsup_bits);
};

static int c_abi_io(struct dm_io_request *req, unsigned int num_regions,
		    struct dm_io_region *where, unsigned long *error_bits,
		    unsigned long *unsup_bits)
{
	return rdm_io(req, num_regions, where, error_bits, unsup_bits,
		      IOPRIO_DEFAULT);
}

/*
 * The Rust API (tests/dm_io_rust_test/failnth_api.rs): DmIoClient::new()
 * and drop, and an io that turns the request into the API's types and
 * calls sync_io(), or for a notify function submits it in a scope, which
 * returns once it completed; and async_io() of an owned request, which
 * returns at once. Their lines are tagged "rust api" and "rust owned".
 */
struct dm_io_client *rdm_test_rust_client_create(void);
void rdm_test_rust_client_destroy(struct dm_io_client *client);
int rdm_test_rust_io(struct dm_io_request *req, unsigned int num_regions,
		     struct dm_io_region *where, unsigned long *error_bits,
		     unsigned long *unsup_bits);
int rdm_test_rust_owned_io(struct dm_io_request *req, unsigned int num_regions,
			   struct dm_io_region *where, unsigned long *error_bits,
			   unsigned long *unsup_bits);

static const struct fnth_api fnth_apis[] = {
	{
		.name = "",
		.create = rdm_io_client_create,
		.destroy = rdm_io_client_destroy,
		.resize = rdm_io_client_resize,
		.kinds = BIT(DM_IO_PAGE_LIST) | BIT(DM_IO_BIO) | BIT(DM_IO_VMA) |
			 BIT(DM_IO_KMEM) | BIT(RDM_IO_BVEC),
		.io = c_abi_io,
	},
	{
		/* Page lists are the API's own (PageList), not C chains. */
		.name = "rust api",
		.create = rdm_test_rust_client_create,
		.destroy = rdm_test_rust_client_destroy,
		.kinds = BIT(DM_IO_BIO) | BIT(DM_IO_VMA) | BIT(DM_IO_KMEM) | BIT(RDM_IO_BVEC),
		.io = rdm_test_rust_io,
	},
	{
		.name = "rust owned",
		.create = rdm_test_rust_client_create,
		.destroy = rdm_test_rust_client_destroy,
		.kinds = BIT(DM_IO_BIO) | BIT(DM_IO_VMA) | BIT(DM_IO_KMEM) | BIT(RDM_IO_BVEC),
		.async_only = true,
		.io = rdm_test_rust_owned_io,
	},
};

/* ---- devices, geometry, patterns ---- */

enum fnth_dev {
	FNTH_PLAIN0, FNTH_PLAIN1, FNTH_DISCARD, FNTH_VIRTIO, FNTH_TIMER0,
	FNTH_TIMER1, FNTH_NR_DEVS
};

/* Indices of rdm_test_devt(): nullb0, nullb1, nullb2, vda, nullb5, nullb6. */
static const unsigned int fnth_devt_index[FNTH_NR_DEVS] = { 0, 1, 2, 5, 6, 7 };

/* Where this suite works on each device, clear of the other suites. */
static const sector_t fnth_dev_base[FNTH_NR_DEVS] = {
	768 << 11, 768 << 11, 128 << 11, 32 << 11, 768 << 11, 768 << 11,
};

enum fnth_opcode { FNTH_READ, FNTH_WRITE, FNTH_DISCARD_OP, FNTH_WRITE_ZEROES,
		   FNTH_FLUSH, FNTH_NR_OPS };

static const char *const fnth_op_names[FNTH_NR_OPS] = {
	"read", "write", "discard", "write-zeroes", "empty flush",
};

/* The memory kinds; FNTH_NO_MEM is a NULL pointer, as dm-raid1 passes. */
#define FNTH_NO_MEM	99U

static const char *kind_name(unsigned int kind)
{
	switch (kind) {
	case DM_IO_PAGE_LIST:
		return "page list";
	case DM_IO_BIO:
		return "bio";
	case DM_IO_VMA:
		return "vmalloc";
	case DM_IO_KMEM:
		return "kmalloc";
	case RDM_IO_BVEC:
		return "bvec";
	default:
		return "no memory";
	}
}

/* Regions are apart by GUARD sectors, which must stay untouched. */
#define GUARD		8
#define MEM_OFFSET	512
#define MEM_BYTES	(8 * PAGE_SIZE)
/* Bytes of memory checked after a run: the request's and the guard. */
#define MEM_CHECK	(MEM_BYTES - MEM_OFFSET)
#define POISON		0x6b
/* Far more than any operation here reaches; a loop is a bug. */
#define MAX_STEPS	4000
/* How long a sent request may take to call back. */
#define CALLBACK_WAIT	(60 * HZ)

struct fnth_param {
	const struct fnth_api *api;
	enum fnth_opcode op;
	unsigned int kind;
	unsigned int nr;
	bool async;
};

/* Sectors per region: more regions, smaller ones. */
static unsigned int region_count(const struct fnth_param *p)
{
	if (p->op == FNTH_FLUSH)
		return 0;
	/* 40 sectors at offset 512 span 6 pages: past a bio's inline bvecs. */
	return p->nr == 1 ? 40 : p->nr == 2 ? 16 : 8;
}

static unsigned int slot_sectors(const struct fnth_param *p)
{
	return region_count(p) + GUARD;
}

/* The devices an op's regions go to, region i to devs[i % n]. */
static unsigned int op_devs(enum fnth_opcode op, const enum fnth_dev **devs)
{
	static const enum fnth_dev data[] = { FNTH_PLAIN0, FNTH_PLAIN1 };
	static const enum fnth_dev discard[] = { FNTH_DISCARD };
	static const enum fnth_dev zeroes[] = { FNTH_VIRTIO };

	switch (op) {
	case FNTH_DISCARD_OP:
		*devs = discard;
		return ARRAY_SIZE(discard);
	case FNTH_WRITE_ZEROES:
		*devs = zeroes;
		return ARRAY_SIZE(zeroes);
	default:
		*devs = data;
		return ARRAY_SIZE(data);
	}
}

/*
 * Sector s of pattern seed: a word naming both, then a byte of both; cheap
 * to write and check, and a sector in the wrong place or from the wrong
 * run does not match. Never all zeroes.
 */
static u64 sector_id(u32 seed, u32 s)
{
	return ((u64)seed << 32 | s) * 0x9e3779b97f4a7c15ULL | 1;
}

static u8 sector_byte(u32 seed, u32 s)
{
	return (seed * 31 + s) | 0x80;
}

static void fill_sectors(u8 *buf, u32 seed, u32 first, u32 n)
{
	u32 s;

	for (s = first; s < first + n; s++, buf += SECTOR_SIZE) {
		memset(buf, sector_byte(seed, s), SECTOR_SIZE);
		put_unaligned(sector_id(seed, s), (u64 *)buf);
	}
}

static bool sector_is(const u8 *buf, u32 seed, u32 s)
{
	return get_unaligned((const u64 *)buf) == sector_id(seed, s) &&
	       !memchr_inv(buf + 8, sector_byte(seed, s), SECTOR_SIZE - 8);
}

/* ---- the context of one operation's loop ---- */

struct fnth_outcome {
	int ret;
	unsigned long error_bits;
	unsigned long unsup_bits;
	atomic_t calls;
	struct completion done;
};

struct fnth_ctx {
	struct kunit *test;
	struct file *files[FNTH_NR_DEVS];
	struct block_device *bdevs[FNTH_NR_DEVS];
	struct dm_io_client *oracle;	/* the kernel's dm-io */
	struct rdm_test_mem mem;	/* request memory, every kind */
	u8 *lin;			/* MEM_BYTES of staging */
	u8 *span;			/* a device span, for the oracle */
	const struct fnth_api *api;
	const struct fnth_param *param;	/* NULL for the client operations */
	struct dm_io_client *client;	/* the client under test */
	struct dm_io_request req;
	struct dm_io_region where[BITS_PER_LONG];
	struct fnth_outcome out;
	unsigned int step;
	/* Per operation: runs that failed cleanly; async callbacks. */
	unsigned int failures;
	atomic_t callbacks;
	unsigned int expected_callbacks;
	/* A request never called back: its memory must not be freed. */
	bool stuck;
};

#define SPAN_BYTES	((GUARD + BITS_PER_LONG * (40 + GUARD)) << SECTOR_SHIFT)

/* One synchronous request of the kernel's dm_io() over vmalloc memory. */
static int oracle_rw(struct fnth_ctx *c, enum fnth_dev d, blk_opf_t opf,
		     sector_t sector, unsigned int count, void *buf)
{
	struct dm_io_region where = { c->bdevs[d], sector, count };
	struct dm_io_request req = {
		.bi_opf = opf,
		.mem.type = DM_IO_VMA,
		.mem.ptr.vma = buf,
		.client = c->oracle,
	};
	unsigned long bits = 0;

	return dm_io(&req, 1, &where, &bits, NULL, IOPRIO_DEFAULT);
}

/* ---- one step: prepare, run with the n-th allocation failing, check ---- */

/*
 * An operation: prepare and check run with no fault armed; run performs
 * the operation itself (through c->api) and leaves its outcome in c->out
 * or c->client; check returns false if it neither failed cleanly nor
 * succeeded.
 */
struct fnth_op {
	int (*prepare)(struct fnth_ctx *c);
	void (*run)(struct fnth_ctx *c);
	bool (*check)(struct fnth_ctx *c, bool injected);
};

static void fnth_arm(unsigned int n)
{
	WRITE_ONCE(current->fail_nth, n);
}

/* Disarms; returns what is left: 0 if the n-th allocation failed. */
static unsigned int fnth_disarm(void)
{
	unsigned int left = READ_ONCE(current->fail_nth);

	WRITE_ONCE(current->fail_nth, 0);
	return left;
}

/*
 * Runs op with the 1st, 2nd, ... allocation failing until a run reaches
 * no injection; returns the number of allocation points reached, or -1.
 */
static int fnth_loop(struct fnth_ctx *c, const struct fnth_op *op,
		     const char *name)
{
	struct kunit *test = c->test;
	unsigned long start = jiffies;
	unsigned int n, points = 0, ms;

	c->failures = 0;
	c->expected_callbacks = 0;
	atomic_set(&c->callbacks, 0);
	for (n = 1; n <= MAX_STEPS; n++) {
		bool injected;
		int r;

		c->step = n;
		r = op->prepare(c);
		if (r) {
			KUNIT_FAIL(test, "%s: setting up run %u failed: %d", name, n, r);
			return -1;
		}
		fnth_arm(n);
		op->run(c);
		injected = fnth_disarm() == 0;
		if (!op->check(c, injected)) {
			KUNIT_FAIL(test, "%s: the run with allocation %u failing went wrong%s",
				   name, n, injected ? "" : " (none injected)");
			return -1;
		}
		if (!injected)
			break;
		points++;
	}
	if (n > MAX_STEPS) {
		KUNIT_FAIL(test, "%s: still allocating after %u runs", name, MAX_STEPS);
		return -1;
	}
	/* A late second callback lands here. */
	if (c->expected_callbacks) {
		msleep(20);
		if (atomic_read(&c->callbacks) != c->expected_callbacks) {
			KUNIT_FAIL(test, "%s: %d callbacks for %u sent requests", name,
				   atomic_read(&c->callbacks), c->expected_callbacks);
			return -1;
		}
	}
	ms = jiffies_to_msecs(jiffies - start);
	kunit_info(test, "dm-io-rs failnth: %s: %u allocation points (%u failed cleanly, %u.%u s)",
		   name, points, c->failures, ms / 1000, ms % 1000 / 100);
	return points;
}

/* ---- request shapes ---- */

static void fnth_notify(unsigned long error, unsigned long unsup, void *context)
{
	struct fnth_ctx *c = context;

	c->out.error_bits = error;
	c->out.unsup_bits = unsup;
	atomic_inc(&c->callbacks);
	/* A second call is counted above; the waiter needs only the first. */
	if (atomic_inc_return(&c->out.calls) == 1)
		complete(&c->out.done);
}

/* Only writes may have several regions: refused before any I/O. */
static bool refused_shape_of(enum fnth_opcode op, unsigned int nr)
{
	return op == FNTH_READ && nr > 1;
}

static bool refused_shape(const struct fnth_param *p)
{
	return refused_shape_of(p->op, p->nr);
}

static blk_opf_t op_opf(enum fnth_opcode op)
{
	switch (op) {
	case FNTH_READ:
		return REQ_OP_READ;
	case FNTH_DISCARD_OP:
		return REQ_OP_DISCARD;
	case FNTH_WRITE_ZEROES:
		return REQ_OP_WRITE_ZEROES;
	case FNTH_FLUSH:
		return REQ_OP_WRITE | REQ_PREFLUSH;
	default:
		return REQ_OP_WRITE;
	}
}

/* The old data of the span on device slot di differs per step and device. */
static u32 old_seed(struct fnth_ctx *c, unsigned int di)
{
	return c->step << 4 | di;
}

static u32 new_seed(struct fnth_ctx *c)
{
	return c->step << 4 | 0xf;
}

static unsigned int regions_on(const struct fnth_param *p, unsigned int di,
			       unsigned int ndevs)
{
	return (p->nr + ndevs - 1 - di) / ndevs;
}

static unsigned int span_sectors(const struct fnth_param *p, unsigned int di,
				 unsigned int ndevs)
{
	return GUARD + regions_on(p, di, ndevs) * slot_sectors(p);
}

static int io_prepare(struct fnth_ctx *c)
{
	const struct fnth_param *p = c->param;
	unsigned int count = region_count(p), di, i, ndevs;
	size_t len = (size_t)count << SECTOR_SHIFT;
	const enum fnth_dev *devs;
	int r;

	ndevs = op_devs(p->op, &devs);
	/* Old data on every span, regions and guards. */
	for (di = 0; di < ndevs; di++) {
		unsigned int n = span_sectors(p, di, ndevs);

		fill_sectors(c->span, old_seed(c, di), 0, n);
		r = oracle_rw(c, devs[di], REQ_OP_WRITE, fnth_dev_base[devs[di]], n,
			      c->span);
		if (r)
			return r;
	}
	for (i = 0; i < p->nr; i++) {
		di = i % ndevs;
		c->where[i].bdev = c->bdevs[devs[di]];
		c->where[i].sector = fnth_dev_base[devs[di]] + GUARD +
				     (i / ndevs) * slot_sectors(p);
		c->where[i].count = count;
	}
	/* The memory: the new data for a write, poison after it. */
	memset(c->lin, POISON, MEM_CHECK);
	if (p->op == FNTH_WRITE)
		fill_sectors(c->lin, new_seed(c), 0, count);
	if (p->kind != FNTH_NO_MEM)
		rdm_test_mem_copy(&c->mem, p->kind, MEM_OFFSET, c->lin, MEM_CHECK, true);

	memset(&c->req, 0, sizeof(c->req));
	c->req.bi_opf = op_opf(p->op);
	c->req.client = c->client;
	if (p->kind == FNTH_NO_MEM) {
		c->req.mem.type = DM_IO_KMEM;
		c->req.mem.ptr.addr = NULL;
	} else {
		rdm_test_mem_describe(&c->mem, p->kind, MEM_OFFSET, len, &c->req.mem);
	}
	if (p->async) {
		c->req.notify.fn = fnth_notify;
		c->req.notify.context = c;
	}
	c->out.ret = 0;
	c->out.error_bits = ~0UL;
	c->out.unsup_bits = ~0UL;
	atomic_set(&c->out.calls, 0);
	reinit_completion(&c->out.done);
	return 0;
}

static void io_run(struct fnth_ctx *c)
{
	c->out.ret = c->api->io(&c->req, c->param->nr, c->where,
				&c->out.error_bits, &c->out.unsup_bits);
}

/* What a sector of a region must hold after the run. */
enum fnth_want { WANT_OLD, WANT_NEW, WANT_ZERO, WANT_OLD_OR_NEW, WANT_OLD_OR_ZERO };

static enum fnth_want region_want(const struct fnth_param *p, bool sent, bool failed)
{
	if (!sent)
		return WANT_OLD;
	switch (p->op) {
	case FNTH_WRITE:
		return failed ? WANT_OLD_OR_NEW : WANT_NEW;
	case FNTH_DISCARD_OP:
	case FNTH_WRITE_ZEROES:
		return failed ? WANT_OLD_OR_ZERO : WANT_ZERO;
	default:
		return WANT_OLD;
	}
}

static bool check_disk(struct fnth_ctx *c, bool sent, unsigned long failed)
{
	const struct fnth_param *p = c->param;
	unsigned int count = region_count(p), slot = slot_sectors(p), di, ndevs;
	const enum fnth_dev *devs;

	ndevs = op_devs(p->op, &devs);
	for (di = 0; di < ndevs; di++) {
		unsigned int n = span_sectors(p, di, ndevs), s;
		u32 old = old_seed(c, di);

		if (oracle_rw(c, devs[di], REQ_OP_READ, fnth_dev_base[devs[di]], n,
			      c->span)) {
			kunit_err(c->test, "reading back %s failed",
				  c->bdevs[devs[di]]->bd_disk->disk_name);
			return false;
		}
		for (s = 0; s < n; s++) {
			const u8 *got = c->span + ((size_t)s << SECTOR_SHIFT);
			unsigned int off = s < GUARD ? slot : (s - GUARD) % slot;
			unsigned int i = s < GUARD ? 0 : (s - GUARD) / slot * ndevs + di;
			bool in_region = off < count;
			enum fnth_want want = WANT_OLD;
			bool ok;

			if (in_region)
				want = region_want(p, sent, failed & BIT(i));
			switch (want) {
			case WANT_OLD:
				ok = sector_is(got, old, s);
				break;
			case WANT_NEW:
				ok = sector_is(got, new_seed(c), off);
				break;
			case WANT_ZERO:
				ok = !memchr_inv(got, 0, SECTOR_SIZE);
				break;
			case WANT_OLD_OR_NEW:
				ok = sector_is(got, old, s) || sector_is(got, new_seed(c), off);
				break;
			default:
				ok = sector_is(got, old, s) || !memchr_inv(got, 0, SECTOR_SIZE);
				break;
			}
			if (!ok) {
				kunit_err(c->test, "%s sector %llu (%s %u, +%u) holds the wrong data",
					  c->bdevs[devs[di]]->bd_disk->disk_name,
					  (unsigned long long)fnth_dev_base[devs[di]] + s,
					  in_region ? "region" : "guard before region",
					  i, off);
				return false;
			}
		}
	}
	return true;
}

/* The request's memory: read data, or unchanged; poison after it. */
static bool check_memory(struct fnth_ctx *c, bool sent, unsigned long failed)
{
	const struct fnth_param *p = c->param;
	unsigned int count = region_count(p), s;
	size_t len = (size_t)count << SECTOR_SHIFT;
	const u8 *bad;

	if (p->kind == FNTH_NO_MEM)
		return true;
	rdm_test_mem_copy(&c->mem, p->kind, MEM_OFFSET, c->lin, MEM_CHECK, false);
	for (s = 0; s < count; s++) {
		const u8 *got = c->lin + ((size_t)s << SECTOR_SHIFT);
		bool ok;

		if (p->op == FNTH_WRITE)
			ok = sector_is(got, new_seed(c), s);
		else if (p->op == FNTH_READ && sent && !failed)
			ok = sector_is(got, old_seed(c, 0), GUARD + s);
		else if (p->op == FNTH_READ && sent)
			ok = true;	/* a failed read leaves no promise */
		else
			ok = !memchr_inv(got, POISON, SECTOR_SIZE);
		if (!ok) {
			kunit_err(c->test, "request memory: sector %u is wrong", s);
			return false;
		}
	}
	bad = memchr_inv(c->lin + len, POISON, MEM_CHECK - len);
	if (bad) {
		kunit_err(c->test, "request memory: byte %zu past the request changed",
			  (size_t)(bad - c->lin));
		return false;
	}
	return true;
}

static bool io_check(struct fnth_ctx *c, bool injected)
{
	const struct fnth_param *p = c->param;
	struct fnth_outcome *o = &c->out;
	unsigned long mask = p->nr == BITS_PER_LONG ? ~0UL : BIT(p->nr) - 1;
	unsigned long failed;
	bool sent;

	if (p->async && !o->ret) {
		c->expected_callbacks++;
		if (!wait_for_completion_timeout(&o->done, CALLBACK_WAIT)) {
			kunit_err(c->test, "no callback after %d s", CALLBACK_WAIT / HZ);
			c->stuck = true;
			return false;
		}
	}
	if (atomic_read(&o->calls) != (p->async && !o->ret)) {
		kunit_err(c->test, "%d callbacks for a request that returned %d",
			  atomic_read(&o->calls), o->ret);
		return false;
	}
	if (refused_shape(p)) {
		if (o->ret != -EIO) {
			kunit_err(c->test, "a multi-region read returned %d, not -EIO", o->ret);
			return false;
		}
		return check_disk(c, false, 0) && check_memory(c, false, 0);
	}
	/*
	 * Sent, its bits tell the rest. Never refused for want of memory:
	 * dm-io.c's pools wait instead, and dm-raid1 BUG_ON()s an error from
	 * dm_io().
	 */
	sent = !o->ret || (!p->async && (o->ret == -EIO || o->ret == -EOPNOTSUPP));
	if (!sent) {
		kunit_err(c->test, "returned %d%s", o->ret,
			  o->ret == -ENOMEM ? ": an I/O never fails for want of memory" : "");
		return false;
	}
	failed = o->error_bits | o->unsup_bits;
	if (failed & ~mask) {
		kunit_err(c->test, "bits %#lx/%#lx name regions beyond %u",
			  o->error_bits, o->unsup_bits, p->nr);
		return false;
	}
	if (!p->async &&
	    o->ret != (o->error_bits ? -EIO : o->unsup_bits ? -EOPNOTSUPP : 0)) {
		kunit_err(c->test, "returned %d with bits %#lx/%#lx", o->ret,
			  o->error_bits, o->unsup_bits);
		return false;
	}
	if (failed && !injected) {
		kunit_err(c->test, "regions %#lx/%#lx failed with no fault injected",
			  o->error_bits, o->unsup_bits);
		return false;
	}
	if (failed)
		c->failures++;
	return check_disk(c, true, failed) && check_memory(c, true, failed);
}

static const struct fnth_op fnth_io_op = {
	.prepare = io_prepare,
	.run = io_run,
	.check = io_check,
};

/* ---- the client operations ---- */

/* A client that works: a write through it, read back through the oracle. */
static bool client_works(struct fnth_ctx *c, struct dm_io_client *client)
{
	struct dm_io_region where = { c->bdevs[FNTH_PLAIN0], fnth_dev_base[FNTH_PLAIN0], 8 };
	struct dm_io_request req = {
		.bi_opf = REQ_OP_WRITE,
		.mem.type = DM_IO_KMEM,
		.mem.ptr.addr = c->mem.kbuf,
		.client = client,
	};
	unsigned long err = ~0UL, unsup = ~0UL;
	unsigned int s;
	int r;

	fill_sectors(c->mem.kbuf, c->step, 0, 8);
	r = c->api->io(&req, 1, &where, &err, &unsup);
	if (r || err || unsup) {
		kunit_err(c->test, "a write through the client failed: %d, bits %#lx/%#lx",
			  r, err, unsup);
		return false;
	}
	if (oracle_rw(c, FNTH_PLAIN0, REQ_OP_READ, where.sector, 8, c->span))
		return false;
	for (s = 0; s < 8; s++) {
		if (!sector_is(c->span + ((size_t)s << SECTOR_SHIFT), c->step, s)) {
			kunit_err(c->test, "the client's write did not land");
			return false;
		}
	}
	return true;
}

static int create_prepare(struct fnth_ctx *c)
{
	c->client = NULL;
	return 0;
}

static void create_run(struct fnth_ctx *c)
{
	c->client = c->api->create();
}

static bool create_check(struct fnth_ctx *c, bool injected)
{
	struct dm_io_client *client = c->client;
	bool ok;

	c->client = NULL;
	if (IS_ERR_OR_NULL(client)) {
		if (PTR_ERR(client) != -ENOMEM || !injected) {
			kunit_err(c->test, "create returned %pe", client);
			return false;
		}
		c->failures++;
		return true;
	}
	ok = client_works(c, client);
	c->api->destroy(client);
	return ok;
}

static const struct fnth_op fnth_create_op = {
	.prepare = create_prepare,
	.run = create_run,
	.check = create_check,
};

/* The client of the resize and destroy operations, made with no fault. */
static int fresh_client(struct fnth_ctx *c)
{
	c->client = c->api->create();
	if (IS_ERR(c->client)) {
		int r = PTR_ERR(c->client);

		c->client = NULL;
		return r;
	}
	return 0;
}

static unsigned int fnth_resize_pages;

static void resize_run(struct fnth_ctx *c)
{
	c->out.ret = c->api->resize(fnth_resize_pages, c->client);
}

static bool resize_check(struct fnth_ctx *c, bool injected)
{
	bool ok = true;

	if (c->out.ret && (c->out.ret != -ENOMEM || !injected)) {
		kunit_err(c->test, "resize returned %d", c->out.ret);
		ok = false;
	}
	if (c->out.ret)
		c->failures++;
	/* Resized or not, the client goes on working. */
	ok = ok && client_works(c, c->client);
	c->api->destroy(c->client);
	c->client = NULL;
	return ok;
}

static const struct fnth_op fnth_resize_op = {
	.prepare = fresh_client,
	.run = resize_run,
	.check = resize_check,
};

static void destroy_run(struct fnth_ctx *c)
{
	c->api->destroy(c->client);
	c->client = NULL;
}

static bool destroy_check(struct fnth_ctx *c, bool injected)
{
	/* Nothing to see but leaks: kmemleak after rmmod. */
	return true;
}

static const struct fnth_op fnth_destroy_op = {
	.prepare = fresh_client,
	.run = destroy_run,
	.check = destroy_check,
};

/* ---- suite plumbing ---- */

static int fnth_init(struct kunit *test)
{
	struct fnth_ctx *c;
	int i;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	test->priv = c;
	c->test = test;
	c->api = &fnth_apis[0];
	init_completion(&c->out.done);
	for (i = 0; i < FNTH_NR_DEVS; i++) {
		struct file *f = rdm_test_open_dev(test, fnth_devt_index[i]);

		if (IS_ERR(f))
			return PTR_ERR(f);
		c->files[i] = f;
		c->bdevs[i] = file_bdev(f);
	}
	c->oracle = dm_io_client_create();
	if (IS_ERR(c->oracle)) {
		int r = PTR_ERR(c->oracle);

		c->oracle = NULL;
		return r;
	}
	if (rdm_test_mem_alloc(&c->mem, MEM_BYTES))
		return -ENOMEM;
	c->lin = vmalloc(MEM_BYTES);
	c->span = vmalloc(SPAN_BYTES);
	if (!c->lin || !c->span)
		return -ENOMEM;
	return 0;
}

static void fnth_exit(struct kunit *test)
{
	struct fnth_ctx *c = test->priv;
	int i;

	if (!c)
		return;
	/* Memory a request may still use is left alone (and reported). */
	if (c->stuck)
		return;
	if (c->client)
		c->api->destroy(c->client);
	vfree(c->span);
	vfree(c->lin);
	rdm_test_mem_free(&c->mem);
	if (c->oracle)
		dm_io_client_destroy(c->oracle);
	for (i = 0; i < FNTH_NR_DEVS; i++)
		if (c->files[i])
			fput(c->files[i]);
}

/* Every shape, for every caller; built once by the generator. */
#define MAX_PARAMS	(ARRAY_SIZE(fnth_apis) * 96)
static struct fnth_param fnth_params[MAX_PARAMS];
static unsigned int fnth_nr_params;

static bool failnth_all;
module_param(failnth_all, bool, 0444);
MODULE_PARM_DESC(failnth_all, "fail-nth suite: 64-region shapes too (slow on a debug kernel)");

/*
 * Without failnth_all, the shapes of one and two regions (and the refused
 * multi-region reads): a 64-region shape reaches some 270 allocation
 * points on the debug kernel, each run sending 64 bios, about a minute per
 * shape there. The stock kernel's run and `make soak` take them all.
 */
static bool shape_wanted(enum fnth_opcode op, unsigned int nr)
{
	return failnth_all || nr < BITS_PER_LONG || refused_shape_of(op, nr);
}

static void add_param(const struct fnth_api *api, enum fnth_opcode op,
		      unsigned int kind, unsigned int nr)
{
	int async;

	if (!shape_wanted(op, nr) || (kind != FNTH_NO_MEM && !(api->kinds & BIT(kind))))
		return;
	for (async = api->async_only; async < 2; async++) {
		if (WARN_ON(fnth_nr_params >= MAX_PARAMS))
			return;
		fnth_params[fnth_nr_params++] = (struct fnth_param){
			.api = api, .op = op, .kind = kind, .nr = nr, .async = async,
		};
	}
}

static void build_params(void)
{
	static const unsigned int data_kinds[] = {
		DM_IO_PAGE_LIST, DM_IO_BIO, DM_IO_VMA, DM_IO_KMEM, RDM_IO_BVEC,
	};
	/* No data: NULL memory as dm-raid1's flushes, its bio as its discards. */
	static const unsigned int nodata_kinds[] = { FNTH_NO_MEM, DM_IO_BIO };
	static const unsigned int nrs[] = { 1, 2, BITS_PER_LONG };
	const struct fnth_api *api;
	unsigned int k, n;

	for (api = fnth_apis; api < fnth_apis + ARRAY_SIZE(fnth_apis); api++) {
		for (k = 0; k < ARRAY_SIZE(data_kinds); k++)
			for (n = 0; n < ARRAY_SIZE(nrs); n++)
				add_param(api, FNTH_WRITE, data_kinds[k], nrs[n]);
		for (k = 0; k < ARRAY_SIZE(data_kinds); k++)
			add_param(api, FNTH_READ, data_kinds[k], 1);
		/*
		 * No multi-region reads: refused before anything is allocated,
		 * with a warning each time (c_abi_bad_input has one).
		 */
		for (k = 0; k < ARRAY_SIZE(nodata_kinds); k++) {
			for (n = 0; n < ARRAY_SIZE(nrs); n++) {
				add_param(api, FNTH_DISCARD_OP, nodata_kinds[k], nrs[n]);
				add_param(api, FNTH_WRITE_ZEROES, nodata_kinds[k], nrs[n]);
			}
		}
		for (n = 0; n < ARRAY_SIZE(nrs); n++)
			add_param(api, FNTH_FLUSH, FNTH_NO_MEM, nrs[n]);
	}
}

static void param_name(const struct fnth_param *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s %u region%s %s%s%s%s", fnth_op_names[p->op],
		 kind_name(p->kind), p->nr, p->nr == 1 ? "" : "s",
		 p->async ? "async" : "sync", *p->api->name ? " (" : "",
		 p->api->name, *p->api->name ? ")" : "");
}

static const void *fnth_gen_params(struct kunit *test, const void *prev, char *desc)
{
	const struct fnth_param *p = prev;

	if (!p) {
		if (!fnth_nr_params)
			build_params();
		p = fnth_params;
	} else {
		p++;
	}
	if (p >= fnth_params + fnth_nr_params)
		return NULL;
	param_name(p, desc, KUNIT_PARAM_DESC_SIZE);
	return p;
}

/* One request shape, every allocation in turn. */
static void failnth_io(struct kunit *test)
{
	const struct fnth_param *p = test->param_value;
	struct fnth_ctx *c = test->priv;
	char name[KUNIT_PARAM_DESC_SIZE];
	int points, again;

	param_name(p, name, sizeof(name));
	c->api = p->api;
	c->param = p;
	c->client = c->api->create();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(c->client));
	points = fnth_loop(c, &fnth_io_op, name);
	if (points < 0)
		return;
	/*
	 * Every request that is sent allocates (its bios at least), and the
	 * same shape reaches the same allocation points every time: an
	 * allocation that comes and goes would be tested only by chance.
	 * Not where kmemleak or KASAN allocate for their own records in the
	 * task now and then (the debug kernel), which shifts the count by one;
	 * nor for the 64-region shapes, the slowest, to keep make check's
	 * time.
	 */
	if (!refused_shape(p))
		KUNIT_EXPECT_GT_MSG(test, points, 0, "%s", name);
	if (IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) || IS_ENABLED(CONFIG_KASAN) ||
	    p->nr == BITS_PER_LONG)
		return;
	again = fnth_loop(c, &fnth_io_op, name);
	KUNIT_EXPECT_EQ_MSG(test, again, points,
			    "%s: allocation points differ from one run to the next", name);
}

static void failnth_client(struct kunit *test)
{
	struct fnth_ctx *c = test->priv;
	const struct fnth_api *api;
	char name[64];

	for (api = fnth_apis; api < fnth_apis + ARRAY_SIZE(fnth_apis); api++) {
		const char *sep = *api->name ? " " : "";
		struct dm_io_client *keeper;
		int r;

		/* The same client functions as the row before. */
		if (api->async_only)
			continue;
		/*
		 * A client made without faults keeps the bio slab of a client's
		 * size alive (bio sets of one size share it): creating a slab
		 * cache is not dm-io's to test, and its failure dumps the stack.
		 */
		keeper = api->create();
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(keeper));
		c->api = api;
		c->param = NULL;
		snprintf(name, sizeof(name), "client create%s%s", sep, api->name);
		r = fnth_loop(c, &fnth_create_op, name);
		api->destroy(keeper);
		if (r < 0)
			return;
		if (!api->resize)
			goto destroy;
		/* 8 pages: 32 io objects in reserve, from the default 16. */
		fnth_resize_pages = 8;
		snprintf(name, sizeof(name), "client resize up%s%s", sep, api->name);
		if (fnth_loop(c, &fnth_resize_op, name) < 0)
			return;
		fnth_resize_pages = 1;
		snprintf(name, sizeof(name), "client resize down%s%s", sep, api->name);
		if (fnth_loop(c, &fnth_resize_op, name) < 0)
			return;
destroy:
		snprintf(name, sizeof(name), "client destroy%s%s", sep, api->name);
		if (fnth_loop(c, &fnth_destroy_op, name) < 0)
			return;
	}
}

/* ---- forward progress from the reserve alone ---- */

#define FP_REQUESTS	64
#define FP_REGIONS	4
#define FP_COUNT	8
#define FP_SLOT		(FP_COUNT + GUARD)

struct fp_req {
	struct fnth_ctx *c;
	atomic_t calls;
	unsigned long bits;
};

static atomic_t fp_done;
static DECLARE_WAIT_QUEUE_HEAD(fp_wait);

static void fp_notify(unsigned long error, unsigned long unsup, void *context)
{
	struct fp_req *r = context;

	r->bits = error | unsup;
	atomic_inc(&r->calls);
	atomic_inc(&fp_done);
	wake_up(&fp_wait);
}

/* Region k of request r: alternate between the two timer devices. */
static void fp_region(struct fnth_ctx *c, unsigned int r, unsigned int k,
		      struct dm_io_region *w, enum fnth_dev *dev)
{
	*dev = k % 2 ? FNTH_TIMER1 : FNTH_TIMER0;
	w->bdev = c->bdevs[*dev];
	w->sector = fnth_dev_base[*dev] + GUARD + (r * (FP_REGIONS / 2) + k / 2) * FP_SLOT;
	w->count = FP_COUNT;
}

/* The area of the two timer devices, old data everywhere. */
#define FP_SPAN		(GUARD + (FP_REQUESTS * FP_REGIONS / 2 + BITS_PER_LONG / 2) * FP_SLOT)

static bool fp_arm_check(struct kunit *test)
{
	void *p;

	current->make_it_fail = 1;
	p = kmalloc(64, GFP_KERNEL | __GFP_NOWARN);
	current->make_it_fail = 0;
	kfree(p);
	if (p)
		kunit_err(test, "failslab does not fail every allocation of a make_it_fail task");
	return !p;
}

/*
 * A client with the smallest reserve (4 io objects; 16 bios, dm-mod's
 * reserved_bio_based_ios) and every allocation of this task failing:
 * nr_async 4-region writes, four of which take the whole reserve, then
 * optionally a 64-region sync write, which needs 48 bios more than the
 * reserve holds. Everything completes, from the reserve alone.
 */
static void forward_progress(struct kunit *test, const struct fnth_api *api,
			     unsigned int nr_async, bool sync)
{
	struct fnth_ctx *c = test->priv;
	struct dm_io_region *where;
	struct fp_req *reqs;
	unsigned int r, k, s;
	u8 *buf;
	int ret;

	KUNIT_ASSERT_TRUE(test, fp_arm_check(test));
	where = kunit_kcalloc(test, FP_REQUESTS * FP_REGIONS + BITS_PER_LONG,
			      sizeof(*where), GFP_KERNEL);
	reqs = kunit_kcalloc(test, FP_REQUESTS, sizeof(*reqs), GFP_KERNEL);
	buf = kunit_kmalloc(test, (FP_REQUESTS + 1) * FP_COUNT * SECTOR_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, where);
	KUNIT_ASSERT_NOT_NULL(test, reqs);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	c->api = api;
	c->client = c->api->create();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(c->client));
	KUNIT_ASSERT_EQ(test, c->api->resize(1, c->client), 0);

	/* Old data first: null_blk allocates its pages now, not below. */
	c->step = 1;
	fill_sectors(c->span, 1, 0, FP_SPAN);
	KUNIT_ASSERT_EQ(test, oracle_rw(c, FNTH_TIMER0, REQ_OP_WRITE,
					fnth_dev_base[FNTH_TIMER0], FP_SPAN, c->span), 0);
	KUNIT_ASSERT_EQ(test, oracle_rw(c, FNTH_TIMER1, REQ_OP_WRITE,
					fnth_dev_base[FNTH_TIMER1], FP_SPAN, c->span), 0);
	/* Request r writes pattern 100 + r; the sync one 99. */
	for (r = 0; r <= FP_REQUESTS; r++)
		fill_sectors(buf + r * FP_COUNT * SECTOR_SIZE,
			     r < FP_REQUESTS ? 100 + r : 99, 0, FP_COUNT);
	atomic_set(&fp_done, 0);

	current->make_it_fail = 1;
	for (r = 0; r < nr_async; r++) {
		struct dm_io_request req = {
			.bi_opf = REQ_OP_WRITE,
			.mem.type = DM_IO_KMEM,
			.mem.ptr.addr = buf + r * FP_COUNT * SECTOR_SIZE,
			.notify.fn = fp_notify,
			.notify.context = &reqs[r],
			.client = c->client,
		};
		enum fnth_dev dev;

		for (k = 0; k < FP_REGIONS; k++)
			fp_region(c, r, k, &where[r * FP_REGIONS + k], &dev);
		ret = c->api->io(&req, FP_REGIONS, &where[r * FP_REGIONS], NULL, NULL);
		if (ret) {
			current->make_it_fail = 0;
			KUNIT_FAIL(test, "async request %u refused: %d", r, ret);
			nr_async = r;
			break;
		}
	}
	if (sync) {
		struct dm_io_region *w = &where[FP_REQUESTS * FP_REGIONS];
		struct dm_io_request req = {
			.bi_opf = REQ_OP_WRITE,
			.mem.type = DM_IO_KMEM,
			.mem.ptr.addr = buf + FP_REQUESTS * FP_COUNT * SECTOR_SIZE,
			.client = c->client,
		};
		unsigned long err = ~0UL, unsup = ~0UL;
		enum fnth_dev dev;

		/* Past the async requests' slots. */
		for (k = 0; k < BITS_PER_LONG; k++)
			fp_region(c, FP_REQUESTS, k, &w[k], &dev);
		ret = c->api->io(&req, BITS_PER_LONG, w, &err, &unsup);
		current->make_it_fail = 0;
		KUNIT_EXPECT_EQ(test, ret, 0);
		KUNIT_EXPECT_EQ(test, err | unsup, 0);
	}
	current->make_it_fail = 0;

	if (!wait_event_timeout(fp_wait, atomic_read(&fp_done) >= nr_async,
				CALLBACK_WAIT)) {
		/* The requests still own their memory: leave it be. */
		c->stuck = true;
		KUNIT_FAIL(test, "%d of %u requests called back", atomic_read(&fp_done),
			   nr_async);
		return;
	}
	msleep(20);
	for (r = 0; r < nr_async; r++) {
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&reqs[r].calls), 1, "request %u", r);
		KUNIT_EXPECT_EQ_MSG(test, reqs[r].bits, 0, "request %u", r);
	}

	/* Every region holds its request's data, every guard the old data. */
	for (k = 0; k < 2; k++) {
		enum fnth_dev d = k ? FNTH_TIMER1 : FNTH_TIMER0;

		KUNIT_ASSERT_EQ(test, oracle_rw(c, d, REQ_OP_READ, fnth_dev_base[d],
						FP_SPAN, c->span), 0);
		for (s = 0; s < FP_SPAN; s++) {
			unsigned int slot = (s - GUARD) / FP_SLOT, off = (s - GUARD) % FP_SLOT;
			const u8 *got = c->span + ((size_t)s << SECTOR_SHIFT);
			u32 seed = 1, at = s;

			/* Slots of the async requests, two per device each, then the sync one's. */
			r = min_t(unsigned int, slot / (FP_REGIONS / 2), FP_REQUESTS);
			if (s >= GUARD && off < FP_COUNT &&
			    (r < nr_async || (sync && r == FP_REQUESTS))) {
				seed = r < FP_REQUESTS ? 100 + r : 99;
				at = off;
			}
			if (!sector_is(got, seed, at)) {
				KUNIT_FAIL(test, "%s sector %u (request %u) holds the wrong data",
					   c->bdevs[d]->bd_disk->disk_name, s, r);
				return;
			}
		}
	}
	c->api->destroy(c->client);
	c->client = NULL;
	kunit_info(test, "dm-io-rs failnth: forward progress: %u async%s from a reserve of 4 io objects and 16 bios, every allocation failing",
		   nr_async, sync ? " and a 64-region sync write" : "");
}

static void forward_progress_async(struct kunit *test)
{
	const struct fnth_api *api;

	for (api = fnth_apis; api < fnth_apis + ARRAY_SIZE(fnth_apis); api++)
		if (api->resize)
			forward_progress(test, api, FP_REQUESTS, false);
}

static void forward_progress_sync(struct kunit *test)
{
	const struct fnth_api *api;

	/* The reserve held by 4 async requests when the sync one starts. */
	for (api = fnth_apis; api < fnth_apis + ARRAY_SIZE(fnth_apis); api++)
		if (api->resize)
			forward_progress(test, api, 4, true);
}

/*
 * The fault attributes this suite needs (tests/guest/lib.sh
 * setup_failnth_faults): fail_nth must reach sleeping slab and single-page
 * allocations, and make_it_fail must fail every allocation.
 */
static int fnth_suite_init(struct kunit_suite *suite)
{
	struct page *page;
	void *p;

	fnth_arm(1);
	p = kmalloc(64, GFP_KERNEL | __GFP_NOWARN);
	fnth_disarm();
	kfree(p);
	if (p) {
		pr_err("dm-io-rs failnth: fail-nth misses GFP_KERNEL slab allocations (failslab/ignore-gfp-wait must be N)\n");
		return -EINVAL;
	}
	fnth_arm(1);
	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	fnth_disarm();
	if (page)
		__free_page(page);
	if (page) {
		pr_err("dm-io-rs failnth: fail-nth misses page allocations (fail_page_alloc: ignore-gfp-wait N, min-order 0)\n");
		return -EINVAL;
	}
	current->make_it_fail = 1;
	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	current->make_it_fail = 0;
	if (page) {
		__free_page(page);
		pr_err("dm-io-rs failnth: make_it_fail does not fail every page allocation (fail_page_alloc: probability 100, task-filter)\n");
		return -EINVAL;
	}
	return 0;
}

static struct kunit_case fnth_cases[] = {
	KUNIT_CASE_ATTR(failnth_client, { .speed = KUNIT_SPEED_VERY_SLOW }),
	KUNIT_CASE_PARAM_ATTR(failnth_io, fnth_gen_params, { .speed = KUNIT_SPEED_VERY_SLOW }),
	KUNIT_CASE_ATTR(forward_progress_async, { .speed = KUNIT_SPEED_VERY_SLOW }),
	KUNIT_CASE_ATTR(forward_progress_sync, { .speed = KUNIT_SPEED_VERY_SLOW }),
	{}
};

#else /* !CONFIG_FAULT_INJECTION */

static void failnth_unavailable(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC");
}

static struct kunit_case fnth_cases[] = {
	KUNIT_CASE(failnth_unavailable),
	{}
};

#define fnth_suite_init NULL
#define fnth_init NULL
#define fnth_exit NULL

#endif /* CONFIG_FAULT_INJECTION */

/*
 * The slowest (minutes under TCG, each case "very slow"), and it wants
 * fault settings of its own: the guest runs it in a load of its own, the
 * other suites with the filter "speed>very_slow".
 */
static struct kunit_suite fnth_suite = {
	.name = "dm_io_rust_failnth",
	.attr.speed = KUNIT_SPEED_VERY_SLOW,
	.suite_init = fnth_suite_init,
	.init = fnth_init,
	.exit = fnth_exit,
	.test_cases = fnth_cases,
};

kunit_test_suite(fnth_suite);
