/* /proc: the kernel's view of processes and memory as text files, in the
 * formats Linux uses and busybox's ps, top, free and uptime read. Files are
 * generated when first read through an open file; the /proc directory
 * rebuilds its per-process subdirectories before each lookup or listing.
 * Called with fs_lock held (refresh) or not (generate). */
#include <drivers/tty.h>
#include <failinject.h>
#include <asm/cpufeature.h>
#include <fs/bcache.h>
#include <fs/vfs.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <time.h>
#include <trace.h>
#include <uapi/errno.h>

#define GEN_MAX 16384
#define USER_HZ 100
STATIC_ASSERT(HZ == USER_HZ, "/proc/stat reports ticks unscaled");

extern int64_t rtc_boot_epoch;

/* ---- generated files ---------------------------------------------------- */

static long gen_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	if (!f->priv) {
		char *text = kmalloc(GEN_MAX);
		if (!text)
			return -ENOMEM;
		long len = ino->generate(ino, text, GEN_MAX);
		if (len < 0) {
			kfree(text);
			return len;
		}
		/* Length in the first 8 bytes, text after. */
		char *box = kmalloc(sizeof(long) + (size_t)len + 1);
		if (!box) {
			kfree(text);
			return -ENOMEM;
		}
		memcpy(box, &len, sizeof(len));
		memcpy(box + sizeof(long), text, (size_t)len);
		kfree(text);
		f->priv = box;
	}
	long len;
	memcpy(&len, f->priv, sizeof(len));
	if (*pos >= (uint64_t)len)
		return 0;
	size_t k = MIN(n, (size_t)len - *pos);
	memcpy(buf, (char *)f->priv + sizeof(long) + *pos, k);
	*pos += k;
	return (long)k;
}

static void gen_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops gen_ops = {
    .read = gen_read,
    .release = gen_release,
    .seekable = true,
};

/* snprintf that appends and never overruns. */
#define EMIT(...)                                                              \
	do {                                                                   \
		if ((size_t)len < size)                                        \
			len += snprintf(buf + len, size - (size_t)len,         \
					__VA_ARGS__);                          \
	} while (0)

static long finish(long len, size_t size)
{
	return len < (long)size ? len : (long)size - 1;
}

static long gen_meminfo(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	struct pmm_stats st;
	struct kheap_stats hs;
	long len = 0;
	pmm_get_stats(&st);
	kmalloc_stats(&hs);
	EMIT("MemTotal:       %8llu kB\n",
	     (unsigned long long)st.total_pages * 4);
	EMIT("MemFree:        %8llu kB\n",
	     (unsigned long long)st.free_pages * 4);
	EMIT("MemAvailable:   %8llu kB\n",
	     (unsigned long long)st.free_pages * 4);
	EMIT("Buffers:        %8u kB\nCached:         %8u kB\n", 0, 0);
	EMIT("SwapTotal:      %8u kB\nSwapFree:       %8u kB\n", 0, 0);
	EMIT("Shmem:          %8u kB\n", 0);
	return finish(len, size);
}

static long gen_uptime(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	long len = 0;
	uint64_t ns = time_ns();
	uint64_t idle = this_cpu()->idle->ticks * (NSEC_PER_SEC / HZ);
	EMIT("%llu.%02llu %llu.%02llu\n",
	     (unsigned long long)(ns / NSEC_PER_SEC),
	     (unsigned long long)(ns % NSEC_PER_SEC / 10000000),
	     (unsigned long long)(idle / NSEC_PER_SEC),
	     (unsigned long long)(idle % NSEC_PER_SEC / 10000000));
	return finish(len, size);
}

static long gen_loadavg(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	uint64_t l[3];
	long len = 0;
	sched_loadavg(l, 8); /* hundredths need 7 bits */
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	int n = proc_count_live();
	spin_unlock_irqrestore(&proc_lock, f);
	EMIT("%llu.%02llu %llu.%02llu %llu.%02llu %d/%d %d\n",
	     (unsigned long long)(l[0] >> 8),
	     (unsigned long long)((l[0] & 255) * 100 / 256),
	     (unsigned long long)(l[1] >> 8),
	     (unsigned long long)((l[1] & 255) * 100 / 256),
	     (unsigned long long)(l[2] >> 8),
	     (unsigned long long)((l[2] & 255) * 100 / 256), sched_nr_running(),
	     n, proc_last_pid());
	return finish(len, size);
}

