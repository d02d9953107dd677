/* A radix tree of page indexes (include/mm/radix.h). Nodes come from
 * kzalloc; a lookup costs one load per level, and the height grows only
 * as far as the largest index stored needs. */
#include <mm/kmalloc.h>
#include <mm/radix.h>
#include <uapi/errno.h>

/* The largest index a tree of this height can hold, plus one (0: any). */
static uint64_t radix_span(unsigned height)
{
	unsigned bits = RADIX_BITS * height;
	return bits >= 64 ? 0 : 1ULL << bits;
}

static unsigned slot_of(uint64_t idx, unsigned level)
{
	return (unsigned)(idx >> (RADIX_BITS * (level - 1))) &
	       (RADIX_SLOTS - 1);
}

/* The leaf slot for idx, or NULL if no node holds it. */
static void **radix_slot(const struct radix *r, uint64_t idx)
{
	uint64_t span = radix_span(r->height);
	if (!r->root || (span && idx >= span))
		return NULL;
	struct radix_node *n = r->root;
	for (unsigned level = r->height; level > 1; level--) {
		n = n->slot[slot_of(idx, level)];
		if (!n)
			return NULL;
	}
	return &n->slot[slot_of(idx, 1)];
}

void *radix_lookup(const struct radix *r, uint64_t idx)
{
	void **s = radix_slot(r, idx);
	return s ? *s : NULL;
}

void *radix_replace(struct radix *r, uint64_t idx, void *item)
{
	void **s = radix_slot(r, idx);
	if (!s || !*s)
		return NULL;
	void *old = *s;
	*s = item;
	return old;
}

/* Makes the tree tall enough for idx: the old root becomes slot 0 of a
 * new one, as often as needed. */
static int radix_grow(struct radix *r, uint64_t idx)
{
	while (!r->root ||
	       (radix_span(r->height) && idx >= radix_span(r->height))) {
		struct radix_node *n = kzalloc(sizeof(*n));
		if (!n)
			return -ENOMEM;
		n->slot[0] = r->root;
		r->root = n;
		r->height++;
	}
	return 0;
}

int radix_insert(struct radix *r, uint64_t idx, void *item)
{
	int e = radix_grow(r, idx);
	if (e)
		return e;
	struct radix_node *n = r->root;
	for (unsigned level = r->height; level > 1; level--) {
		void **s = &n->slot[slot_of(idx, level)];
		if (!*s) {
			*s = kzalloc(sizeof(struct radix_node));
			if (!*s)
				return -ENOMEM;
		}
		n = *s;
	}
	void **s = &n->slot[slot_of(idx, 1)];
	if (*s)
		return -EEXIST;
	*s = item;
	return 0;
}

void *radix_remove(struct radix *r, uint64_t idx)
{
	void **s = radix_slot(r, idx);
	if (!s)
		return NULL;
	void *item = *s;
	*s = NULL;
	return item;
}

/* n covers the indexes from base on (RADIX_SLOTS^level of them); idx is
 * at least base. Recursion bounded by the height. */
static void *next_in(struct radix_node *n, unsigned level, uint64_t base,
		     uint64_t idx, uint64_t *out)
{
	unsigned shift = RADIX_BITS * (level - 1);
	for (unsigned i = (unsigned)((idx - base) >> shift); i < RADIX_SLOTS;
	     i++) {
		void *s = n->slot[i];
		if (!s)
			continue;
		uint64_t b = base + ((uint64_t)i << shift);
		if (level == 1) {
			*out = b;
			return s;
		}
		void *item = next_in(s, level - 1, b, idx > b ? idx : b, out);
		if (item)
			return item;
	}
	return NULL;
}

void *radix_next(const struct radix *r, uint64_t idx, uint64_t *out)
{
	uint64_t span = radix_span(r->height);
	if (!r->root || (span && idx >= span))
		return NULL;
	return next_in(r->root, r->height, 0, idx, out);
}

/* Recursion bounded by the height: at most 64 / RADIX_BITS + 1 levels. */
static void destroy_node(struct radix_node *n, unsigned level,
			 void (*fn)(void *, void *), void *arg)
{
	for (unsigned i = 0; i < RADIX_SLOTS; i++) {
		if (!n->slot[i])
			continue;
		if (level > 1)
			destroy_node(n->slot[i], level - 1, fn, arg);
		else if (fn)
			fn(n->slot[i], arg);
	}
	kfree(n);
}

void radix_destroy(struct radix *r, void (*fn)(void *item, void *arg),
		   void *arg)
{
	if (r->root)
		destroy_node(r->root, r->height, fn, arg);
	r->root = NULL;
	r->height = 0;
}
