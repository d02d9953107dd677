/* System V shared memory: shmget, shmat, shmdt, shmctl and
 * /proc/sysvipc/shm, with Linux's semantics and permission checks. Each
 * segment is a shared memory object (mm/shmem.c) that attachments map
 * with mm_map_shared. The segment table holds one reference on the object
 * and every VMA mapping it another, so the attach count is the object's
 * references less the table's; the object's release hook (shm_put) brings
 * every drop of a reference here, where the last attachment of a segment
 * removed with IPC_RMID destroys it.
 *
 * Locking: ipc_shm_lock (a spinlock) guards the table and every segment's
 * mutable fields. It nests inside mm->lock (a VMA's last reference is
 * dropped with its mm locked) and outside nothing: mm->lock is never
 * taken with it held. */
#include <ipc.h>
#include <lib/list.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/mm.h>
#include <mm/shmem.h>
#include <proc.h>
#include <rlimit.h>
#include <spinlock.h>
#include <syscall.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/ipc.h>
#include <uapi/mman.h>

STATIC_ASSERT(sizeof(struct ipc64_perm) == 48, "Linux x86_64 layout");
STATIC_ASSERT(sizeof(struct shmid64_ds) == 112, "Linux x86_64 layout");
STATIC_ASSERT(sizeof(struct shminfo64) == 72, "Linux x86_64 layout");
STATIC_ASSERT(sizeof(struct shm_info) == 48, "Linux x86_64 layout");

/* Linux's defaults (include/uapi/linux/shm.h). SHMMAX and SHMALL are
 * practically unlimited there too: what a segment costs is its touched
 * pages, allocated on fault, and the kernel's own cost is bounded by
 * SHMMNI segments. */
#define SHMMIN 1UL
#define SHMMNI 4096
#define SHMMAX (UINT64_MAX - (1UL << 24))
#define SHMALL (UINT64_MAX - (1UL << 24)) /* pages */
#define SHMLBA PAGE_SIZE
#define IPC_SEQ_MULT 32768 /* Linux's IPCMNI: id = seq * 32768 + index */
#define IPC_SEQ_MAX 65535  /* so that an id stays a positive int */

struct ipc_shm {
	int id;			       /* const */
	uint16_t seq;		       /* const */
	int32_t key;		       /* lock: IPC_PRIVATE once removed */
	uint32_t uid, gid, cuid, cgid; /* lock (cuid, cgid const) */
	uint32_t mode; /* lock: permissions, SHM_DEST, SHM_LOCKED */
	uint64_t size; /* const: bytes asked for */
	int64_t atime, dtime, ctime; /* lock */
	int cpid, lpid;		     /* lock (cpid const) */
	struct shm_obj *obj;	     /* const: the table's reference */
};

/* Guards shm_table, shm_tot, shm_used, shm_seq and the segments. */
static spinlock_t ipc_shm_lock = SPINLOCK_INIT("ipc_shm");
static struct ipc_shm *shm_table[SHMMNI];
static uint64_t shm_tot; /* pages of all segments */
static int shm_used;	 /* segments in the table */
static unsigned shm_seq;

static int64_t now_sec(void)
{
	return rtc_boot_epoch + (int64_t)(time_ns() / NSEC_PER_SEC);
}

static uint64_t seg_pages(const struct ipc_shm *seg)
{
	return seg->obj->npages;
}

/* The attach count: the object's references less the table's. */
static uint64_t seg_nattch(const struct ipc_shm *seg)
{
	int r = __atomic_load_n(&seg->obj->refs, __ATOMIC_RELAXED);
	return r > 1 ? (uint64_t)(r - 1) : 0;
}

/* The segment's ids and mode as the shared permission rules take them
 * (kernel/ipc_util.c: Linux's ipcperms). */
static struct ipc_kperm seg_perm(const struct ipc_shm *seg)
{
	return (struct ipc_kperm){.uid = seg->uid,
				  .gid = seg->gid,
				  .cuid = seg->cuid,
				  .cgid = seg->cgid,
				  .mode = seg->mode};
}

static bool ipc_may(const struct ipc_shm *seg, int flag)
{
	struct ipc_kperm perm = seg_perm(seg);
	return ipc_perm_may(&perm, flag);
}

static bool ipc_is_owner(const struct ipc_shm *seg)
{
	struct ipc_kperm perm = seg_perm(seg);
	return ipc_perm_is_owner(&perm);
}

