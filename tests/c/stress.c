// SPDX-License-Identifier: GPL-2.0
/*
 * dm_io_rust_stress: rdm_io() under load and under injected faults.
 *
 *  - stress_mixed_load: kernel threads issue async and sync requests with
 *    random memory kinds, offsets, sizes, 1..=BITS_PER_LONG regions and
 *    ops, against null_blk devices that complete from a timer, for a
 *    bounded time. Every write is verified, every callback counted.
 *    `make soak` runs it in rounds up to stress_requests requests, with
 *    stress_faults: allocation failures in the submitting threads, a
 *    fourth device failing bios at random (fail_make_request) and, in the
 *    round that passes half the requests, a device powered off and on
 *    under its own writer.
 *  - fail_make_request_hits_only_its_regions: one device fails bios at
 *    random (fail_make_request); only its regions' bits may be set and the
 *    other regions hold their data.
 *  - alloc_failures_*: FAILSLAB and FAIL_PAGE_ALLOC, filtered to this
 *    task: client creation fails cleanly with -ENOMEM; I/O still completes
 *    from the mempool reserves.
 *  - power_off_under_load: a null_blk device is powered off (by the guest
 *    script) while requests to it are in flight.
 *
 * tests/guest/lib.sh makes the devices and sets up the fault attributes;
 * tests/guest/soak.sh for the soak.
 */

#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dm-io.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <dm-io-rs.h>
#include "test_dev.h"
#include "test_mem.h"

static unsigned int stress_seconds = 8;
module_param(stress_seconds, uint, 0444);
MODULE_PARM_DESC(stress_seconds, "minimum duration of the mixed-load stress test");

static ulong stress_requests;
module_param(stress_requests, ulong, 0444);
MODULE_PARM_DESC(stress_requests, "soak: mixed-load rounds until this many requests (0: one round)");

static ulong stress_seed = 0x5eed0;
module_param(stress_seed, ulong, 0444);
MODULE_PARM_DESC(stress_seed, "seed of the mixed load (thread i of round r: seed + 4r + i)");

static bool stress_faults;
module_param(stress_faults, bool, 0444);
MODULE_PARM_DESC(stress_faults, "soak: allocation failures, a flaky fourth device, a power cycle");

/*
 * A round runs at least stress_seconds and until this many requests (fewer
 * on a KASAN kernel, ten times slower)...
 */
#define STRESS_MIN_REQUESTS	(IS_ENABLED(CONFIG_KASAN) ? 600 : 2000)
/* ...but never longer than this. */
#define STRESS_MAX_SECONDS	(IS_ENABLED(CONFIG_KASAN) ? 45 : 90)
/*
 * A soak round: this many requests or this long, whichever comes first; a
 * round with its final check stays well within the hung-task detector's
 * 120 s, which watches the insmod task waiting for it.
 */
#define SOAK_ROUND_REQUESTS	4000
#define SOAK_ROUND_SECONDS	60

static atomic_long_t round_requests;
/* A thread failed: the others stop too, so the log ends at the failure. */
static bool stress_abort;

/* Indices of rdm_test_devt(), the order of tests/dm_io_rust_test/guest_devices.rs. */
enum {
	DEV_PLAIN0 = 0, DEV_PLAIN1 = 1, DEV_TIMER0 = 6, DEV_TIMER1 = 7,
	DEV_FLAKY = 8, DEV_DOOMED = 9
};

#define NR_THREADS	4
#define INFLIGHT	16
#define SLOT_SECTORS	128
#define SLOT_BYTES	(SLOT_SECTORS << SECTOR_SHIFT)
#define SLOTS_PER_DEV	32
/* Three devices; with stress_faults the flaky one as a fourth. */
#define MAX_SDEVS	4
#define MAX_SLOTS	(MAX_SDEVS * SLOTS_PER_DEV)
#define FLAKY_SDEV	3
#define MEM_BYTES	(SLOT_BYTES + PAGE_SIZE)
/* Read memory before a read: no device data and no zero fill looks like it. */
#define STRESS_POISON	0xa5
/* Past what the other suites touch on nullb0 and nullb1. */
#define AREA_BASE	(512ULL << 11)

struct stress_dev {
	struct file *file;
	struct block_device *bdev;
};

struct stress_thread;

struct stress_req {
	struct stress_thread *t;
	struct rdm_test_mem mem;	/* MEM_BYTES of every kind */
	bool in_flight;
	bool is_read;
	atomic_t calls;
	unsigned int uses;
	unsigned long error_bits;
	u32 gen;
	unsigned int nr;
	unsigned int slot[BITS_PER_LONG];
	unsigned int first[BITS_PER_LONG];	/* first sector in the slot */
	unsigned int count;
	enum dm_io_mem_type kind;
	unsigned int offset;
	struct dm_io_region where[BITS_PER_LONG];
};

struct stress_thread {
	struct kunit *test;
	struct dm_io_client *client;
	struct stress_dev *devs;	/* nr_slots / SLOTS_PER_DEV */
	unsigned int nr_slots;
	unsigned int id;
	u64 seed;
	bool faults;			/* stress_faults */
	struct rnd_state rnd;
	struct stress_req *reqs;	/* INFLIGHT, the last one for sync */
	wait_queue_head_t wait;
	atomic_t done;			/* completed, not yet reaped */
	/* Per slot sector: (gen << 8) | sector-of-the-memory, 0 = unknown. */
	u32 (*expect)[SLOT_SECTORS];
	bool busy[MAX_SLOTS];
	u8 *scratch;
	/* Counts for the report. */
	unsigned long writes, reads, flushes, async, regions, verified;
	unsigned long flaky_failures, alloc_fault_requests, failed_reads;
	unsigned int failures;		/* shown as test failures too */
	struct completion exited;
};

static u64 word_of(u32 gen, unsigned int sector, unsigned int word)
{
	return ((u64)gen << 32 | sector << 8 | (word & 0x3f)) * 0x9e3779b97f4a7c15ULL;
}

