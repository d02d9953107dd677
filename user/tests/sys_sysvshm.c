/* System V shared memory: shmget, shmat, shmdt, shmctl and
 * /proc/sysvipc/shm. Segments shared with forked children (attached anew
 * and inherited), counted attachments, IPC_RMID that waits for the last
 * detach, key lookup and its errors, Linux's permission checks against
 * nobody (65534), read-only attachments that fault on a write. shmctl is
 * also called raw, with the kernel's own shmid64_ds layout. Runs as init
 * (root); also passes on Linux as root. */
#include "check.h"
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define NOBODY 65534
#define PG 4096

/* Linux x86_64's struct shmid64_ds, as the kernel writes it. */
struct kperm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
	uint16_t seq, pad2;
	uint64_t unused1, unused2;
};
struct kshmid_ds {
	struct kperm perm;
	uint64_t segsz;
	int64_t atime, dtime, ctime;
	int32_t cpid, lpid;
	uint64_t nattch, unused4, unused5;
};
struct kshm_info {
	int32_t used_ids;
	uint64_t tot, rss, swp, swap_attempts, swap_successes;
};
struct kshminfo {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4];
};

static long kshmctl(int id, int cmd, void *buf)
{
	return syscall(SYS_shmctl, id, cmd, buf);
}

static int kstat(int id, struct kshmid_ds *ds)
{
	memset(ds, 0xa5, sizeof(*ds));
	return (int)kshmctl(id, IPC_STAT, ds);
}

static long nattch(int id)
{
	struct kshmid_ds ds;
	return kstat(id, &ds) ? -1 : (long)ds.nattch;
}

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		_exit(99);
}

/* Runs fn(arg) in a child and passes its exit status on as a check. */
static void in_child(const char *name, void (*fn)(long), long arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		check_npass = check_nfail = 0; /* the child's own checks */
		fn(arg);
		_exit(check_nfail ? 1 : 0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(name, WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x",
	      st);
}

static int seg_id;
static volatile char *seg;

static void child_sees(long id)
{
	/* The inherited attachment and a new one both show the data. */
	CHECK("child_inherited_sees_data", !strcmp((char *)seg, "hello"),
	      "read '%.8s'", (char *)seg);
	char *q = shmat((int)id, NULL, 0);
	CHECK("child_shmat", q != (void *)-1, "errno %s", errname(errno));
	if (q == (void *)-1)
		return;
	CHECK("child_new_attach_sees_data", !strcmp(q, "hello"), "read '%.8s'",
	      q);
	CHECK("child_nattch_3", nattch((int)id) == 3, "nattch %ld",
	      nattch((int)id));
	strcpy(q + 100, "from child");
	CHECK_OK("child_shmdt", shmdt(q));
	CHECK("child_nattch_2_after_shmdt", nattch((int)id) == 2, "nattch %ld",
	      nattch((int)id));
}

static void test_basic(void)
{
	struct kshmid_ds ds;
	seg_id = shmget(IPC_PRIVATE, 2 * PG, 0600);
	CHECK("shmget_private", seg_id >= 0, "errno %s", errname(errno));
	seg = shmat(seg_id, NULL, 0);
	CHECK("shmat_any_address", seg != (void *)-1, "errno %s",
	      errname(errno));
	if (seg_id < 0 || seg == (void *)-1)
		exit(check_summary("sys_sysvshm"));
	CHECK("shmat_page_aligned", ((uintptr_t)seg & (PG - 1)) == 0, "%p",
	      (void *)seg);
	CHECK("fresh_segment_zero", seg[0] == 0 && seg[2 * PG - 1] == 0,
	      "nonzero");
	strcpy((char *)seg, "hello");
	int r = kstat(seg_id, &ds);
	CHECK("ipc_stat", r == 0, "errno %s", errname(errno));
	CHECK("stat_size", ds.segsz == 2 * PG, "segsz %llu",
	      (unsigned long long)ds.segsz);
	CHECK("stat_nattch_1", ds.nattch == 1, "nattch %llu",
	      (unsigned long long)ds.nattch);
	CHECK("stat_mode", ds.perm.mode == 0600, "mode %o", ds.perm.mode);
	CHECK("stat_cpid_lpid", ds.cpid == getpid() && ds.lpid == getpid(),
	      "cpid %d lpid %d", ds.cpid, ds.lpid);
	CHECK("stat_owner",
	      ds.perm.uid == 0 && ds.perm.cuid == 0 && ds.perm.gid == 0 &&
		  ds.perm.key == IPC_PRIVATE,
	      "uid %u cuid %u gid %u key %d", ds.perm.uid, ds.perm.cuid,
	      ds.perm.gid, ds.perm.key);
	CHECK("stat_atime", ds.atime > 0 && ds.dtime == 0 && ds.ctime > 0,
	      "atime %lld dtime %lld ctime %lld", (long long)ds.atime,
	      (long long)ds.dtime, (long long)ds.ctime);
	/* The libc's own wrapper and struct agree. */
	struct shmid_ds lds;
	CHECK("libc_shmctl_stat",
	      shmctl(seg_id, IPC_STAT, &lds) == 0 && lds.shm_segsz == 2 * PG &&
		  lds.shm_nattch == 1 && lds.shm_cpid == getpid(),
	      "errno %s", errname(errno));

	in_child("child_attach", child_sees, seg_id);
	CHECK("parent_sees_child_write",
	      !strcmp((char *)seg + 100, "from child"), "read '%.10s'",
	      (char *)seg + 100);
	CHECK("nattch_1_after_child_exit", nattch(seg_id) == 1, "nattch %ld",
	      nattch(seg_id));
}

/* fork counts the child's inherited attachment. */
static void test_fork_counts(void)
{
	int p[2];
	if (pipe(p))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		read(p[0], &c, 1); /* until the parent has looked */
		_exit(0);
	}
	close(p[0]);
	CHECK("fork_inherits_attachment", nattch(seg_id) == 2, "nattch %ld",
	      nattch(seg_id));
	write(p[1], "x", 1);
	close(p[1]);
	waitpid(pid, NULL, 0);
	CHECK("exit_detaches", nattch(seg_id) == 1, "nattch %ld",
	      nattch(seg_id));
}

