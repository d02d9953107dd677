/* Memory system calls: brk, mmap (anonymous), munmap, mprotect, madvise.
 * File-backed mappings need a page cache and return -ENODEV. */
#include <fd.h>
#include <fs/vfs.h>
#include <mm/layout.h>
#include <mm/mm.h>
#include <proc.h>
#include <rlimit.h>
#include <syscall.h>
#include <uapi/errno.h>
#include <uapi/mman.h>

SYSCALL_DEFINE1(brk, uintptr_t, addr)
{
	struct mm *mm = proc_current()->mm;
	/* Growth past RLIMIT_AS or RLIMIT_DATA is refused: the break stays
	 * where it is, as Linux answers. */
	uintptr_t old_end = ALIGN_UP(mm->brk, PAGE_SIZE);
	if (addr > old_end && addr <= USER_TOP - PAGE_SIZE &&
	    rlimit_vm_exceeded(mm, ALIGN_UP(addr, PAGE_SIZE) - old_end, true))
		return (long)mm->brk;
	return (long)mm_brk(mm, addr);
}

SYSCALL_DEFINE6(mmap, uintptr_t, addr, size_t, len, long, prot, long, flags,
		long, fd, long, off)
{
	struct mm *mm = proc_current()->mm;
	long type = flags & MAP_TYPE;

	if (len == 0 || (off & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		/* File mappings need a page cache, which Limen lacks. */
		struct file *f = fd_get(proc_current(), (int)fd);
		if (!f)
			return -EBADF;
		file_put(f);
		return -ENODEV;
	}
	if (len > USER_TOP)
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (type == MAP_PRIVATE && (prot & PROT_WRITE) &&
	    !(flags & MAP_NORESERVE) && !mm_may_commit(len))
		return -ENOMEM;
	if (rlimit_vm_exceeded(mm, len,
			       type == MAP_PRIVATE && (prot & PROT_WRITE) &&
				   !(flags & MAP_GROWSDOWN)))
		return -ENOMEM;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & (PAGE_SIZE - 1))
			return -EINVAL;
		if (addr < USER_MIN_ADDR || addr + len > USER_TOP ||
		    addr + len < addr)
			return -EPERM;
		if ((flags & MAP_FIXED_NOREPLACE) &&
		    mm_range_used(mm, addr, addr + len))
			return -EEXIST;
	} else {
		addr = mm_find_free(mm, len, ALIGN_DOWN(addr, PAGE_SIZE));
		if (!addr)
			return -ENOMEM;
	}
	/* MAP_SHARED anonymous memory is copied, not shared, by fork (no
	 * shared memory objects: docs/syscalls.md). */
	int r = mm_map(mm, addr, len, prot,
		       (type == MAP_PRIVATE ? 0 : VMA_SHARED) |
			   ((flags & MAP_GROWSDOWN) ? VMA_GROWSDOWN : 0));
	return r ? r : (long)addr;
}

SYSCALL_DEFINE2(munmap, uintptr_t, addr, size_t, len)
{
	if ((addr & (PAGE_SIZE - 1)) || len == 0)
		return -EINVAL;
	return mm_unmap(proc_current()->mm, addr, len);
}

SYSCALL_DEFINE3(mprotect, uintptr_t, addr, size_t, len, long, prot)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (len == 0)
		return 0;
	return mm_protect(proc_current()->mm, addr, len, prot);
}

SYSCALL_DEFINE3(madvise, uintptr_t, addr, size_t, len, long, advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
		/* Hints: Linux may ignore them too. */
		return 0;
	case MADV_DONTNEED:
	case MADV_FREE: {
		/* Anonymous private memory reads back as zeros: drop the
		 * pages by remapping the range with its protections. */
		struct mm *mm = proc_current()->mm;
		for (uintptr_t a = addr; a < addr + len;) {
			struct vma *v = mm_find_vma(mm, a);
			if (!v)
				return -ENOMEM;
			uintptr_t end =
			    MIN(v->end, ALIGN_UP(addr + len, PAGE_SIZE));
			int r = mm_map(mm, a, end - a, v->prot, v->flags);
			if (r)
				return r;
			a = end;
		}
		return 0;
	}
	default:
		return -EINVAL;
	}
}
