/* The trace facility: events at the boundary recorded into one ring buffer
 * per CPU and read back as text (docs/trace.md). A ring keeps the newest
 * events: when it is full, the oldest is overwritten and counted as
 * dropped. Recording copies an event built on the stack into the ring under
 * the ring's lock, so an interrupt that records too (a page fault or an
 * interrupt inside a traced system call) never sees a half-written slot. */
#include <arch.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <mutex.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <spinlock.h>
#include <syscall.h>
#include <syscall_names.h>
#include <time.h>
#include <trace.h>
#include <uaccess.h>
#include <uapi/errno.h>

/* Rings are indexed by cpu_id. Limen starts one CPU today; SMP needs
 * only a larger count here. */
#define TRACE_MAX_CPUS 1
#define TRACE_STR 88 /* bytes kept of each string argument */
#define TRACE_DEFAULT_EVENTS 4096
#define TRACE_MIN_EVENTS 64
#define TRACE_MAX_EVENTS 4096 /* 1 MiB per CPU: one buddy block */

enum trace_type {
	EV_SYS_ENTER = 1,
	EV_SYS_EXIT,
	EV_SWITCH,
	EV_FAULT,
	EV_SIGNAL,
	EV_IRQ,
	EV_EXIT,
};

/* One event; a[] holds the type's fields (see format_event). */
struct trace_event {
	uint64_t ts;
	uint64_t a[6];
	int32_t pid, tid;
	uint16_t nr;
	uint8_t type, cpu;
	uint8_t nstr;
	uint8_t sarg[2], slen[2];
	uint8_t strunc; /* bit i: string i was cut at TRACE_STR bytes */
	char s[2][TRACE_STR];
};
STATIC_ASSERT(sizeof(struct trace_event) == 256, "events are 256 bytes");

/* head counts events ever written, tail the oldest one still kept; slot
 * i is ev[i % size]. The lock protects all of a ring's fields. */
struct trace_ring {
	spinlock_t lock;
	struct trace_event *ev;
	uint32_t size;
	uint64_t head, tail;
	uint64_t dropped;	 /* overwritten before being read */
	uint64_t dropped_unseen; /* of those, not yet reported to a reader */
};

/* The control state below is written under trace_mutex (by trace_ctl
 * commands) and read without it on the recording paths: a stale read
 * there costs or adds one event, nothing more. */
bool trace_enabled;
static bool trace_all;	  /* every thread, not only the chosen ones */
static bool trace_follow; /* new threads of traced threads are traced */
static bool trace_wait;	  /* traced calls wait for the reader (throttle) */
static int wait_owner;	  /* the process that asked for it */
static struct wait_queue reader_wq = WAIT_QUEUE_INIT(reader_wq);
static uint32_t trace_gen = 1; /* a thread is chosen if its gen matches */
static uint32_t ring_events = TRACE_DEFAULT_EVENTS;
static struct trace_ring rings[TRACE_MAX_CPUS];
/* Serialises readers and control commands (sleeping, process context). */
static struct mutex trace_mutex = MUTEX_INIT(trace_mutex, "trace");

/* ---- recording ------------------------------------------------------ */

static bool traced(const struct thread *t)
{
	if (trace_all)
		return true;
	return t && t->proc && t->trace_gen == trace_gen;
}

static void event_init(struct trace_event *e, int type, struct thread *t)
{
	e->type = (uint8_t)type;
	e->ts = 0;
	e->nstr = 0;
	e->strunc = 0;
	e->nr = 0;
	memset(e->a, 0, sizeof(e->a));
	e->pid = t && t->proc ? t->proc->pid : 0;
	e->tid = t && t->proc ? t->utid : 0;
}

static void record(struct trace_event *e)
{
	struct percpu *cpu = this_cpu();
	int id = cpu->cpu_id < TRACE_MAX_CPUS ? cpu->cpu_id : 0;
	struct trace_ring *r = &rings[id];
	irqflags_t f = spin_lock_irqsave(&r->lock);
	if (!r->ev) {
		spin_unlock_irqrestore(&r->lock, f);
		return;
	}
	if (!e->ts)
		e->ts = time_ns();
	e->cpu = (uint8_t)id;
	if (r->head - r->tail == r->size) {
		r->tail++;
		r->dropped++;
		r->dropped_unseen++;
	}
	size_t slot = e->nstr ? sizeof(*e) : offsetof(struct trace_event, s);
	memcpy(&r->ev[r->head % r->size], e, slot);
	r->head++;
	spin_unlock_irqrestore(&r->lock, f);
}

