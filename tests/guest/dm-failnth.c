// SPDX-License-Identifier: GPL-2.0
/*
 * dm-failnth: device-mapper operations with their 1st, 2nd, ... allocation
 * failing (/proc/thread-self/fail-nth), for the rmirror scenarios.
 *
 *   dm-failnth load NAME SECTORS TARGET PARAMS
 *
 * For n = 1, 2, ...: create an empty device NAME, arm fail-nth = n, load
 * the table "0 SECTORS TARGET PARAMS" (DM_TABLE_LOAD: dm-core's table and
 * the target's constructor run in this task), disarm, then check:
 *
 *  - the load failed and left no table, or it succeeded; with nothing
 *    injected it succeeded;
 *  - a loaded table resumes (every other run; the rest are removed
 *    inactive, so both destructor paths run) and reports its status;
 *  - the device removes.
 *
 *   dm-failnth write DEVICE SECTOR
 *
 * For n = 1, 2, ...: an O_DIRECT write of 4 KiB at SECTOR with fail-nth =
 * n, then a read back. A write that fails for want of memory is a bug in
 * a block device (bios come from mempools: GFP_NOIO never fails), so any
 * failed write is reported and fails the run.
 *
 * Each stops at the first run that no longer reached the n-th allocation,
 * prints the number of allocation points and exits 0, or prints what went
 * wrong and exits 1. Only the ioctl or the write itself runs with fail-nth
 * armed: files are opened and buffers built before. Leaks and kernel
 * reports are for the caller to look for (kmemleak, the console).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <stdint.h>
#include <unistd.h>
#include <linux/dm-ioctl.h>

#define BUF_SIZE	16384
#define MAX_STEPS	20000

static int control;
static int fail_nth;

static struct dm_ioctl *dm_buf(const char *name)
{
	static union {
		struct dm_ioctl io;
		char bytes[BUF_SIZE];
	} buf;

	memset(&buf, 0, sizeof(buf));
	buf.io.version[0] = DM_VERSION_MAJOR;
	buf.io.version[1] = 0;
	buf.io.version[2] = 0;
	buf.io.data_size = sizeof(buf);
	buf.io.data_start = sizeof(struct dm_ioctl);
	snprintf(buf.io.name, sizeof(buf.io.name), "%s", name);
	return &buf.io;
}

static int dm_cmd(unsigned long cmd, const char *name, unsigned int flags)
{
	struct dm_ioctl *io = dm_buf(name);

	io->flags = flags;
	return ioctl(control, cmd, io);
}

static void arm(unsigned int n)
{
	char s[16];
	int len = snprintf(s, sizeof(s), "%u", n);

	if (pwrite(fail_nth, s, len, 0) != len) {
		perror("dm-failnth: fail-nth");
		exit(1);
	}
}

/* Disarms; returns what was left: 0 if the n-th allocation failed. */
static unsigned int disarm(void)
{
	char s[16] = "";
	unsigned int left;

	if (pread(fail_nth, s, sizeof(s) - 1, 0) <= 0) {
		perror("dm-failnth: fail-nth");
		exit(1);
	}
	left = strtoul(s, NULL, 10);
	arm(0);
	return left;
}

/* The table load's buffer: one target spec and its parameters. */
static struct dm_ioctl *load_buf(const char *name, unsigned long long sectors,
				 const char *target, const char *params)
{
	struct dm_ioctl *io = dm_buf(name);
	struct dm_target_spec *spec = (void *)((char *)io + io->data_start);
	char *p = (char *)(spec + 1);
	size_t room = BUF_SIZE - io->data_start - sizeof(*spec);

	if (strlen(params) + 1 > room) {
		fprintf(stderr, "dm-failnth: parameters too long\n");
		exit(1);
	}
	io->target_count = 1;
	spec->sector_start = 0;
	spec->length = sectors;
	snprintf(spec->target_type, sizeof(spec->target_type), "%s", target);
	memcpy(p, params, strlen(params) + 1);
	spec->next = 0;
	return io;
}

