/* /proc's per-process files: /proc/PID/stat, status, cmdline, comm, maps,
 * smaps, smaps_rollup, the exe link, the fd and fdinfo directories and the
 * task directory (a directory per thread with its stat, status and comm)
 * in Linux's formats (ps, top and ls read them), and the numbered
 * directories themselves, which proc_refresh brings in line with the live
 * processes before each lookup or listing of /proc. */
#include <drivers/tty.h>
#include <fd.h>
#include <fs/vfs.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <mm/shmem.h>
#include <mm/vm.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <time.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/mman.h>
#include "procfs.h"

/* Per-process files are generated with proc_lock held throughout, so the
 * process and its mm (proc_swap_mm) stay valid while they are read.
 *
 * stat and status describe a task: /proc/PID/ the process through its main
 * thread, /proc/PID/task/TID/ thread TID. t is the thread, or NULL where
 * there is none (a zombie, a process whose main thread has exited). */
static char task_state(struct process *p, struct thread *t)
{
	if (p->zombie)
		return 'Z';
	if (t && t->stop_parked)
		return 'T';
	if (t && t->state == THREAD_SLEEPING)
		return 'S';
	return 'R';
}

static long gen_pid_file(struct inode *ino, char *buf, size_t size,
			 long (*fn)(struct process *, char *, size_t))
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *p = proc_find(ino->gen_pid);
	long r = p ? fn(p, buf, size) : -ESRCH;
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}

/* Linux's PTRACE_MODE_READ_FSCREDS without capabilities: a process may
 * look into itself; root (euid 0) into anyone; others into a process
 * whose real, effective and saved uids are all the caller's filesystem
 * uid, and gids its filesystem gid, if that process is dumpable (a
 * set-user-ID program is not). Caller holds proc_lock. */
static int may_read_locked(struct process *p, const struct vfs_ctx *ctx)
{
	struct process *me = proc_current();
	if (p == me || (me && me->euid == 0))
		return 0;
	if (ctx->uid != p->uid || ctx->uid != p->euid || ctx->uid != p->suid ||
	    ctx->gid != p->gid || ctx->gid != p->egid || ctx->gid != p->sgid ||
	    !p->dumpable)
		return -EACCES;
	return 0;
}

/* The may_access of the files that show a process's memory, environment
 * and open files (environ, maps, smaps, exe, fd/N, fdinfo/N). */
static int proc_may_read(struct inode *ino, const struct vfs_ctx *ctx)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *p = proc_find(ino->gen_pid);
	int r = p ? may_read_locked(p, ctx) : -ENOENT;
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}

/* Who owns /proc/PID and what is in it, as Linux shows it: the process's
 * effective ids while it is dumpable, root otherwise. */
static void pid_owner(struct process *p, uint32_t *uid, uint32_t *gid)
{
	*uid = p->dumpable ? p->euid : 0;
	*gid = p->dumpable ? p->egid : 0;
}

/* As gen_pid_file, for the files behind proc_may_read: checked again when
 * the text is made, with the reader's ids, since the process may have
 * become another program (set-user-ID) since the file was opened. */
static long gen_pid_file_priv(struct inode *ino, char *buf, size_t size,
			      long (*fn)(struct process *, char *, size_t))
{
	const struct vfs_ctx *ctx = proc_current()->fs;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *p = proc_find(ino->gen_pid);
	long r = p ? may_read_locked(p, ctx) : -ESRCH;
	if (!r)
		r = fn(p, buf, size);
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}

static uint64_t clk(uint64_t ns)
{
	return ns / (NSEC_PER_SEC / USER_HZ);
}

/* A task's id and name: the thread's, or the process's without one. */
static int task_id(struct process *p, struct thread *t)
{
	return t ? t->utid : p->pid;
}
static const char *task_name(struct process *p, struct thread *t)
{
	return t ? t->name : p->comm;
}

static long task_stat(struct process *p, struct thread *t, char *buf,
		      size_t size)
{
	long len = 0;
	uint64_t ut = t ? t->utime_ns : p->utime_ns;
	uint64_t st = t ? t->stime_ns : p->stime_ns;
	uint64_t vsize = 0;
	if (p->mm) {
		struct vma *v;
		list_for_each_entry(v, &p->mm->vmas, link) vsize +=
		    v->end - v->start;
	}
	int tpgid, tty_nr = tty_proc_stat(p, &tpgid);
	EMIT("%d (%.15s) %c %d %d %d %d %d 4194304 0 0 0 0 %llu %llu %llu %llu "
	     "20 0 %d 0 0 %llu %llu 18446744073709551615 0 0 0 0 0 0 0 0 0 0 "
	     "0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	     task_id(p, t), task_name(p, t), task_state(p, t),
	     p->parent ? p->parent->pid : 0, p->pgid, p->sid, tty_nr, tpgid,
	     (unsigned long long)clk(ut), (unsigned long long)clk(st),
	     (unsigned long long)clk(p->cutime_ns),
	     (unsigned long long)clk(p->cstime_ns), p->nr_threads,
	     (unsigned long long)vsize,
	     (unsigned long long)(p->mm ? p->mm->pages : 0));
	return finish(len, size);
}

