/* Resource limits applied by the kernel (kernel/rlimit.c). */
#ifndef LIMEN_RLIMIT_H
#define LIMEN_RLIMIT_H

#include <types.h>
#include <uapi/misc.h>

/* The calling process's soft limit res (RLIM_INFINITY in a kernel
 * thread). */
uint64_t rlimit_cur(int res);
/* RLIMIT_FSIZE for a write of n bytes at pos of a regular file: how many
 * bytes may be written (n, or fewer up to the limit), or -EFBIG after
 * SIGXFSZ when pos is already at or past the limit. */
long rlimit_fsize(uint64_t pos, size_t n);
struct thread;
struct mm;
/* Whether len more bytes of mapping (data: private writable) would pass
 * RLIMIT_AS or RLIMIT_DATA. */
bool rlimit_vm_exceeded(struct mm *mm, uint64_t len, bool data);
/* The same for a caller that holds mm->lock (mremap decides under it). */
bool rlimit_vm_exceeded_locked(struct mm *mm, uint64_t len, bool data);
/* RLIMIT_MEMLOCK in pages for the calling process: how much of its
 * address space mlock may lock in all (UINT64_MAX for root, which has
 * Linux's CAP_IPC_LOCK, or for an infinite limit). */
uint64_t rlimit_memlock_pages(void);
/* From the timer tick: charges the tick to t's process and, past
 * RLIMIT_CPU's soft limit, makes SIGXCPU pending (each second), past the
 * hard limit SIGKILL. Interrupts are off. */
void rlimit_cpu_tick(struct thread *t);
/* The same for truncating a file to len: 0 or -EFBIG (after SIGXFSZ). */
int rlimit_fsize_truncate(uint64_t len);

#endif
