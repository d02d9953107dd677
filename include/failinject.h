/* Fault injection for error paths (kernel/failinject.c): fail_alloc=N and
 * fail_blk=N. */
#ifndef LIMEN_FAILINJECT_H
#define LIMEN_FAILINJECT_H

#include <types.h>

void failinject_init(unsigned every, unsigned blk_every); /* 0: off */
extern unsigned failinject_every;
bool failinject_alloc_slow(void);
/* True if this allocation is to fail (one in N, unprivileged only). Off,
 * it costs one load on the allocation paths (page faults among them). */
static inline bool failinject_alloc(void)
{
	return unlikely(failinject_every) && failinject_alloc_slow();
}

/* fail_blk=N: one in N completed virtio-blk requests (every process's and
 * the kernel's: write-back has no process) reports an I/O error. */
extern unsigned failinject_blk_every;
bool failinject_blk_slow(void);
static inline bool failinject_blk(void)
{
	return unlikely(failinject_blk_every) && failinject_blk_slow();
}
/* Changes N at run time (0 stops), for tests that need a clean phase. */
void failinject_blk_set(unsigned every);

/* /proc/limen/failinject: settings and counts. */
long failinject_show(char *buf, size_t size);
/* Its writes: "fail_blk N". 0 or -EINVAL. */
int failinject_command(const char *cmd, size_t n);

/* One console line with the counts, when init exits. */
void failinject_report(void);

#endif
