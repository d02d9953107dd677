/* mremap: growing, shrinking and moving a mapping. A move carries the
 * page-table entries over to the new range (the frames, their reference
 * counts and rights stay as they were: nothing is copied), so it costs the
 * mapped pages, not the size of the range. Which error each case gets
 * follows Linux's mm/mremap.c. */
#include <mm/mm.h>
#include <mm/shmem.h>
#include <mm/vm.h>
#include <rlimit.h>
#include <uapi/errno.h>
#include <uapi/mman.h>

#include "mm_internal.h"

/* A move may split the old VMA twice (to cut out the part that moves),
 * and MREMAP_FIXED's unmapping of the target may leave one more VMA than
 * it found (one VMA straddling the whole target becomes two). Checked up
 * front, as Linux does, so a move does not fail half done at the limit. */
#define REMAP_MAX_NEW_VMAS 3

/* The page range a grown locked mapping must have brought in, after
 * mm->lock is dropped (mm_populate faults pages in one by one). */
struct remap_populate {
	uintptr_t start, end;
};

static bool vma_is_data(const struct vma *v)
{
	/* Linux's data_vm: private, writable, not the stack. */
	return (v->prot & PROT_WRITE) && !(v->flags & VMA_SHARED) &&
	       !(v->flags & VMA_GROWSDOWN);
}

/* With mm->lock held: whether v may grow by len bytes. Its memory lock
 * would pass RLIMIT_MEMLOCK: -EAGAIN (Linux's mlock_future_ok); the
 * address space RLIMIT_AS or RLIMIT_DATA, or private writable memory
 * all of RAM at once (mmap's overcommit rule): -ENOMEM. */
static int may_grow(struct mm *mm, const struct vma *v, uint64_t len)
{
	if (v->flags & VMA_LOCKED) {
		uint64_t lim = rlimit_memlock_pages(), pages = len / PAGE_SIZE;
		if (lim != UINT64_MAX &&
		    (pages > lim || mm->locked_pages > lim - pages))
			return -EAGAIN;
	}
	if (rlimit_vm_exceeded_locked(mm, len, vma_is_data(v)))
		return -ENOMEM;
	if (vma_is_data(v) && !mm_may_commit(len))
		return -ENOMEM;
	return 0;
}

/* With mm->lock held: moves the entries of [from, from + len) to
 * [to, to + len), which has none. If a page table for the destination
 * cannot be allocated, what moved so far goes back, so the mapping is
 * whole either way. */
static int move_ptes(struct mm *mm, uintptr_t from, uintptr_t to, size_t len)
{
	uintptr_t va = from;
	int r;
	while ((r = uvm_move_next(mm->root, &va, from + len, to - from)) > 0)
		va += PAGE_SIZE;
	if (r == 0)
		return 0;
	uintptr_t back = to;
	while (uvm_move_next(mm->root, &back, to + (va - from), from - to) > 0)
		back += PAGE_SIZE;
	return r;
}

/* With mm->lock held: the VMA that is exactly [start, end), cut out of v,
 * which covers it. NULL if out of memory for the split. */
static struct vma *vma_isolate(struct mm *mm, struct vma *v, uintptr_t start,
			       uintptr_t end)
{
	if (v->start < start && !(v = vma_split(mm, v, start)))
		return NULL;
	if (v->end > end && !vma_split(mm, v, end))
		return NULL;
	return v;
}

/* With mm->lock held: moves v (all of it) to [to, to + len), which is
 * free; len may exceed v's size, and the extra part is fresh anonymous
 * memory. Returns 0 or -ENOMEM (nothing moved). */
static int vma_move(struct mm *mm, struct vma *v, uintptr_t to, size_t len,
		    struct remap_populate *pop)
{
	int r = move_ptes(mm, v->start, to, v->end - v->start);
	if (r)
		return r;
	/* Off the list and back in at its new place; vma_insert counts it
	 * again, with its new size. Its file or shared object and pgoff
	 * stay: the contents at its start are the same. */
	list_del(&v->link);
	mm->nr_vmas--;
	if (v->flags & VMA_LOCKED) {
		mm->locked_pages -= (v->end - v->start) / PAGE_SIZE;
		pop->start = to + (v->end - v->start);
		pop->end = to + len;
	}
	v->start = to;
	v->end = to + len;
	/* /proc/PID/maps calls the brk area [heap]; moved, it is not. */
	v->flags &= ~VMA_HEAP;
	vma_insert(mm, v);
	return 0;
}

/* With mm->lock held: MREMAP_FIXED, the move to exactly new_addr (already
 * checked to be aligned, in range and clear of the old range). The target
 * is unmapped first and a shrink cuts the old tail, both before the
 * limits are checked, as on Linux: an error after that leaves them
 * unmapped. */
