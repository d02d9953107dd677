/* Address spaces: VMAs kept in a sorted list, demand-zero population on
 * fault, and the operations behind mmap, munmap, mprotect and brk. After
 * fork, frames are shared copy-on-write (page reference counts). */
#include <arch.h>
#include <err.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <mm/shmem.h>
#include <mm/vm.h>
#include <panic.h>
#include <percpu.h>
#include <sched.h>
#include <uapi/errno.h>
#include <uapi/mman.h>

#include "mm_internal.h"

static unsigned prot_to_vm(unsigned prot)
{
	return ((prot & PROT_WRITE) ? VM_WRITE : 0) |
	       ((prot & PROT_EXEC) ? VM_EXEC : 0);
}

/* The page index in v's object of the page at va. */
static uint64_t vma_index(const struct vma *v, uintptr_t va)
{
	return (v->pgoff + (va - v->start)) / PAGE_SIZE;
}

/* Whether stores through v must be noticed: a shared mapping of a file's
 * page cache, whose stores must reach the disk. */
static bool write_notify(const struct vma *v)
{
	return v->shm && v->shm->backing && (v->flags & VMA_SHARED);
}

/* The rights a present page gets: the VMA's, minus write while the frame
 * is shared copy-on-write (the first write then faults and copies), and
 * minus write on a clean page of a file's page cache mapped shared, so
 * that the first store faults and marks the page dirty (write_notify). */
static unsigned page_rights(const struct vma *v, uintptr_t va, phys_addr_t pa)
{
	unsigned r = prot_to_vm(v->prot);
	if (v->prot == PROT_NONE)
		return VM_HIDDEN;
	/* A private page shared with another address space, or a page of
	 * an object a private mapping views (a file's), is copied on the
	 * first write; a page of a shared mapping never is. */
	if ((r & VM_WRITE) && !(v->flags & VMA_SHARED) &&
	    page_ref_count(pa) > 1)
		r &= ~VM_WRITE;
	if ((r & VM_WRITE) && write_notify(v) &&
	    !shm_page_dirty(v->shm, vma_index(v, va)))
		r &= ~VM_WRITE;
	return r;
}

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));
	if (!mm)
		return NULL;
	mm->root = uvm_create();
	if (!mm->root) {
		kfree(mm);
		return NULL;
	}
	list_init(&mm->vmas);
	spin_init(&mm->lock, "mm");
	mm->stack_top = USER_STACK_TOP;
	mm->stack_limit = USER_STACK_MAX;
	mm->mmap_base = USER_MMAP_TOP;
	return mm;
}

static uint64_t vma_pages(const struct vma *v)
{
	return (v->end - v->start) / PAGE_SIZE;
}

/* With mm->lock held: takes v off the list and frees it (not its pages). */
static void vma_free(struct mm *mm, struct vma *v)
{
	if (v->flags & VMA_LOCKED)
		mm->locked_pages -= vma_pages(v);
	mm->nr_vmas--;
	list_del(&v->link);
	vma_file_put(v->file);
	shm_put(v->shm);
	kfree(v);
}

/* Frees the frames of [start, end) and their mappings. */
static void unmap_range(struct mm *mm, uintptr_t start, uintptr_t end)
{
	phys_addr_t pa;
	for (uintptr_t va = start; uvm_unmap_next(mm->root, &va, end, &pa);
	     va += PAGE_SIZE) {
		if (pa) {
			page_ref_put(pa); /* freed when no one shares it */
			mm->pages--;
		}
	}
}

void mm_destroy(struct mm *mm)
{
	struct vma *v, *tmp;
	list_for_each_entry_safe(v, tmp, &mm->vmas, link)
	{
		unmap_range(mm, v->start, v->end);
		vma_free(mm, v);
	}
	uvm_destroy(mm->root);
	kfree(mm);
}

void mm_activate(struct mm *mm)
{
	uvm_activate(mm->root);
}

