/* Fault injection for error paths (kernel/failinject.c): fail_alloc=N. */
#ifndef LIMEN_FAILINJECT_H
#define LIMEN_FAILINJECT_H

#include <types.h>

void failinject_init(unsigned every); /* 0: off */
/* True if this allocation is to fail (one in N, unprivileged only). */
bool failinject_alloc(void);
/* One console line with the counts, when init exits. */
void failinject_report(void);

#endif
