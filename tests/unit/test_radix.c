/* Host tests of mm/radix.c: lookups of stored and missing indexes at every
 * height, growth keeping what was stored, the largest index, -EEXIST,
 * remove, in-order destroy, and allocation failure leaving the tree
 * usable (ASan checks nothing leaks or is freed twice). */
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <mm/kmalloc.h>
#include <mm/radix.h>
#include <uapi/errno.h>

static int fail_after = -1; /* allocations left before one fails */

void *kzalloc(size_t n)
{
	if (fail_after == 0)
		return NULL;
	if (fail_after > 0)
		fail_after--;
	return calloc(1, n);
}

void kfree(void *p)
{
	free(p);
}

#include "../../mm/radix.c"

static uint64_t last_seen;
static int seen, out_of_order;

static void visit(void *item, void *arg)
{
	(void)arg;
	uint64_t v = (uintptr_t)item;
	if (seen && v <= last_seen)
		out_of_order++;
	last_seen = v;
	seen++;
}

/* Items are their index + 1, so NULL is never stored. */
#define ITEM(i) ((void *)(uintptr_t)((i) + 1))

int main(void)
{
	struct radix r = {0};
	CHECK("empty_lookup", radix_lookup(&r, 0) == NULL);
	CHECK("empty_remove", radix_remove(&r, 5) == NULL);

	static const uint64_t idx[] = {0,
				       1,
				       511,
				       512,
				       4096,
				       262143,
				       262144,
				       1ULL << 35,
				       (1ULL << 35) + 7,
				       UINT64_MAX - 1};
	const int n = sizeof(idx) / sizeof(idx[0]);
	int ok = 1;
	for (int i = 0; i < n; i++)
		ok &= radix_insert(&r, idx[i], ITEM(idx[i])) == 0;
	CHECK("insert_all", ok);
	ok = 1;
	for (int i = 0; i < n; i++)
		ok &= radix_lookup(&r, idx[i]) == ITEM(idx[i]);
	CHECK("lookup_all_after_growth", ok);
	CHECK("lookup_missing", radix_lookup(&r, 2) == NULL &&
				    radix_lookup(&r, 513) == NULL &&
				    radix_lookup(&r, (1ULL << 35) + 1) == NULL);
	CHECK("insert_taken_eexist", radix_insert(&r, 512, ITEM(9)) == -EEXIST);
	CHECK("remove_returns_item", radix_remove(&r, 4096) == ITEM(4096));
	CHECK("removed_is_gone", radix_lookup(&r, 4096) == NULL);
	CHECK("reinsert_after_remove", radix_insert(&r, 4096, ITEM(4096)) == 0);

	seen = out_of_order = 0;
	radix_destroy(&r, visit, NULL);
	CHECK("destroy_visits_all_in_order", seen == n && out_of_order == 0);
	CHECK("destroy_empties",
	      r.root == NULL && r.height == 0 && radix_lookup(&r, 0) == NULL);

	/* Small trees stay short: 512 entries fit in one level. */
	for (uint64_t i = 0; i < 512; i++)
		radix_insert(&r, i, ITEM(i));
	CHECK("one_level_for_512", r.height == 1);
	radix_insert(&r, 512, ITEM(512));
	CHECK("two_levels_past_512",
	      r.height == 2 && radix_lookup(&r, 511) == ITEM(511));
	radix_destroy(&r, NULL, NULL);

	/* Out of memory half-way down: an error, and the tree still works
	 * and frees cleanly. */
	radix_insert(&r, 3, ITEM(3));
	fail_after = 1;
	int e = radix_insert(&r, 1ULL << 30, ITEM(7));
	fail_after = -1;
	CHECK("insert_enomem", e == -ENOMEM);
	CHECK("tree_usable_after_enomem",
	      radix_lookup(&r, 3) == ITEM(3) &&
		  radix_lookup(&r, 1ULL << 30) == NULL &&
		  radix_insert(&r, 1ULL << 30, ITEM(7)) == 0 &&
		  radix_lookup(&r, 1ULL << 30) == ITEM(7));
	seen = 0;
	radix_destroy(&r, visit, NULL);
	CHECK("destroy_after_enomem", seen == 2);
	return unit_done();
}
