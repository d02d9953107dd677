/* System V IPC and shared memory: constants and structures with Linux
 * x86_64's values and layouts (asm-generic/ipcbuf.h, asm/shmbuf.h,
 * linux/ipc.h, linux/shm.h). */
#ifndef LIMEN_UAPI_IPC_H
#define LIMEN_UAPI_IPC_H

#include <types.h>

#define IPC_PRIVATE 0
#define IPC_CREAT 01000
#define IPC_EXCL 02000
#define IPC_NOWAIT 04000

#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#define IPC_INFO 3

#define SHM_LOCK 11
#define SHM_UNLOCK 12
#define SHM_STAT 13
#define SHM_INFO 14
#define SHM_STAT_ANY 15

/* shmget flags beyond the mode */
#define SHM_HUGETLB 04000
#define SHM_NORESERVE 010000
/* shmat flags */
#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHM_REMAP 040000
#define SHM_EXEC 0100000
/* Bits of shm_perm.mode beyond the permissions */
#define SHM_DEST 01000
#define SHM_LOCKED 02000

struct ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode; /* __kernel_mode_t is 4 bytes on x86_64: no __pad1 */
	uint16_t seq;
	uint16_t __pad2;
	uint64_t __unused1, __unused2;
};

struct shmid64_ds {
	struct ipc64_perm shm_perm;
	uint64_t shm_segsz;
	int64_t shm_atime, shm_dtime, shm_ctime;
	int32_t shm_cpid, shm_lpid;
	uint64_t shm_nattch;
	uint64_t __unused4, __unused5;
};

struct shminfo64 {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall;
	uint64_t __unused1, __unused2, __unused3, __unused4;
};

struct shm_info {
	int32_t used_ids;
	uint64_t shm_tot; /* pages */
	uint64_t shm_rss; /* pages */
	uint64_t shm_swp;
	uint64_t swap_attempts, swap_successes;
};

#endif
