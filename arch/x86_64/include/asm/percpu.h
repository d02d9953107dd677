/* Per-CPU data, reached through the GS base. gs:0 holds a pointer to the
 * structure itself so C code can get its address in one instruction. The
 * first fields are at fixed offsets because assembly (the system-call entry)
 * uses them. */
#ifndef LIMEN_ASM_PERCPU_H
#define LIMEN_ASM_PERCPU_H

#include <types.h>

struct thread;
struct tss;

struct percpu {
	struct percpu *self; /* gs:0 */
	uint64_t kernel_rsp; /* gs:8, top of the current kernel stack */
	uint64_t user_rsp;   /* gs:16, scratch for the syscall entry */
	struct thread *curr; /* gs:24, the running thread */
	int cpu_id;
	int irq_depth;	   /* nesting of interrupt handlers */
	int preempt_count; /* >0: no preemption */
	bool need_resched;
	struct tss *tss;
	struct thread *idle;
	uint64_t irq_count;
	/* kernel/lockcheck.c (debug builds): the spinlocks held here. */
	struct spinlock *held[8];
	int nheld;
};

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

void percpu_init_boot(void);

#endif