static long gen_cpuinfo(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	long len = 0;
	EMIT("processor\t: 0\nvendor_id\t: %s\nmodel name\t: %s\n",
	     cpu_features.vendor, cpu_features.brand);
	EMIT("cpu MHz\t\t: %llu.%03llu\n",
	     (unsigned long long)(time_clocksource_hz() / 1000000),
	     (unsigned long long)(time_clocksource_hz() / 1000 % 1000));
	EMIT("flags\t\t:%s%s%s%s%s%s\n\n", cpu_features.nx ? " nx" : "",
	     cpu_features.smep ? " smep" : "", cpu_features.smap ? " smap" : "",
	     cpu_features.umip ? " umip" : "",
	     cpu_features.rdrand ? " rdrand" : "",
	     cpu_features.xsave ? " xsave" : "");
	return finish(len, size);
}

static long gen_mounts(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	return vfs_show_mounts(buf, size);
}

static long gen_stat(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	struct sched_stats ss;
	long len = 0;
	sched_get_stats(&ss);
	uint64_t u, sy, idle;
	sched_cpu_ticks(&u, &sy, &idle); /* HZ == USER_HZ: no scaling */
	for (int i = 0; i < 2; i++)
		EMIT("%s %llu 0 %llu %llu 0 0 0 0 0 0\n", i ? "cpu0" : "cpu ",
		     (unsigned long long)u, (unsigned long long)sy,
		     (unsigned long long)idle);
	EMIT("ctxt %llu\nbtime %lld\nprocesses %d\n",
	     (unsigned long long)ss.context_switches, (long long)rtc_boot_epoch,
	     proc_count_live());
	return finish(len, size);
}

static long gen_unimplemented(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	long len = 0;
	for (int i = 0; i < NR_SYSCALLS; i++)
		if (syscall_enosys_count[i])
			EMIT("%d %s %llu\n", i,
			     syscall_names[i] ? syscall_names[i] : "?",
			     (unsigned long long)syscall_enosys_count[i]);
	return finish(len, size);
}

/* The block cache's counters (fs/bcache.c), one "name value" per line. */
static long gen_bcache(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	struct bcache_stats st;
	long len = 0;
	bcache_stats(&st);
	EMIT("hits %llu\nmisses %llu\nwritebacks %llu\nevictions %llu\n"
	     "buffers %zu\ndirty %zu\nbytes %zu\n",
	     (unsigned long long)st.hits, (unsigned long long)st.misses,
	     (unsigned long long)st.writebacks,
	     (unsigned long long)st.evictions, st.buffers, st.dirty, st.bytes);
	return finish(len, size);
}

/* /proc/limen/kheap: the kernel heap's live blocks and bytes, which a
 * test compares before and after work that should have freed everything
 * (MemFree cannot say: the heap keeps the pages it grew into). */
static long gen_kheap(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	struct kheap_stats hs;
	long len = 0;
	kmalloc_stats(&hs);
	EMIT("bytes_in_use %zu\nlive %zu\npages_held %zu\nallocs %llu\n"
	     "frees %llu\n",
	     hs.bytes_in_use, hs.nr_live, hs.pages_held,
	     (unsigned long long)hs.nr_allocs, (unsigned long long)hs.nr_frees);
	return finish(len, size);
}

/* /proc/limen/failinject: fault injection's settings and counts; root
 * may write "fail_blk N" (kernel/failinject.c). */
static long gen_failinject(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	return failinject_show(buf, size);
}

static long failinject_write(struct file *f, const char *buf, size_t n,
			     uint64_t *pos)
{
	(void)f;
	(void)pos;
	int r = failinject_command(buf, n);
	return r ? r : (long)n;
}

static const struct file_ops failinject_ops = {
    .read = gen_read,
    .write = failinject_write,
    .release = gen_release,
};

/* ---- the trace files (kernel/trace.c) ---------------------------------- */

/* /proc/limen/trace: a read consumes events, but only those recorded
 * before the file was opened, so `cat` ends even while it is traced
 * itself (its own reads would otherwise feed it for ever). */
static int trace_open(struct file *f)
{
	f->priv = (void *)(uintptr_t)time_ns();
	return 0;
}

static long trace_file_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	long r = trace_read(buf, n, (uint64_t)(uintptr_t)f->priv);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

static const struct file_ops trace_ops = {
    .open = trace_open,
    .read = trace_file_read,
};

static long gen_trace_ctl(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	return trace_ctl_show(buf, size);
}

/* /proc/limen/trace_ctl: reads show the state, writes are commands. */
static long trace_ctl_write(struct file *f, const char *buf, size_t n,
			    uint64_t *pos)
{
	(void)f;
	(void)pos;
	return trace_ctl_command(buf, n);
}