static sector_t slot_sector(unsigned int t, unsigned int slot)
{
	return AREA_BASE + ((sector_t)t * SLOTS_PER_DEV + slot % SLOTS_PER_DEV) *
			   SLOT_SECTORS;
}

static bool slot_is_flaky(unsigned int slot)
{
	return slot / SLOTS_PER_DEV == FLAKY_SDEV;
}

static u32 rnd(struct stress_thread *t, u32 n)
{
	return prandom_u32_state(&t->rnd) % n;
}

static const enum dm_io_mem_type kinds[] = {
	DM_IO_PAGE_LIST, DM_IO_BIO, DM_IO_VMA, DM_IO_KMEM, RDM_IO_BVEC,
};

/* Random memory kind and offset; the bvec kind needs no offset games. */
static void pick_memory(struct stress_thread *t, struct stress_req *r)
{
	static const unsigned int offsets[] = { 0, 512, 1024, PAGE_SIZE - 512 };

	r->kind = kinds[rnd(t, ARRAY_SIZE(kinds))];
	r->offset = offsets[rnd(t, ARRAY_SIZE(offsets))];
}

/* The regions of r that the flaky device may fail. */
static unsigned long flaky_mask(const struct stress_req *r)
{
	unsigned long mask = 0;
	unsigned int i;

	for (i = 0; i < r->nr; i++)
		if (slot_is_flaky(r->slot[i]))
			mask |= BIT(i);
	return mask;
}

/* Prints a request, with what it takes to replay its thread. */
static void describe_req(struct stress_thread *t, const struct stress_req *r,
			 const char *what)
{
	unsigned int i;

	kunit_err(t->test, "thread %u (seed %#llx, request %lu of the thread): %s: %s of %u regions of %u sectors, memory kind %d offset %u:",
		  t->id, t->seed, t->writes + t->reads + t->flushes, what,
		  r->is_read ? "read" : "write", r->nr, r->count, r->kind, r->offset);
	for (i = 0; i < r->nr; i++)
		kunit_err(t->test, "  [%u] %s sector %llu", i,
			  r->where[i].bdev->bd_disk->disk_name,
			  (unsigned long long)r->where[i].sector);
}

static void stress_notify(unsigned long error, unsigned long unsup, void *context)
{
	struct stress_req *r = context;
	struct stress_thread *t = r->t;

	r->error_bits = error | unsup;
	atomic_inc(&r->calls);
	atomic_inc(&t->done);
	wake_up(&t->wait);
}

/* Fills a write's memory with its generation's pattern. */
static void fill_write(struct stress_thread *t, struct stress_req *r)
{
	size_t len = (size_t)r->count << SECTOR_SHIFT, i;
	u64 *w = (u64 *)t->scratch;

	for (i = 0; i < len / 8; i++)
		w[i] = word_of(r->gen, i / 64, i);
	rdm_test_mem_copy(&r->mem, r->kind, r->offset, t->scratch, len, true);
}

/* Checks bytes read from slot sectors [first, first + count) into linear. */
static bool check_sectors(struct stress_thread *t, unsigned int slot,
			  unsigned int first, unsigned int count, const u8 *linear)
{
	unsigned int s, i;

	for (s = 0; s < count; s++) {
		u32 e = t->expect[slot][first + s];
		const u64 *w = (const u64 *)(linear + ((size_t)s << SECTOR_SHIFT));

		if (!e)
			continue;
		for (i = 0; i < 64; i++) {
			if (w[i] != word_of(e >> 8, e & 0xff, i)) {
				kunit_err(t->test, "thread %u slot %u sector %u: word %u is %#llx, want %#llx (gen %u)",
					  t->id, slot, first + s, i, w[i],
					  word_of(e >> 8, e & 0xff, i), e >> 8);
				return false;
			}
		}
		t->verified++;
	}
	return true;
}

static void region_of(struct stress_thread *t, unsigned int slot,
		      unsigned int first, unsigned int count,
		      struct dm_io_region *w)
{
	w->bdev = t->devs[slot / SLOTS_PER_DEV].bdev;
	w->sector = slot_sector(t->id, slot) + first;
	w->count = count;
}

/* Fills r with a write to 1..=BITS_PER_LONG idle slots. */
static bool plan_write(struct stress_thread *t, struct stress_req *r)
{
	static const unsigned int nrs[] = { 1, 1, 2, 3, 8, 33, 64 };
	unsigned int want = nrs[rnd(t, ARRAY_SIZE(nrs))], i, tries;

	r->is_read = false;
	r->nr = 0;
	r->count = 1 + rnd(t, SLOT_SECTORS);
	r->gen = (prandom_u32_state(&t->rnd) >> 8) | 1;
	for (tries = 0; tries < 4 * t->nr_slots && r->nr < want; tries++) {
		unsigned int slot = rnd(t, t->nr_slots);

		if (t->busy[slot])
			continue;
		for (i = 0; i < r->nr; i++)
			if (r->slot[i] == slot)
				break;
		if (i < r->nr)
			continue;
		r->slot[r->nr] = slot;
		r->first[r->nr] = rnd(t, SLOT_SECTORS - r->count + 1);
		region_of(t, slot, r->first[r->nr], r->count, &r->where[r->nr]);
		r->nr++;
	}
	pick_memory(t, r);
	return r->nr > 0;
}

static bool plan_read(struct stress_thread *t, struct stress_req *r)
{
	unsigned int slot = rnd(t, t->nr_slots);

	if (t->busy[slot])
		return false;
	r->is_read = true;
	r->nr = 1;
	r->count = 1 + rnd(t, SLOT_SECTORS);
	r->slot[0] = slot;
	r->first[0] = rnd(t, SLOT_SECTORS - r->count + 1);
	region_of(t, slot, r->first[0], r->count, &r->where[0]);
	pick_memory(t, r);
	return true;
}

/*
 * Sends r; a synchronous one leaves its bits in r->error_bits. With
 * stress_faults, one request in four runs with every allocation of this
 * thread under fault injection (make_it_fail, the guest's failslab and
 * fail_page_alloc): the mempool reserves must carry it.
 */