/* execve detaches: the new image has no attachment. A close-on-exec
 * pipe tells the parent when the exec happened; the child then waits for
 * EOF on another before it exits. */
static void test_exec_detaches(const char *self)
{
	int done[2], hold[2];
	if (pipe2(done, O_CLOEXEC) || pipe(hold))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char fd[16];
		if (shmat(seg_id, NULL, 0) == (void *)-1)
			_exit(3);
		close(hold[1]);
		snprintf(fd, sizeof(fd), "%d", hold[0]);
		execl("/proc/self/exe", "sys_sysvshm", "--wait", fd, (char *)0);
		execl(self, "sys_sysvshm", "--wait", fd, (char *)0);
		_exit(127);
	}
	close(done[1]);
	close(hold[0]);
	char c;
	while (read(done[0], &c, 1) > 0)
		;
	CHECK("exec_detaches", nattch(seg_id) == 1, "nattch %ld",
	      nattch(seg_id));
	close(hold[1]);
	close(done[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("exec_child_ran", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status 0x%x", st);
}

#define ROUNDS 100000

static void test_atomics(void)
{
	volatile long *ctr = (volatile long *)(seg + PG);
	*ctr = 0;
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < ROUNDS; i++)
			__atomic_fetch_add(ctr, 1, __ATOMIC_SEQ_CST);
		_exit(0);
	}
	for (int i = 0; i < ROUNDS; i++)
		__atomic_fetch_add(ctr, 1, __ATOMIC_SEQ_CST);
	waitpid(pid, NULL, 0);
	CHECK("atomic_counter_exact", *ctr == 2 * ROUNDS, "counter %ld", *ctr);
}

