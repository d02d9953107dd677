/* The text of a trace, as strace prints it: one line per system call when
 * it returns, "<unfinished ...>" and "<... resumed>" when calls of several
 * threads overlap, signals and exits between "---" and "+++" marks; and,
 * with -c, a table of calls, errors and kernel time per system call. */
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define MAX_THREADS 512
#define NR_MAX 512

/* A thread's call between its entry and its exit. */
struct pending {
	int tid, pid;
	bool active;
	bool shown_unfinished; /* its "<unfinished ...>" line is out */
	struct trace_call call;
	char sbuf[TRACE_MAX_STR][EV_STR_MAX];
};

static struct pending threads[MAX_THREADS];
static int tids_seen;

struct count {
	unsigned long calls, errors;
	uint64_t kernel_ns;
};
static struct count counts[NR_MAX];

static struct pending *thread_of(int tid, int pid)
{
	struct pending *free_slot = NULL;
	for (int i = 0; i < MAX_THREADS; i++) {
		if (threads[i].tid == tid)
			return &threads[i];
		if (!threads[i].tid && !free_slot)
			free_slot = &threads[i];
	}
	if (free_slot) {
		free_slot->tid = tid;
		free_slot->pid = pid;
		tids_seen++;
	}
	return free_slot;
}

/* strace's "[pid N] " once more than one thread is traced. */
static void prefix(const struct trace_opts *o, int tid)
{
	if (tids_seen > 1)
		fprintf(o->out, "[pid %5d] ", tid);
}

/* Another thread is about to print: calls left open get their
 * "<unfinished ...>" line first, so the text keeps time order. */
static void interrupt_others(const struct trace_opts *o, int tid)
{
	char text[2048];
	for (int i = 0; i < MAX_THREADS; i++) {
		struct pending *p = &threads[i];
		if (!p->active || p->tid == tid || p->shown_unfinished)
			continue;
		trace_format_args(text, sizeof(text), &p->call);
		text[strlen(text) - 1] = '\0'; /* the ')' */
		prefix(o, p->tid);
		fprintf(o->out, "%s <unfinished ...>\n", text);
		p->shown_unfinished = true;
	}
}

static void copy_strings(struct pending *p, const struct event *e)
{
	for (int i = 0; i < e->nstr && p->call.nstr < TRACE_MAX_STR; i++) {
		int k = p->call.nstr++;
		memcpy(p->sbuf[k], e->sbuf[i], e->str[i].len);
		p->call.str[k] = e->str[i];
		p->call.str[k].s = p->sbuf[k];
	}
}

static void print_call(const struct trace_opts *o, struct pending *p,
		       uint64_t dur_ns, bool timed)
{
	char text[4096], res[256];
	trace_format_result(res, sizeof(res), &p->call);
	prefix(o, p->tid);
	if (p->shown_unfinished)
		fprintf(o->out, "<... %s resumed>) %s",
			trace_syscall_name(p->call.nr)
			    ? trace_syscall_name(p->call.nr)
			    : "syscall",
			res);
	else {
		trace_format_call(text, sizeof(text), &p->call);
		fputs(text, o->out);
	}
	if (o->show_time && timed)
		fprintf(o->out, " <%llu.%06llu>",
			(unsigned long long)(dur_ns / 1000000000),
			(unsigned long long)(dur_ns / 1000 % 1000000));
	fputc('\n', o->out);
	p->active = false;
}

static void on_enter(const struct trace_opts *o, const struct event *e)
{
	struct pending *p = thread_of(e->tid, e->pid);
	if (!p)
		return;
	if (p->active && !o->summary) /* an entry without exit: lost */
		print_call(o, p, 0, false);
	memset(&p->call, 0, sizeof(p->call));
	p->call.nr = (int)e->v[0];
	for (int i = 0; i < 6; i++)
		p->call.args[i] = e->v[1 + i];
	p->active = true;
	p->shown_unfinished = false;
	copy_strings(p, e);
}

static void on_exit(const struct trace_opts *o, const struct event *e)
{
	struct pending *p = thread_of(e->tid, e->pid);
	if (!p || !p->active || p->call.nr != (int)e->v[0])
		return; /* its entry was before the trace began */
	p->call.finished = true;
	p->call.ret = (long)e->v[1];
	copy_strings(p, e);
	if (p->call.nr >= 0 && p->call.nr < NR_MAX) {
		struct count *c = &counts[p->call.nr];
		c->calls++;
		c->errors += p->call.ret < 0 && p->call.ret >= -4095;
		c->kernel_ns += e->v[3];
	}
	if (o->summary) {
		p->active = false;
		return;
	}
	interrupt_others(o, e->tid);
	print_call(o, p, e->v[2], true);
}

