/* The kernel heap: kmalloc/kfree over one global struct kheap (mm/kheap.c)
 * fed with pages from the physical allocator (mm/kmalloc.c). Callable from
 * any context, interrupts included. */
#ifndef LIMEN_MM_KMALLOC_H
#define LIMEN_MM_KMALLOC_H

#include <mm/kheap.h>
#include <types.h>

/* After pmm_init and paging_init; kmalloc before it panics. */
void kmalloc_init(void);
/* At least size bytes, 16-byte aligned, or NULL. kmalloc(0) returns a
 * minimal block that must be freed like any other. Blocks up to 2048 bytes
 * come from slabs; above, a 2^order page block with a 32-byte header (so
 * kmalloc(PAGE_SIZE) takes two pages: use pmm_alloc_pages for whole
 * pages). */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
/* NULL is a no-op; a bad pointer or double free panics. */
void kfree(void *p);
void kmalloc_stats(struct kheap_stats *st);
/* Runs kheap_check on the heap: 0, or -EINVAL after logging why. */
int kmalloc_selfcheck(void);

#endif