static void test_keys(void)
{
	key_t key = 0x5e000000 + getpid();
	int id = shmget(key, PG, IPC_CREAT | 0600);
	CHECK("shmget_key_create", id >= 0, "errno %s", errname(errno));
	CHECK("shmget_key_lookup", shmget(key, 0, 0) == id, "got %d",
	      shmget(key, 0, 0));
	CHECK("shmget_key_lookup_creat",
	      shmget(key, PG, IPC_CREAT | 0600) == id, "got another id");
	CHECK_ERRNO("shmget_excl_eexist",
		    shmget(key, PG, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK_ERRNO("shmget_larger_einval", shmget(key, 2 * PG, 0), EINVAL);
	CHECK_ERRNO("shmget_missing_enoent", shmget(key + 1, PG, 0600), ENOENT);
	CHECK_ERRNO("shmget_size0_einval", shmget(IPC_PRIVATE, 0, 0600),
		    EINVAL);
	CHECK_ERRNO("shmget_sizemax_einval",
		    shmget(IPC_PRIVATE, SIZE_MAX, 0600), EINVAL);
	CHECK_ERRNO("shmget_size_near_max_einval",
		    shmget(IPC_PRIVATE, SIZE_MAX - PG + 2, 0600), EINVAL);
	/* Larger than memory, reserved up front: ENOMEM, as Linux. */
	CHECK_ERRNO("shmget_huge_enomem",
		    shmget(IPC_PRIVATE, (size_t)1 << 46, 0600), ENOMEM);

	/* IPC_RMID frees the key at once; the segment lives on while
	 * attached, and (Linux) may still be attached by id. */
	char *a = shmat(id, NULL, 0);
	CHECK("key_shmat", a != (void *)-1, "errno %s", errname(errno));
	if (a == (void *)-1)
		return;
	strcpy(a, "kept");
	CHECK_OK("ipc_rmid_attached", kshmctl(id, IPC_RMID, NULL));
	CHECK_ERRNO("rmid_key_gone", shmget(key, 0, 0), ENOENT);
	struct kshmid_ds ds;
	CHECK("rmid_stat_dest",
	      kstat(id, &ds) == 0 && (ds.perm.mode & SHM_DEST) &&
		  ds.perm.key == IPC_PRIVATE && ds.nattch == 1,
	      "mode %o key %d nattch %llu", ds.perm.mode, ds.perm.key,
	      (unsigned long long)ds.nattch);
	int id2 = shmget(key, PG, IPC_CREAT | IPC_EXCL | 0600);
	CHECK("rmid_key_reusable", id2 >= 0 && id2 != id, "id2 %d errno %s",
	      id2, errname(errno));
	kshmctl(id2, IPC_RMID, NULL);
	char *b = shmat(id, NULL, 0);
	CHECK("rmid_shmat_by_id", b != (void *)-1 && !strcmp(b, "kept"),
	      "errno %s", errname(errno));
	CHECK_OK("rmid_shmdt_first", shmdt(a));
	CHECK("rmid_still_there", kstat(id, &ds) == 0 && ds.nattch == 1,
	      "errno %s", errname(errno));
	if (b != (void *)-1)
		CHECK_OK("rmid_shmdt_last", shmdt(b));
	CHECK_ERRNO("rmid_gone_after_last_shmdt", kstat(id, &ds), EINVAL);
	CHECK_ERRNO("rmid_shmat_gone", (long)shmat(id, NULL, 0), EINVAL);

	/* RMID of an unattached segment: gone at once. */
	int id3 = shmget(IPC_PRIVATE, PG, 0600);
	CHECK_OK("rmid_unattached", kshmctl(id3, IPC_RMID, NULL));
	CHECK_ERRNO("rmid_unattached_gone", kstat(id3, &ds), EINVAL);
}

static void test_attach_rules(void)
{
	int id = shmget(IPC_PRIVATE, 3 * PG, 0600);
	char *base = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_ERRNO("shmat_bad_id", (long)shmat(id + 12345 * 32768, NULL, 0),
		    EINVAL);
	CHECK_ERRNO("shmat_negative_id", (long)shmat(-1, NULL, 0), EINVAL);
	CHECK_ERRNO("shmat_unaligned", (long)shmat(id, base + 5, 0), EINVAL);
	CHECK_ERRNO("shmat_overlap_einval", (long)shmat(id, base, 0), EINVAL);
	CHECK_ERRNO("shmat_remap_null", (long)shmat(id, NULL, SHM_REMAP),
		    EINVAL);
	char *r = shmat(id, base + PG + 5, SHM_RND | SHM_REMAP);
	CHECK("shmat_rnd_remap", r == base + PG, "got %p want %p", r,
	      base + PG);
	if (r == base + PG) {
		r[0] = 'x';
		CHECK_ERRNO("shmdt_inside", shmdt(r + PG), EINVAL);
		CHECK_ERRNO("shmdt_unaligned", shmdt(r + 1), EINVAL);
		CHECK_OK("shmdt_remapped", shmdt(r));
		CHECK_ERRNO("shmdt_twice", shmdt(r), EINVAL);
	}
	munmap(base, 8 * PG);
	CHECK_ERRNO("shmdt_private_memory", shmdt(base), EINVAL);
	/* munmap detaches too. */
	char *m = shmat(id, NULL, 0);
	CHECK("munmap_attach", m != (void *)-1 && nattch(id) == 1, "nattch %ld",
	      nattch(id));
	munmap(m, 3 * PG);
	CHECK("munmap_detaches", nattch(id) == 0, "nattch %ld", nattch(id));

	CHECK_ERRNO("shmctl_stat_efault", kshmctl(id, IPC_STAT, (void *)8),
		    EFAULT);
	CHECK_ERRNO("shmctl_stat_kernel_ptr",
		    kshmctl(id, IPC_STAT, (void *)0xffffffff81000000UL),
		    EFAULT);
	CHECK_ERRNO("shmctl_set_efault", kshmctl(id, IPC_SET, (void *)8),
		    EFAULT);
	CHECK_ERRNO("shmctl_bad_cmd", kshmctl(id, 99, NULL), EINVAL);
	CHECK_ERRNO("shmctl_bad_id", kshmctl(-5, IPC_RMID, NULL), EINVAL);

	/* IPC_SET by the owner: the mode's low 9 bits, uid, gid. */
	struct kshmid_ds ds;
	kstat(id, &ds);
	ds.perm.mode = 0640 | 07000;
	ds.perm.gid = 42;
	CHECK_OK("ipc_set", kshmctl(id, IPC_SET, &ds));
	CHECK("ipc_set_applied",
	      kstat(id, &ds) == 0 && ds.perm.mode == 0640 &&
		  ds.perm.gid == 42 && ds.perm.cgid == 0,
	      "mode %o gid %u cgid %u", ds.perm.mode, ds.perm.gid,
	      ds.perm.cgid);

	struct kshminfo in;
	long mx = kshmctl(0, IPC_INFO, &in);
	CHECK("ipc_info",
	      mx >= 0 && in.shmmin == 1 && in.shmmni >= 1 &&
		  in.shmmax >= (1UL << 30),
	      "ret %ld shmmin %llu", mx, (unsigned long long)in.shmmin);
	struct kshm_info si;
	mx = kshmctl(0, SHM_INFO, &si);
	CHECK("shm_info", mx >= 0 && si.used_ids >= 2, "ret %ld used %d", mx,
	      si.used_ids);
	/* SHM_STAT takes an index and returns the id. */
	int found = 0;
	for (long i = 0; i <= mx; i++) {
		if (kshmctl((int)i, SHM_STAT & 0xff, &ds) == id)
			found = 1;
	}
	CHECK("shm_stat_finds_id", found, "id %d not among indexes 0..%ld", id,
	      mx);
	kshmctl(id, IPC_RMID, NULL);
}

static int root_id, root_id_644;

static void nobody_checks(long arg)
{
	(void)arg;
	become_nobody();
	struct kshmid_ds ds;
	CHECK_ERRNO("nobody_shmat_rw", (long)shmat(root_id, NULL, 0), EACCES);
	CHECK_ERRNO("nobody_shmat_ro", (long)shmat(root_id, NULL, SHM_RDONLY),
		    EACCES);
	CHECK_ERRNO("nobody_stat", kstat(root_id, &ds), EACCES);
	CHECK_ERRNO("nobody_shm_stat_idx",
		    kshmctl(root_id % 32768, SHM_STAT & 0xff, &ds), EACCES);
	memset(&ds, 0, sizeof(ds));
	ds.perm.uid = NOBODY;
	ds.perm.mode = 0666;
	CHECK_ERRNO("nobody_ipc_set", kshmctl(root_id, IPC_SET, &ds), EPERM);
	CHECK_ERRNO("nobody_rmid", kshmctl(root_id, IPC_RMID, NULL), EPERM);
	CHECK_ERRNO("nobody_shm_lock", kshmctl(root_id, SHM_LOCK, NULL), EPERM);
	key_t key = 0x5f000000 + getppid();
	CHECK_ERRNO("nobody_shmget_rw", shmget(key, 0, 0600), EACCES);
	CHECK_ERRNO("nobody_shmget_excl",
		    shmget(key, 0, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	/* 0644: reading is allowed, writing is not. */
	char *r = shmat(root_id_644, NULL, SHM_RDONLY);
	CHECK("nobody_shmat_ro_644", r != (void *)-1 && !strcmp(r, "root"),
	      "errno %s", errname(errno));
	CHECK_ERRNO("nobody_shmat_rw_644", (long)shmat(root_id_644, NULL, 0),
		    EACCES);
	/* ... nor by upgrading the read-only attachment. */
	if (r != (void *)-1) {
		CHECK_ERRNO("nobody_mprotect_ro_attach_write",
			    mprotect(r, PG, PROT_READ | PROT_WRITE), EACCES);
		CHECK_OK("nobody_mprotect_ro_attach_read",
			 mprotect(r, PG, PROT_READ));
	}
	/* Its own segment: it owns it, and root's stays root's. */
	int own = shmget(IPC_PRIVATE, PG, 0600);
	CHECK("nobody_own_segment",
	      own >= 0 && kstat(own, &ds) == 0 && ds.perm.uid == NOBODY &&
		  ds.perm.cuid == NOBODY,
	      "errno %s", errname(errno));
	CHECK_OK("nobody_own_rmid", kshmctl(own, IPC_RMID, NULL));
}

static void test_nobody(void)
{
	key_t key = 0x5f000000 + getpid();
	root_id = shmget(key, PG, IPC_CREAT | 0600);
	root_id_644 = shmget(IPC_PRIVATE, PG, 0644);
	char *p = shmat(root_id_644, NULL, 0);
	if (root_id < 0 || root_id_644 < 0 || p == (void *)-1) {
		CHECK("nobody_setup", 0, "errno %s", errname(errno));
		return;
	}
	strcpy(p, "root");
	in_child("nobody_denied", nobody_checks, 0);
	struct kshmid_ds ds;
	CHECK("root_segment_unchanged",
	      kstat(root_id, &ds) == 0 && ds.perm.uid == 0 &&
		  ds.perm.mode == 0600,
	      "uid %u mode %o", ds.perm.uid, ds.perm.mode);
	shmdt(p);
	kshmctl(root_id, IPC_RMID, NULL);
	kshmctl(root_id_644, IPC_RMID, NULL);
}

static void test_rdonly(void)
{
	int id = shmget(IPC_PRIVATE, PG, 0600);
	char *ro = shmat(id, NULL, SHM_RDONLY);
	CHECK("shmat_rdonly", ro != (void *)-1, "errno %s", errname(errno));
	if (ro == (void *)-1)
		return;
	/* A read-only attachment never becomes writable, even for root
	 * (Linux: the mapping lacks VM_MAYWRITE). */
	CHECK_ERRNO("rdonly_mprotect_write_eacces",
		    mprotect(ro, PG, PROT_READ | PROT_WRITE), EACCES);
	pid_t pid = fork();
	if (pid == 0) {
		volatile char c = ro[0];
		(void)c;
		((volatile char *)ro)[0] = 1;
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("rdonly_write_sigsegv",
	      WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status 0x%x", st);
	shmdt(ro);
	kshmctl(id, IPC_RMID, NULL);
}

static void test_proc(void)
{
	FILE *f = fopen("/proc/sysvipc/shm", "r");
	CHECK("proc_sysvipc_open", f != NULL, "errno %s", errname(errno));
	if (!f)
		return;
	char line[512];
	const char *hdr =
	    "       key      shmid perms                  size  "
	    "cpid  lpid nattch   uid   gid  cuid  cgid      atime "
	    "     dtime      ctime                   rss          "
	    "        swap\n";
	CHECK("proc_sysvipc_header",
	      fgets(line, sizeof(line), f) && !strcmp(line, hdr), "header '%s'",
	      line);
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		int key, id, cpid, lpid;
		unsigned mode;
		unsigned long size, natt;
		if (sscanf(line, "%d %d %o %lu %d %d %lu", &key, &id, &mode,
			   &size, &cpid, &lpid, &natt) == 7 &&
		    id == seg_id)
			found = size == 2 * PG && mode == 0600 && natt == 1 &&
				cpid == getpid() && key == 0;
	}
	fclose(f);
	CHECK("proc_sysvipc_segment", found,
	      "segment %d not listed as 8192 bytes, 0600, 1 attach", seg_id);
}

/* SHMMNI bounds what segments cost the kernel: creating more is ENOSPC,
 * and /proc/sysvipc/shm still shows whole lines. */
static void test_limits(void)
{
	struct kshminfo in;
	struct kshm_info si;
	if (kshmctl(0, IPC_INFO, &in) < 0 || kshmctl(0, SHM_INFO, &si) < 0 ||
	    in.shmmni > 32768) {
		CHECK("limits_info", 0, "errno %s", errname(errno));
		return;
	}
	static int ids[32768];
	int n = 0, err = 0;
	while (n < 32768) {
		int id = shmget(IPC_PRIVATE, 1, 0600);
		if (id < 0) {
			err = errno;
			break;
		}
		ids[n++] = id;
	}
	CHECK("shmmni_enospc",
	      err == ENOSPC && (uint64_t)(n + si.used_ids) == in.shmmni,
	      "made %d (+%d) of %llu, then %s", n, si.used_ids,
	      (unsigned long long)in.shmmni, errname(err));
	FILE *f = fopen("/proc/sysvipc/shm", "r");
	char line[512];
	int lines = 0, whole = 1;
	while (f && fgets(line, sizeof(line), f)) {
		lines++;
		if (line[strlen(line) - 1] != '\n')
			whole = 0;
	}
	if (f)
		fclose(f);
	CHECK("proc_sysvipc_many_whole_lines", f && lines > 50 && whole,
	      "%d lines, whole %d", lines, whole);
	for (int i = 0; i < n; i++)
		kshmctl(ids[i], IPC_RMID, NULL);
	int id = shmget(IPC_PRIVATE, 1, 0600);
	CHECK("shmget_after_freeing", id >= 0, "errno %s", errname(errno));
	kshmctl(id, IPC_RMID, NULL);
	/* Unreserved, a segment larger than memory is made (its pages
	 * come when touched). */
	id = shmget(IPC_PRIVATE, (size_t)1 << 46, SHM_NORESERVE | 0600);
	CHECK("shmget_huge_noreserve", id >= 0, "errno %s", errname(errno));
	kshmctl(id, IPC_RMID, NULL);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--wait")) {
		/* test_exec_detaches's image: wait for EOF, then exit. */
		char c;
		while (read(atoi(argv[2]), &c, 1) > 0)
			;
		return 0;
	}
	test_basic();
	test_fork_counts();
	test_exec_detaches(argv[0]);
	test_atomics();
	test_keys();
	test_attach_rules();
	test_nobody();
	test_rdonly();
	test_proc();
	test_limits();
	shmdt((void *)seg);
	kshmctl(seg_id, IPC_RMID, NULL);
	return check_summary("sys_sysvshm");
}
