/* Fault injection for error paths (kernel/failinject.c): fail_alloc=N. */
#ifndef LIMEN_FAILINJECT_H
#define LIMEN_FAILINJECT_H

#include <types.h>

void failinject_init(unsigned every); /* 0: off */
extern unsigned failinject_every;
bool failinject_alloc_slow(void);
/* True if this allocation is to fail (one in N, unprivileged only). Off,
 * it costs one load on the allocation paths (page faults among them). */
static inline bool failinject_alloc(void)
{
	return unlikely(failinject_every) && failinject_alloc_slow();
}
/* One console line with the counts, when init exits. */
void failinject_report(void);

#endif