struct vma *mm_find_vma(struct mm *mm, uintptr_t addr)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
	{
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

/* Splits v at addr (inside it); returns the upper part, or NULL if out of
 * memory or at the VMA limit. */
struct vma *vma_split(struct mm *mm, struct vma *v, uintptr_t addr)
{
	if (mm->nr_vmas >= MM_MAX_VMAS)
		return NULL;
	struct vma *hi = kmalloc(sizeof(*hi));
	if (!hi)
		return NULL;
	mm->nr_vmas++;
	*hi = *v;
	hi->start = addr;
	hi->pgoff += addr - v->start;
	vma_file_get(hi->file);
	shm_get(hi->shm);
	v->end = addr;
	list_add(&hi->link, &v->link);
	return hi;
}

/* With mm->lock held: the VMA after v, or NULL at the end. */
struct vma *vma_next(struct mm *mm, struct vma *v)
{
	return v->link.next == &mm->vmas
		   ? NULL
		   : list_entry(v->link.next, struct vma, link);
}

/* With mm->lock held: the first VMA that ends after addr, or NULL. */
static struct vma *vma_first_after(struct mm *mm, uintptr_t addr)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
	{
		if (v->end > addr)
			return v;
	}
	return NULL;
}

/* Cuts [start, end) out of every VMA, so the range is free afterwards. A
 * VMA straddling an edge is split first (vma_split puts the upper part
 * right after it). One pass: munmap of a range of many VMAs costs their
 * number, not its square. */
int carve(struct mm *mm, uintptr_t start, uintptr_t end)
{
	struct vma *v = vma_first_after(mm, start);
	while (v && v->start < end) {
		if (v->start < start) {
			if (!vma_split(mm, v, start))
				return -ENOMEM;
			v = vma_next(mm, v);
			continue;
		}
		if (v->end > end && !vma_split(mm, v, end))
			return -ENOMEM;
		struct vma *next = vma_next(mm, v);
		unmap_range(mm, v->start, v->end);
		vma_free(mm, v);
		v = next;
	}
	uvm_free_tables(mm->root, start, end);
	return 0;
}

void mm_vm_size_locked(struct mm *mm, uint64_t *total, uint64_t *data)
{
	struct vma *v;
	*total = *data = 0;
	list_for_each_entry(v, &mm->vmas, link)
	{
		*total += v->end - v->start;
		/* Linux's data_vm: private, writable, not the stack. */
		if ((v->prot & PROT_WRITE) && !(v->flags & VMA_SHARED) &&
		    !(v->flags & VMA_GROWSDOWN))
			*data += v->end - v->start;
	}
}

void mm_vm_size(struct mm *mm, uint64_t *total, uint64_t *data)
{
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	mm_vm_size_locked(mm, total, data);
	spin_unlock_irqrestore(&mm->lock, f);
}

bool mm_range_used(struct mm *mm, uintptr_t start, uintptr_t end)
{
	bool used = false;
	struct vma *v;
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	list_for_each_entry(v, &mm->vmas, link)
	{
		if (v->start < end && v->end > start) {
			used = true;
			break;
		}
	}
	spin_unlock_irqrestore(&mm->lock, f);
	return used;
}

/* With mm->lock held: adds n, which overlaps no VMA, in address order. */
void vma_insert(struct mm *mm, struct vma *n)
{
	struct vma *v;
	mm->nr_vmas++;
	if (n->flags & VMA_LOCKED)
		mm->locked_pages += vma_pages(n);
	list_for_each_entry(v, &mm->vmas, link)
	{
		if (v->start >= n->end) {
			list_add_tail(&n->link, &v->link);
			return;
		}
	}
	list_add_tail(&n->link, &mm->vmas);
}

struct vma_file *vma_file_new(const char *path, uint64_t dev, uint64_t ino)
{
	size_t n = strlen(path) + 1;
	struct vma_file *f = kmalloc(sizeof(*f) + n);
	if (!f)
		return NULL;
	f->refs = 1;
	f->dev = dev;
	f->ino = ino;
	f->inode = NULL;
	memcpy(f->path, path, n);
	return f;
}

