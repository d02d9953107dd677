/* The trace facility's reading side: the events in the trace_rings turned into
 * text lines, oldest first across the CPUs, for /proc/limen/trace
 * (docs/trace.md gives the format). A read consumes what it returns, and
 * wakes the traced calls that wait for the reader to drain their ring. */
#include <lib/printf.h>
#include <lib/string.h>
#include <mutex.h>
#include <spinlock.h>
#include <syscall.h>
#include <syscall_names.h>
#include <time.h>
#include <trace.h>
#include <uapi/errno.h>
#include "trace_ring.h"

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
		struct trace_ring *r = &trace_rings[i];
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
		struct trace_ring *r = &trace_rings[i];
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
		wait_queue_wake_all(
		    &trace_reader_wq); /* throttled calls go on */
	return done;
}
