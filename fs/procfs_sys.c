/* /proc's system-wide files: meminfo, uptime, loadavg, cpuinfo, mounts
 * and stat in Linux's formats, and Limen's own under /proc/limen (the
 * ENOSYS counts, the block cache's counters, the heap's live blocks, fault
 * injection, the trace files). procfs_fill makes a proc mount's root
 * with them. */
#include <asm/cpufeature.h>
#include <failinject.h>
#include <fs/bcache.h>
#include <drivers/tty.h>
#include <fs/vfs.h>
#include <ipc.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/shmem.h>
#include <net/ether.h>
#include <net/net.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <time.h>
#include <trace.h>
#include <uapi/errno.h>
#include "procfs.h"

STATIC_ASSERT(HZ == USER_HZ, "/proc/stat reports ticks unscaled");

extern int64_t rtc_boot_epoch;

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
	/* Buffers: the block cache (file-system blocks, file data written
	 * but not yet on disk). Cached, as on Linux: the page cache of
	 * disk files plus Shmem. Dirty: pages stored to through mappings
	 * and dirty buffers, both still to be written. Mapped: page-cache
	 * pages some process maps. Shmem: shared anonymous and System V
	 * memory and the memory file systems' data (tmpfs, ramfs, the
	 * initramfs root, memfd). */
	struct bcache_stats bs;
	struct shm_cache_stats cs;
	bcache_stats(&bs);
	shm_cache_stats(&cs);
	uint64_t shmem = shm_total_pages();
	EMIT("Buffers:        %8llu kB\n", (unsigned long long)bs.bytes / 1024);
	EMIT("Cached:         %8llu kB\n",
	     (unsigned long long)(cs.cached + shmem) * 4);
	EMIT("SwapTotal:      %8u kB\nSwapFree:       %8u kB\n", 0, 0);
	EMIT("Dirty:          %8llu kB\n",
	     (unsigned long long)(cs.dirty * 4 + bs.dirty_bytes / 1024));
	EMIT("Mapped:         %8llu kB\n", (unsigned long long)cs.mapped * 4);
	EMIT("Shmem:          %8llu kB\n", (unsigned long long)shmem * 4);
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

/* /proc/limen/ptys: pseudo-terminal pairs in existence (drivers/pty.c),
 * for the leak checks. */
static long gen_ptys(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	long len = 0;
	EMIT("%d\n", pty_count());
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

static long gen_sysvipc_shm(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	return ipc_shm_proc_show(buf, size);
}

static long gen_sysvipc_sem(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	return ipc_sem_proc_show(buf, size);
}

static long gen_sysvipc_msg(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	return ipc_msg_proc_show(buf, size);
}

/* ---- the trace files (kernel/trace_format.c, kernel/trace_ctl.c) ---- */

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

static long gen_net_dev(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	return netif_proc_dev(buf, size);
}

static long gen_net_route(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	return netif_proc_route(buf, size);
}

static long gen_net_arp(struct inode *ino, char *buf, size_t size)
{
	(void)ino;
	return arp_proc(buf, size);
}

/* /proc/net/tcp, udp and unix: too long for one generated buffer with
 * thousands of sockets, they are read a buffer of records at a time. */
#define NET_SEQ(name)                                                          \
	static int name##_open(struct file *f)                                 \
	{                                                                      \
		return seq_file_open(f, name##_proc_show);                     \
	}                                                                      \
	static const struct file_ops name##_seq_ops = {                        \
	    .open = name##_open,                                               \
	    .read = seq_file_read,                                             \
	    .release = seq_file_release,                                       \
	    .seekable = true,                                                  \
	};
NET_SEQ(tcp)
NET_SEQ(udp)
NET_SEQ(unix)

static void add_seq(struct inode *dir, const char *name,
		    const struct file_ops *ops)
{
	struct inode *ino = add_file(dir, name, NULL, 0);
	if (ino)
		ino->fops = ops;
}

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

void procfs_fill(struct inode *dir)
{
	add_file(dir, "meminfo", gen_meminfo, 0);
	add_file(dir, "uptime", gen_uptime, 0);
	add_file(dir, "loadavg", gen_loadavg, 0);
	add_file(dir, "cpuinfo", gen_cpuinfo, 0);
	add_file(dir, "mounts", gen_mounts, 0);
	add_file(dir, "stat", gen_stat, 0);
	struct inode *self = add_link(dir, "self");
	struct inode *tself = add_link(dir, "thread-self");
	if (self)
		self->refresh = procfs_self_refresh;
	if (tself)
		tself->refresh = procfs_thread_self_refresh;
	struct inode *ipc = inode_alloc_sb(dir->sb, S_IFDIR | 0555);
	if (ipc) {
		ipc->nlink = 1;
		if (dir_add(dir, "sysvipc", ipc) == 0) {
			add_file(ipc, "shm", gen_sysvipc_shm, 0);
			add_file(ipc, "sem", gen_sysvipc_sem, 0);
			add_file(ipc, "msg", gen_sysvipc_msg, 0);
		} else
			kfree(ipc);
	}
	struct inode *net = inode_alloc_sb(dir->sb, S_IFDIR | 0555);
	if (net) {
		net->nlink = 1;
		if (dir_add(dir, "net", net) == 0) {
			add_file(net, "dev", gen_net_dev, 0);
			add_file(net, "route", gen_net_route, 0);
			add_file(net, "arp", gen_net_arp, 0);
			add_seq(net, "tcp", &tcp_seq_ops);
			add_seq(net, "udp", &udp_seq_ops);
			add_seq(net, "unix", &unix_seq_ops);
		} else
			kfree(net);
	}
	struct inode *limen = inode_alloc_sb(dir->sb, S_IFDIR | 0555);
	if (limen) {
		limen->nlink = 1;
		if (dir_add(dir, "limen", limen) == 0) {
			add_file(limen, "unimplemented", gen_unimplemented, 0);
			add_file(limen, "bcache", gen_bcache, 0);
			add_file(limen, "kheap", gen_kheap, 0);
			add_file(limen, "ptys", gen_ptys, 0);
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
