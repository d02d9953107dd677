/* Memory system calls: brk, mmap (anonymous, private or shared, of memory
 * files and of files on disk through their page cache), munmap, mremap,
 * mprotect, madvise, msync, mincore and the mlock family. */
#include <fd.h>
#include <fs/vfs.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/mm.h>
#include <mm/shmem.h>
#include <percpu.h>
#include <proc.h>
#include <rlimit.h>
#include <sched.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/mman.h>

/* Whether pages more of locked memory would pass RLIMIT_MEMLOCK. */
static bool memlock_exceeded(struct mm *mm, uint64_t pages)
{
	uint64_t lim = rlimit_memlock_pages();
	return lim != UINT64_MAX &&
	       (pages > lim || mm->locked_pages > lim - pages);
}

SYSCALL_DEFINE1(brk, uintptr_t, addr)
{
	struct mm *mm = proc_current()->mm;
	/* Growth past RLIMIT_AS, RLIMIT_DATA or (after mlockall with
	 * MCL_FUTURE) RLIMIT_MEMLOCK is refused: the break stays where it
	 * is, as Linux answers. */
	uintptr_t old_end = ALIGN_UP(mm->brk, PAGE_SIZE);
	if (addr > old_end && addr <= USER_TOP - PAGE_SIZE) {
		uint64_t grow = ALIGN_UP(addr, PAGE_SIZE) - old_end;
		if (rlimit_vm_exceeded(mm, grow, true) ||
		    ((mm->def_flags & VMA_LOCKED) &&
		     memlock_exceeded(mm, grow / PAGE_SIZE)))
			return (long)mm->brk;
	}
	uintptr_t r = mm_brk(mm, addr);
	if (r > old_end && (mm->def_flags & VMA_LOCKED))
		mm_populate(mm, old_end, ALIGN_UP(r, PAGE_SIZE));
	return (long)r;
}

/* Under the VFS lock, a shared mapping of a memfd: -EPERM if writable and
 * the file is sealed against writes; if read-only, VMA_NOWRITE (Linux
 * clears VM_MAYWRITE: mprotect may not add PROT_WRITE). One that may
 * write is counted in the inode's seal_mmaps until made, so F_SEAL_WRITE
 * sees it: *sealed (a reference) for seal_mmap_done. */
static long seal_check_mmap(struct inode *ino, long type, long prot,
			    unsigned *vflags, struct inode **sealed)
{
	if (type == MAP_PRIVATE)
		return 0;
	if (ino->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) {
		*vflags |= VMA_NOWRITE;
		return (prot & PROT_WRITE) ? -EPERM : 0;
	}
	if (ino->sealable && !(*vflags & VMA_NOWRITE)) {
		ino->seal_mmaps++;
		*sealed = inode_get(ino);
	}
	return 0;
}

/* mmap of fd: its file's data object and what /proc/PID/maps shows, with
 * references for the caller, and VMA_NOWRITE for a shared mapping of a
 * file not open for writing or sealed against writes. The checks, in
 * Linux's order: EBADF, EACCES (a shared writable mapping of a file not
 * open for writing, or any mapping of one not open for reading), ENODEV
 * (not a memory file), EPERM (a shared writable mapping of a memfd sealed
 * against writes; seal_check_mmap). */
static long file_object(long fd, long type, long prot, struct shm_obj **obj,
			struct vma_file **vf, unsigned *vflags,
			struct inode **sealed)
{
	struct file *f = fd_get(proc_current(), (int)fd);
	if (!f)
		return -EBADF;
	struct inode *ino = f->inode;
	int acc = f->flags & O_ACCMODE;
	long r = 0;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (type != MAP_PRIVATE && (prot & PROT_WRITE) &&
		 (acc == O_RDONLY || (f->flags & O_APPEND)))
		r = -EACCES;
	else if (acc == O_WRONLY)
		r = -EACCES;
	else if (!inode_is_memfile(ino) && !inode_has_pcache(ino))
		r = -ENODEV;
	if (type != MAP_PRIVATE && acc == O_RDONLY)
		*vflags |= VMA_NOWRITE;
	/* The name /proc/PID/maps shows: a memfd's is kept as its target
	 * (see memfd_create); other files are looked for in their file
	 * system (none left if unlinked: Linux would add " (deleted)"). */
	char *name = r == 0 ? kmalloc(PATH_MAX) : NULL;
	if (name)
		name[0] = '\0';
	if (r == 0) {
		vfs_lock();
		r = seal_check_mmap(ino, type, prot, vflags, sealed);
		*obj = r ? NULL : inode_shm(ino);
		if (name && !ino->target &&
		    vfs_inode_path(proc_current()->fs, ino, name, PATH_MAX))
			name[0] = '\0';
		*vf = r ? NULL
			: vma_file_new(ino->target ? ino->target
				       : name	   ? name
						   : "",
				       ino->sb ? ino->sb->dev : 0, ino->ino);
		/* A disk file must stay while it is mapped: its pages are
		 * read from it and written back to it. */
		if (*vf && inode_has_pcache(ino))
			(*vf)->inode = inode_get(ino);
		vfs_unlock();
		if (!r && (!*obj || !*vf)) {
			shm_put(*obj);
			vma_file_put(*vf);
			r = -ENOMEM;
		}
	}
	kfree(name);
	file_put(f);
	return r;
}