/* With ipc_shm_lock held: the segment with this id, or NULL. */
static struct ipc_shm *find_id(int id)
{
	if (id < 0)
		return NULL;
	struct ipc_shm *seg = shm_table[id % IPC_SEQ_MULT % SHMMNI];
	return seg && seg->id == id ? seg : NULL;
}

/* With ipc_shm_lock held: the live segment with this key, or NULL. */
static struct ipc_shm *find_key(int32_t key)
{
	for (int i = 0; i < SHMMNI; i++)
		if (shm_table[i] && shm_table[i]->key == key)
			return shm_table[i];
	return NULL;
}

/* With ipc_shm_lock held: the highest index in use, or 0 (what IPC_INFO
 * and SHM_INFO return, so a reader knows how far to SHM_STAT). */
static int max_index(void)
{
	for (int i = SHMMNI - 1; i > 0; i--)
		if (shm_table[i])
			return i;
	return 0;
}

/* With ipc_shm_lock held: takes seg out of the table; the caller frees it
 * after unlocking. */
static void table_remove(struct ipc_shm *seg)
{
	shm_table[seg->id % IPC_SEQ_MULT] = NULL;
	shm_tot -= seg_pages(seg);
	shm_used--;
}

/* Frees a segment no table and no VMA refers to any more. */
static void seg_free(struct ipc_shm *seg)
{
	struct shm_obj *obj = seg->obj;
	obj->release = NULL; /* the last reference: an ordinary put frees */
	shm_put(obj);
	kfree(seg);
}

/* The object's release hook: every reference dropped (a detach, a VMA
 * unmapped, an address space destroyed at exit or exec, a temporary one
 * of shmat or shmdt) comes here, and the drop happens under
 * ipc_shm_lock, so that IPC_RMID's look at the count and this one's
 * cannot both miss the last attachment going. */
static void seg_release(struct shm_obj *obj)
{
	struct ipc_shm *seg = obj->owner;
	irqflags_t f = spin_lock_irqsave(&ipc_shm_lock);
	int left = __atomic_sub_fetch(&obj->refs, 1, __ATOMIC_ACQ_REL);
	bool destroy = left == 1 && (seg->mode & SHM_DEST);
	if (destroy)
		table_remove(seg);
	spin_unlock_irqrestore(&ipc_shm_lock, f);
	if (destroy)
		seg_free(seg);
}

/* A new segment (with key, or IPC_PRIVATE) for shmget. */
static long seg_create(int32_t key, size_t size, int flags)
{
	if (size < SHMMIN || size > SHMMAX)
		return -EINVAL;
	/* No wrap: SHMMAX is far below the top. */
	uint64_t npages = ALIGN_UP((uint64_t)size, PAGE_SIZE) / PAGE_SIZE;
	if (flags & SHM_HUGETLB)
		return -ENOMEM; /* Linux's answer without reserved huge pages */
	/* Linux charges the segment against the overcommit heuristic at
	 * creation unless SHM_NORESERVE: larger than all of memory fails. */
	if (!(flags & SHM_NORESERVE) && !mm_may_commit(size))
		return -ENOMEM;
	struct process *p = proc_current();
	struct ipc_shm *seg = kzalloc(sizeof(*seg));
	struct shm_obj *obj = shm_create(npages);
	if (!seg || !obj) {
		kfree(seg);
		shm_put(obj);
		return -ENOMEM;
	}
	obj->owner = seg;
	obj->release = seg_release;
	seg->obj = obj;
	seg->key = key;
	seg->uid = seg->cuid = p->euid;
	seg->gid = seg->cgid = p->egid;
	seg->mode = (uint32_t)flags & 0777;
	seg->size = size;
	seg->ctime = now_sec();
	seg->cpid = p->pid;

	long r;
	irqflags_t f = spin_lock_irqsave(&ipc_shm_lock);
	if (key != IPC_PRIVATE && find_key(key)) {
		r = -EAGAIN; /* another shmget made it meanwhile: look again */
	} else if (shm_used >= SHMMNI || shm_tot + npages < shm_tot ||
		   shm_tot + npages > SHMALL) {
		r = -ENOSPC;
	} else {
		int idx = 0;
		while (shm_table[idx])
			idx++;
		seg->seq = (uint16_t)shm_seq;
		shm_seq = shm_seq >= IPC_SEQ_MAX ? 0 : shm_seq + 1;
		seg->id = seg->seq * IPC_SEQ_MULT + idx;
		shm_table[idx] = seg;
		shm_tot += npages;
		shm_used++;
		r = seg->id;
	}
	spin_unlock_irqrestore(&ipc_shm_lock, f);
	if (r < 0)
		seg_free(seg);
	return r;
}

