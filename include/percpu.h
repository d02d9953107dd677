/* Per-CPU state (see arch/<arch>/include/asm/percpu.h for the layout). */
#ifndef LIMEN_PERCPU_H
#define LIMEN_PERCPU_H

#include <asm/percpu.h>

#define current (this_cpu()->curr)

#endif