/* ---- what each system call's strings are ----------------------------- */

#define NR_ENUM(n, name) NR_##name = n,
enum { SYSCALL_NAMES(NR_ENUM) };

/* Argument numbers plus one (0: none): up to two NUL-terminated paths
 * copied at entry; a buffer and its length at entry (write); a buffer
 * whose length is the result, copied at exit (read). */
struct capture {
	uint8_t path1, path2, in_buf, in_len, out_buf;
};

static const struct capture captures[NR_SYSCALLS] = {
    [NR_read] = {.out_buf = 2},
    [NR_pread64] = {.out_buf = 2},
    [NR_recvfrom] = {.out_buf = 2},
    [NR_getcwd] = {.out_buf = 1},
    [NR_write] = {.in_buf = 2, .in_len = 3},
    [NR_pwrite64] = {.in_buf = 2, .in_len = 3},
    [NR_sendto] = {.in_buf = 2, .in_len = 3},
    [NR_sethostname] = {.in_buf = 1, .in_len = 2},
    [NR_setdomainname] = {.in_buf = 1, .in_len = 2},
    [NR_open] = {.path1 = 1},
    [NR_creat] = {.path1 = 1},
    [NR_stat] = {.path1 = 1},
    [NR_lstat] = {.path1 = 1},
    [NR_access] = {.path1 = 1},
    [NR_execve] = {.path1 = 1},
    [NR_chdir] = {.path1 = 1},
    [NR_mkdir] = {.path1 = 1},
    [NR_rmdir] = {.path1 = 1},
    [NR_unlink] = {.path1 = 1},
    [NR_readlink] = {.path1 = 1, .out_buf = 2},
    [NR_chmod] = {.path1 = 1},
    [NR_chown] = {.path1 = 1},
    [NR_lchown] = {.path1 = 1},
    [NR_truncate] = {.path1 = 1},
    [NR_statfs] = {.path1 = 1},
    [NR_chroot] = {.path1 = 1},
    [NR_mknod] = {.path1 = 1},
    [NR_utime] = {.path1 = 1},
    [NR_utimes] = {.path1 = 1},
    [NR_umount2] = {.path1 = 1},
    [NR_openat] = {.path1 = 2},
    [NR_newfstatat] = {.path1 = 2},
    [NR_faccessat] = {.path1 = 2},
    [NR_faccessat2] = {.path1 = 2},
    [NR_mkdirat] = {.path1 = 2},
    [NR_unlinkat] = {.path1 = 2},
    [NR_readlinkat] = {.path1 = 2, .out_buf = 3},
    [NR_fchmodat] = {.path1 = 2},
    [NR_fchownat] = {.path1 = 2},
    [NR_mknodat] = {.path1 = 2},
    [NR_utimensat] = {.path1 = 2},
    [NR_statx] = {.path1 = 2},
    [NR_execveat] = {.path1 = 2},
    [NR_futimesat] = {.path1 = 2},
    [NR_rename] = {.path1 = 1, .path2 = 2},
    [NR_link] = {.path1 = 1, .path2 = 2},
    [NR_symlink] = {.path1 = 1, .path2 = 2},
    [NR_mount] = {.path1 = 1, .path2 = 2},
    [NR_renameat] = {.path1 = 2, .path2 = 4},
    [NR_renameat2] = {.path1 = 2, .path2 = 4},
    [NR_linkat] = {.path1 = 2, .path2 = 4},
    [NR_symlinkat] = {.path1 = 1, .path2 = 3},
};

static void add_string(struct trace_event *e, int arg, size_t len,
		       bool truncated)
{
	int i = e->nstr++;
	e->sarg[i] = (uint8_t)arg;
	e->slen[i] = (uint8_t)len;
	if (truncated)
		e->strunc |= (uint8_t)(1 << i);
}

/* A string argument as far as it is readable; a bad pointer leaves the
 * argument as a number, as strace shows it. */
static void grab_path(struct trace_event *e, int arg)
{
	const char *u = (const char *)e->a[arg];
	if (!u)
		return;
	long r = strncpy_from_user(e->s[e->nstr], u, TRACE_STR);
	if (r == -ENAMETOOLONG)
		add_string(e, arg, TRACE_STR, true);
	else if (r >= 0)
		add_string(e, arg, (size_t)r, false);
}