static int issue(struct stress_thread *t, struct stress_req *r, bool async)
{
	size_t len = (size_t)r->count << SECTOR_SHIFT;
	struct dm_io_request req = {
		.bi_opf = r->is_read ? REQ_OP_READ : REQ_OP_WRITE,
		.client = t->client,
	};
	bool faults = t->faults && !rnd(t, 4);
	unsigned long err = 0, unsup = 0;
	unsigned int i;
	int ret;

	if (!r->is_read) {
		fill_write(t, r);
	} else {
		/* What a failed read leaves shows against the poison. */
		memset(t->scratch, STRESS_POISON, len);
		rdm_test_mem_copy(&r->mem, r->kind, r->offset, t->scratch, len, true);
	}
	rdm_test_mem_describe(&r->mem, r->kind, r->offset, len, &req.mem);
	t->alloc_fault_requests += faults;
	if (!async) {
		current->make_it_fail = faults;
		ret = rdm_io(&req, r->nr, r->where, &err, &unsup, IOPRIO_DEFAULT);
		current->make_it_fail = 0;
		r->error_bits = err | unsup;
		return ret;
	}

	for (i = 0; i < r->nr; i++)
		t->busy[r->slot[i]] = true;
	r->in_flight = true;
	r->uses++;
	req.notify.fn = stress_notify;
	req.notify.context = r;
	current->make_it_fail = faults;
	ret = rdm_io(&req, r->nr, r->where, NULL, NULL, IOPRIO_DEFAULT);
	current->make_it_fail = 0;
	if (ret) {
		/* Refused: no callback will come. */
		r->uses--;
		r->in_flight = false;
		for (i = 0; i < r->nr; i++)
			t->busy[r->slot[i]] = false;
	}
	return ret;
}

/*
 * A failed read, copied to t->scratch: its bios that failed came back
 * zeroed (the caller sees no stale bytes), the others with the device's
 * data; none kept the poison.
 */
static bool check_failed_read(struct stress_thread *t, struct stress_req *r)
{
	unsigned int s, i;

	for (s = 0; s < r->count; s++) {
		const u8 *p = t->scratch + ((size_t)s << SECTOR_SHIFT);
		const u64 *w = (const u64 *)p;
		u32 e = t->expect[r->slot[0]][r->first[0] + s];
		bool ok = true;

		if (!memchr_inv(p, 0, SECTOR_SIZE))
			continue;
		if (!e) {
			ok = !!memchr_inv(p, STRESS_POISON, SECTOR_SIZE);
		} else {
			for (i = 0; i < 64 && ok; i++)
				ok = w[i] == word_of(e >> 8, e & 0xff, i);
		}
		if (!ok) {
			describe_req(t, r, "a failed read left stale bytes");
			kunit_err(t->test, "sector %u of the read is neither zeroes nor the device's data",
				  s);
			return false;
		}
	}
	return true;
}

/*
 * A finished request: the data it read, or what its write left. Only the
 * flaky device's regions may fail: what a failed write left is unknown; a
 * failed read comes back zeroed where it failed.
 */
static bool account(struct stress_thread *t, struct stress_req *r)
{
	unsigned int i, s;

	if (r->error_bits & ~flaky_mask(r)) {
		describe_req(t, r, "regions failed");
		kunit_err(t->test, "bits %#lx, only %#lx may fail", r->error_bits,
			  flaky_mask(r));
		return false;
	}
	t->flaky_failures += hweight_long(r->error_bits);
	if (r->is_read) {
		t->reads++;
		rdm_test_mem_copy(&r->mem, r->kind, r->offset, t->scratch,
				  (size_t)r->count << SECTOR_SHIFT, false);
		if (r->error_bits) {
			t->failed_reads++;
			return check_failed_read(t, r);
		}
		if (!check_sectors(t, r->slot[0], r->first[0], r->count, t->scratch)) {
			describe_req(t, r, "read the wrong data");
			return false;
		}
		return true;
	}
	for (i = 0; i < r->nr; i++)
		for (s = 0; s < r->count; s++)
			t->expect[r->slot[i]][r->first[i] + s] =
				r->error_bits & BIT(i) ? 0 : r->gen << 8 | s;
	t->writes++;
	t->regions += r->nr;
	return true;
}

static void reap(struct stress_thread *t)
{
	unsigned int i, j;

	for (i = 0; i < INFLIGHT - 1; i++) {
		struct stress_req *r = &t->reqs[i];

		if (!r->in_flight || atomic_read(&r->calls) < r->uses)
			continue;
		/* Pairs with the callback's atomic_inc(). */
		smp_rmb();
		atomic_dec(&t->done);
		r->in_flight = false;
		if (atomic_read(&r->calls) != r->uses) {
			kunit_err(t->test, "thread %u: request %u: %d calls for %u uses",
				  t->id, i, atomic_read(&r->calls), r->uses);
			t->failures++;
		} else if (!account(t, r)) {
			t->failures++;
		}
		for (j = 0; j < r->nr; j++)
			t->busy[r->slot[j]] = false;
	}
}

static struct stress_req *idle_req(struct stress_thread *t)
{
	unsigned int i;

	for (i = 0; i < INFLIGHT - 1; i++)
		if (!t->reqs[i].in_flight)
			return &t->reqs[i];
	return NULL;
}

static bool any_in_flight(struct stress_thread *t)
{
	unsigned int i;

	for (i = 0; i < INFLIGHT - 1; i++)
		if (t->reqs[i].in_flight)
			return true;
	return false;
}

static void empty_flush(struct stress_thread *t)
{
	unsigned int i, nr = t->nr_slots / SLOTS_PER_DEV;
	struct dm_io_region where[MAX_SDEVS];
	struct dm_io_request req = {
		.bi_opf = REQ_OP_WRITE | REQ_PREFLUSH,
		.mem.type = DM_IO_KMEM,
		.mem.ptr.addr = t->scratch,
		.client = t->client,
	};
	unsigned long err = ~0UL, allowed = nr > FLAKY_SDEV ? BIT(FLAKY_SDEV) : 0;
	int ret;

	for (i = 0; i < nr; i++)
		where[i] = (struct dm_io_region){ t->devs[i].bdev, 0, 0 };
	ret = rdm_io(&req, nr, where, &err, NULL, IOPRIO_DEFAULT);
	if ((ret && ret != -EIO) || err & ~allowed) {
		kunit_err(t->test, "thread %u (seed %#llx): empty flush failed: %d, bits %#lx",
			  t->id, t->seed, ret, err);
		t->failures++;
	}
	t->flushes++;
}