static long task_status(struct process *p, struct thread *t, char *buf,
			size_t size)
{
	long len = 0;
	static const char *const names[] = {['R'] = "R (running)",
					    ['S'] = "S (sleeping)",
					    ['T'] = "T (stopped)",
					    ['Z'] = "Z (zombie)"};
	EMIT("Name:\t%.15s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nPid:\t%d\n"
	     "PPid:\t%d\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n",
	     task_name(p, t), p->fs ? p->fs->umask : 0,
	     names[(int)task_state(p, t)], p->pid, task_id(p, t),
	     p->parent ? p->parent->pid : 0, p->uid, p->euid, p->suid,
	     p->fs ? p->fs->uid : p->euid, p->gid, p->egid, p->sgid,
	     p->fs ? p->fs->gid : p->egid);
	EMIT("Groups:\t");
	for (int i = 0; i < p->ngroups; i++)
		EMIT("%u ", p->groups[i]);
	EMIT("\n");
	EMIT("VmLck:\t%8llu kB\n",
	     (unsigned long long)(p->mm ? p->mm->locked_pages * 4 : 0));
	EMIT("VmRSS:\t%8llu kB\n",
	     (unsigned long long)(p->mm ? p->mm->pages * 4 : 0));
	/* The page tables, as Linux's VmPTE (what the OOM killer adds). */
	EMIT("VmPTE:\t%8llu kB\nThreads:\t%d\n",
	     (unsigned long long)(p->mm ? uvm_table_pages(p->mm->root) * 4 : 0),
	     p->nr_threads);
	EMIT("SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n",
	     (unsigned long long)(t ? t->sig_pending : 0),
	     (unsigned long long)p->sig_shared_pending,
	     (unsigned long long)(t ? t->sig_blocked : 0));
	uint64_t ign = 0, cgt = 0;
	for (int i = 0; i < NSIG; i++) {
		uint64_t h = p->sigactions[i].handler;
		if (h == SIG_IGN)
			ign |= 1ULL << i;
		else if (h != SIG_DFL)
			cgt |= 1ULL << i;
	}
	EMIT("SigIgn:\t%016llx\nSigCgt:\t%016llx\n", (unsigned long long)ign,
	     (unsigned long long)cgt);
	return finish(len, size);
}

static long task_comm(struct process *p, struct thread *t, char *buf,
		      size_t size)
{
	long len = 0;
	EMIT("%.15s\n", task_name(p, t));
	return finish(len, size);
}

static long pid_cmdline(struct process *p, char *buf, size_t size)
{
	if (!p->mm || p->mm->arg_end <= p->mm->arg_start)
		return 0;
	size_t n = MIN(size, p->mm->arg_end - p->mm->arg_start);
	return (long)mm_read(p->mm, p->mm->arg_start, buf, n);
}

static long pid_environ(struct process *p, char *buf, size_t size)
{
	if (!p->mm || p->mm->env_end <= p->mm->env_start)
		return 0;
	size_t n = MIN(size, p->mm->env_end - p->mm->env_start);
	return (long)mm_read(p->mm, p->mm->env_start, buf, n);
}