void vma_file_get(struct vma_file *f)
{
	if (f)
		__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

void vma_file_put(struct vma_file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* Often with mm->lock held, where the VFS lock cannot be taken. */
	if (f->inode)
		vfs_inode_put_async(f->inode);
	kfree(f);
}

static int map_range(struct mm *mm, uintptr_t start, size_t len, unsigned prot,
		     unsigned flags, struct vma_file *file, uint64_t pgoff,
		     struct shm_obj *shm)
{
	uintptr_t end = start + ALIGN_UP(len, PAGE_SIZE);
	if (!IS_ALIGNED(start, PAGE_SIZE) || len == 0 || end > USER_TOP ||
	    end < start)
		return -EINVAL;
	struct vma *n = kmalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	int r = mm->nr_vmas >= MM_MAX_VMAS ? -ENOMEM : carve(mm, start, end);
	if (r == 0) {
		n->start = start;
		n->end = end;
		n->prot = prot;
		n->flags = flags | mm->def_flags;
		n->file = file;
		n->shm = shm;
		n->pgoff = pgoff;
		vma_file_get(file);
		shm_get(shm);
		vma_insert(mm, n);
	}
	spin_unlock_irqrestore(&mm->lock, f);
	if (r)
		kfree(n);
	return r;
}

int mm_map(struct mm *mm, uintptr_t start, size_t len, unsigned prot,
	   unsigned flags)
{
	return map_range(mm, start, len, prot, flags, NULL, 0, NULL);
}

int mm_map_shared(struct mm *mm, uintptr_t start, size_t len, unsigned prot,
		  unsigned flags, struct shm_obj *shm)
{
	return map_range(mm, start, len, prot, flags | VMA_SHARED, NULL, 0,
			 shm);
}

int mm_map_object(struct mm *mm, uintptr_t start, size_t len, unsigned prot,
		  unsigned flags, struct vma_file *file, uint64_t pgoff,
		  struct shm_obj *shm)
{
	return map_range(mm, start, len, prot, flags, file, pgoff, shm);
}

int mm_map_file(struct mm *mm, uintptr_t start, size_t len, unsigned prot,
		struct vma_file *file, uint64_t pgoff)
{
	return map_range(mm, start, len, prot, 0, file, pgoff, NULL);
}

int mm_unmap(struct mm *mm, uintptr_t start, size_t len)
{
	uintptr_t end = start + ALIGN_UP(len, PAGE_SIZE);
	if (!IS_ALIGNED(start, PAGE_SIZE) || len == 0 || end > USER_TOP ||
	    end < start)
		return -EINVAL;
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	int r = carve(mm, start, end);
	spin_unlock_irqrestore(&mm->lock, f);
	return r;
}

/* With mm->lock held: 0 if VMAs cover all of [start, end), else -ENOMEM
 * (what Linux's mprotect and mlock answer for a hole). */
static int range_covered(struct mm *mm, uintptr_t start, uintptr_t end)
{
	for (uintptr_t a = start; a < end;) {
		struct vma *v = mm_find_vma(mm, a);
		if (!v)
			return -ENOMEM;
		a = v->end;
	}
	return 0;
}

/* With mm->lock held and [start, end) covered: splits the VMAs at start
 * and end, so each VMA of the range lies wholly inside it. */
static int split_edges(struct mm *mm, uintptr_t start, uintptr_t end)
{
	struct vma *v = mm_find_vma(mm, start);
	if (v->start < start && !vma_split(mm, v, start))
		return -ENOMEM;
	v = mm_find_vma(mm, end - 1);
	if (v->end > end && !vma_split(mm, v, end))
		return -ENOMEM;
	return 0;
}

/* With mm->lock held: gives v's present pages the rights of v->prot. */
static void vma_reprotect(struct mm *mm, struct vma *v)
{
	for (uintptr_t p = uvm_next_mapped(mm->root, v->start, v->end);
	     p < v->end; p = uvm_next_mapped(mm->root, p + PAGE_SIZE, v->end)) {
		phys_addr_t pa;
		unsigned fl;
		if (uvm_lookup(mm->root, p, &pa, &fl))
			continue;
		/* x86 pages are readable whenever present, so a PROT_NONE
		 * page is kept but marked not present. */
		uvm_protect(mm->root, p, page_rights(v, p, pa));
	}
}

void mm_futex_key(struct mm *mm, uintptr_t addr, const void **obj,
		  uint64_t *off)
{
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	struct vma *v = mm_find_vma(mm, addr);
	if (v && v->shm && (v->flags & VMA_SHARED)) {
		*obj = v->shm;
		*off = v->pgoff + (addr - v->start);
	} else {
		*obj = mm;
		*off = addr;
	}
	spin_unlock_irqrestore(&mm->lock, f);
}

int mm_range_check(struct mm *mm, uintptr_t start, uintptr_t end, bool locked)
{
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	int r = range_covered(mm, start, end);
	for (struct vma *v = vma_first_after(mm, start);
	     r == 0 && locked && v && v->start < end; v = vma_next(mm, v))
		if (v->flags & VMA_LOCKED)
			r = -EBUSY;
	spin_unlock_irqrestore(&mm->lock, f);
	return r;
}

bool mm_maps_object_writable(struct mm *mm, const struct shm_obj *s)
{
	bool found = false;
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
	{
		if (v->shm == s && (v->flags & VMA_SHARED) &&
		    !(v->flags & VMA_NOWRITE)) {
			found = true;
			break;
		}
	}
	spin_unlock_irqrestore(&mm->lock, f);
	return found;
}

void mm_unmap_object(struct mm *mm, const struct shm_obj *s, uint64_t from)
{
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
	{
		if (v->shm != s)
			continue;
		/* The VMA's first page at or past index from; private
		 * copies go too, as Linux's truncate does (even_cows). */
		uint64_t first = v->pgoff / PAGE_SIZE;
		uint64_t skip = from > first ? from - first : 0;
		uintptr_t start =
		    skip >= vma_pages(v) ? v->end : v->start + skip * PAGE_SIZE;
		if (start < v->end)
			unmap_range(mm, start, v->end);
	}
	spin_unlock_irqrestore(&mm->lock, f);
}

uintptr_t mm_next_file_range(struct mm *mm, uintptr_t va, uintptr_t end,
			     struct shm_obj **obj, uint64_t *from, uint64_t *to)
{
	*obj = NULL;
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	struct vma *v = vma_first_after(mm, va);
	for (; v && v->start < end; v = vma_next(mm, v)) {
		if (!write_notify(v))
			continue;
		uintptr_t s = MAX(v->start, va), e = MIN(v->end, end);
		*obj = v->shm;
		shm_get(v->shm);
		*from = vma_index(v, s);
		*to = vma_index(v, e - 1) + 1;
		va = e;
		break;
	}
	spin_unlock_irqrestore(&mm->lock, f);
	return *obj ? va : end;
}

int mm_mincore(struct mm *mm, uintptr_t start, size_t n, unsigned char *vec)
{
	uintptr_t end = start + n * PAGE_SIZE;
	memset(vec, 0, n);
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	int r = range_covered(mm, start, end);
	/* Only mapped pages are visited: a sparse range costs its pages. */
	for (uintptr_t va = uvm_next_mapped(mm->root, start, end);
	     r == 0 && va < end;
	     va = uvm_next_mapped(mm->root, va + PAGE_SIZE, end))
		vec[(va - start) / PAGE_SIZE] = 1;
	/* A mapping of an object (a file, shared memory) also has resident
	 * the object's pages it has not touched yet, as Linux reports a
	 * file's page cache. n is at most the caller's chunk. */
	for (struct vma *v = vma_first_after(mm, start);
	     r == 0 && v && v->start < end; v = vma_next(mm, v)) {
		if (!v->shm)
			continue;
		for (uintptr_t va = MAX(v->start, start); va < MIN(v->end, end);
		     va += PAGE_SIZE)
			if (shm_file_page(v->shm, vma_index(v, va), false,
					  NULL))
				vec[(va - start) / PAGE_SIZE] = 1;
	}
	spin_unlock_irqrestore(&mm->lock, f);
	return r;
}

int mm_dontneed(struct mm *mm, uintptr_t start, uintptr_t end)
{
	if (!IS_ALIGNED(start, PAGE_SIZE) || end > USER_TOP || end < start)
		return -EINVAL;
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	int r = 0;
	for (struct vma *v = vma_first_after(mm, start); v && v->start < end;
	     v = vma_next(mm, v))
		if (v->flags & VMA_LOCKED)
			r = -EINVAL;
	if (r == 0)
		r = range_covered(mm, start, end);
	/* The mapped parts lose their pages even when there is a hole, as
	 * on Linux (which then says ENOMEM). */
	if (r != -EINVAL)
		for (struct vma *v = vma_first_after(mm, start);
		     v && v->start < end; v = vma_next(mm, v))
			unmap_range(mm, MAX(v->start, start), MIN(v->end, end));
	spin_unlock_irqrestore(&mm->lock, f);
	return r;
}

int mm_protect(struct mm *mm, uintptr_t start, size_t len, unsigned prot)
{
	uintptr_t end = start + ALIGN_UP(len, PAGE_SIZE);
	if (!IS_ALIGNED(start, PAGE_SIZE) || end > USER_TOP || end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	int r = range_covered(mm, start, end);
	for (struct vma *v = vma_first_after(mm, start);
	     r == 0 && (prot & PROT_WRITE) && v && v->start < end;
	     v = vma_next(mm, v))
		if (v->flags & VMA_NOWRITE)
			r = -EACCES;
	if (r == 0)
		r = split_edges(mm, start, end);
	for (struct vma *v = mm_find_vma(mm, start);
	     r == 0 && v && v->start < end; v = vma_next(mm, v)) {
		v->prot = prot;
		vma_reprotect(mm, v);
	}
	spin_unlock_irqrestore(&mm->lock, f);
	return r;
}

/* With mm->lock held: sets or clears VMA_LOCKED on v. */
static void vma_set_locked(struct mm *mm, struct vma *v, bool lock)
{
	if (lock && !(v->flags & VMA_LOCKED)) {
		v->flags |= VMA_LOCKED;
		mm->locked_pages += vma_pages(v);
	} else if (!lock && (v->flags & VMA_LOCKED)) {
		v->flags &= ~VMA_LOCKED;
		mm->locked_pages -= vma_pages(v);
	}
}

/* With mm->lock held: the pages of [start, end) not locked yet. */
static uint64_t unlocked_pages(struct mm *mm, uintptr_t start, uintptr_t end)
{
	uint64_t n = 0;
	for (struct vma *v = vma_first_after(mm, start); v && v->start < end;
	     v = vma_next(mm, v))
		if (!(v->flags & VMA_LOCKED))
			n += (MIN(v->end, end) - MAX(v->start, start)) /
			     PAGE_SIZE;
	return n;
}

int mm_lock_range(struct mm *mm, uintptr_t start, uintptr_t end, bool lock,
		  uint64_t limit_pages)
{
	if (!IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE) ||
	    end > USER_TOP || end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	int r = range_covered(mm, start, end);
	if (r == 0 && lock &&
	    mm->locked_pages + unlocked_pages(mm, start, end) > limit_pages)
		r = -ENOMEM;
	if (r == 0)
		r = split_edges(mm, start, end);
	for (struct vma *v = mm_find_vma(mm, start);
	     r == 0 && v && v->start < end; v = vma_next(mm, v))
		vma_set_locked(mm, v, lock);
	spin_unlock_irqrestore(&mm->lock, f);
	return r;
}

int mm_lock_all(struct mm *mm, bool lock, uint64_t limit_pages)
{
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	int r = 0;
	if (lock &&
	    mm->locked_pages + unlocked_pages(mm, 0, USER_TOP) > limit_pages)
		r = -ENOMEM;
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
	{
		if (r == 0)
			vma_set_locked(mm, v, lock);
	}
	spin_unlock_irqrestore(&mm->lock, f);
	return r;
}

int mm_populate(struct mm *mm, uintptr_t start, uintptr_t end)
{
	uintptr_t va = start;
	while (va < end) {
		if (fatal_signal_pending(current))
			return -EINTR;
		/* The VMA at or after va, looked up again for each page:
		 * the lock is dropped for the fault, and another thread may
		 * change the mappings meanwhile. */
		irqflags_t f = spin_lock_irqsave(&mm->lock);
		struct vma *v = vma_first_after(mm, va);
		uintptr_t vstart = v ? v->start : end, vend = v ? v->end : end;
		unsigned prot = v ? v->prot : PROT_NONE;
		spin_unlock_irqrestore(&mm->lock, f);
		if (vstart > va) {
			va = MIN(vstart, end); /* a hole: nothing to bring in */
			continue;
		}
		if (prot == PROT_NONE) {
			va = MIN(vend, end);
			continue;
		}
		if (mm_fault(mm, va, prot & PROT_WRITE, false) ==
		    MM_FAULT_NOMEM)
			return -ENOMEM;
		va += PAGE_SIZE;
	}
	return 0;
}

uintptr_t mm_find_free(struct mm *mm, size_t len, uintptr_t hint)
{
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	uintptr_t found = mm_find_free_locked(mm, len, hint);
	spin_unlock_irqrestore(&mm->lock, f);
	return found;
}

uintptr_t mm_find_free_locked(struct mm *mm, size_t len, uintptr_t hint)
{
	len = ALIGN_UP(len, PAGE_SIZE);
	uintptr_t found = 0;
	if (hint && IS_ALIGNED(hint, PAGE_SIZE) && hint >= USER_MIN_ADDR &&
	    hint + len <= mm->mmap_base && hint + len > hint) {
		struct vma *v;
		found = hint;
		list_for_each_entry(v, &mm->vmas,
				    link) if (v->start < hint + len &&
					      v->end > hint) found = 0;
	}
	if (!found) {
		/* Top-down from mmap_base, as Linux's default layout: the
		 * highest gap below top that fits. */
		uintptr_t top = mm->mmap_base,
			  floor =
			      MAX(USER_MIN_ADDR, ALIGN_UP(mm->brk, PAGE_SIZE));
		struct vma *v;
		list_for_each_entry_reverse(v, &mm->vmas, link)
		{
			if (v->start >= top)
				continue;
			if (v->end <= top && top - v->end >= len)
				break;
			top = v->start;
		}
		if (top >= len && top - len >= floor)
			found = top - len;
	}
	return found;
}

bool mm_may_commit(size_t len)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return len / PAGE_SIZE <= st.total_pages;
}

uintptr_t mm_brk(struct mm *mm, uintptr_t new_brk)
{
	/* Below the heap, or so high that rounding up would wrap (brk(-1)
	 * once unmapped the whole program): refused, as Linux refuses, by
	 * returning the break unchanged. */
	if (new_brk < mm->brk_start || new_brk > USER_TOP - PAGE_SIZE)
		return mm->brk;
	uintptr_t old_end = ALIGN_UP(mm->brk, PAGE_SIZE);
	uintptr_t new_end = ALIGN_UP(new_brk, PAGE_SIZE);
	if (new_end > old_end) {
		if (!mm_may_commit(new_end - old_end))
			return mm->brk;
		/* Refuse to run into another mapping. */
		irqflags_t f = spin_lock_irqsave(&mm->lock);
		struct vma *v;
		bool clash = false;
		list_for_each_entry(v, &mm->vmas,
				    link) if (v->start < new_end &&
					      v->end > old_end) clash = true;
		spin_unlock_irqrestore(&mm->lock, f);
		if (clash || mm_map(mm, old_end, new_end - old_end,
				    PROT_READ | PROT_WRITE, VMA_HEAP))
			return mm->brk;
	} else if (new_end < old_end) {
		mm_unmap(mm, new_end, old_end - new_end);
	}
	mm->brk = new_brk;
	return new_brk;
}

/* With mm->lock held: makes va present with the VMA's protections: a new
 * zeroed page for private memory, the object's page for shared memory. A
 * private view of an object (a MAP_PRIVATE file mapping) maps the
 * object's page read-only (page_rights: the object holds a reference
 * too), or for a write a copy of it. A page of a file not in memory yet
 * is MM_FAULT_FILL: the caller reads it in without the lock and tries
 * again. */
static enum mm_fault_result fault_missing(struct mm *mm, struct vma *v,
					  uintptr_t va, bool write)
{
	phys_addr_t pa;
	unsigned rights = prot_to_vm(v->prot);
	if (v->shm) {
		uint64_t idx = vma_index(v, va);
		/* Past the object (mremap grew the mapping past it) or
		 * past the end of a file: SIGBUS. */
		if (idx >= v->shm->npages || !shm_page_valid(v->shm, idx))
			return MM_FAULT_BEYOND;
		pa = shm_get_page(v->shm, idx, write && write_notify(v));
		if (!pa) {
			if (!shm_page_valid(v->shm, idx))
				return MM_FAULT_BEYOND;
			return v->shm->backing ? MM_FAULT_FILL : MM_FAULT_NOMEM;
		}
		if (!(v->flags & VMA_SHARED) && write) {
			void *page = pmm_alloc_zeroed_page();
			if (!page) {
				page_ref_put(pa);
				return MM_FAULT_NOMEM;
			}
			memcpy(page, phys_to_virt(pa), PAGE_SIZE);
			page_ref_put(pa);
			pa = virt_to_phys(page);
		} else {
			rights = page_rights(v, va, pa);
		}
	} else {
		void *page = pmm_alloc_zeroed_page();
		if (!page)
			return MM_FAULT_NOMEM;
		pa = virt_to_phys(page);
	}
	if (uvm_map(mm->root, va, pa, rights)) {
		page_ref_put(pa); /* this mapping's reference */
		return MM_FAULT_NOMEM;
	}
	mm->pages++;
	return MM_FAULT_OK;
}

/* A write to a frame shared copy-on-write: this address space gets its own
 * copy. */
static enum mm_fault_result fault_cow(struct mm *mm, struct vma *v,
				      uintptr_t va, phys_addr_t old)
{
	void *page = pmm_alloc_zeroed_page();
	if (!page)
		return MM_FAULT_NOMEM;
	memcpy(page, phys_to_virt(old), PAGE_SIZE);
	if (uvm_map(mm->root, va, virt_to_phys(page), prot_to_vm(v->prot))) {
		pmm_free_page_virt(page);
		return MM_FAULT_NOMEM;
	}
	page_ref_put(old);
	return MM_FAULT_OK;
}

/* fork: a copy of mm whose pages are shared read-only with it until one
 * side writes. Both page tables lose write access to shared frames. */
struct mm *mm_clone(struct mm *src)
{
	struct mm *mm = mm_create();
	if (!mm)
		return NULL;
	irqflags_t f = spin_lock_irqsave(&src->lock);
	struct vma *v;
	list_for_each_entry(v, &src->vmas, link)
	{
		struct vma *n = kmalloc(sizeof(*n));
		if (!n)
			goto fail;
		*n = *v;
		n->flags &= ~VMA_LOCKED; /* memory locks are not inherited */
		mm->nr_vmas++;
		vma_file_get(n->file);
		shm_get(n->shm);
		list_add_tail(&n->link, &mm->vmas);
		for (uintptr_t va =
			 uvm_next_mapped(src->root, v->start, v->end);
		     va < v->end;
		     va = uvm_next_mapped(src->root, va + PAGE_SIZE, v->end)) {
			phys_addr_t pa;
			unsigned fl;
			if (uvm_lookup(src->root, va, &pa, &fl))
				continue;
			/* Private pages become copy-on-write in both;
			 * shared ones stay as they are. */
			bool cow =
			    !(fl & VM_HIDDEN) && !(v->flags & VMA_SHARED);
			unsigned rights = (fl & VM_HIDDEN) ? VM_HIDDEN
					  : cow ? (fl & ~VM_WRITE & ~VM_USER)
						: (fl & ~VM_USER);
			if (uvm_map(mm->root, va, pa, rights))
				goto fail;
			page_ref_get(pa);
			mm->pages++;
			if (cow)
				uvm_protect(src->root, va, rights);
		}
	}
	mm->brk_start = src->brk_start;
	mm->brk = src->brk;
	mm->stack_top = src->stack_top;
	mm->stack_limit = src->stack_limit;
	mm->mmap_base = src->mmap_base;
	mm->arg_start = src->arg_start; /* fork keeps /proc/PID/cmdline */
	mm->arg_end = src->arg_end;
	mm->env_start = src->env_start;
	mm->env_end = src->env_end;
	spin_unlock_irqrestore(&src->lock, f);
	return mm;
fail:
	spin_unlock_irqrestore(&src->lock, f);
	mm_destroy(mm);
	return NULL;
}

/* With mm->lock held: one attempt at resolving a fault. MM_FAULT_FILL
 * leaves a reference on the object to fill in *fill and the page index in
 * *idx. */
static enum mm_fault_result fault_locked(struct mm *mm, uintptr_t addr,
					 bool write, bool exec,
					 struct shm_obj **fill, uint64_t *idx)
{
	uintptr_t va = ALIGN_DOWN(addr, PAGE_SIZE);
	struct vma *v = mm_find_vma(mm, addr);
	if (!v) {
		/* Stack growth: just below a grows-down VMA, within the
		 * stack limit. */
		struct vma *s;
		list_for_each_entry(s, &mm->vmas, link)
		{
			if ((s->flags & VMA_GROWSDOWN) && addr < s->start &&
			    addr + 65536 + 32 * sizeof(long) >= s->start) {
				if (s->end - va > mm->stack_limit)
					return MM_FAULT_STACK_LIMIT;
				s->start = va;
				v = s;
				break;
			}
		}
		if (!v)
			return MM_FAULT_UNMAPPED;
	}
	if ((write && !(v->prot & PROT_WRITE)) ||
	    (exec && !(v->prot & PROT_EXEC)) || v->prot == PROT_NONE)
		return MM_FAULT_PROT;
	phys_addr_t pa;
	unsigned fl;
	if (uvm_lookup(mm->root, va, &pa, &fl) == 0) {
		if (write && !(fl & VM_WRITE) && !(v->flags & VMA_SHARED) &&
		    page_ref_count(pa) > 1)
			return fault_cow(mm, v, va, pa);
		/* The first store to a clean page of a shared file mapping:
		 * from now on it must be written back. */
		if (write && !(fl & VM_WRITE) && write_notify(v))
			shm_set_dirty(v->shm, vma_index(v, va));
		/* Present already (another thread got here first, a stale
		 * TLB entry, or the last sharer of a COW page): give the
		 * entry the VMA's rights so the retry cannot fault again. */
		uvm_protect(mm->root, va, page_rights(v, va, pa));
		return MM_FAULT_OK;
	}
	enum mm_fault_result r = fault_missing(mm, v, va, write);
	if (r == MM_FAULT_FILL) {
		*fill = v->shm;
		*idx = vma_index(v, va);
		shm_get(v->shm);
	}
	return r;
}

enum mm_fault_result mm_fault(struct mm *mm, uintptr_t addr, bool write,
			      bool exec)
{
	for (;;) {
		struct shm_obj *obj = NULL;
		uint64_t idx = 0;
		irqflags_t f = spin_lock_irqsave(&mm->lock);
		enum mm_fault_result r =
		    fault_locked(mm, addr, write, exec, &obj, &idx);
		spin_unlock_irqrestore(&mm->lock, f);
		if (r != MM_FAULT_FILL)
			return r;
		/* A file page to read from the disk: the wait happens with
		 * mm->lock dropped (other threads go on faulting and mapping),
		 * the object kept alive by the reference taken above; then
		 * the fault starts again, as the VMA may have changed. A
		 * fault that must not sleep (a kernel accessor with
		 * interrupts off) fails instead. */
		int e = -EFAULT;
		if (arch_irq_enabled() && !fatal_signal_pending(current))
			e = shm_fill(obj, idx);
		shm_put(obj);
		if (e == -ENOMEM)
			return MM_FAULT_NOMEM;
		if (e == -ERANGE)
			return MM_FAULT_BEYOND;
		if (e && e != -EEXIST)
			return MM_FAULT_IO;
	}
}

int mm_write(struct mm *mm, uintptr_t va, const void *src, size_t len)
{
	const uint8_t *s = src;
	while (len) {
		uintptr_t page = ALIGN_DOWN(va, PAGE_SIZE);
		size_t off = va - page, n = MIN(len, PAGE_SIZE - off);
		phys_addr_t pa;
		unsigned fl;
		if (uvm_lookup(mm->root, page, &pa, &fl)) {
			struct vma *v = mm_find_vma(mm, page);
			if (!v)
				return -EFAULT;
			irqflags_t f = spin_lock_irqsave(&mm->lock);
			enum mm_fault_result r =
			    fault_missing(mm, v, page, true);
			spin_unlock_irqrestore(&mm->lock, f);
			if (r != MM_FAULT_OK ||
			    uvm_lookup(mm->root, page, &pa, &fl))
				return -ENOMEM;
		}
		memcpy((uint8_t *)phys_to_virt(pa) + off, s, n);
		s += n;
		va += n;
		len -= n;
	}
	return 0;
}

size_t mm_read(struct mm *mm, uintptr_t va, void *dst, size_t len)
{
	uint8_t *d = dst;
	size_t done = 0;
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	while (done < len) {
		uintptr_t page = ALIGN_DOWN(va + done, PAGE_SIZE);
		size_t off = va + done - page;
		size_t n = MIN(len - done, PAGE_SIZE - off);
		phys_addr_t pa;
		unsigned fl;
		if (uvm_lookup(mm->root, page, &pa, &fl))
			break;
		memcpy(d + done, (uint8_t *)phys_to_virt(pa) + off, n);
		done += n;
	}
	spin_unlock_irqrestore(&mm->lock, f);
	return done;
}