static bool round_over(unsigned long start)
{
	long done = atomic_long_read(&round_requests);

	if (READ_ONCE(stress_abort))
		return true;
	if (stress_requests)
		return done >= SOAK_ROUND_REQUESTS ||
		       time_after(jiffies, start + SOAK_ROUND_SECONDS * HZ);
	if (time_after(jiffies, start + STRESS_MAX_SECONDS * HZ))
		return true;
	return time_after(jiffies, start + stress_seconds * HZ) &&
	       done >= STRESS_MIN_REQUESTS;
}

static int stress_fn(void *data)
{
	struct stress_thread *t = data;
	struct stress_req *sync_req = &t->reqs[INFLIGHT - 1];
	unsigned long start = jiffies, deadline;

	while (!round_over(start)) {
		u32 what = rnd(t, 100);
		struct stress_req *r;
		int ret;

		reap(t);
		atomic_long_inc(&round_requests);
		if (what < 45) {
			r = idle_req(t);
			if (!r) {
				wait_event_timeout(t->wait, atomic_read(&t->done) > 0, HZ);
				continue;
			}
			if (!(what < 35 ? plan_write(t, r) : plan_read(t, r)))
				continue;
			ret = issue(t, r, true);
			/* A valid request is sent: its errors come in its bits. */
			if (ret) {
				kunit_err(t->test, "thread %u: async %s of %u regions refused: %d",
					  t->id, r->is_read ? "read" : "write", r->nr, ret);
				t->failures++;
				WRITE_ONCE(stress_abort, true);
				break;
			}
			t->async++;
		} else if (what < 97) {
			r = sync_req;
			if (!(what < 65 ? plan_write(t, r) : plan_read(t, r)))
				continue;
			ret = issue(t, r, false);
			/* -EIO or -EOPNOTSUPP: the bits say which regions. */
			if ((ret && ret != -EIO && ret != -EOPNOTSUPP) || !account(t, r)) {
				kunit_err(t->test, "thread %u: sync %s of %u regions: %d",
					  t->id, r->is_read ? "read" : "write", r->nr, ret);
				t->failures++;
				WRITE_ONCE(stress_abort, true);
				break;
			}
		} else {
			empty_flush(t);
		}
		if (t->failures)
			WRITE_ONCE(stress_abort, true);
		cond_resched();
	}
	/* Everything in flight completes before the client goes. */
	deadline = jiffies + 60 * HZ;
	while (any_in_flight(t) && time_before(jiffies, deadline)) {
		wait_event_timeout(t->wait, atomic_read(&t->done) > 0, HZ / 10);
		reap(t);
	}
	if (any_in_flight(t)) {
		kunit_err(t->test, "thread %u: requests still in flight after 60 s", t->id);
		t->failures++;
	}
	complete(&t->exited);
	return 0;
}

/*
 * Reads every slot back through the other memory path and checks it; a
 * read of the flaky device is tried until it gets through.
 */
static void verify_all(struct stress_thread *t)
{
	unsigned int slot, tries;

	for (slot = 0; slot < t->nr_slots && !t->failures; slot++) {
		struct stress_req *r = &t->reqs[INFLIGHT - 1];
		int ret;

		r->is_read = true;
		r->nr = 1;
		r->count = SLOT_SECTORS;
		r->slot[0] = slot;
		r->first[0] = 0;
		region_of(t, slot, 0, SLOT_SECTORS, &r->where[0]);
		pick_memory(t, r);
		for (tries = 0; tries < 20; tries++) {
			ret = issue(t, r, false);
			if (!ret || !slot_is_flaky(slot))
				break;
		}
		if (ret || !account(t, r)) {
			kunit_err(t->test, "thread %u: final read of slot %u: %d", t->id, slot,
				  ret);
			t->failures++;
			return;
		}
	}
}

static int open_dev(struct kunit *test, unsigned int index, struct stress_dev *d)
{
	d->file = rdm_test_open_dev(test, index);
	if (IS_ERR(d->file)) {
		int r = PTR_ERR(d->file);

		d->file = NULL;
		return r;
	}
	d->bdev = file_bdev(d->file);
	return 0;
}

static void close_dev(struct stress_dev *d)
{
	if (d->file)
		fput(d->file);
	d->file = NULL;
}

/* ---- the soak's power cycle: nullb8 off and on under its own writer ---- */

struct power_cycle {
	struct kunit *test;
	struct completion exited;
	unsigned long issued, failed, after_on;
	bool ok;
};

struct cycle_req {
	atomic_t calls;
	unsigned long bits;
	bool in_flight;
	unsigned int uses;
};

static atomic_t cycle_done;

static void cycle_notify(unsigned long error, unsigned long unsup, void *context)
{
	struct cycle_req *r = context;

	r->bits = error | unsup;
	atomic_inc(&r->calls);
	atomic_inc(&cycle_done);
}

/*
 * Writes to nullb8 until the guest (tests/guest/soak.sh) has powered it
 * off and writes fail, then, once it is powered on again, opens the new
 * disk and writes and reads through it. Every callback exactly once.
 */
