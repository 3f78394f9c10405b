// SPDX-License-Identifier: GPL-2.0
/*
 * dirty-mem MB: dirties MB MiB of anonymous memory, a pattern per page,
 * then checks every page and dirties it again with another pattern, then
 * checks it once more. In a guest with less memory than MB the pages go
 * out to swap and come back from it, twice. Prints what it found; exits 0
 * if every page came back as it was written.
 *
 * Built statically by scripts/check.sh into out/bin (tests/guest/swap.bins).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t word(size_t page, size_t i, unsigned int pass)
{
	uint64_t x = ((uint64_t)page << 20) ^ (i << 3) ^ ((uint64_t)pass << 60);

	/* splitmix64's finaliser: every word differs, every pass too. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), words = page / 8;
	size_t pages = (mb << 20) / page, bad = 0, p, i;
	unsigned int pass;
	uint64_t *mem;

	if (!mb) {
		fprintf(stderr, "usage: dirty-mem MB\n");
		return 2;
	}
	mem = mmap(NULL, mb << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("dirty-mem: mmap");
		return 1;
	}
	for (pass = 0; pass < 3; pass++) {
		for (p = 0; p < pages; p++) {
			uint64_t *w = mem + p * words;

			if (pass > 0)
				for (i = 0; i < words; i++)
					if (w[i] != word(p, i, pass - 1)) {
						bad++;
						break;
					}
			if (pass < 2)
				for (i = 0; i < words; i++)
					w[i] = word(p, i, pass);
		}
		printf("dirty-mem: pass %u over %zu MiB, %zu bad pages so far\n", pass, mb, bad);
		fflush(stdout);
	}
	return bad ? 1 : 0;
}
