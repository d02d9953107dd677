/* What mm/mm.c shares with the other files of the address-space code
 * (mm/mremap.c): VMA list surgery and the lock-held halves of public
 * operations. Every function here wants mm->lock held. Not for use
 * outside mm/. */
#ifndef LIMEN_MM_MM_INTERNAL_H
#define LIMEN_MM_MM_INTERNAL_H

#include <mm/mm.h>

/* Splits v at addr (inside it); returns the upper part, or NULL if out of
 * memory or at the VMA limit. */
struct vma *vma_split(struct mm *mm, struct vma *v, uintptr_t addr);
/* The VMA after v, or NULL at the end. */
struct vma *vma_next(struct mm *mm, struct vma *v);
/* Adds n, which overlaps no VMA, in address order; counts it in nr_vmas
 * (and locked_pages if VMA_LOCKED). */
void vma_insert(struct mm *mm, struct vma *n);
/* Unmaps [start, end) (frames, page-table entries and VMAs), splitting
 * VMAs that straddle an edge: munmap's core. */
int carve(struct mm *mm, uintptr_t start, uintptr_t end);
/* mm_find_free for a caller that holds mm->lock. */
uintptr_t mm_find_free_locked(struct mm *mm, size_t len, uintptr_t hint);

#endif