static int power_cycle_fn(void *data)
{
	enum { NR = 32 };
	struct power_cycle *pc = data;
	struct kunit *test = pc->test;
	struct stress_dev dev = {};
	struct dm_io_client *client;
	struct cycle_req *reqs;
	unsigned long deadline;
	unsigned int i;
	u8 *buf, *back;

	reqs = kcalloc(NR, sizeof(*reqs), GFP_KERNEL);
	buf = kmalloc(SZ_64K, GFP_KERNEL);
	back = kmalloc(SZ_64K, GFP_KERNEL);
	client = rdm_io_client_create();
	if (!reqs || !buf || !back || IS_ERR(client) || open_dev(test, DEV_DOOMED, &dev)) {
		kunit_err(test, "power cycle: setup failed");
		goto out;
	}
	memset(buf, 0x5c, SZ_64K);
	atomic_set(&cycle_done, 0);
	pr_info("dm-io-rs: soak: power-off window open\n");
	deadline = jiffies + 60 * HZ;
	while (time_before(jiffies, deadline) && pc->failed < 100) {
		for (i = 0; i < NR; i++) {
			struct cycle_req *r = &reqs[i];
			struct dm_io_request req = {
				.bi_opf = REQ_OP_WRITE,
				.mem.type = DM_IO_KMEM,
				.mem.ptr.addr = buf,
				.notify.fn = cycle_notify,
				.notify.context = r,
				.client = client,
			};
			struct dm_io_region w = { dev.bdev, (i % 8) * 128, 128 };

			if (r->in_flight) {
				if (atomic_read(&r->calls) < r->uses)
					continue;
				/* Pairs with the callback's atomic_inc(). */
				smp_rmb();
				r->in_flight = false;
				pc->failed += !!r->bits;
			}
			r->uses++;
			r->in_flight = true;
			if (rdm_io(&req, 1, &w, NULL, NULL, IOPRIO_DEFAULT)) {
				r->uses--;
				r->in_flight = false;
				continue;
			}
			pc->issued++;
		}
		usleep_range(100, 200);
	}
	deadline = jiffies + 30 * HZ;
	while (atomic_read(&cycle_done) < pc->issued && time_before(jiffies, deadline))
		usleep_range(1000, 2000);
	msleep(50);
	pc->ok = atomic_read(&cycle_done) == pc->issued && pc->failed;
	for (i = 0; i < NR; i++)
		if (atomic_read(&reqs[i].calls) != reqs[i].uses)
			pc->ok = false;
	if (!pc->ok) {
		kunit_err(test, "power cycle: %d of %lu callbacks, %lu failed writes",
			  atomic_read(&cycle_done), pc->issued, pc->failed);
		goto out;
	}
	close_dev(&dev);

	/* Back on: the same device number, a new disk. */
	pr_info("dm-io-rs: soak: power-on window open\n");
	pc->ok = false;
	deadline = jiffies + 60 * HZ;
	while (time_before(jiffies, deadline)) {
		struct dm_io_region w = { NULL, 0, 128 };
		unsigned long err = 0;
		struct dm_io_request req = {
			.bi_opf = REQ_OP_WRITE,
			.mem.type = DM_IO_KMEM,
			.mem.ptr.addr = buf,
			.client = client,
		};

		if (open_dev(test, DEV_DOOMED, &dev)) {
			msleep(100);
			continue;
		}
		w.bdev = dev.bdev;
		if (rdm_io(&req, 1, &w, &err, NULL, IOPRIO_DEFAULT) || err) {
			/* The old disk, still going away: try again. */
			close_dev(&dev);
			msleep(100);
			continue;
		}
		req.bi_opf = REQ_OP_READ;
		req.mem.ptr.addr = back;
		memset(back, 0, SZ_64K);
		pc->ok = !rdm_io(&req, 1, &w, &err, NULL, IOPRIO_DEFAULT) && !err &&
			 !memcmp(buf, back, SZ_64K);
		pc->after_on++;
		break;
	}
	if (!pc->ok)
		kunit_err(test, "power cycle: nullb8 did not work again after power on");
out:
	close_dev(&dev);
	if (!IS_ERR_OR_NULL(client))
		rdm_io_client_destroy(client);
	kfree(back);
	kfree(buf);
	kfree(reqs);
	complete(&pc->exited);
	return 0;
}

/* ---- the mixed load, in rounds ---- */

/* Round r of the mixed load; the soak's totals across rounds. */
struct stress_round {
	unsigned int nr;
};

static struct stress_round stress_round;
static unsigned long soak_total, soak_verified, soak_flaky, soak_faulted;
static bool soak_failed, soak_cycled;

static const void *stress_gen_rounds(struct kunit *test, const void *prev, char *desc)
{
	if (prev && (!stress_requests || soak_failed || soak_total >= stress_requests))
		return NULL;
	if (prev) {
		stress_round.nr++;
	} else {
		stress_round.nr = 0;
		soak_total = soak_verified = soak_flaky = soak_faulted = 0;
		soak_failed = soak_cycled = false;
	}
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "round %u", stress_round.nr);
	return &stress_round;
}

/*
 * null_blk allocates a page at a sector's first write, in the submitting
 * task: every slot is written once before any request runs under faults.
 */
static int prefill(struct dm_io_client *client, struct stress_dev *devs,
		   unsigned int nr_devs)
{
	struct dm_io_request req = {
		.bi_opf = REQ_OP_WRITE,
		.mem.type = DM_IO_KMEM,
		.client = client,
	};
	unsigned int d, t, slot, tries;
	int r = 0;

	req.mem.ptr.addr = kzalloc(SLOT_BYTES, GFP_KERNEL);
	if (!req.mem.ptr.addr)
		return -ENOMEM;
	for (d = 0; d < nr_devs && !r; d++) {
		for (t = 0; t < NR_THREADS && !r; t++) {
			for (slot = 0; slot < SLOTS_PER_DEV && !r; slot++) {
				struct dm_io_region w = {
					devs[d].bdev, slot_sector(t, slot), SLOT_SECTORS,
				};
				unsigned long err = 0;

				/* The flaky device fails a bio now and then. */
				for (tries = 0; tries < 20; tries++) {
					r = rdm_io(&req, 1, &w, &err, NULL, IOPRIO_DEFAULT);
					if (!r || d != FLAKY_SDEV)
						break;
				}
			}
		}
	}
	kfree(req.mem.ptr.addr);
	return r;
}

