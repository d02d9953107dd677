/* The out-of-memory killer (kernel/oom.c). */
#ifndef LIMEN_OOM_H
#define LIMEN_OOM_H

#include <types.h>

/* A user page fault found no free page. If memory is really short, kills
 * the process with the most resident pages (with a console line; once per
 * victim), gives it the CPU if wait, and returns true: the fault may be
 * tried again. False: not an out-of-memory (pages are free) or nobody to
 * kill; the fault fails. */
bool oom_kill(bool wait);

#endif