static void grab_buf(struct trace_event *e, int arg, uint64_t uptr,
		     uint64_t len)
{
	size_t n = len < TRACE_STR ? len : TRACE_STR;
	if (copy_from_user(e->s[e->nstr], (const void *)uptr, n) == 0)
		add_string(e, arg, n, len > TRACE_STR);
}

static void capture_enter(struct trace_event *e, uint64_t nr)
{
	if (nr >= NR_SYSCALLS)
		return;
	const struct capture *c = &captures[nr];
	if (c->path1)
		grab_path(e, c->path1 - 1);
	if (c->path2)
		grab_path(e, c->path2 - 1);
	if (c->in_buf)
		grab_buf(e, c->in_buf - 1, e->a[c->in_buf - 1],
			 e->a[c->in_len - 1]);
}

static void capture_exit(struct trace_event *e, uint64_t nr,
			 const uint64_t *args, long ret)
{
	if (nr >= NR_SYSCALLS || !captures[nr].out_buf || ret <= 0)
		return;
	int arg = captures[nr].out_buf - 1;
	grab_buf(e, arg, args[arg], (uint64_t)ret);
}

#define THROTTLE_WAIT_NS (200 * 1000 * 1000ULL)

/* Whether the process that asked for "wait" still lives: once it is gone,
 * nobody will drain the ring, and waiting would only slow the traced. */
static bool wait_owner_alive(void)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *p = proc_find(wait_owner);
	bool alive = p && !p->zombie;
	spin_unlock_irqrestore(&proc_lock, f);
	return alive;
}

/* With "wait" on, a traced call that finds its ring 3/4 full waits for the
 * reader to drain it, as strace's tracee waits for strace: a reader that
 * keeps up loses nothing. The wait is bounded (a reader tracing itself
 * costs time, never a hang) and ends with the reader's process. */
static void throttle(void)
{
	struct trace_ring *r = &rings[0];
	if (r->ev && r->head - r->tail > r->size / 4 * 3 &&
	    !wait_owner_alive()) {
		trace_wait = false;
		return;
	}
	uint64_t deadline = time_ns() + THROTTLE_WAIT_NS;
	irqflags_t f = sched_lock_irqsave();
	while (trace_wait && r->ev && r->head - r->tail > r->size / 4 * 3)
		if (sched_sleep_locked(&reader_wq, deadline) == -ETIMEDOUT)
			break;
	sched_unlock_irqrestore(f);
}

long trace_syscall(struct trap_frame *tf, trace_syscall_fn run)
{
	struct thread *t = current;
	if (!traced(t))
		return run(tf);
	if (trace_wait)
		throttle();
	struct trace_event e;
	uint64_t nr = tf->rax;
	uint64_t args[6] = {tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9};
	event_init(&e, EV_SYS_ENTER, t);
	e.nr = (uint16_t)nr;
	memcpy(e.a, args, sizeof(args));
	capture_enter(&e, nr);
	uint64_t stime0 = t->stime_ns;
	record(&e);
	uint64_t start = e.ts;
	/* Kernel time the tracing itself took so far (copying strings), to
	 * leave out of the call's CPU time. */
	uint64_t overhead = start - t->acct_mark_ns;

	long ret = run(tf);

	if (!trace_enabled || !traced(t))
		return ret;
	uint64_t now = time_ns();
	event_init(&e, EV_SYS_EXIT, t);
	e.nr = (uint16_t)nr;
	capture_exit(&e, nr, args, ret);
	e.ts = now;
	e.a[0] = (uint64_t)ret;
	e.a[1] = now - start;
	/* CPU time in the kernel: charged stretches plus the current one
	 * (acct_enter_kernel started it at entry, a switch restarts it). */
	uint64_t cpu = t->stime_ns - stime0 + (now - t->acct_mark_ns);
	e.a[2] = cpu > overhead ? cpu - overhead : 0;
	record(&e);
	return ret;
}

void trace_switch(struct thread *prev, struct thread *next)
{
	if (!traced(prev) && !traced(next))
		return;
	struct trace_event e;
	event_init(&e, EV_SWITCH, prev);
	e.a[0] = prev->state == THREAD_SLEEPING ? 'S'
		 : prev->state == THREAD_ZOMBIE ? 'Z'
						: 'R';
	e.a[1] = (uint64_t)(next->proc ? next->proc->pid : 0);
	e.a[2] = (uint64_t)(next->proc ? next->utid : 0);
	record(&e);
}

