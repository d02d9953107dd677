/* The trace facility's control: the commands written to
 * /proc/limen/trace_ctl (docs/trace.md) choose what is traced, start and
 * stop tracing, size and clear the rings; a read of the file shows the
 * state. Commands run under trace_mutex; the recording paths read the
 * state they set without it. */
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <mutex.h>
#include <proc.h>
#include <spinlock.h>
#include <trace.h>
#include <uapi/errno.h>
#include "trace_ring.h"

#define TRACE_DEFAULT_EVENTS 4096
#define TRACE_MIN_EVENTS 64
#define TRACE_MAX_EVENTS 4096 /* 1 MiB per CPU: one buddy block */

/* The size of the rings tracing next allocates. */
static uint32_t ring_events = TRACE_DEFAULT_EVENTS;

static int rings_alloc(void)
{
	unsigned order = 0;
	while ((PAGE_SIZE << order) < ring_events * sizeof(struct trace_event))
		order++;
	for (int i = 0; i < TRACE_MAX_CPUS; i++) {
		struct trace_ring *r = &trace_rings[i];
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
		struct trace_ring *r = &trace_rings[i];
		irqflags_t f = spin_lock_irqsave(&r->lock);
		r->head = r->tail = r->dropped = r->dropped_unseen = 0;
		spin_unlock_irqrestore(&r->lock, f);
	}
}

/* Rings of a new size are made when tracing next starts. */
static void rings_free(void)
{
	for (int i = 0; i < TRACE_MAX_CPUS; i++) {
		struct trace_ring *r = &trace_rings[i];
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
		wait_queue_wake_all(&trace_reader_wq);
		return 0;
	}
	if (strcmp(w, "wait") == 0 || strcmp(w, "nowait") == 0) {
		trace_wait = w[0] == 'w';
		trace_wait_owner = proc_current() ? proc_current()->pid : 0;
		if (!trace_wait)
			wait_queue_wake_all(&trace_reader_wq);
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
		struct trace_ring *r = &trace_rings[i];
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