static int load_loop(const char *name, unsigned long long sectors,
		     const char *target, const char *params)
{
	unsigned int n, points = 0, failed = 0, other = 0, resumed = 0;

	control = open("/dev/mapper/control", O_RDWR);
	if (control < 0) {
		perror("dm-failnth: /dev/mapper/control");
		return 1;
	}
	for (n = 1; n <= MAX_STEPS; n++) {
		struct dm_ioctl *io;
		unsigned int left;
		int r, err;

		if (dm_cmd(DM_DEV_CREATE, name, 0)) {
			fprintf(stderr, "dm-failnth: run %u: create: %s\n", n, strerror(errno));
			return 1;
		}
		io = load_buf(name, sectors, target, params);
		arm(n);
		r = ioctl(control, DM_TABLE_LOAD, io);
		err = errno;
		left = disarm();
		/*
		 * Any error will do when a fault was injected: dm-core turns
		 * some allocation failures into other codes (add_disk() and
		 * the queue setup of a first load, say -EINVAL).
		 */
		if (r && left) {
			fprintf(stderr, "dm-failnth: run %u: load failed with no fault injected: %s\n",
				n, strerror(err));
			return 1;
		}
		if (r) {
			failed++;
			if (err != ENOMEM)
				other++;
			/* Nothing loaded: the inactive slot stays empty. */
			io = dm_buf(name);
			if (ioctl(control, DM_DEV_STATUS, io) ||
			    io->flags & DM_INACTIVE_PRESENT_FLAG) {
				fprintf(stderr, "dm-failnth: run %u: a failed load left a table\n", n);
				return 1;
			}
		} else if (n % 2) {
			if (dm_cmd(DM_DEV_SUSPEND, name, 0) ||
			    dm_cmd(DM_TABLE_STATUS, name, 0)) {
				fprintf(stderr, "dm-failnth: run %u: resume/status: %s\n", n,
					strerror(errno));
				return 1;
			}
			resumed++;
		}
		if (dm_cmd(DM_DEV_REMOVE, name, 0)) {
			fprintf(stderr, "dm-failnth: run %u: remove: %s\n", n, strerror(errno));
			return 1;
		}
		if (left)
			break;
		points++;
	}
	if (n > MAX_STEPS) {
		fprintf(stderr, "dm-failnth: still allocating after %u runs\n", MAX_STEPS);
		return 1;
	}
	printf("dm-failnth: %s ctr: %u allocation points, %u loads failed cleanly (%u not with ENOMEM), %u resumed\n",
	       target, points, failed, other, resumed);
	return 0;
}

static int write_loop(const char *path, unsigned long long sector)
{
	unsigned int n, points = 0, failed = 0;
	unsigned char *buf, *back;
	off_t at = sector * 512;
	int fd;

	fd = open(path, O_RDWR | O_DIRECT);
	if (fd < 0 || posix_memalign((void **)&buf, 4096, 4096) ||
	    posix_memalign((void **)&back, 4096, 4096)) {
		perror("dm-failnth: write");
		return 1;
	}
	for (n = 1; n <= MAX_STEPS; n++) {
		unsigned int left, i;
		ssize_t r;
		int err;

		for (i = 0; i < 4096; i++)
			buf[i] = (unsigned char)(n * 7 + i / 512);
		arm(n);
		r = pwrite(fd, buf, 4096, at);
		err = errno;
		left = disarm();
		if (r != 4096) {
			fprintf(stderr, "dm-failnth: write %s: run %u: %s%s\n", path, n,
				r < 0 ? strerror(err) : "short write",
				left ? " (no fault injected)" : "");
			failed++;
		} else if (pread(fd, back, 4096, at) != 4096 || memcmp(buf, back, 4096)) {
			fprintf(stderr, "dm-failnth: write %s: run %u: read back differs\n",
				path, n);
			return 1;
		}
		if (left)
			break;
		points++;
	}
	if (n > MAX_STEPS) {
		fprintf(stderr, "dm-failnth: still allocating after %u runs\n", MAX_STEPS);
		return 1;
	}
	printf("dm-failnth: write %s: %u allocation points, %u writes failed\n", path,
	       points, failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	fail_nth = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fail_nth < 0) {
		perror("dm-failnth: /proc/thread-self/fail-nth");
		return 1;
	}
	if (argc == 6 && !strcmp(argv[1], "load"))
		return load_loop(argv[2], strtoull(argv[3], NULL, 10), argv[4], argv[5]);
	if (argc == 4 && !strcmp(argv[1], "write"))
		return write_loop(argv[2], strtoull(argv[3], NULL, 10));
	fprintf(stderr, "usage: dm-failnth load NAME SECTORS TARGET PARAMS\n"
		"       dm-failnth write DEVICE SECTOR\n");
	return 2;
}
