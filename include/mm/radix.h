/* A radix tree from page indexes to pointers (mm/radix.c): the index of a
 * memory object's pages, sparse and of any size a user may ask for (a
 * 1 TiB shared mapping costs only the pages touched). 9 bits per level,
 * as a page table; the tree grows taller as larger indexes are stored.
 * No locks: the owner's lock guards it. */
#ifndef LIMEN_MM_RADIX_H
#define LIMEN_MM_RADIX_H

#include <types.h>

#define RADIX_BITS 9
#define RADIX_SLOTS (1u << RADIX_BITS)

struct radix_node {
	void *slot[RADIX_SLOTS];
};

struct radix {
	struct radix_node *root; /* NULL: empty */
	unsigned height;	 /* levels below root; 0 with no root */
};

/* The item at idx, or NULL. */
void *radix_lookup(const struct radix *r, uint64_t idx);
/* Stores item (not NULL) at idx, replacing nothing: -EEXIST if the slot
 * is taken, -ENOMEM if a node could not be allocated (the tree is left
 * as it was, or taller but equivalent). */
int radix_insert(struct radix *r, uint64_t idx, void *item);
/* Replaces the item at idx with item (not NULL), returning the old one;
 * NULL (and nothing stored) if idx holds nothing. Allocates nothing. */
void *radix_replace(struct radix *r, uint64_t idx, void *item);
/* Removes and returns the item at idx (NULL if none). Nodes stay. */
void *radix_remove(struct radix *r, uint64_t idx);
/* The first item at an index >= idx (its index in *out), or NULL. Empty
 * subtrees are skipped, so a sparse tree costs its nodes, not its span. */
void *radix_next(const struct radix *r, uint64_t idx, uint64_t *out);
/* Calls fn on every item in index order, then frees every node; the tree
 * is empty afterwards. The walk's depth is the tree's height (at most 8). */
void radix_destroy(struct radix *r, void (*fn)(void *item, void *arg),
		   void *arg);

#endif
