/* What the three parts of the trace facility share: the event and ring
 * formats and the control state. kernel/trace.c records events into the
 * trace_rings, kernel/trace_format.c reads them back as text,
 * kernel/trace_ctl.c runs the trace_ctl commands that start, stop and size
 * them. */
#ifndef LIMEN_KERNEL_TRACE_RING_H
#define LIMEN_KERNEL_TRACE_RING_H

#include <lib/printf.h>
#include <mutex.h>
#include <sched.h>
#include <spinlock.h>
#include <types.h>

/* Rings are indexed by cpu_id. Limen starts one CPU; SMP needs
 * only a larger count here. */
#define TRACE_MAX_CPUS 1
#define TRACE_STR 88 /* bytes kept of each string argument */

enum trace_type {
	EV_SYS_ENTER = 1,
	EV_SYS_EXIT,
	EV_SWITCH,
	EV_FAULT,
	EV_SIGNAL,
	EV_IRQ,
	EV_EXIT,
};

/* One event; a[] holds the type's fields (see format_event in
 * kernel/trace_format.c). */
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

/* The control state (kernel/trace.c) is written under trace_mutex (by
 * trace_ctl commands) and read without it on the recording paths: a stale
 * read there costs or adds one event, nothing more. */
extern bool trace_all;	     /* every thread, not only the chosen ones */
extern bool trace_follow;    /* new threads of traced threads are traced */
extern bool trace_wait;	     /* traced calls wait for the reader (throttle) */
extern int trace_wait_owner; /* the process that asked for it */
extern struct wait_queue trace_reader_wq;
extern uint32_t trace_gen; /* a thread is chosen if its gen matches */
extern struct trace_ring trace_rings[TRACE_MAX_CPUS];
/* Serialises readers and control commands (sleeping, process context). */
extern struct mutex trace_mutex;

/* Appends to out[0..room), k bytes of which are written, never overrunning
 * (the text formatters and trace_ctl_show). */
#define LINE(...)                                                              \
	do {                                                                   \
		if (k < room)                                                  \
			k += (size_t)snprintf(out + k, room - k, __VA_ARGS__); \
	} while (0)

#endif