SYSCALL_DEFINE3(shmget, int, key, size_t, size, int, flags)
{
	if (key == IPC_PRIVATE)
		return seg_create(key, size, flags);
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&ipc_shm_lock);
		struct ipc_shm *seg = find_key(key);
		long r;
		if (!seg)
			r = -ENOENT;
		else if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
			r = -EEXIST;
		else if (!ipc_may(seg, flags))
			r = -EACCES;
		else if (size > seg->size)
			r = -EINVAL;
		else
			r = seg->id;
		spin_unlock_irqrestore(&ipc_shm_lock, f);
		if (r != -ENOENT || !(flags & IPC_CREAT))
			return r;
		r = seg_create(key, size, flags);
		if (r != -EAGAIN)
			return r;
	}
}

SYSCALL_DEFINE3(shmat, int, shmid, uintptr_t, addr, int, flags)
{
	struct process *p = proc_current();
	struct mm *mm = p->mm;
	bool fixed = addr != 0;
	if (shmid < 0)
		return -EINVAL;
	if (addr) {
		if (addr & (SHMLBA - 1)) {
			if (!(flags & SHM_RND))
				return -EINVAL;
			addr = ALIGN_DOWN(addr, SHMLBA);
			/* Rounded down to 0 and told to replace: Linux
			 * refuses to map page 0 that way. */
			if (!addr && (flags & SHM_REMAP))
				return -EINVAL;
		}
	} else if (flags & SHM_REMAP) {
		return -EINVAL;
	}
	unsigned prot = PROT_READ, acc = 0444, vflags = VMA_NOWRITE;
	if (!(flags & SHM_RDONLY)) {
		vflags = 0;
		prot |= PROT_WRITE;
		acc |= 0222;
	}
	if (flags & SHM_EXEC) {
		prot |= PROT_EXEC;
		acc |= 0111;
	}

	irqflags_t f = spin_lock_irqsave(&ipc_shm_lock);
	struct ipc_shm *seg = find_id(shmid);
	long r = 0;
	if (!seg)
		r = -EINVAL;
	else if (!ipc_may(seg, (int)acc))
		r = -EACCES;
	else
		shm_get(seg->obj); /* counts as an attachment meanwhile */
	spin_unlock_irqrestore(&ipc_shm_lock, f);
	if (r)
		return r;

	uint64_t len = seg_pages(seg) * PAGE_SIZE;
	if (fixed) {
		if (addr + len < addr)
			r = -EINVAL;
		else if (addr + len > USER_TOP)
			r = -ENOMEM;
		else if (addr < USER_MIN_ADDR)
			r = -EPERM; /* mmap_min_addr */
		else if (!(flags & SHM_REMAP) &&
			 mm_range_used(mm, addr, addr + len))
			r = -EINVAL;
	} else {
		addr = mm_find_free(mm, len, 0);
		if (!addr)
			r = -ENOMEM;
	}
	if (!r && rlimit_vm_exceeded(mm, len, false))
		r = -ENOMEM;
	if (!r)
		r = mm_map_shared(mm, addr, len, prot, vflags, seg->obj);
	if (!r && (mm->def_flags & VMA_LOCKED))
		mm_populate(mm, addr, addr + len); /* mlockall(MCL_FUTURE) */
	if (!r) {
		f = spin_lock_irqsave(&ipc_shm_lock);
		seg->atime = now_sec();
		seg->lpid = p->pid;
		spin_unlock_irqrestore(&ipc_shm_lock, f);
	}
	shm_put(seg->obj);
	return r ? r : (long)addr;
}

/* With mm->lock held: the first VMA of attachment obj at base that starts
 * in [from, end), or NULL. */
static struct vma *next_piece(struct mm *mm, struct shm_obj *obj,
			      uintptr_t base, uintptr_t from, uintptr_t end)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
	{
		if (v->start >= end)
			break;
		if (v->start >= from && v->shm == obj &&
		    v->pgoff == v->start - base)
			return v;
	}
	return NULL;
}