/* A process or thread ended: a call it was in never returns. */
static void on_thread_end(const struct trace_opts *o, const struct event *e)
{
	struct pending *p = thread_of(e->tid, e->pid);
	if (p && p->active) {
		if (p->call.nr >= 0 && p->call.nr < NR_MAX)
			counts[p->call.nr].calls++;
		if (!o->summary) {
			interrupt_others(o, e->tid);
			print_call(o, p, 0, false);
		}
		p->active = false;
	}
	if (o->summary || strcmp(e->w[0], "process"))
		return;
	int status = (int)e->v[0];
	prefix(o, e->tid);
	if ((status & 0x7f) == 0)
		fprintf(o->out, "+++ exited with %d +++\n",
			(status >> 8) & 0xff);
	else
		fprintf(o->out, "+++ killed by %s%s +++\n",
			trace_signal_name(status & 0x7f)
			    ? trace_signal_name(status & 0x7f)
			    : "signal",
			(status & 0x80) ? " (core dumped)" : "");
}

static void on_signal(const struct trace_opts *o, const struct event *e)
{
	if (o->summary)
		return;
	const char *name = trace_signal_name((int)e->v[0]);
	interrupt_others(o, e->tid);
	prefix(o, e->tid);
	fprintf(o->out, "--- %s (%s) ---\n", name ? name : "signal", e->w[0]);
}

/* A fault the kernel could not resolve, in the program's own code: the
 * reason for the SIGSEGV or SIGBUS that follows. */
static void on_fault(const struct trace_opts *o, const struct event *e)
{
	if (o->summary || strcmp(e->w[0], "ok") == 0 ||
	    e->v[1] >= 0x800000000000ULL)
		return;
	interrupt_others(o, e->tid);
	prefix(o, e->tid);
	fprintf(o->out, "--- page fault at %#llx, rip %#llx: %s ---\n",
		(unsigned long long)e->v[0], (unsigned long long)e->v[1],
		e->w[0]);
}

void report_event(const struct trace_opts *o, const struct event *e)
{
	if (strcmp(e->type, "sys_enter") == 0)
		on_enter(o, e);
	else if (strcmp(e->type, "sys_exit") == 0)
		on_exit(o, e);
	else if (strcmp(e->type, "exit") == 0)
		on_thread_end(o, e);
	else if (strcmp(e->type, "signal") == 0)
		on_signal(o, e);
	else if (strcmp(e->type, "fault") == 0)
		on_fault(o, e);
}

static int by_time(const void *a, const void *b)
{
	const struct count *x = &counts[*(const int *)a];
	const struct count *y = &counts[*(const int *)b];
	if (x->kernel_ns != y->kernel_ns)
		return x->kernel_ns < y->kernel_ns ? 1 : -1;
	return x->calls < y->calls ? 1 : x->calls > y->calls ? -1 : 0;
}

static void print_summary(const struct trace_opts *o)
{
	int order[NR_MAX], n = 0;
	unsigned long calls = 0, errors = 0;
	uint64_t total = 0;
	for (int i = 0; i < NR_MAX; i++)
		if (counts[i].calls) {
			order[n++] = i;
			calls += counts[i].calls;
			errors += counts[i].errors;
			total += counts[i].kernel_ns;
		}
	qsort(order, (size_t)n, sizeof(order[0]), by_time);
	const char *rule = "------ ----------- ----------- --------- "
			   "--------- ----------------";
	fprintf(o->out,
		"%% time     seconds  usecs/call     calls    errors "
		"syscall\n%s\n",
		rule);
	for (int i = 0; i < n; i++) {
		const struct count *c = &counts[order[i]];
		const char *name = trace_syscall_name(order[i]);
		fprintf(o->out, "%6.2f %11.6f %11llu %9lu ",
			total ? 100.0 * (double)c->kernel_ns / (double)total
			      : 0.0,
			(double)c->kernel_ns / 1e9,
			(unsigned long long)(c->kernel_ns / 1000 / c->calls),
			c->calls);
		if (c->errors)
			fprintf(o->out, "%9lu ", c->errors);
		else
			fprintf(o->out, "%9s ", "");
		fprintf(o->out, "%s\n", name ? name : "?");
	}
	fprintf(o->out, "%s\n%6.2f %11.6f %11s %9lu %9lu total\n", rule, 100.0,
		(double)total / 1e9, "", calls, errors);
}

void report_end(const struct trace_opts *o)
{
	for (int i = 0; i < MAX_THREADS; i++)
		if (threads[i].active) {
			if (!o->summary)
				print_call(o, &threads[i], 0, false);
			else if (threads[i].call.nr < NR_MAX)
				counts[threads[i].call.nr].calls++;
		}
	if (o->summary)
		print_summary(o);
}
