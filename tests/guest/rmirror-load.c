// SPDX-License-Identifier: GPL-2.0
/*
 * rmirror-load: a minimal fio stand-in for the guest (its fio needs System
 * V shared memory, which the guest kernel lacks). One thread, synchronous
 * O_DIRECT 4 KiB I/O for a fixed time; prints the I/Os per second.
 *
 *   rmirror-load DEV write|randwrite|read|randread SECONDS SIZE_MB
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BS 4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s DEV write|randwrite|read|randread SECONDS SIZE_MB\n", argv[0]);
		return 2;
	}
	const char *mode = argv[2];
	int write = strstr(mode, "write") != NULL;
	int rnd = strncmp(mode, "rand", 4) == 0;
	double secs = atof(argv[3]);
	unsigned long blocks = strtoul(argv[4], NULL, 0) * (1024 * 1024 / BS);
	int fd = open(argv[1], (write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	void *buf;
	unsigned long n = 0, pos = 0;
	unsigned int seed = 1;

	if (fd < 0 || !blocks) {
		perror(argv[1]);
		return 1;
	}
	if (posix_memalign(&buf, BS, BS))
		return 1;
	memset(buf, 0x5a, BS);
	double start = now(), end = start + secs, t = start;

	while (t < end) {
		/* Check the clock every 64 I/Os. */
		for (int i = 0; i < 64; i++) {
			off_t off = (off_t)(rnd ? rand_r(&seed) % blocks : pos++ % blocks) * BS;
			ssize_t r = write ? pwrite(fd, buf, BS, off) : pread(fd, buf, BS, off);

			if (r != BS) {
				perror("io");
				return 1;
			}
			n++;
		}
		t = now();
	}
	printf("%.0f\n", n / (t - start));
	return 0;
}