static long remap_fixed(struct mm *mm, uintptr_t addr, size_t old_len,
			size_t new_len, uintptr_t new_addr,
			struct remap_populate *pop)
{
	struct vma *v = mm_find_vma(mm, addr);
	size_t keep = MIN(old_len, new_len);
	if (keep > v->end - addr)
		return -EFAULT; /* across VMA boundaries */
	if (old_len > new_len &&
	    (addr + old_len > USER_TOP || addr + old_len < addr))
		return -EINVAL; /* munmap's rule for the cut tail */
	if (mm->nr_vmas + REMAP_MAX_NEW_VMAS > MM_MAX_VMAS)
		return -ENOMEM;
	int r = carve(mm, new_addr, new_addr + new_len);
	if (r == 0 && old_len > new_len)
		r = carve(mm, addr + new_len, addr + old_len);
	if (r)
		return r;
	/* The carving may have split v (the target can lie in another part
	 * of the same VMA): look again. */
	v = mm_find_vma(mm, addr);
	if (new_len > keep && (r = may_grow(mm, v, new_len - keep)))
		return r;
	if (!(v = vma_isolate(mm, v, addr, addr + keep)))
		return -ENOMEM;
	r = vma_move(mm, v, new_addr, new_len, pop);
	return r ? r : (long)new_addr;
}

/* With mm->lock held: mremap without MREMAP_FIXED. */
static long remap(struct mm *mm, uintptr_t addr, size_t old_len, size_t new_len,
		  unsigned flags, struct remap_populate *pop)
{
	struct vma *v = mm_find_vma(mm, addr);
	if (old_len >= new_len) {
		/* A shrink just unmaps the tail, whatever VMAs it spans (as
		 * munmap would). */
		if (old_len == new_len)
			return (long)addr;
		if (addr + old_len > USER_TOP || addr + old_len < addr)
			return -EINVAL;
		int r = carve(mm, addr + new_len, addr + old_len);
		return r ? r : (long)addr;
	}
	if (old_len > v->end - addr)
		return -EFAULT; /* across VMA boundaries */
	/* Shared memory may grow past its object, as on Linux: an access
	 * there is SIGBUS (MM_FAULT_BEYOND). */
	size_t grow = new_len - old_len;
	int r = may_grow(mm, v, grow);
	if (r)
		return r;
	/* In place, if the range is the VMA's tail and free space follows. */
	struct vma *next = vma_next(mm, v);
	if (addr + old_len == v->end && grow <= USER_TOP - v->end &&
	    (!next || next->start - v->end >= grow)) {
		if (v->flags & VMA_LOCKED) {
			mm->locked_pages += grow / PAGE_SIZE;
			pop->start = v->end;
			pop->end = v->end + grow;
		}
		v->end += grow;
		return (long)addr;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	if (mm->nr_vmas + REMAP_MAX_NEW_VMAS > MM_MAX_VMAS)
		return -ENOMEM;
	/* The old range is still mapped while the new one is chosen, so
	 * the two cannot overlap. */
	uintptr_t to = mm_find_free_locked(mm, new_len, 0);
	if (!to)
		return -ENOMEM;
	if (!(v = vma_isolate(mm, v, addr, addr + old_len)))
		return -ENOMEM;
	r = vma_move(mm, v, to, new_len, pop);
	return r ? r : (long)to;
}

long mm_remap(struct mm *mm, uintptr_t addr, size_t old_len, size_t new_len,
	      unsigned flags, uintptr_t new_addr)
{
	if (flags & MREMAP_FIXED) {
		if (!IS_ALIGNED(new_addr, PAGE_SIZE) || new_len > USER_TOP ||
		    new_addr > USER_TOP - new_len)
			return -EINVAL;
		if (addr + old_len > new_addr && new_addr + new_len > addr)
			return -EINVAL; /* the ranges overlap */
		if (new_addr < USER_MIN_ADDR)
			return -EPERM; /* mmap_min_addr, as for MAP_FIXED */
	}
	struct remap_populate pop = {0, 0};
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	long r;
	if (!mm_find_vma(mm, addr))
		r = -EFAULT;
	else if (old_len == 0)
		/* Linux duplicates a shared mapping for old_len 0; of a
		 * private one that would be a new, unrelated mapping, so it
		 * refuses. Limen refuses both: duplication is not done. */
		r = -EINVAL;
	else if (flags & MREMAP_FIXED)
		r = remap_fixed(mm, addr, old_len, new_len, new_addr, &pop);
	else
		r = remap(mm, addr, old_len, new_len, flags, &pop);
	spin_unlock_irqrestore(&mm->lock, f);
	/* A grown locked mapping is populated, as mlock would; a failure
	 * leaves the pages to come on demand, as Linux does. */
	if (r >= 0 && pop.end > pop.start)
		mm_populate(mm, pop.start, pop.end);
	return r;
}