static void stress_mixed_load(struct kunit *test)
{
	static const unsigned int dev_index[MAX_SDEVS] = {
		DEV_TIMER0, DEV_TIMER1, DEV_PLAIN0, DEV_FLAKY,
	};
	const struct stress_round *round = test->param_value;
	unsigned int nr_devs = stress_faults ? MAX_SDEVS : 3;
	struct stress_dev devs[MAX_SDEVS] = {};
	struct power_cycle pc = { .test = test };
	struct task_struct *cycler = NULL;
	struct stress_thread *threads;
	struct dm_io_client *client;
	unsigned long writes = 0, reads = 0, flushes = 0, async = 0, regions = 0,
		      verified = 0, flaky = 0, faulted = 0, failed_reads = 0;
	unsigned int i, j, failures = 0;
	unsigned long start;
	bool ready = false;

	for (i = 0; i < nr_devs; i++)
		KUNIT_ASSERT_EQ(test, open_dev(test, dev_index[i], &devs[i]), 0);
	client = rdm_io_client_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(client));
	if (stress_faults && round->nr == 0)
		KUNIT_ASSERT_EQ(test, prefill(client, devs, nr_devs), 0);
	atomic_long_set(&round_requests, 0);
	WRITE_ONCE(stress_abort, false);
	start = jiffies;
	threads = kcalloc(NR_THREADS, sizeof(*threads), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, threads);

	for (i = 0; i < NR_THREADS; i++) {
		struct stress_thread *t = &threads[i];

		t->test = test;
		t->client = client;
		t->devs = devs;
		t->nr_slots = nr_devs * SLOTS_PER_DEV;
		t->id = i;
		t->seed = stress_seed + round->nr * NR_THREADS + i;
		t->faults = stress_faults;
		prandom_seed_state(&t->rnd, t->seed);
		init_waitqueue_head(&t->wait);
		init_completion(&t->exited);
		t->reqs = vzalloc(INFLIGHT * sizeof(*t->reqs));
		t->expect = vzalloc(MAX_SLOTS * sizeof(*t->expect));
		t->scratch = kmalloc(MEM_BYTES, GFP_KERNEL);
		if (!t->reqs || !t->expect || !t->scratch)
			goto out;
		for (j = 0; j < INFLIGHT; j++) {
			t->reqs[j].t = t;
			if (rdm_test_mem_alloc(&t->reqs[j].mem, MEM_BYTES))
				goto out;
		}
	}
	ready = true;
	/* The round that passes half the soak powers nullb8 off and on. */
	if (stress_faults && stress_requests && !soak_cycled &&
	    soak_total >= stress_requests / 2) {
		soak_cycled = true;
		init_completion(&pc.exited);
		cycler = kthread_run(power_cycle_fn, &pc, "rdm_cycle");
		if (IS_ERR(cycler)) {
			cycler = NULL;
			failures++;
		}
	}
	for (i = 0; i < NR_THREADS; i++) {
		struct task_struct *task = kthread_run(stress_fn, &threads[i],
						       "rdm_stress/%u", i);

		if (IS_ERR(task)) {
			threads[i].failures++;
			complete(&threads[i].exited);
		}
	}
	for (i = 0; i < NR_THREADS; i++)
		wait_for_completion(&threads[i].exited);
	if (cycler) {
		wait_for_completion(&pc.exited);
		if (!pc.ok)
			failures++;
		kunit_info(test, "power cycle: %lu writes to nullb8, %lu failed while it was off, every callback once; after power on it works again",
			   pc.issued, pc.failed);
	}

	/* A late second callback would show up here. */
	msleep(100);
	for (i = 0; i < NR_THREADS; i++) {
		struct stress_thread *t = &threads[i];

		for (j = 0; j < INFLIGHT - 1; j++)
			KUNIT_EXPECT_EQ(test, atomic_read(&t->reqs[j].calls),
					(int)t->reqs[j].uses);
		verify_all(t);
		writes += t->writes;
		reads += t->reads;
		flushes += t->flushes;
		async += t->async;
		regions += t->regions;
		verified += t->verified;
		flaky += t->flaky_failures;
		failed_reads += t->failed_reads;
		faulted += t->alloc_fault_requests;
		failures += t->failures;
	}
	kunit_info(test, "stress: %lu requests (%lu async) by %d threads in %u s: %lu writes of %lu regions, %lu reads (%lu failed, zeroed where they failed), %lu empty flushes; %lu sectors verified",
		   writes + reads + flushes, async, NR_THREADS,
		   jiffies_to_msecs(jiffies - start) / 1000, writes, regions,
		   reads, failed_reads, flushes, verified);
	KUNIT_EXPECT_EQ(test, failures, 0);
	KUNIT_EXPECT_GE(test, writes + reads + flushes,
			stress_requests ? 1 : STRESS_MIN_REQUESTS);
	KUNIT_EXPECT_GT(test, verified, 0);
	/* Asynchronous requests are about 45% of them: at least an eighth. */
	KUNIT_EXPECT_GE(test, async * 8, writes + reads + flushes);
	if (stress_requests) {
		soak_total += writes + reads + flushes;
		soak_verified += verified;
		soak_flaky += flaky;
		soak_faulted += faulted;
		soak_failed |= failures > 0;
		kunit_info(test, "dm-io-rs soak: round %u (seeds %#lx + %u..%u): %lu requests, %lu under allocation faults, %lu regions failed by fail_make_request; %lu requests so far",
			   round->nr, stress_seed, round->nr * NR_THREADS,
			   round->nr * NR_THREADS + NR_THREADS - 1, writes + reads + flushes,
			   faulted, flaky, soak_total);
		if (soak_failed || soak_total >= stress_requests)
			kunit_info(test, "dm-io-rs soak: %s after %lu requests in %u rounds: %lu sectors verified, %lu requests under allocation faults, %lu regions failed by fail_make_request",
				   soak_failed ? "FAILED" : "passed", soak_total,
				   round->nr + 1, soak_verified, soak_faulted, soak_flaky);
	}