/* The mapping file_object counted is made (or failed). */
static void seal_mmap_done(struct inode *ino)
{
	if (!ino)
		return;
	vfs_lock();
	ino->seal_mmaps--;
	inode_put(ino);
	vfs_unlock();
}

static long do_mmap(uintptr_t addr, size_t len, long prot, long flags,
		    struct shm_obj *fobj, struct vma_file *vf, long off,
		    unsigned vflags);

SYSCALL_DEFINE6(mmap, uintptr_t, addr, size_t, len, long, prot, long, flags,
		long, fd, long, off)
{
	long type = flags & MAP_TYPE;

	if (len == 0 || (off & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (flags & MAP_ANONYMOUS)
		return do_mmap(addr, len, prot, flags, NULL, NULL, 0, 0);
	if (off < 0)
		return -EINVAL;
	struct shm_obj *obj = NULL;
	struct vma_file *vf = NULL;
	unsigned vflags = 0;
	struct inode *sealed = NULL;
	long r = file_object(fd, type, prot, &obj, &vf, &vflags, &sealed);
	if (r == 0)
		r = do_mmap(addr, len, prot, flags, obj, vf, off, vflags);
	seal_mmap_done(sealed);
	shm_put(obj); /* the VMA holds its own references */
	vma_file_put(vf);
	return r;
}

static long do_mmap(uintptr_t addr, size_t len, long prot, long flags,
		    struct shm_obj *fobj, struct vma_file *vf, long off,
		    unsigned vflags)
{
	struct mm *mm = proc_current()->mm;
	long type = flags & MAP_TYPE;
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
	bool locked = (flags & MAP_LOCKED) || (mm->def_flags & VMA_LOCKED);
	if (locked && memlock_exceeded(mm, len / PAGE_SIZE))
		return -EAGAIN;
	vflags |= ((flags & MAP_GROWSDOWN) ? VMA_GROWSDOWN : 0) |
		  ((flags & MAP_LOCKED) ? VMA_LOCKED : 0);
	int r;
	if (fobj) {
		/* A memory file: its object, shared or copy-on-write. */
		r = mm_map_object(mm, addr, len, prot,
				  vflags |
				      (type == MAP_PRIVATE ? 0 : VMA_SHARED),
				  vf, (uint64_t)off, fobj);
	} else if (type == MAP_PRIVATE) {
		r = mm_map(mm, addr, len, prot, vflags);
	} else {
		/* Shared anonymous memory: an object of its own, which
		 * fork's children map too. */
		struct shm_obj *shm = shm_create(len / PAGE_SIZE);
		if (!shm)
			return -ENOMEM;
		r = mm_map_shared(mm, addr, len, prot, vflags, shm);
		shm_put(shm); /* the VMA holds its own reference */
	}
	if (r)
		return r;
	/* As on Linux, a mapping that cannot be populated is still made;
	 * its pages come on demand (or the OOM killer acts). */
	if (locked || (flags & MAP_POPULATE))
		mm_populate(mm, addr, addr + len);
	return (long)addr;
}

SYSCALL_DEFINE2(munmap, uintptr_t, addr, size_t, len)
{
	if ((addr & (PAGE_SIZE - 1)) || len == 0)
		return -EINVAL;
	return mm_unmap(proc_current()->mm, addr, len);
}

SYSCALL_DEFINE5(mremap, uintptr_t, old_addr, size_t, old_size, size_t, new_size,
		int, flags, uintptr_t, new_addr)
{
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	/* MREMAP_DONTUNMAP (move, leaving the old range mapped but empty)
	 * is not implemented; EINVAL is what a kernel before 5.7 says. */
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL;
	if (old_addr & (PAGE_SIZE - 1))
		return -EINVAL;
	/* Rounded up as Linux's PAGE_ALIGN: a size within a page of 2^64
	 * wraps to 0, which for new_size is EINVAL below. */
	old_size = ALIGN_UP(old_size, PAGE_SIZE);
	new_size = ALIGN_UP(new_size, PAGE_SIZE);
	if (new_size == 0)
		return -EINVAL;
	/* Larger than the address space: EINVAL, as recent Linux answers
	 * before looking for room (older kernels said ENOMEM). */
	if (new_size > USER_TOP)
		return -EINVAL;
	return mm_remap(proc_current()->mm, old_addr, old_size, new_size,
			(unsigned)flags, new_addr);
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
		uintptr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
		if (end < addr || end > USER_TOP)
			return -EINVAL;
		return mm_dontneed(proc_current()->mm, addr, end);
	}
	default:
		return -EINVAL;
	}
}