/* An event of the current thread, with up to five fields. */
static void record_current(int type, uint64_t a0, uint64_t a1, uint64_t a2,
			   uint64_t a3, uint64_t a4)
{
	struct thread *t = current;
	if (!traced(t))
		return;
	struct trace_event e;
	event_init(&e, type, t);
	e.a[0] = a0;
	e.a[1] = a1;
	e.a[2] = a2;
	e.a[3] = a3;
	e.a[4] = a4;
	record(&e);
}

void trace_fault(uint64_t addr, uint64_t rip, uint64_t err, int result,
		 uint64_t start_ns)
{
	record_current(EV_FAULT, addr, rip, err, (uint64_t)result,
		       time_ns() - start_ns);
}

void trace_signal(int sig, int action)
{
	record_current(EV_SIGNAL, (uint64_t)sig, (uint64_t)action, 0, 0, 0);
}

void trace_irq(uint64_t vector, uint64_t start_ns)
{
	record_current(EV_IRQ, vector, time_ns() - start_ns, 0, 0, 0);
}

void trace_exit(int status, bool whole_process)
{
	record_current(EV_EXIT, (uint64_t)(uint32_t)status, whole_process, 0, 0,
		       0);
}

void trace_inherit(struct thread *child, struct thread *parent)
{
	child->trace_gen =
	    trace_follow && parent->trace_gen == trace_gen ? trace_gen : 0;
}

/* ---- reading -------------------------------------------------------- */

/* Appends s[0..n) with C escapes; only \\, \", \n, \t, \r and \xHH. */
static size_t put_escaped(char *out, size_t room, const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 4 < room; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = c == '\\'   ? "\\\\"
				  : c == '"'  ? "\\\""
				  : c == '\n' ? "\\n"
				  : c == '\t' ? "\\t"
				  : c == '\r' ? "\\r"
					      : NULL;
		if (esc)
			k += (size_t)snprintf(out + k, room - k, "%s", esc);
		else if (c < 0x20 || c >= 0x7f)
			k += (size_t)snprintf(out + k, room - k, "\\x%02x", c);
		else
			out[k++] = (char)c;
	}
	return k;
}

static const char *const fault_results[] = {"ok", "unmapped", "prot",
					    "stack_limit", "nomem"};
static const char *const signal_actions[] = {"handler", "ignore", "stop",
					     "kill"};

#define LINE(...)                                                              \
	do {                                                                   \
		if (k < room)                                                  \
			k += (size_t)snprintf(out + k, room - k, __VA_ARGS__); \
	} while (0)

static size_t format_strings(const struct trace_event *e, char *out,
			     size_t room)
{
	size_t k = 0;
	for (int i = 0; i < e->nstr && i < 2; i++) {
		LINE(" a%u=\"", e->sarg[i]);
		if (k < room)
			k +=
			    put_escaped(out + k, room - k, e->s[i], e->slen[i]);
		LINE("\"%s", (e->strunc & (1 << i)) ? "..." : "");
	}
	return k;
}

static const char *sys_name(unsigned nr)
{
	return nr < NR_SYSCALLS && syscall_names[nr] ? syscall_names[nr] : "?";
}

/* One line: "TS CPU PID TID EVENT fields...\n"; returns its length. */
static size_t format_event(const struct trace_event *e, char *out, size_t room)
{
	size_t k = 0;
	const uint64_t *a = e->a;
	LINE("%llu %u %d %d ", (unsigned long long)e->ts, e->cpu, e->pid,
	     e->tid);
	switch (e->type) {
	case EV_SYS_ENTER:
		LINE("sys_enter %u %s", e->nr, sys_name(e->nr));
		for (int i = 0; i < 6; i++)
			LINE(" %#llx", (unsigned long long)a[i]);
		break;
	case EV_SYS_EXIT:
		LINE("sys_exit %u %s %lld %llu %llu", e->nr, sys_name(e->nr),
		     (long long)a[0], (unsigned long long)a[1],
		     (unsigned long long)a[2]);
		break;
	case EV_SWITCH:
		LINE("switch %c %d %d", (char)a[0], (int)a[1], (int)a[2]);
		break;
	case EV_FAULT:
		LINE("fault %#llx %#llx %#llx %s %llu",
		     (unsigned long long)a[0], (unsigned long long)a[1],
		     (unsigned long long)a[2],
		     a[3] < 5 ? fault_results[a[3]] : "?",
		     (unsigned long long)a[4]);
		break;
	case EV_SIGNAL:
		LINE("signal %d %s", (int)a[0],
		     a[1] < 4 ? signal_actions[a[1]] : "?");
		break;
	case EV_IRQ:
		LINE("irq %llu %llu", (unsigned long long)a[0],
		     (unsigned long long)a[1]);
		break;
	case EV_EXIT:
		LINE("exit %#llx %s", (unsigned long long)a[0],
		     a[1] ? "process" : "thread");
		break;
	}
	if (k < room)
		k += format_strings(e, out + k, room - k);
	LINE("\n");
	return k;
}