out:
	KUNIT_EXPECT_TRUE_MSG(test, ready, "setting up the stress threads failed");
	for (i = 0; i < NR_THREADS; i++) {
		struct stress_thread *t = &threads[i];

		if (t->reqs)
			for (j = 0; j < INFLIGHT; j++)
				rdm_test_mem_free(&t->reqs[j].mem);
		vfree(t->reqs);
		vfree(t->expect);
		kfree(t->scratch);
	}
	kfree(threads);
	/* Only now, with every completion in: the client goes. */
	rdm_io_client_destroy(client);
	for (i = 0; i < nr_devs; i++)
		close_dev(&devs[i]);
}

/* ---- fail_make_request on one device ---- */

static int rw_kmem(struct dm_io_client *client, blk_opf_t opf,
		   struct dm_io_region *where, unsigned int nr, void *buf,
		   unsigned long *err)
{
	struct dm_io_request req = {
		.bi_opf = opf,
		.mem.type = DM_IO_KMEM,
		.mem.ptr.addr = buf,
		.client = client,
	};

	return rdm_io(&req, nr, where, err, NULL, IOPRIO_DEFAULT);
}

static void fail_make_request_hits_only_its_regions(struct kunit *test)
{
	struct stress_dev devs[3] = {};
	static const unsigned int dev_index[3] = { DEV_PLAIN0, DEV_PLAIN1, DEV_FLAKY };
	struct dm_io_region where[6];
	struct dm_io_client *client;
	unsigned int round, i, faults = 0, read_faults = 0, rounds = 300;
	unsigned long flaky_mask = 0;
	u8 *buf, *back;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, open_dev(test, dev_index[i], &devs[i]), 0);
	client = rdm_io_client_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(client));
	buf = kunit_kmalloc(test, SZ_64K, GFP_KERNEL);
	back = kunit_kmalloc(test, SZ_64K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, back);

	/* Regions 0, 1 on nullb0, 2, 3 on nullb1, 4, 5 on the flaky nullb7. */
	for (i = 0; i < 6; i++) {
		if (i >= 4)
			flaky_mask |= BIT(i);
	}
	for (round = 0; round < rounds; round++) {
		unsigned long err = 0;
		int r;

		for (i = 0; i < 6; i++)
			where[i] = (struct dm_io_region){
				devs[i / 2].bdev,
				AREA_BASE + 65536 + (round % 50) * 256 + (i % 2) * 128, 128 };
		memset(buf, round, SZ_64K);
		r = rw_kmem(client, REQ_OP_WRITE, where, 6, buf, &err);
		KUNIT_EXPECT_EQ(test, r, err ? -EIO : 0);
		if (err & ~flaky_mask) {
			KUNIT_FAIL(test, "round %u: error bits %#lx outside the flaky device's %#lx",
				   round, err, flaky_mask);
			break;
		}
		faults += hweight_long(err);
		/* The healthy regions hold this round's data. */
		for (i = 0; i < 4; i++) {
			unsigned long rerr = 0;

			KUNIT_ASSERT_EQ(test, rw_kmem(client, REQ_OP_READ, &where[i], 1,
						      back, &rerr), 0);
			KUNIT_ASSERT_NULL(test, memchr_inv(back, round & 0xff, SZ_64K));
		}
		/* A read the flaky device fails comes back zeroed, not stale. */
		for (i = 4; i < 6; i++) {
			unsigned long rerr = 0;

			memset(back, 0xa5, SZ_64K);
			r = rw_kmem(client, REQ_OP_READ, &where[i], 1, back, &rerr);
			KUNIT_EXPECT_EQ(test, r, rerr ? -EIO : 0);
			if (rerr) {
				read_faults++;
				KUNIT_EXPECT_NULL_MSG(test, memchr_inv(back, 0, SZ_64K),
						      "round %u: a failed read left stale bytes", round);
			} else if (!(err & BIT(i))) {
				KUNIT_EXPECT_NULL(test, memchr_inv(back, round & 0xff, SZ_64K));
			}
		}
	}
	kunit_info(test, "fail_make_request: %u rounds of 6-region writes, %u region failures injected, all on the flaky device; %u reads of it failed, each zeroed",
		   rounds, faults, read_faults);
	KUNIT_EXPECT_GT(test, faults, 0);
	KUNIT_EXPECT_GT(test, read_faults, 0);
	rdm_io_client_destroy(client);
	for (i = 0; i < 3; i++)
		close_dev(&devs[i]);
}

/* ---- allocation failures (FAILSLAB, FAIL_PAGE_ALLOC, filtered to us) ---- */

static void alloc_failures_client_create(struct kunit *test)
{
	unsigned int i, failed = 0, created = 0;
	/*
	 * A client made without faults keeps the bio slab of a client's size
	 * alive (bio sets of one size share it): creating a slab cache is not
	 * dm-io's to test, and its failure dumps the stack.
	 */
	struct dm_io_client *keeper = rdm_io_client_create();

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(keeper));
	for (i = 0; i < 400; i++) {
		struct dm_io_client *client;

		current->make_it_fail = 1;
		client = rdm_io_client_create();
		current->make_it_fail = 0;
		if (IS_ERR(client)) {
			KUNIT_EXPECT_EQ(test, PTR_ERR(client), -ENOMEM);
			failed++;
			continue;
		}
		KUNIT_EXPECT_NOT_NULL(test, client);
		created++;
		rdm_io_client_destroy(client);
	}
	rdm_io_client_destroy(keeper);
	kunit_info(test, "client create under allocation faults: %u failed with -ENOMEM, %u created",
		   failed, created);
	KUNIT_EXPECT_GT(test, failed, 0);
	KUNIT_EXPECT_GT(test, created, 0);
}

static atomic_t alloc_fault_calls;

static void alloc_fault_notify(unsigned long error, unsigned long unsup, void *context)
{
	unsigned long *bits = context;

	*bits = error | unsup;
	atomic_inc(&alloc_fault_calls);
}

