/* System V IPC: shared memory, semaphores and message queues, constants
 * and structures with Linux x86_64's values and layouts
 * (asm-generic/ipcbuf.h, asm/shmbuf.h, asm/sembuf.h, asm-generic/msgbuf.h,
 * linux/ipc.h, linux/shm.h, linux/sem.h, linux/msg.h). */
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

/* semop flags (with IPC_NOWAIT) and semctl commands */
#define SEM_UNDO 0x1000
#define GETPID 11
#define GETVAL 12
#define GETALL 13
#define GETNCNT 14
#define GETZCNT 15
#define SETVAL 16
#define SETALL 17
#define SEM_STAT 18
#define SEM_INFO 19
#define SEM_STAT_ANY 20

struct sembuf {
	uint16_t sem_num;
	int16_t sem_op;
	int16_t sem_flg;
};

/* x86_64's own asm/sembuf.h: each time is followed by an unused word. */
struct semid64_ds {
	struct ipc64_perm sem_perm;
	int64_t sem_otime;
	uint64_t __unused1;
	int64_t sem_ctime;
	uint64_t __unused2;
	uint64_t sem_nsems;
	uint64_t __unused3, __unused4;
};

struct seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz,
	    semvmx, semaem;
};

/* msgrcv flags and msgctl commands */
#define MSG_NOERROR 010000
#define MSG_EXCEPT 020000
#define MSG_COPY 040000
#define MSG_STAT 11
#define MSG_INFO 12
#define MSG_STAT_ANY 13

struct msqid64_ds {
	struct ipc64_perm msg_perm;
	int64_t msg_stime, msg_rtime, msg_ctime;
	uint64_t msg_cbytes, msg_qnum, msg_qbytes;
	int32_t msg_lspid, msg_lrpid;
	uint64_t __unused4, __unused5;
};

struct msginfo {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg;
};

#endif