/* The ring whose oldest event is the oldest of all, if it is older than
 * before_ns; copies that event to *e. */
static struct trace_ring *oldest(struct trace_event *e, uint64_t before_ns,
				 uint64_t *index)
{
	struct trace_ring *best = NULL;
	for (int i = 0; i < TRACE_MAX_CPUS; i++) {
		struct trace_ring *r = &rings[i];
		irqflags_t f = spin_lock_irqsave(&r->lock);
		if (r->ev && r->tail < r->head) {
			struct trace_event *o = &r->ev[r->tail % r->size];
			if (o->ts < before_ns && (!best || o->ts < e->ts)) {
				best = r;
				*index = r->tail;
				memcpy(e, o, sizeof(*e));
			}
		}
		spin_unlock_irqrestore(&r->lock, f);
	}
	return best;
}

/* Lines for events lost since the last read, one per CPU. */
static size_t format_losses(char *out, size_t room)
{
	size_t k = 0;
	for (int i = 0; i < TRACE_MAX_CPUS; i++) {
		struct trace_ring *r = &rings[i];
		irqflags_t f = spin_lock_irqsave(&r->lock);
		uint64_t lost = r->dropped_unseen;
		r->dropped_unseen = 0;
		spin_unlock_irqrestore(&r->lock, f);
		if (lost)
			LINE("%llu %d 0 0 lost %llu\n",
			     (unsigned long long)time_ns(), i,
			     (unsigned long long)lost);
	}
	return k;
}

long trace_read(char *buf, size_t n, uint64_t before_ns)
{
	static struct trace_event e; /* these two: under trace_mutex */
	static char line[1280];
	uint64_t index;
	long done = 0;
	mutex_lock(&trace_mutex);
	size_t len = format_losses(line, sizeof(line));
	if (len <= n) {
		memcpy(buf, line, len);
		done = (long)len;
	}
	struct trace_ring *r;
	while ((r = oldest(&e, before_ns, &index))) {
		len = format_event(&e, line, sizeof(line));
		if (len > n - (size_t)done) {
			if (done == 0)
				done = -EINVAL; /* too small for one line */
			break;
		}
		memcpy(buf + done, line, len);
		done += (long)len;
		irqflags_t f = spin_lock_irqsave(&r->lock);
		if (r->tail == index) /* not overwritten meanwhile */
			r->tail++;
		spin_unlock_irqrestore(&r->lock, f);
	}
	mutex_unlock(&trace_mutex);
	if (done > 0)
		wait_queue_wake_all(&reader_wq); /* throttled calls go on */
	return done;
}

/* ---- control -------------------------------------------------------- */

static int rings_alloc(void)
{
	unsigned order = 0;
	while ((PAGE_SIZE << order) < ring_events * sizeof(struct trace_event))
		order++;
	for (int i = 0; i < TRACE_MAX_CPUS; i++) {
		struct trace_ring *r = &rings[i];
		if (r->ev)
			continue;
		phys_addr_t pa = pmm_alloc_pages(order);
		if (!pa)
			return -ENOMEM;
		irqflags_t f = spin_lock_irqsave(&r->lock);
		r->ev = phys_to_virt(pa);
		r->size = ring_events;
		r->head = r->tail = r->dropped = r->dropped_unseen = 0;
		spin_unlock_irqrestore(&r->lock, f);
	}
	return 0;
}

static void rings_clear(void)
{
	for (int i = 0; i < TRACE_MAX_CPUS; i++) {
		struct trace_ring *r = &rings[i];
		irqflags_t f = spin_lock_irqsave(&r->lock);
		r->head = r->tail = r->dropped = r->dropped_unseen = 0;
		spin_unlock_irqrestore(&r->lock, f);
	}
}

