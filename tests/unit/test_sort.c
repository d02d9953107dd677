/* Host tests of lib/sort.c: sorted output for empty, one, sorted,
 * reversed, duplicate-heavy and pseudo-random inputs, and the result is a
 * permutation of the input (nothing lost or duplicated). */
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/sort.h>

#include "../../lib/sort.c"

static bool sorted(void **v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if ((uintptr_t)v[i - 1] > (uintptr_t)v[i])
			return false;
	return true;
}

/* Same multiset: the sum and xor of the addresses are kept. */
static bool same_items(void **a, void **b, size_t n)
{
	uintptr_t sa = 0, sb = 0, xa = 0, xb = 0;
	for (size_t i = 0; i < n; i++) {
		sa += (uintptr_t)a[i];
		sb += (uintptr_t)b[i];
		xa ^= (uintptr_t)a[i] * 2654435761u;
		xb ^= (uintptr_t)b[i] * 2654435761u;
	}
	return sa == sb && xa == xb;
}

static void run(const char *name, void **v, size_t n)
{
	void **copy = malloc((n ? n : 1) * sizeof(*copy));
	memcpy(copy, v, n * sizeof(*v));
	sort_ptrs(v, n);
	char buf[64];
	snprintf(buf, sizeof(buf), "%s_sorted", name);
	CHECK(buf, sorted(v, n));
	snprintf(buf, sizeof(buf), "%s_permutation", name);
	CHECK(buf, same_items(v, copy, n));
	free(copy);
}

int main(void)
{
	enum { N = 5000 };
	static void *v[N];
	run("empty", v, 0);
	v[0] = (void *)42;
	run("one", v, 1);
	for (size_t i = 0; i < N; i++)
		v[i] = (void *)(i * 16);
	run("ascending", v, N);
	for (size_t i = 0; i < N; i++)
		v[i] = (void *)((N - i) * 16);
	run("descending", v, N);
	for (size_t i = 0; i < N; i++)
		v[i] = (void *)(uintptr_t)(i % 3);
	run("duplicates", v, N);
	uint32_t x = 12345;
	for (size_t i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		v[i] = (void *)(uintptr_t)x;
	}
	run("random", v, N);
	void *two[2] = {(void *)2, (void *)1};
	run("two", two, 2);
	return unit_done();
}