SYSCALL_DEFINE1(shmdt, uintptr_t, addr)
{
	struct process *p = proc_current();
	struct mm *mm = p->mm;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	irqflags_t f = spin_lock_irqsave(&mm->lock);
	struct vma *v = mm_find_vma(mm, addr);
	struct shm_obj *obj = NULL;
	if (v && v->start == addr && v->pgoff == 0 && v->shm &&
	    v->shm->release == seg_release) {
		obj = v->shm;
		shm_get(obj); /* keeps the segment while we detach */
	}
	spin_unlock_irqrestore(&mm->lock, f);
	if (!obj)
		return -EINVAL;

	/* The attachment's pieces (mprotect may have split it): the VMAs of
	 * this object, at their place relative to addr, within its size. */
	uint64_t len = obj->npages * PAGE_SIZE;
	uintptr_t end = USER_TOP - addr < len ? USER_TOP : addr + len;
	for (uintptr_t from = addr; from < end;) {
		f = spin_lock_irqsave(&mm->lock);
		v = next_piece(mm, obj, addr, from, end);
		uintptr_t s = v ? v->start : end, e = v ? v->end : end;
		spin_unlock_irqrestore(&mm->lock, f);
		if (!v)
			break;
		mm_unmap(mm, s, e - s);
		from = e;
	}
	struct ipc_shm *seg = obj->owner;
	f = spin_lock_irqsave(&ipc_shm_lock);
	seg->dtime = now_sec();
	seg->lpid = p->pid;
	spin_unlock_irqrestore(&ipc_shm_lock, f);
	shm_put(obj);
	return 0;
}

/* With ipc_shm_lock held: seg as IPC_STAT reports it. */
static void seg_stat(const struct ipc_shm *seg, struct shmid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->shm_perm.key = seg->key;
	ds->shm_perm.uid = seg->uid;
	ds->shm_perm.gid = seg->gid;
	ds->shm_perm.cuid = seg->cuid;
	ds->shm_perm.cgid = seg->cgid;
	ds->shm_perm.mode = seg->mode;
	ds->shm_perm.seq = seg->seq;
	ds->shm_segsz = seg->size;
	ds->shm_atime = seg->atime;
	ds->shm_dtime = seg->dtime;
	ds->shm_ctime = seg->ctime;
	ds->shm_cpid = seg->cpid;
	ds->shm_lpid = seg->lpid;
	ds->shm_nattch = seg_nattch(seg);
}

static long shmctl_stat(int shmid, int cmd, void __user *buf)
{
	struct shmid64_ds ds;
	irqflags_t f = spin_lock_irqsave(&ipc_shm_lock);
	/* SHM_STAT takes an index into the table, IPC_STAT an id. */
	struct ipc_shm *seg = cmd == IPC_STAT  ? find_id(shmid)
			      : shmid < SHMMNI ? shm_table[shmid]
					       : NULL;
	long r = 0;
	if (!seg)
		r = -EINVAL;
	else if (cmd != SHM_STAT_ANY && !ipc_may(seg, 0444))
		r = -EACCES;
	else {
		seg_stat(seg, &ds);
		r = cmd == IPC_STAT ? 0 : seg->id;
	}
	spin_unlock_irqrestore(&ipc_shm_lock, f);
	if (r >= 0 && copy_to_user(buf, &ds, sizeof(ds)))
		return -EFAULT;
	return r;
}

static long shmctl_info(int cmd, void __user *buf)
{
	irqflags_t f = spin_lock_irqsave(&ipc_shm_lock);
	int maxidx = max_index();
	struct shm_info si;
	memset(&si, 0, sizeof(si)); /* its padding goes to user space too */
	si.used_ids = shm_used;
	si.shm_tot = shm_tot;
	if (cmd == SHM_INFO)
		for (int i = 0; i < SHMMNI; i++)
			if (shm_table[i])
				si.shm_rss += __atomic_load_n(
				    &shm_table[i]->obj->resident,
				    __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&ipc_shm_lock, f);
	if (cmd == SHM_INFO)
		return copy_to_user(buf, &si, sizeof(si)) ? -EFAULT : maxidx;
	struct shminfo64 in = {
	    .shmmax = SHMMAX,
	    .shmmin = SHMMIN,
	    .shmmni = SHMMNI,
	    .shmseg = SHMMNI,
	    .shmall = SHMALL,
	};
	return copy_to_user(buf, &in, sizeof(in)) ? -EFAULT : maxidx;
}