/* The page range of [addr, addr + len) as mlock sees it, computed as
 * Linux does: addr rounded down, the length (with addr's offset) rounded
 * up. -EINVAL if the end wraps past the top of the address space (which
 * the rounding alone can make happen), -ENOMEM if it is past the user
 * half. */
static int mlock_range(uintptr_t addr, size_t len, uintptr_t *start,
		       uintptr_t *end)
{
	uintptr_t off = addr & (PAGE_SIZE - 1);
	*start = addr - off;
	*end = *start + ALIGN_UP(len + off, PAGE_SIZE);
	if (*end < *start)
		return -EINVAL;
	return *end > USER_TOP ? -ENOMEM : 0;
}

/* Without privilege and with RLIMIT_MEMLOCK at 0, locking is EPERM (not
 * ENOMEM), as Linux's can_do_mlock says. */
static bool may_mlock(void)
{
	return rlimit_memlock_pages() != 0;
}

static long do_mlock(uintptr_t addr, size_t len, bool populate)
{
	uintptr_t start, end;
	if (!may_mlock())
		return -EPERM;
	int r = mlock_range(addr, len, &start, &end);
	if (r)
		return r;
	struct mm *mm = proc_current()->mm;
	r = mm_lock_range(mm, start, end, true, rlimit_memlock_pages());
	if (r == 0 && populate) {
		r = mm_populate(mm, start, end);
		/* Linux: memory that could not be brought in is EAGAIN. */
		if (r == -ENOMEM)
			r = -EAGAIN;
	}
	return r;
}

SYSCALL_DEFINE2(mlock, uintptr_t, addr, size_t, len)
{
	return do_mlock(addr, len, true);
}

SYSCALL_DEFINE3(mlock2, uintptr_t, addr, size_t, len, int, flags)
{
	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	/* MLOCK_ONFAULT: pages are locked as they are faulted in. */
	return do_mlock(addr, len, !(flags & MLOCK_ONFAULT));
}

SYSCALL_DEFINE2(munlock, uintptr_t, addr, size_t, len)
{
	uintptr_t start, end;
	int r = mlock_range(addr, len, &start, &end);
	if (r)
		return r;
	return mm_lock_range(proc_current()->mm, start, end, false, 0);
}

SYSCALL_DEFINE1(mlockall, int, flags)
{
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!may_mlock())
		return -EPERM;
	struct mm *mm = proc_current()->mm;
	if (flags & MCL_CURRENT) {
		int r = mm_lock_all(mm, true, rlimit_memlock_pages());
		if (r)
			return r;
	}
	if (flags & MCL_FUTURE)
		mm->def_flags |= VMA_LOCKED;
	else
		mm->def_flags &= ~VMA_LOCKED;
	if ((flags & MCL_CURRENT) && !(flags & MCL_ONFAULT)) {
		int r = mm_populate(mm, 0, USER_TOP);
		if (r)
			return r == -ENOMEM ? -EAGAIN : r;
	}
	return 0;
}

SYSCALL_DEFINE0(munlockall)
{
	struct mm *mm = proc_current()->mm;
	mm->def_flags &= ~VMA_LOCKED;
	return mm_lock_all(mm, false, 0);
}

SYSCALL_DEFINE3(msync, uintptr_t, addr, size_t, len, int, flags)
{
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	uintptr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end < addr || end > USER_TOP)
		return -ENOMEM;
	struct mm *mm = proc_current()->mm;
	long r = mm_range_check(mm, addr, end, flags & MS_INVALIDATE);
	/* Shared mappings of files on disk: their dirty pages go to the
	 * file system, and with MS_SYNC on to the disk. Anonymous and
	 * memory-file pages have nowhere to go. MS_INVALIDATE has nothing
	 * to drop: a mapping shows the page cache itself. */
	for (uintptr_t va = addr; r == 0 && va < end;) {
		struct shm_obj *obj;
		uint64_t from, to;
		va = mm_next_file_range(mm, va, end, &obj, &from, &to);
		if (!obj)
			break;
		r = pcache_sync_obj(obj, from, to, flags & MS_SYNC);
		shm_put(obj);
	}
	return r;
}

/* mincore: which pages of [addr, addr + len) are resident, one byte each,
 * in chunks so the kernel buffer stays small whatever len is. */
SYSCALL_DEFINE3(mincore, uintptr_t, addr, size_t, len, unsigned char __user *,
		uvec)
{
	enum { CHUNK = 512 };
	unsigned char vec[CHUNK];
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	uintptr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end < addr || end > USER_TOP)
		return -ENOMEM;
	struct mm *mm = proc_current()->mm;
	for (uintptr_t a = addr; a < end;) {
		if (fatal_signal_pending(current))
			return -EINTR;
		size_t n = MIN((end - a) / PAGE_SIZE, (size_t)CHUNK);
		int r = mm_mincore(mm, a, n, vec);
		if (r)
			return r;
		if (copy_to_user(uvec, vec, n))
			return -EFAULT;
		uvec += n;
		a += n * PAGE_SIZE;
	}
	return 0;
}