/* Rings of a new size are made when tracing next starts. */
static void rings_free(void)
{
	for (int i = 0; i < TRACE_MAX_CPUS; i++) {
		struct trace_ring *r = &rings[i];
		irqflags_t f = spin_lock_irqsave(&r->lock);
		struct trace_event *ev = r->ev;
		uint32_t size = r->size;
		r->ev = NULL;
		spin_unlock_irqrestore(&r->lock, f);
		if (!ev)
			continue;
		unsigned order = 0;
		while ((PAGE_SIZE << order) < size * sizeof(struct trace_event))
			order++;
		pmm_free_pages(virt_to_phys(ev), order);
	}
}

/* Marks every thread of process pid as chosen. */
static int choose_pid(int pid)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *p = proc_find(pid);
	if (p) {
		struct thread *t;
		list_for_each_entry(t, &p->threads, proc_link) t->trace_gen =
		    trace_gen;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return p ? 0 : -ESRCH;
}

static int start(void)
{
	int r = rings_alloc();
	if (r)
		return r;
	trace_enabled = true;
	return 0;
}

/* One word (and its number) of a command; see docs/trace.md. */
static int command(const char *w, const char *arg, bool *used_arg)
{
	unsigned long long v = 0;
	bool num = arg && kstrtoull(arg, 10, &v) == 0;
	if (strcmp(w, "off") == 0) {
		trace_enabled = false;
		trace_all = false;
		trace_wait = false;
		trace_gen++; /* forget the chosen threads */
		wait_queue_wake_all(&reader_wq);
		return 0;
	}
	if (strcmp(w, "wait") == 0 || strcmp(w, "nowait") == 0) {
		trace_wait = w[0] == 'w';
		wait_owner = proc_current() ? proc_current()->pid : 0;
		if (!trace_wait)
			wait_queue_wake_all(&reader_wq);
		return 0;
	}
	if (strcmp(w, "all") == 0) {
		trace_all = true;
		return start();
	}
	if (strcmp(w, "follow") == 0 || strcmp(w, "nofollow") == 0) {
		trace_follow = w[0] == 'f';
		return 0;
	}
	if (strcmp(w, "clear") == 0) {
		rings_clear();
		return 0;
	}
	if (strcmp(w, "pid") == 0 || strcmp(w, "size") == 0) {
		*used_arg = true;
		if (!num)
			return -EINVAL;
		if (w[0] == 'p') {
			int r = choose_pid((int)v);
			return r ? r : start();
		}
		if (trace_enabled)
			return -EBUSY;
		if (v < TRACE_MIN_EVENTS || v > TRACE_MAX_EVENTS)
			return -EINVAL;
		rings_free();
		ring_events = (uint32_t)v;
		return 0;
	}
	return -EINVAL;
}

long trace_ctl_command(const char *cmd, size_t len)
{
	char text[128];
	char *words[16];
	int nw = 0;
	if (len >= sizeof(text))
		return -EINVAL;
	memcpy(text, cmd, len);
	text[len] = '\0';
	for (char *p = text; *p && nw < 16;) {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		words[nw++] = p;
		while (*p && *p != ' ' && *p != '\n' && *p != '\t')
			p++;
	}
	int r = 0;
	mutex_lock(&trace_mutex);
	for (int i = 0; i < nw && r == 0; i++) {
		bool used = false;
		r = command(words[i], i + 1 < nw ? words[i + 1] : NULL, &used);
		if (used)
			i++;
	}
	mutex_unlock(&trace_mutex);
	return r ? r : (long)len;
}

long trace_ctl_show(char *buf, size_t size)
{
	size_t k = 0, room = size;
	char *out = buf;
	mutex_lock(&trace_mutex);
	LINE("tracing %s\nmode %s\nfollow %d\nwait %d\nsize %u\n",
	     trace_enabled ? "on" : "off", trace_all ? "all" : "pids",
	     trace_follow, trace_wait, ring_events);
	for (int i = 0; i < TRACE_MAX_CPUS; i++) {
		struct trace_ring *r = &rings[i];
		irqflags_t f = spin_lock_irqsave(&r->lock);
		bool have = r->ev != NULL;
		uint64_t queued = r->head - r->tail, total = r->head;
		uint64_t dropped = r->dropped;
		spin_unlock_irqrestore(&r->lock, f);
		if (have)
			LINE("cpu%d queued %llu recorded %llu dropped %llu\n",
			     i, (unsigned long long)queued,
			     (unsigned long long)total,
			     (unsigned long long)dropped);
	}
	mutex_unlock(&trace_mutex);
	return (long)(k < size ? k : size - 1);
}