SYSCALL_DEFINE3(shmctl, int, shmid, int, cmd, void __user *, buf)
{
	struct shmid64_ds ds;
	struct ipc_shm *seg, *dead = NULL;
	irqflags_t f;
	long r = 0;

	if (cmd < 0 || shmid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SHM_INFO:
		return shmctl_info(cmd, buf);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		return shmctl_stat(shmid, cmd, buf);
	case IPC_SET:
		if (copy_from_user(&ds, buf, sizeof(ds)))
			return -EFAULT;
		/* Linux: (uid_t)-1 is no user (make_kuid fails). */
		if (ds.shm_perm.uid == UINT32_MAX ||
		    ds.shm_perm.gid == UINT32_MAX)
			return -EINVAL;
		break;
	case IPC_RMID:
	case SHM_LOCK:
	case SHM_UNLOCK:
		break;
	default:
		return -EINVAL;
	}

	f = spin_lock_irqsave(&ipc_shm_lock);
	seg = find_id(shmid);
	if (!seg) {
		r = -EINVAL;
	} else if (cmd == SHM_LOCK || cmd == SHM_UNLOCK) {
		/* Nothing is ever swapped, so a lock only needs the right
		 * to take one: root, or the owner with RLIMIT_MEMLOCK room
		 * for the segment (not summed over a user's segments, as
		 * Linux does). */
		uint64_t lim = rlimit_memlock_pages();
		if (proc_current()->euid != 0 && !ipc_is_owner(seg))
			r = -EPERM;
		else if (cmd == SHM_LOCK && lim == 0)
			r = -EPERM;
		else if (cmd == SHM_LOCK && seg_pages(seg) > lim)
			r = -ENOMEM;
		else if (cmd == SHM_LOCK)
			seg->mode |= SHM_LOCKED;
		else
			seg->mode &= ~SHM_LOCKED;
	} else if (!ipc_is_owner(seg)) {
		r = -EPERM;
	} else if (cmd == IPC_SET) {
		seg->uid = ds.shm_perm.uid;
		seg->gid = ds.shm_perm.gid;
		seg->mode = (seg->mode & ~0777u) | (ds.shm_perm.mode & 0777);
		seg->ctime = now_sec();
	} else { /* IPC_RMID */
		/* The key is free at once; the segment goes with its last
		 * attachment (and may still be attached by id meanwhile,
		 * as on Linux). */
		seg->key = IPC_PRIVATE;
		seg->mode |= SHM_DEST;
		if (seg_nattch(seg) == 0) {
			table_remove(seg);
			dead = seg;
		}
	}
	spin_unlock_irqrestore(&ipc_shm_lock, f);
	if (dead)
		seg_free(dead);
	return r;
}

long ipc_shm_proc_show(char *buf, size_t size)
{
	long len = 0;
#define EMIT(...)                                                              \
	do {                                                                   \
		if ((size_t)len < size)                                        \
			len += snprintf(buf + len, size - (size_t)len,         \
					__VA_ARGS__);                          \
	} while (0)
	EMIT("       key      shmid perms                  size  cpid  lpid "
	     "nattch   uid   gid  cuid  cgid      atime      dtime      ctime "
	     "                  rss                  swap\n");
	irqflags_t f = spin_lock_irqsave(&ipc_shm_lock);
	for (int i = 0; i < SHMMNI; i++) {
		const struct ipc_shm *s = shm_table[i];
		if (!s)
			continue;
		long before = len;
		EMIT("%10d %10d  %4o %21llu %5d %5d  %5llu %5u %5u %5u %5u "
		     "%10lld %10lld %10lld %21llu %21llu\n",
		     s->key, s->id, s->mode, (unsigned long long)s->size,
		     s->cpid, s->lpid, (unsigned long long)seg_nattch(s),
		     s->uid, s->gid, s->cuid, s->cgid, (long long)s->atime,
		     (long long)s->dtime, (long long)s->ctime,
		     (unsigned long long)(__atomic_load_n(&s->obj->resident,
							  __ATOMIC_RELAXED) *
					  PAGE_SIZE),
		     0ULL);
		if ((size_t)len >= size) {
			len = before; /* whole lines only */
			break;
		}
	}
	spin_unlock_irqrestore(&ipc_shm_lock, f);
#undef EMIT
	return len < (long)size ? len : (long)size - 1;
}
