/* A process's address space (mm/mm.c): its page tables and its virtual
 * memory areas (VMAs), sorted by address and never overlapping. Pages are
 * populated on demand by mm_fault(); anonymous memory reads as zeros.
 *
 * Locking: an mm is used by the threads of one process; mm->lock protects
 * the VMA list, brk and the page tables below the PML4's user half. */
#ifndef LIMEN_MM_MM_H
#define LIMEN_MM_MM_H

#include <lib/list.h>
#include <spinlock.h>
#include <types.h>

#define VMA_GROWSDOWN (1u << 0) /* the stack: may extend downwards */
#define VMA_SHARED (1u << 1)
#define VMA_HEAP (1u << 2)
#define VMA_LOCKED (1u << 3) /* mlock: populated, counted in locked_pages */
/* Never writable: mprotect(PROT_WRITE) is -EACCES (Linux's VM_MAYWRITE
 * cleared: a read-only shmat, which the caller may not be allowed to
 * write; a shared mapping of a file not open for writing, or of a memfd
 * sealed against writes). */
#define VMA_NOWRITE (1u << 4)
/* Linux's vm.max_map_count: more VMAs than this is -ENOMEM, so a process
 * cannot make the VMA list (walked with mm->lock held) arbitrarily long. */
#define MM_MAX_VMAS 65530

#define USER_STACK_TOP 0x00007ffffffff000UL
#define USER_STACK_MAX (8UL << 20)	   /* RLIMIT_STACK default */
#define USER_MMAP_TOP 0x00007f0000000000UL /* mmap grows down from here */
#define USER_MIN_ADDR 0x10000UL		   /* mmap_min_addr */

struct inode;

/* The file a VMA's contents came from, for /proc/PID/maps: a program's
 * segments (a private copy), a memory file's data or a file on disk
 * through its page cache. Shared by the pieces of a split VMA and by
 * fork's copies; freed with the last. A disk file's mapping holds a
 * reference on its inode (inode), so the file stays while it is mapped. */
struct vma_file {
	int refs;
	uint64_t dev, ino;
	struct inode *inode; /* const; NULL: no reference held */
	char path[];
};

struct vma {
	uintptr_t start, end;  /* [start, end), page-aligned */
	unsigned prot;	       /* PROT_READ | PROT_WRITE | PROT_EXEC */
	unsigned flags;	       /* VMA_* */
	struct vma_file *file; /* NULL: anonymous */
	/* MAP_SHARED anonymous, System V, a memory file's data: the object
	 * mapped (a reference), shared if VMA_SHARED, else a private
	 * copy-on-write view of it (MAP_PRIVATE of a file). */
	struct shm_obj *shm;
	uint64_t pgoff; /* offset of start in the file or object */
	struct list_head link;
};

struct shm_obj;

struct vma_file *vma_file_new(const char *path, uint64_t dev, uint64_t ino);
void vma_file_get(struct vma_file *f); /* NULL is fine for both */
void vma_file_put(struct vma_file *f);

/* Each field's guard: "lock" is mm->lock; "owner" means written only by
 * the owning process's threads (system calls, exec) and read by others
 * (/proc, the OOM killer) as single words. */
struct mm {
	uint64_t *root;		  /* const; the user half's tables: lock */
	struct list_head vmas;	  /* lock */
	uintptr_t brk_start, brk; /* owner (brk, exec) */
	uintptr_t stack_top;	  /* const after exec */
	uint64_t stack_limit;	  /* owner: RLIMIT_STACK */
	uintptr_t mmap_base;	  /* const after exec */
	uint64_t pages; /* lock: resident pages, for /proc and leak checks */
	uint64_t locked_pages; /* lock: pages in VMA_LOCKED VMAs (VmLck) */
	unsigned nr_vmas;      /* lock: at most MM_MAX_VMAS */
	unsigned def_flags; /* owner: VMA_LOCKED after mlockall(MCL_FUTURE) */
	uintptr_t arg_start, arg_end; /* const after exec: argv, for /proc */
	uintptr_t env_start, env_end; /* const after exec: envp, for /proc */
	spinlock_t lock;
};

struct mm *mm_create(void);
void mm_destroy(struct mm *mm);
/* fork's copy: pages shared copy-on-write. NULL if out of memory. */
struct mm *mm_clone(struct mm *src);
void mm_activate(struct mm *mm);

struct vma *mm_find_vma(struct mm *mm, uintptr_t addr);
/* Maps [start, start+len) anonymous, replacing whatever was there. */
int mm_map(struct mm *mm, uintptr_t start, size_t len, unsigned prot,
	   unsigned flags);
/* The same, remembering that the contents came from file at pgoff. */
int mm_map_file(struct mm *mm, uintptr_t start, size_t len, unsigned prot,
		struct vma_file *file, uint64_t pgoff);
/* A mapping of an object (a memory file's data, fs/inode.c): flags has
 * VMA_SHARED for MAP_SHARED, else the range is a copy-on-write view of it;
 * pgoff is the byte offset of start in the object. The VMA takes its own
 * references on file and shm. */
int mm_map_object(struct mm *mm, uintptr_t start, size_t len, unsigned prot,
		  unsigned flags, struct vma_file *file, uint64_t pgoff,
		  struct shm_obj *shm);
/* The same for MAP_SHARED anonymous memory: the range shows shm's pages
 * from its start (the VMA takes its own reference on shm). */
int mm_map_shared(struct mm *mm, uintptr_t start, size_t len, unsigned prot,
		  unsigned flags, struct shm_obj *shm);