static void alloc_failures_io_completes(struct kunit *test)
{
	enum { NR = 64 };
	struct stress_dev dev = {};
	struct dm_io_client *client;
	struct dm_io_region where;
	unsigned long *bits;
	unsigned int i, round;
	u8 *buf, *back;

	KUNIT_ASSERT_EQ(test, open_dev(test, DEV_PLAIN1, &dev), 0);
	client = rdm_io_client_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(client));
	buf = kunit_kmalloc(test, SZ_4K * NR, GFP_KERNEL);
	back = kunit_kmalloc(test, SZ_4K * NR, GFP_KERNEL);
	bits = kunit_kcalloc(test, NR, sizeof(*bits), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, back);
	KUNIT_ASSERT_NOT_NULL(test, bits);

	/* Write the area once so null_blk has its pages: no allocation later. */
	where = (struct dm_io_region){ dev.bdev, AREA_BASE, 8 * NR };
	memset(buf, 0, SZ_4K * NR);
	KUNIT_ASSERT_EQ(test, rw_kmem(client, REQ_OP_WRITE, &where, 1, buf, NULL), 0);

	for (round = 0; round < 8; round++) {
		atomic_set(&alloc_fault_calls, 0);
		for (i = 0; i < SZ_4K * NR; i++)
			buf[i] = i / SZ_4K + round * 3;
		current->make_it_fail = 1;
		for (i = 0; i < NR; i++) {
			struct dm_io_request req = {
				.bi_opf = REQ_OP_WRITE,
				.mem.type = DM_IO_KMEM,
				.mem.ptr.addr = buf + i * SZ_4K,
				.notify.fn = round % 2 ? alloc_fault_notify : NULL,
				.notify.context = &bits[i],
				.client = client,
			};
			struct dm_io_region w = { dev.bdev, AREA_BASE + 8 * i, 8 };

			bits[i] = ~0UL;
			KUNIT_EXPECT_EQ(test, rdm_io(&req, 1, &w, &bits[i], NULL,
						     IOPRIO_DEFAULT), 0);
		}
		current->make_it_fail = 0;
		if (round % 2) {
			unsigned long deadline = jiffies + 30 * HZ;

			while (atomic_read(&alloc_fault_calls) < NR &&
			       time_before(jiffies, deadline))
				usleep_range(1000, 2000);
			KUNIT_EXPECT_EQ(test, atomic_read(&alloc_fault_calls), NR);
		}
		for (i = 0; i < NR; i++)
			KUNIT_EXPECT_EQ(test, bits[i], 0);
		KUNIT_ASSERT_EQ(test, rw_kmem(client, REQ_OP_READ, &where, 1, back, NULL), 0);
		KUNIT_EXPECT_EQ(test, memcmp(buf, back, SZ_4K * NR), 0);
	}
	rdm_io_client_destroy(client);
	close_dev(&dev);
}

/* ---- a device powered off under load ---- */

struct doomed_req {
	atomic_t calls;
	unsigned long bits;
	bool in_flight;
};

static atomic_t doomed_done;

static void doomed_notify(unsigned long error, unsigned long unsup, void *context)
{
	struct doomed_req *r = context;

	r->bits = error | unsup;
	atomic_inc(&r->calls);
	atomic_inc(&doomed_done);
}

static void power_off_under_load(struct kunit *test)
{
	enum { NR = 32 };
	struct stress_dev dev = {};
	struct dm_io_client *client;
	struct doomed_req *reqs;
	unsigned long deadline, issued = 0, failed = 0, after = 0;
	unsigned int i, uses[NR] = {};
	u8 *buf;

	KUNIT_ASSERT_EQ(test, open_dev(test, DEV_DOOMED, &dev), 0);
	client = rdm_io_client_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(client));
	buf = kunit_kzalloc(test, SZ_64K, GFP_KERNEL);
	reqs = kunit_kcalloc(test, NR, sizeof(*reqs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, reqs);

	/* The guest script waits for this line, then powers nullb8 off. */
	pr_info("dm-io-rs: power-off window open\n");
	atomic_set(&doomed_done, 0);
	deadline = jiffies + 60 * HZ;
	while (time_before(jiffies, deadline) && after < 200) {
		for (i = 0; i < NR; i++) {
			struct doomed_req *r = &reqs[i];
			struct dm_io_request req = {
				.bi_opf = REQ_OP_WRITE,
				.mem.type = DM_IO_KMEM,
				.mem.ptr.addr = buf,
				.notify.fn = doomed_notify,
				.notify.context = r,
				.client = client,
			};
			struct dm_io_region w = { dev.bdev, (i % 8) * 128, 128 };

			if (r->in_flight) {
				if (atomic_read(&r->calls) < uses[i])
					continue;
				/* Pairs with the callback's atomic_inc(). */
				smp_rmb();
				r->in_flight = false;
				if (r->bits)
					failed++;
				if (failed)
					after++;
			}
			uses[i]++;
			r->in_flight = true;
			if (rdm_io(&req, 1, &w, NULL, NULL, IOPRIO_DEFAULT)) {
				uses[i]--;
				r->in_flight = false;
				continue;
			}
			issued++;
		}
		usleep_range(100, 200);
	}
	deadline = jiffies + 30 * HZ;
	while (atomic_read(&doomed_done) < issued && time_before(jiffies, deadline))
		usleep_range(1000, 2000);
	msleep(50);
	KUNIT_EXPECT_EQ(test, atomic_read(&doomed_done), (int)issued);
	for (i = 0; i < NR; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&reqs[i].calls), (int)uses[i]);
	kunit_info(test, "power off: %lu writes issued, %lu failed after the device went away, every callback once",
		   issued, failed);
	KUNIT_EXPECT_GT(test, failed, 0);
	rdm_io_client_destroy(client);
	close_dev(&dev);
}

static struct kunit_case stress_cases[] = {
	KUNIT_CASE_PARAM_ATTR(stress_mixed_load, stress_gen_rounds,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_SLOW(fail_make_request_hits_only_its_regions),
	KUNIT_CASE_SLOW(alloc_failures_client_create),
	KUNIT_CASE_SLOW(alloc_failures_io_completes),
	KUNIT_CASE_SLOW(power_off_under_load),
	{}
};

static struct kunit_suite stress_suite = {
	.name = "dm_io_rust_stress",
	.test_cases = stress_cases,
};

kunit_test_suite(stress_suite);
