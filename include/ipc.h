/* System V IPC (kernel/ipc_shm.c): what the rest of the kernel sees of
 * it. The system calls are in the table; the ABI is include/uapi/ipc.h. */
#ifndef LIMEN_IPC_H
#define LIMEN_IPC_H

#include <types.h>

/* /proc/sysvipc/shm in Linux's format: a header line, then one line per
 * segment. Returns the length written into buf (at most size - 1). */
long ipc_shm_proc_show(char *buf, size_t size);

#endif