/* Linux's dev_t halves (glibc's major()/minor() of a 64-bit dev_t). */
static unsigned dev_major(uint64_t d)
{
	return (unsigned)(((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffULL));
}
static unsigned dev_minor(uint64_t d)
{
	return (unsigned)((d & 0xff) | ((d >> 12) & ~0xffULL));
}

/* Whether w continues v in maps' eyes: Linux merges such neighbours
 * (brk growth, say) into one area where Limen keeps several. */
static bool vma_continues(const struct vma *v, const struct vma *w)
{
	return v->end == w->start && v->prot == w->prot &&
	       v->flags == w->flags && v->file == w->file &&
	       (!v->file || v->pgoff + (v->end - v->start) == w->pgoff);
}

/* The last VMA of the run that maps shows as one area from v. */
static struct vma *maps_run_end(struct mm *mm, struct vma *v)
{
	struct vma *w = v;
	while (w->link.next != &mm->vmas) {
		struct vma *n = list_entry(w->link.next, struct vma, link);
		if (!vma_continues(w, n))
			break;
		w = n;
	}
	return w;
}

/* One line of maps, in Linux's format: the name, if any, starts in column
 * 74 (Linux pads the fields to 72 characters plus a space). Also the
 * header of each area in smaps and of smaps_rollup. */
static long maps_line(char *buf, long len, size_t size, uintptr_t start,
		      uintptr_t end, unsigned prot, bool shared,
		      const struct vma_file *file, uint64_t pgoff,
		      const char *name)
{
	long first = len;
	EMIT("%08lx-%08lx %c%c%c%c %08llx %02x:%02x %llu ",
	     (unsigned long)start, (unsigned long)end, (prot & 1) ? 'r' : '-',
	     (prot & 2) ? 'w' : '-', (prot & 4) ? 'x' : '-', shared ? 's' : 'p',
	     (unsigned long long)(file ? pgoff : 0),
	     file ? dev_major(file->dev) : 0, file ? dev_minor(file->dev) : 0,
	     (unsigned long long)(file ? file->ino : 0));
	if (name)
		EMIT("%*s%s", (int)MAX(72 - (len - first), 0) + 1, "", name);
	EMIT("\n");
	return len;
}

/* The maps line of the area made of the run v..w. */
static long vma_line(char *buf, long len, size_t size, const struct vma *v,
		     const struct vma *w)
{
	const char *name = v->file			? v->file->path
			   : (v->flags & VMA_HEAP)	? "[heap]"
			   : (v->flags & VMA_GROWSDOWN) ? "[stack]"
							: NULL;
	return maps_line(buf, len, size, v->start, w->end, v->prot,
			 v->flags & VMA_SHARED, v->file, v->pgoff, name);
}

static long pid_maps(struct process *p, char *buf, size_t size)
{
	long len = 0;
	if (!p->mm)
		return 0;
	irqflags_t f = spin_lock_irqsave(&p->mm->lock);
	struct vma *v;
	list_for_each_entry(v, &p->mm->vmas, link)
	{
		struct vma *w = maps_run_end(p->mm, v);
		len = vma_line(buf, len, size, v, w);
		v = w; /* the loop goes on after the merged ones */
	}
	spin_unlock_irqrestore(&p->mm->lock, f);
	return finish(len, size);
}

/* ---- smaps and smaps_rollup --------------------------------------------- */

/* What smaps adds up over an area's present page-table entries, in bytes.
 * Pss is kept scaled by 2^PSS_SHIFT, as Linux keeps it, so that adding
 * PAGE_SIZE / mapcount for each page loses (almost) nothing to rounding. */
#define PSS_SHIFT 12
struct smaps_stats {
	uint64_t rss, pss, pss_anon, pss_file, pss_shmem, pss_locked;
	uint64_t shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t referenced, anonymous;
};

/* Adds the pages of v, with mm->lock held. Each present (or PROT_NONE)
 * entry is one page of Rss, found with uvm_next_mapped, which skips empty
 * page tables whole, so the walk costs the pages mapped, not the size.
 *
 * Map count: Linux divides each page's Pss by its mapcount, the number of
 * page-table entries mapping it. Limen keeps no mapcount; it uses the
 * frame's reference count (struct page.refcount), which holds one
 * reference per page-table entry mapping the frame (fork and
 * shm_get_page take them) plus one held by a shared memory object's page
 * index (mm/shmem.c: MAP_SHARED anonymous memory, System V segments, a
 * memory file's data) when the frame is that object's page. So the map
 * count is the reference count, less one when the frame is the page the
 * VMA's object holds at that offset. It is exact while page tables and
 * object indexes are the only holders of user frames (true today); a
 * kernel path that pinned a user frame would make the page look shared.
 *
 * Dirty and Referenced are the entry's dirty and accessed bits (the
 * architecture's, through uvm_lookup_state). Linux also counts a page
 * dirty when the page itself is (PageDirty); Limen's frames have no such
 * flag, so a page written only through another entry (the other side of
 * a fork, another process mapping the same object) shows clean here.
 *
 * Anonymous: pages that belong to no object: private memory, the private
 * copies a copy-on-write write made of an object's pages, and the pages
 * of a program's segments, which the ELF loader fills as private copies
 * (Linux would count those as file pages until written). */
static void smaps_account(struct mm *mm, const struct vma *v,
			  struct smaps_stats *s)
{
	for (uintptr_t va = uvm_next_mapped(mm->root, v->start, v->end);
	     va < v->end;
	     va = uvm_next_mapped(mm->root, va + PAGE_SIZE, v->end)) {
		phys_addr_t pa;
		unsigned fl;
		if (uvm_lookup_state(mm->root, va, &pa, &fl))
			continue;
		bool obj_page = false;
		if (v->shm) {
			uint64_t idx = (v->pgoff + (va - v->start)) / PAGE_SIZE;
			obj_page =
			    shm_file_page(v->shm, idx, false, NULL) == pa;
		}
		uint64_t refs = page_ref_count(pa);
		uint64_t maps = refs > (uint64_t)obj_page ? refs - obj_page : 1;
		uint64_t pss = (PAGE_SIZE << PSS_SHIFT) / maps;
		bool dirty = fl & VM_DIRTY;
		bool anon = !obj_page && !(v->flags & VMA_SHARED);
		s->rss += PAGE_SIZE;
		s->pss += pss;
		if (anon)
			s->pss_anon += pss;
		else if (obj_page && v->file)
			s->pss_file += pss;
		else
			s->pss_shmem += pss;
		if (v->flags & VMA_LOCKED)
			s->pss_locked += pss;
		if (maps > 1)
			*(dirty ? &s->shared_dirty : &s->shared_clean) +=
			    PAGE_SIZE;
		else
			*(dirty ? &s->private_dirty : &s->private_clean) +=
			    PAGE_SIZE;
		if (fl & VM_ACCESSED)
			s->referenced += PAGE_SIZE;
		if (anon)
			s->anonymous += PAGE_SIZE;
	}
}

/* "Label:" then the value in kB right-aligned so that " kB" starts in
 * column 25, as Linux's smaps aligns it. */
static long smaps_kb(char *buf, long len, size_t size, const char *label,
		     uint64_t bytes)
{
	EMIT("%s%*llu kB\n", label, (int)MAX(24 - (long)strlen(label), 1),
	     (unsigned long long)(bytes >> 10));
	return len;
}

/* The fields smaps and smaps_rollup share, from Rss to Locked. */
static long smaps_fields(char *buf, long len, size_t size,
			 const struct smaps_stats *s, bool rollup)
{
	len = smaps_kb(buf, len, size, "Rss:", s->rss);
	len = smaps_kb(buf, len, size, "Pss:", s->pss >> PSS_SHIFT);
	if (rollup) {
		len = smaps_kb(buf, len, size,
			       "Pss_Anon:", s->pss_anon >> PSS_SHIFT);
		len = smaps_kb(buf, len, size,
			       "Pss_File:", s->pss_file >> PSS_SHIFT);
		len = smaps_kb(buf, len, size,
			       "Pss_Shmem:", s->pss_shmem >> PSS_SHIFT);
	}
	len = smaps_kb(buf, len, size, "Shared_Clean:", s->shared_clean);
	len = smaps_kb(buf, len, size, "Shared_Dirty:", s->shared_dirty);
	len = smaps_kb(buf, len, size, "Private_Clean:", s->private_clean);
	len = smaps_kb(buf, len, size, "Private_Dirty:", s->private_dirty);
	len = smaps_kb(buf, len, size, "Referenced:", s->referenced);
	len = smaps_kb(buf, len, size, "Anonymous:", s->anonymous);
	/* No MADV_FREE, huge pages or swap: these are truly zero. */
	static const char *const zero[] = {
	    "LazyFree:",      "AnonHugePages:",	 "ShmemPmdMapped:",
	    "FilePmdMapped:", "Shared_Hugetlb:", "Private_Hugetlb:",
	    "Swap:",	      "SwapPss:"};
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		len = smaps_kb(buf, len, size, zero[i], 0);
	/* As Linux: the Pss of the pages in locked areas. */
	return smaps_kb(buf, len, size, "Locked:", s->pss_locked >> PSS_SHIFT);
}

/* Linux's VmFlags mnemonics (Documentation/filesystems/proc.rst), in
 * Linux's order, for the flags Limen's VMAs have. "mr" and "me" (may be
 * made readable, executable) always hold; "mw" unless the area may never
 * be writable (a read-only shmat); "ms" (may share) goes with "sh"; "ac"
 * (accounted) is Linux's rule for private writable memory. */
static long vm_flags_line(char *buf, long len, size_t size, const struct vma *v)
{
	bool shared = v->flags & VMA_SHARED;
	EMIT("VmFlags:%s%s%s%s mr%s me%s%s%s%s \n",
	     (v->prot & PROT_READ) ? " rd" : "",
	     (v->prot & PROT_WRITE) ? " wr" : "",
	     (v->prot & PROT_EXEC) ? " ex" : "", shared ? " sh" : "",
	     (v->flags & VMA_NOWRITE) ? "" : " mw", shared ? " ms" : "",
	     (v->flags & VMA_GROWSDOWN) ? " gd" : "",
	     (v->flags & VMA_LOCKED) ? " lo" : "",
	     (!shared && (v->prot & PROT_WRITE)) ? " ac" : "");
	return len;
}

/* /proc/PID/smaps: each area of maps, its header line the same, followed
 * by what its pages use. The text is generated into gen_read's buffer of
 * fixed size (fs/procfs.c), like maps: when an area's record does not fit
 * whole, it and those after it are left out (and not walked), so 65530
 * areas cost no more memory or time than the buffer holds. */
static long pid_smaps(struct process *p, char *buf, size_t size)
{
	long len = 0;
	if (!p->mm)
		return 0;
	irqflags_t f = spin_lock_irqsave(&p->mm->lock);
	struct vma *v;
	list_for_each_entry(v, &p->mm->vmas, link)
	{
		struct vma *w = maps_run_end(p->mm, v), *x = v;
		long first = len;
		struct smaps_stats s = {0};
		for (;; x = list_entry(x->link.next, struct vma, link)) {
			smaps_account(p->mm, x, &s);
			if (x == w)
				break;
		}
		len = vma_line(buf, len, size, v, w);
		len = smaps_kb(buf, len, size, "Size:", w->end - v->start);
		len = smaps_kb(buf, len, size, "KernelPageSize:", PAGE_SIZE);
		len = smaps_kb(buf, len, size, "MMUPageSize:", PAGE_SIZE);
		len = smaps_fields(buf, len, size, &s, false);
		EMIT("THPeligible:    0\n");
		len = vm_flags_line(buf, len, size, v);
		if ((size_t)len >= size) {
			len = first;
			break;
		}
		v = w;
	}
	spin_unlock_irqrestore(&p->mm->lock, f);
	return len;
}

/* /proc/PID/smaps_rollup: the sums over every area, under a header that
 * spans them all, as Linux writes it. Allocates nothing; the walk costs
 * the VMAs and mapped pages. */
static long pid_smaps_rollup(struct process *p, char *buf, size_t size)
{
	long len = 0;
	if (!p->mm)
		return 0;
	irqflags_t f = spin_lock_irqsave(&p->mm->lock);
	struct smaps_stats s = {0};
	uintptr_t start = 0, end = 0;
	struct vma *v;
	list_for_each_entry(v, &p->mm->vmas, link)
	{
		if (!end)
			start = v->start;
		end = v->end;
		smaps_account(p->mm, v, &s);
	}
	spin_unlock_irqrestore(&p->mm->lock, f);
	len = maps_line(buf, len, size, start, end, 0, false, NULL, 0,
			"[rollup]");
	len = smaps_fields(buf, len, size, &s, true);
	return finish(len, size);
}

/* gen_NAME, NAME's text generated through via (gen_pid_file or
 * gen_task_file). */
#define GEN(via, name)                                                         \
	static long gen_##name(struct inode *ino, char *buf, size_t size)      \
	{                                                                      \
		return via(ino, buf, size, name);                              \
	}
GEN(gen_pid_file, pid_cmdline)
/* Another user's secrets: Linux's ptrace read access (may_read_locked). */
GEN(gen_pid_file_priv, pid_environ)
GEN(gen_pid_file_priv, pid_maps)
GEN(gen_pid_file_priv, pid_smaps)
GEN(gen_pid_file_priv, pid_smaps_rollup)

/* What /proc/PID/fd/N points at, as Linux shows it: the file's path (a
 * memfd's name), pipe:[inode] for a pipe, and for a file that no longer
 * has a name, "(deleted)". */
static void fd_target(struct inode *ino, char *buf, size_t size)
{
	struct vfs_ctx c = *proc_current()->fs;
	if (S_ISREG(ino->mode) && ino->target) {
		snprintf(buf, size, "%s", ino->target);
	} else if (!ino->sb) {
		snprintf(buf, size, "%s:[%llu]",
			 S_ISFIFO(ino->mode)   ? "pipe"
			 : S_ISSOCK(ino->mode) ? "socket"
					       : "anon_inode",
			 (unsigned long long)ino->ino);
	} else if (S_ISDIR(ino->mode)) {
		c.cwd = ino;
		if (vfs_getcwd(&c, buf, size) < 0)
			snprintf(buf, size, "(deleted)");
	} else if (vfs_inode_path(&c, ino, buf, size)) {
		snprintf(buf, size, "(deleted)");
	}
}

/* Following /proc/PID/fd/N opens the descriptor's own file: its inode. */
static struct inode *fd_jump(struct inode *link)
{
	struct inode *ino = NULL;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *p = proc_find(link->gen_pid);
	if (p && !p->zombie)
		ino = fd_inode_of(p, link->gen_fd);
	spin_unlock_irqrestore(&proc_lock, f);
	return ino;
}

/* /proc/PID/fd's refresh (under the VFS lock): a link per open descriptor.
 * Entries are kept while their descriptor stays open, so a listing in
 * progress is not disturbed; a target is looked for again only when the
 * descriptor's inode changed (the link's gen_key remembers it), so repeated
 * lookups cost one pass over the descriptors. */
static void fd_refresh(struct inode *dir)
{
	struct inode **inos = kmalloc(PROC_FD_MAX * sizeof(*inos));
	struct inode **links = kzalloc(PROC_FD_MAX * sizeof(*links));
	char *path = kmalloc(PATH_MAX);
	int n = 0;
	if (inos && links && path) {
		irqflags_t f = spin_lock_irqsave(&proc_lock);
		struct process *p = proc_find(dir->gen_pid);
		if (p && !p->zombie)
			n = fd_inodes(p, inos);
		spin_unlock_irqrestore(&proc_lock, f);
	}
	struct dir_entry *e, *tmp;
	list_for_each_entry_safe(e, tmp, &dir->entries, link)
	{
		unsigned long long fd = PROC_FD_MAX;
		kstrtoull(e->name, 10, &fd);
		if (fd >= (unsigned long long)n || !inos[fd])
			remove_tree(dir, e);
		else
			links[fd] = e->inode;
	}
	for (int fd = 0; fd < n; fd++) {
		struct inode *ino = inos[fd];
		if (!ino)
			continue;
		struct inode *link = links[fd];
		if (!link) {
			char name[16];
			snprintf(name, sizeof(name), "%d", fd);
			link = add_link(dir, name);
			if (link) {
				link->gen_pid = dir->gen_pid;
				link->gen_fd = fd;
				link->jump = fd_jump;
				link->may_access = proc_may_read;
				link->uid = dir->uid;
				link->gid = dir->gid;
			}
		}
		uint64_t id = (uint64_t)(uintptr_t)ino ^ ino->ino;
		if (link && (!link->target || link->gen_key != id)) {
			fd_target(ino, path, PATH_MAX);
			set_target(link, path);
			link->gen_key = id;
		}
		inode_put(ino);
	}
	kfree(path);
	kfree(links);
	kfree(inos);
}

/* /proc/PID/fdinfo/N, as Linux writes it: the offset, the open flags in
 * octal (O_LARGEFILE, which Linux's open adds on 64-bit, and O_CLOEXEC
 * from the descriptor), the mount's id and the inode number. */
static long gen_fdinfo(struct inode *ino, char *buf, size_t size)
{
	int fd = (int)ino->gen_key, cloexec = 0;
	struct file *f = NULL;
	const struct vfs_ctx *ctx = proc_current()->fs;
	irqflags_t fl = spin_lock_irqsave(&proc_lock);
	struct process *p = proc_find(ino->gen_pid);
	if (p && may_read_locked(p, ctx)) {
		spin_unlock_irqrestore(&proc_lock, fl);
		return -EACCES;
	}
	if (p && !p->zombie) {
		f = fd_get(p, fd);
		cloexec = fd_get_cloexec(p, fd);
	}
	spin_unlock_irqrestore(&proc_lock, fl);
	if (!f)
		return -ENOENT; /* closed since the listing */
	/* Linux keeps none of open's one-time flags in f_flags. */
	unsigned flags =
	    (unsigned)f->flags &
	    ~(unsigned)(O_CLOEXEC | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
	if (f->inode->sb)
		flags |= O_LARGEFILE;
	if (cloexec > 0)
		flags |= O_CLOEXEC;
	vfs_lock();
	int mnt = vfs_mount_id(f->inode->sb);
	uint64_t inum = f->inode->ino;
	vfs_unlock();
	long len = 0;
	EMIT("pos:\t%llu\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n",
	     (unsigned long long)f->pos, flags, mnt, (unsigned long long)inum);
	file_put(f);
	return finish(len, size);
}

/* /proc/PID/fdinfo's refresh (under the VFS lock): a file per open
 * descriptor, whose text is made when it is read. */
static void fdinfo_refresh(struct inode *dir)
{
	struct inode **inos = kmalloc(PROC_FD_MAX * sizeof(*inos));
	bool *have = kzalloc(PROC_FD_MAX * sizeof(*have));
	int n = 0;
	if (inos && have) {
		irqflags_t f = spin_lock_irqsave(&proc_lock);
		struct process *p = proc_find(dir->gen_pid);
		if (p && !p->zombie)
			n = fd_inodes(p, inos);
		spin_unlock_irqrestore(&proc_lock, f);
	}
	struct dir_entry *e, *tmp;
	list_for_each_entry_safe(e, tmp, &dir->entries, link)
	{
		unsigned long long fd = PROC_FD_MAX;
		kstrtoull(e->name, 10, &fd);
		if (fd >= (unsigned long long)n || !inos[fd])
			remove_tree(dir, e);
		else
			have[fd] = true;
	}
	for (int fd = 0; fd < n; fd++) {
		if (!inos[fd])
			continue;
		if (!have[fd]) {
			char name[16];
			snprintf(name, sizeof(name), "%d", fd);
			struct inode *ino =
			    add_file(dir, name, gen_fdinfo, dir->gen_pid);
			if (ino) {
				ino->mode = S_IFREG | 0400;
				ino->uid = dir->uid;
				ino->gid = dir->gid;
				ino->gen_key = (uint64_t)fd;
				ino->may_access = proc_may_read;
				ino->gen_self_ok = true;
			}
		}
		inode_put(inos[fd]);
	}
	kfree(have);
	kfree(inos);
}

static void make_fd_dir(struct inode *d, struct process *p)
{
	/* Only the owner (and root) may look: another user's descriptors
	 * name files it may not know of, as Linux's 0500. fdinfo: the same
	 * rule (Linux asks for ptrace read access). */
	static const char *const names[] = {"fd", "fdinfo"};
	static void (*const refresh[])(struct inode *) = {fd_refresh,
							  fdinfo_refresh};
	for (int i = 0; i < 2; i++) {
		struct inode *fd = add_dir(d, names[i], 0500);
		if (!fd)
			continue;
		pid_owner(p, &fd->uid, &fd->gid);
		fd->refresh = refresh[i];
		fd->gen_pid = p->pid;
		fd->gen_self_ok = true;
	}
}

/* ---- /proc/PID/task ----------------------------------------------------- */

/* The thread of p whose id is tid, or NULL; with proc_lock held. */
static struct thread *task_find(struct process *p, int tid)
{
	struct thread *t;
	list_for_each_entry(t, &p->threads, proc_link)
	{
		if (t->utid == tid)
			return t;
	}
	return NULL;
}

/* A file of /proc/PID/task/TID/ (gen_pid the pid, gen_key the tid), or
 * with gen_key 0 the one of the same name in /proc/PID/, which speaks for
 * the process through its main thread (none once that has exited). */
static long gen_task_file(struct inode *ino, char *buf, size_t size,
			  long (*fn)(struct process *, struct thread *, char *,
				     size_t))
{
	long r = -ESRCH;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *p = proc_find(ino->gen_pid);
	int tid = (int)ino->gen_key;
	struct thread *t = !p ? NULL : tid ? task_find(p, tid) : p->main_thread;
	if (p && (t || !tid))
		r = fn(p, t, buf, size);
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}

GEN(gen_task_file, task_stat)
GEN(gen_task_file, task_status)
GEN(gen_task_file, task_comm)

static void make_task_dir(struct inode *dir, int pid, int tid)
{
	char name[16];
	snprintf(name, sizeof(name), "%d", tid);
	struct inode *d = add_dir(dir, name, 0555);
	if (!d)
		return;
	static long (*const gens[])(struct inode *, char *, size_t) = {
	    gen_task_stat, gen_task_status, gen_task_comm};
	static const char *const names[] = {"stat", "status", "comm"};
	for (size_t i = 0; i < sizeof(gens) / sizeof(gens[0]); i++) {
		struct inode *ino = add_file(d, names[i], gens[i], pid);
		if (ino)
			ino->gen_key = (uint64_t)tid;
	}
}

/* /proc/PID/task's refresh (under the VFS lock): a directory per thread,
 * named by its user-visible id, made once and kept while the thread lives
 * (a listing in progress is not disturbed). Done with proc_lock held, as
 * proc_refresh, so the thread list holds still; the cost is the threads
 * times the entries. (A zombie has no /proc/PID: proc_find skips it.) */
static void task_refresh(struct inode *dir)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *p = proc_find(dir->gen_pid);
	struct dir_entry *e, *tmp;
	list_for_each_entry_safe(e, tmp, &dir->entries, link)
	{
		unsigned long long tid = 0;
		kstrtoull(e->name, 10, &tid);
		if (!p || !task_find(p, (int)tid))
			remove_tree(dir, e);
	}
	struct thread *t;
	if (p)
		list_for_each_entry(t, &p->threads, proc_link)
		{
			char name[16];
			snprintf(name, sizeof(name), "%d", t->utid);
			bool have = false;
			list_for_each_entry(e, &dir->entries, link) have |=
			    strcmp(e->name, name) == 0;
			if (!have)
				make_task_dir(dir, p->pid, t->utid);
		}
	spin_unlock_irqrestore(&proc_lock, f);
}

/* Gives /proc/PID's files and the fd and fdinfo entries the owner
 * pid_owner says; the directory itself always shows the effective ids,
 * as Linux's (ps reads the owner there). */
static void pid_set_owner(struct inode *d, struct process *p)
{
	uint32_t uid, gid;
	pid_owner(p, &uid, &gid);
	d->uid = p->euid;
	d->gid = p->egid;
	struct dir_entry *x, *y;
	list_for_each_entry(x, &d->entries, link)
	{
		x->inode->uid = uid;
		x->inode->gid = gid;
		if (S_ISDIR(x->inode->mode))
			list_for_each_entry(y, &x->inode->entries, link)
			{
				y->inode->uid = uid;
				y->inode->gid = gid;
			}
	}
}

static void make_pid_dir(struct inode *dir, struct process *p, const char *name)
{
	struct inode *d = add_dir(dir, name, 0555);
	if (!d)
		return;
	add_file(d, "stat", gen_task_stat, p->pid);
	add_file(d, "status", gen_task_status, p->pid);
	add_file(d, "cmdline", gen_pid_cmdline, p->pid);
	add_file(d, "comm", gen_task_comm, p->pid);
	/* What only the process's own user (and root) may read. */
	struct inode *env = add_file(d, "environ", gen_pid_environ, p->pid);
	if (env) {
		env->mode = S_IFREG | 0400;
		env->may_access = proc_may_read;
	}
	static const struct {
		const char *name;
		long (*gen)(struct inode *, char *, size_t);
	} priv[] = {{"maps", gen_pid_maps},
		    {"smaps", gen_pid_smaps},
		    {"smaps_rollup", gen_pid_smaps_rollup}};
	for (size_t i = 0; i < ARRAY_SIZE(priv); i++) {
		struct inode *ino =
		    add_file(d, priv[i].name, priv[i].gen, p->pid);
		if (ino)
			ino->may_access = proc_may_read;
	}
	make_fd_dir(d, p);
	/* task: a directory per thread, open to all as Linux's 0555. */
	struct inode *task = add_dir(d, "task", 0555);
	if (task) {
		task->gen_pid = p->pid;
		task->refresh = task_refresh;
	}
	struct inode *exe = add_link(d, "exe");
	if (exe) {
		exe->gen_pid = p->pid;
		exe->may_access = proc_may_read;
		set_target(exe, p->exe);
	}
	pid_set_owner(d, p);
}

static bool is_pid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Brings the numbered directories in line with the live processes. */
void proc_refresh(struct inode *dir)
{
	char name[16];
	struct dir_entry *e, *tmp;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	list_for_each_entry_safe(e, tmp, &dir->entries, link)
	{
		if (!is_pid_name(e->name))
			continue;
		unsigned long long pid;
		kstrtoull(e->name, 10, &pid);
		struct process *p = proc_find((int)pid);
		if (!p) {
			remove_tree(dir, e);
			continue;
		}
		/* execve may have changed the program, setuid the owner. */
		struct dir_entry *x;
		list_for_each_entry(x, &e->inode->entries, link)
		{
			if (strcmp(x->name, "exe") == 0)
				set_target(x->inode, p->exe);
		}
		pid_set_owner(e->inode, p);
	}
	static int pids[1024];
	int npids = proc_list_pids(pids, 1024);
	for (int i = 0; i < npids; i++) {
		int pid = pids[i];
		struct process *p = proc_find(pid);
		snprintf(name, sizeof(name), "%d", pid);
		bool have = false;
		list_for_each_entry(e, &dir->entries,
				    link) if (strcmp(e->name, name) == 0) have =
		    true;
		if (!have)
			make_pid_dir(dir, p, name);
	}
	spin_unlock_irqrestore(&proc_lock, f);
}

/* /proc/self and /proc/thread-self name the caller: their targets are
 * made at each use (the walk that follows them, readlink), under the VFS
 * lock, so one thread's never shows through another's (a target set at
 * lookup could be overwritten before the readlink that reads it). */
static void self_link(struct inode *link, bool thread)
{
	struct process *self = proc_current();
	int pid = self ? self->pid : 0, tid = self ? current->utid : 0;
	char t[40];
	if (thread)
		snprintf(t, sizeof(t), "%d/task/%d", pid, tid);
	else
		snprintf(t, sizeof(t), "%d", pid);
	set_target(link, t);
}

void procfs_self_refresh(struct inode *link)
{
	self_link(link, false);
}

void procfs_thread_self_refresh(struct inode *link)
{
	self_link(link, true);
}