int mm_unmap(struct mm *mm, uintptr_t start, size_t len);
/* madvise(MADV_DONTNEED): drops the page-table entries of [start, end)
 * (private memory reads back as zeros, shared memory as the object's
 * pages). -ENOMEM if part of the range is not mapped, -EINVAL on locked
 * memory (as Linux). */
int mm_dontneed(struct mm *mm, uintptr_t start, uintptr_t end);
/* Bytes mapped in all, and of them private writable data (not the stack),
 * for RLIMIT_AS and RLIMIT_DATA. */
void mm_vm_size(struct mm *mm, uint64_t *total, uint64_t *data);
/* The same with mm->lock already held. */
void mm_vm_size_locked(struct mm *mm, uint64_t *total, uint64_t *data);
/* Whether any VMA overlaps [start, end). */
bool mm_range_used(struct mm *mm, uintptr_t start, uintptr_t end);
/* For [start, end), page aligned: -ENOMEM if part of it is not mapped,
 * -EBUSY if locked is set and part of it is locked (msync's
 * MS_INVALIDATE), else 0. */
int mm_range_check(struct mm *mm, uintptr_t start, uintptr_t end, bool locked);
/* Whether a shared mapping of s could write to it (VMA_SHARED without
 * VMA_NOWRITE, whatever its PROT_WRITE is now). */
bool mm_maps_object_writable(struct mm *mm, const struct shm_obj *s);
/* A truncated file: drops the page-table entries of every mapping of s
 * for its pages at index from and above (private copies included), so a
 * later access faults and finds them gone: SIGBUS. */
void mm_unmap_object(struct mm *mm, const struct shm_obj *s, uint64_t from);
/* msync: the first shared mapping of a file's page cache in [va, end):
 * its object (with a reference for the caller) in *obj, the pages of it
 * [va, end) covers in [*from, *to); returns where the next search starts.
 * *obj NULL and end returned: none left. */
uintptr_t mm_next_file_range(struct mm *mm, uintptr_t va, uintptr_t end,
			     struct shm_obj **obj, uint64_t *from,
			     uint64_t *to);
/* mincore: vec[i] = 1 if page i of [start, start + n pages) is resident,
 * else 0; -ENOMEM if part of the range is not mapped. */
int mm_mincore(struct mm *mm, uintptr_t start, size_t n, unsigned char *vec);
int mm_protect(struct mm *mm, uintptr_t start, size_t len, unsigned prot);
/* mlock/munlock: sets or clears VMA_LOCKED on [start, end), which VMAs
 * must cover (-ENOMEM otherwise). Locking pages past limit_pages in all is
 * -ENOMEM and changes nothing. Locking populates nothing: mm_populate. */
int mm_lock_range(struct mm *mm, uintptr_t start, uintptr_t end, bool lock,
		  uint64_t limit_pages);
/* mlockall/munlockall: the same for every VMA. */
int mm_lock_all(struct mm *mm, bool lock, uint64_t limit_pages);
/* Faults in every page of [start, end) that its VMA allows (writable ones
 * for writing, so none is left shared copy-on-write); PROT_NONE and
 * unmapped parts are skipped. -ENOMEM if memory ran out, -EINTR if the
 * caller was killed on the way (the range can be as large as the address
 * space). */
int mm_populate(struct mm *mm, uintptr_t start, uintptr_t end);
/* A free range of len bytes, near hint if possible; 0 if none. */
uintptr_t mm_find_free(struct mm *mm, size_t len, uintptr_t hint);
/* Linux's default overcommit heuristic: one request larger than all of RAM
 * is refused up front (-ENOMEM) rather than failing page by page later. */
bool mm_may_commit(size_t len);
/* mremap (mm/mremap.c): resizes [old_addr, old_addr + old_len), moving it
 * if flags allow (MREMAP_MAYMOVE, MREMAP_FIXED to new_addr), as Linux's
 * mremap does. Lengths are page multiples, new_len > 0. Returns the
 * mapping's new address or -errno. Enforces RLIMIT_AS, RLIMIT_DATA and
 * RLIMIT_MEMLOCK for the calling process. */
long mm_remap(struct mm *mm, uintptr_t old_addr, size_t old_len, size_t new_len,
	      unsigned flags, uintptr_t new_addr);
/* Moves the program break; returns the new (or unchanged) break. */
uintptr_t mm_brk(struct mm *mm, uintptr_t new_brk);

/* Outcome of a fault on a user address. */
enum mm_fault_result {
	MM_FAULT_OK,	      /* resolved: retry the access */
	MM_FAULT_UNMAPPED,    /* no VMA covers the address */
	MM_FAULT_PROT,	      /* the VMA forbids this access */
	MM_FAULT_STACK_LIMIT, /* beyond the stack's size limit */
	MM_FAULT_NOMEM,
	MM_FAULT_BEYOND, /* past the end of the object it maps: SIGBUS */
	MM_FAULT_IO,	 /* the file page could not be read in: SIGBUS */
	MM_FAULT_FILL,	 /* mm/mm.c only: a file page to read in first */
};
enum mm_fault_result mm_fault(struct mm *mm, uintptr_t addr, bool write,
			      bool exec);
/* The identity of the memory at addr for a futex shared between
 * processes: (the shared object, the offset in it) when addr lies in
 * MAP_SHARED memory, else (mm, addr). */
void mm_futex_key(struct mm *mm, uintptr_t addr, const void **obj,
		  uint64_t *off);
/* Writes len bytes at user address va of mm, faulting pages in; used by
 * the ELF loader before the address space is active. */
int mm_write(struct mm *mm, uintptr_t va, const void *src, size_t len);
/* Reads up to len bytes at va of mm (present pages only); returns bytes
 * read. For /proc, which looks into other address spaces. */
size_t mm_read(struct mm *mm, uintptr_t va, void *dst, size_t len);

#endif