static const struct file_ops trace_ctl_ops = {
    .read = gen_read,
    .write = trace_ctl_write,
    .release = gen_release,
};

/* Per-process files run with proc_lock held around the lookup. */
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
	EMIT("VmRSS:\t%8llu kB\nThreads:\t%d\n",
	     (unsigned long long)(p->mm ? p->mm->pages * 4 : 0), p->nr_threads);
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

/* ---- the directory ------------------------------------------------------ */

static struct inode *add_file(struct inode *dir, const char *name,
			      long (*gen)(struct inode *, char *, size_t),
			      int pid)
{
	struct inode *ino = inode_alloc_sb(dir->sb, S_IFREG | 0444);
	if (!ino)
		return NULL;
	ino->fops = &gen_ops;
	ino->generate = gen;
	ino->gen_pid = pid;
	if (dir_add(dir, name, ino)) {
		kfree(ino);
		return NULL;
	}
	return ino;
}

static struct inode *add_link(struct inode *dir, const char *name)
{
	struct inode *ino = inode_alloc_sb(dir->sb, S_IFLNK | 0777);
	if (!ino)
		return NULL;
	if (dir_add(dir, name, ino)) {
		kfree(ino);
		return NULL;
	}
	return ino;
}

static void set_target(struct inode *ino, const char *target)
{
	if (ino->target && strcmp(ino->target, target) == 0)
		return;
	size_t n = strlen(target);
	char *t = kmalloc(n + 1);
	if (!t)
		return;
	memcpy(t, target, n + 1);
	kfree(ino->target);
	ino->target = t;
	ino->size = n;
}

/* Removes an entry and everything below it (generated trees only). */
static void remove_tree(struct inode *dir, struct dir_entry *e)
{
	struct inode *ino = e->inode;
	struct dir_entry *c, *tmp;
	list_for_each_entry_safe(c, tmp, &ino->entries, link)
	    remove_tree(ino, c);
	list_del(&e->link);
	kfree(e->name);
	kfree(e);
	ino->nlink = 0;
	if (S_ISDIR(ino->mode))
		dir->nlink--;
	inode_get(ino);
	inode_put(ino); /* freed unless an open file still holds it */
}

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
static void proc_refresh(struct inode *dir)
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

void procfs_fill(struct inode *dir)
{
	add_file(dir, "meminfo", gen_meminfo, 0);
	add_file(dir, "uptime", gen_uptime, 0);
	add_file(dir, "loadavg", gen_loadavg, 0);
	add_file(dir, "cpuinfo", gen_cpuinfo, 0);
	add_file(dir, "mounts", gen_mounts, 0);
	add_file(dir, "stat", gen_stat, 0);
	add_link(dir, "self");
	struct inode *limen = inode_alloc_sb(dir->sb, S_IFDIR | 0555);
	if (limen) {
		limen->nlink = 1;
		if (dir_add(dir, "limen", limen) == 0) {
			add_file(limen, "unimplemented", gen_unimplemented, 0);
			add_file(limen, "bcache", gen_bcache, 0);
			add_file(limen, "kheap", gen_kheap, 0);
			struct inode *fi =
			    add_file(limen, "failinject", gen_failinject, 0);
			if (fi) {
				fi->mode = S_IFREG | 0600;
				fi->fops = &failinject_ops;
			}
			struct inode *t = add_file(limen, "trace", NULL, 0);
			if (t) {
				t->mode = S_IFREG | 0400;
				t->fops = &trace_ops;
			}
			t = add_file(limen, "trace_ctl", gen_trace_ctl, 0);
			if (t) {
				t->mode = S_IFREG | 0600;
				t->fops = &trace_ctl_ops;
			}
		} else
			kfree(limen);
	}
	dir->refresh = proc_refresh;
}

/* With an initramfs, /proc is there from the start (the kernel mounts
 * it, as the tests and busybox expect); a disk's init mounts its own. */
void procfs_init(void)
{
	struct vfs_ctx c = {.root = vfs_root(), .cwd = vfs_root()};
	struct inode *dir;
	vfs_create(&c, vfs_root(), "/proc", S_IFDIR | 0555, 0, NULL);
	vfs_lock();
	if (vfs_lookup(&c, vfs_root(), "/proc", LOOKUP_FOLLOW, &dir) == 0) {
		vfs_mount(&c, "proc", dir, "proc", 0, NULL);
		inode_put(dir);
	}
	vfs_unlock();
}
