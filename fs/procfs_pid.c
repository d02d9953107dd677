/* /proc's per-process files: /proc/PID/stat, status, cmdline, comm, maps
 * and the exe link in Linux's formats (ps and top read them), and the
 * numbered directories themselves, which proc_refresh brings in line with
 * the live processes before each lookup or listing of /proc. */
#include <drivers/tty.h>
#include <fs/vfs.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/vm.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <time.h>
#include <uapi/errno.h>
#include "procfs.h"

/* Per-process files are generated with proc_lock held throughout, so the
 * process and its mm (proc_swap_mm) stay valid while they are read. */
static char proc_state(struct process *p)
{
	if (p->zombie)
		return 'Z';
	struct thread *t = p->main_thread;
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

static uint64_t clk(uint64_t ns)
{
	return ns / (NSEC_PER_SEC / USER_HZ);
}

static long pid_stat(struct process *p, char *buf, size_t size)
{
	long len = 0;
	struct thread *t = p->main_thread;
	uint64_t ut = t ? t->utime_ns : p->utime_ns;
	uint64_t st = t ? t->stime_ns : p->stime_ns;
	uint64_t vsize = 0;
	if (p->mm) {
		struct vma *v;
		list_for_each_entry(v, &p->mm->vmas, link) vsize +=
		    v->end - v->start;
	}
	int tpgid, tty_nr = tty_proc_stat(p, &tpgid);
	EMIT("%d (%s) %c %d %d %d %d %d 4194304 0 0 0 0 %llu %llu %llu %llu "
	     "20 0 %d 0 0 %llu %llu 18446744073709551615 0 0 0 0 0 0 0 0 0 0 "
	     "0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	     p->pid, p->comm, proc_state(p), p->parent ? p->parent->pid : 0,
	     p->pgid, p->sid, tty_nr, tpgid, (unsigned long long)clk(ut),
	     (unsigned long long)clk(st), (unsigned long long)clk(p->cutime_ns),
	     (unsigned long long)clk(p->cstime_ns), p->nr_threads,
	     (unsigned long long)vsize,
	     (unsigned long long)(p->mm ? p->mm->pages : 0));
	return finish(len, size);
}

static long pid_status(struct process *p, char *buf, size_t size)
{
	long len = 0;
	static const char *const names[] = {['R'] = "R (running)",
					    ['S'] = "S (sleeping)",
					    ['Z'] = "Z (zombie)"};
	EMIT("Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nPid:\t%d\n"
	     "PPid:\t%d\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n",
	     p->comm, p->fs ? p->fs->umask : 0, names[(int)proc_state(p)],
	     p->pid, p->pid, p->parent ? p->parent->pid : 0, p->uid, p->euid,
	     p->euid, p->euid, p->gid, p->egid, p->egid, p->egid);
	EMIT("VmLck:\t%8llu kB\n",
	     (unsigned long long)(p->mm ? p->mm->locked_pages * 4 : 0));
	EMIT("VmRSS:\t%8llu kB\n",
	     (unsigned long long)(p->mm ? p->mm->pages * 4 : 0));
	/* The page tables, as Linux's VmPTE (what the OOM killer adds). */
	EMIT("VmPTE:\t%8llu kB\nThreads:\t%d\n",
	     (unsigned long long)(p->mm ? uvm_table_pages(p->mm->root) * 4 : 0),
	     p->nr_threads);
	EMIT("SigBlk:\t%016llx\n",
	     (unsigned long long)(p->main_thread ? p->main_thread->sig_blocked
						 : 0));
	return finish(len, size);
}

static long pid_cmdline(struct process *p, char *buf, size_t size)
{
	if (!p->mm || p->mm->arg_end <= p->mm->arg_start)
		return 0;
	size_t n = MIN(size, p->mm->arg_end - p->mm->arg_start);
	return (long)mm_read(p->mm, p->mm->arg_start, buf, n);
}

static long pid_comm(struct process *p, char *buf, size_t size)
{
	long len = 0;
	EMIT("%s\n", p->comm);
	return finish(len, size);
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

/* One line per area, in Linux's format: the name, if any, starts in
 * column 74 (Linux pads the fields to 72 characters plus a space). */
static long pid_maps(struct process *p, char *buf, size_t size)
{
	long len = 0;
	if (!p->mm)
		return 0;
	irqflags_t f = spin_lock_irqsave(&p->mm->lock);
	struct vma *v, *w;
	list_for_each_entry(v, &p->mm->vmas, link)
	{
		uintptr_t end = v->end;
		w = v;
		while (w->link.next != &p->mm->vmas) {
			struct vma *n =
			    list_entry(w->link.next, struct vma, link);
			if (!vma_continues(w, n))
				break;
			w = n;
			end = w->end;
		}
		const char *name = v->file			? v->file->path
				   : (v->flags & VMA_HEAP)	? "[heap]"
				   : (v->flags & VMA_GROWSDOWN) ? "[stack]"
								: NULL;
		long start = len;
		EMIT("%08lx-%08lx %c%c%c%c %08llx %02x:%02x %llu ",
		     (unsigned long)v->start, (unsigned long)end,
		     (v->prot & 1) ? 'r' : '-', (v->prot & 2) ? 'w' : '-',
		     (v->prot & 4) ? 'x' : '-',
		     (v->flags & VMA_SHARED) ? 's' : 'p',
		     (unsigned long long)(v->file ? v->pgoff : 0),
		     v->file ? dev_major(v->file->dev) : 0,
		     v->file ? dev_minor(v->file->dev) : 0,
		     (unsigned long long)(v->file ? v->file->ino : 0));
		if (name)
			EMIT("%*s%s", (int)MAX(72 - (len - start), 0) + 1, "",
			     name);
		EMIT("\n");
		v = w; /* the loop goes on after the merged ones */
	}
	spin_unlock_irqrestore(&p->mm->lock, f);
	return finish(len, size);
}

#define PID_GEN(name)                                                          \
	static long gen_##name(struct inode *ino, char *buf, size_t size)      \
	{                                                                      \
		return gen_pid_file(ino, buf, size, name);                     \
	}
PID_GEN(pid_stat)
PID_GEN(pid_status)
PID_GEN(pid_cmdline)
PID_GEN(pid_comm)
PID_GEN(pid_maps)

static void make_pid_dir(struct inode *dir, struct process *p, const char *name)
{
	struct inode *d = inode_alloc_sb(dir->sb, S_IFDIR | 0555);
	if (!d)
		return;
	d->nlink = 1;
	if (dir_add(dir, name, d)) {
		kfree(d);
		return;
	}
	add_file(d, "stat", gen_pid_stat, p->pid);
	add_file(d, "status", gen_pid_status, p->pid);
	add_file(d, "cmdline", gen_pid_cmdline, p->pid);
	add_file(d, "comm", gen_pid_comm, p->pid);
	add_file(d, "maps", gen_pid_maps, p->pid);
	struct inode *exe = add_link(d, "exe");
	if (exe)
		set_target(exe, p->exe);
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
		/* execve may have changed the program. */
		struct dir_entry *x;
		list_for_each_entry(x, &e->inode->entries,
				    link) if (strcmp(x->name, "exe") == 0)
		    set_target(x->inode, p->exe);
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
	struct process *self = proc_current();
	spin_unlock_irqrestore(&proc_lock, f);
	list_for_each_entry(e, &dir->entries,
			    link) if (strcmp(e->name, "self") == 0)
	{
		snprintf(name, sizeof(name), "%d", self ? self->pid : 0);
		set_target(e->inode, name);
	}
}
