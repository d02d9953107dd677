/* System V message queues: msgget, msgsnd, msgrcv, msgctl and
 * /proc/sysvipc/msg. Type selection (0, > 0, < 0, MSG_EXCEPT), E2BIG and
 * MSG_NOERROR, IPC_NOWAIT (EAGAIN, ENOMSG), a full queue's sender and an
 * empty queue's receiver woken by the other side, EINTR on a signal,
 * EIDRM on IPC_RMID, Linux's permission checks against nobody (65534)
 * and the limits, the global cap on queued memory included. msgctl is
 * called raw, with the kernel's own msqid64_ds. Runs as init (root). */
#include "check.h"
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define NOBODY 65534
#define MSGMAX 8192
#define MSGMNB 16384

/* Linux x86_64's struct msqid64_ds and struct msginfo. */
struct kperm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
	uint16_t seq, pad2;
	uint64_t unused1, unused2;
};
struct kmsqid_ds {
	struct kperm perm;
	int64_t stime, rtime, ctime;
	uint64_t cbytes, qnum, qbytes;
	int32_t lspid, lrpid;
	uint64_t unused4, unused5;
};
struct kmsginfo {
	int msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	unsigned short msgseg;
};

struct kmsg {
	long type;
	char text[MSGMAX + 1];
};

static long kmsgctl(int id, int cmd, void *buf)
{
	return syscall(SYS_msgctl, id, cmd, buf);
}

static struct kmsqid_ds qstat(int id)
{
	struct kmsqid_ds ds;
	memset(&ds, 0xa5, sizeof(ds));
	if (kmsgctl(id, IPC_STAT, &ds))
		memset(&ds, 0xff, sizeof(ds));
	return ds;
}

static int send(int id, long type, const char *text, int flags)
{
	struct kmsg m;
	m.type = type;
	size_t n = strlen(text);
	memcpy(m.text, text, n);
	return msgsnd(id, &m, n, flags);
}

/* msgrcv into m; the text NUL-terminated. */
static long recv(int id, struct kmsg *m, size_t sz, long type, int flags)
{
	memset(m, 0, sizeof(*m));
	return msgrcv(id, m, sz, type, flags);
}

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		_exit(99);
}

static void in_child(const char *name, void (*fn)(long), long arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		check_npass = check_nfail = 0;
		fn(arg);
		_exit(check_nfail ? 1 : 0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(name, WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x",
	      st);
}

static void test_types(void)
{
	struct kmsg m;
	int id = msgget(IPC_PRIVATE, 0600);
	CHECK("msgget_private", id >= 0, "errno %s", errname(errno));
	if (id < 0)
		return;
	struct kmsqid_ds ds = qstat(id);
	CHECK("stat_fresh",
	      ds.qnum == 0 && ds.cbytes == 0 && ds.qbytes == MSGMNB &&
		  ds.perm.mode == 0600 && ds.ctime > 0 && ds.stime == 0,
	      "qnum %llu cbytes %llu qbytes %llu mode %o",
	      (unsigned long long)ds.qnum, (unsigned long long)ds.cbytes,
	      (unsigned long long)ds.qbytes, ds.perm.mode);
	CHECK_OK("send_3", send(id, 3, "three", 0));
	CHECK_OK("send_1", send(id, 1, "one", 0));
	CHECK_OK("send_2", send(id, 2, "two", 0));
	CHECK_OK("send_1b", send(id, 1, "one-b", 0));
	ds = qstat(id);
	CHECK("stat_after_send",
	      ds.qnum == 4 && ds.cbytes == 16 && ds.lspid == getpid() &&
		  ds.stime > 0,
	      "qnum %llu cbytes %llu lspid %d", (unsigned long long)ds.qnum,
	      (unsigned long long)ds.cbytes, ds.lspid);

	long n = recv(id, &m, MSGMAX, 2, 0);
	CHECK("type_2_selects", n == 3 && m.type == 2 && !strcmp(m.text, "two"),
	      "got %ld type %ld '%s'", n, m.type, m.text);
	n = recv(id, &m, MSGMAX, 1, MSG_EXCEPT);
	CHECK("msg_except_1", n == 5 && m.type == 3, "got %ld type %ld '%s'", n,
	      m.type, m.text);
	CHECK_OK("send_5", send(id, 5, "five", 0));
	n = recv(id, &m, MSGMAX, -4, 0);
	CHECK("negative_lowest_oldest",
	      n == 3 && m.type == 1 && !strcmp(m.text, "one"),
	      "got %ld type %ld '%s'", n, m.type, m.text);
	n = recv(id, &m, MSGMAX, 0, 0);
	CHECK("type_0_oldest", n == 5 && !strcmp(m.text, "one-b"),
	      "got %ld type %ld '%s'", n, m.type, m.text);
	CHECK_ERRNO("negative_none_low_enough",
		    recv(id, &m, MSGMAX, -4, IPC_NOWAIT), ENOMSG);
	CHECK_ERRNO("type_absent_enomsg", recv(id, &m, MSGMAX, 7, IPC_NOWAIT),
		    ENOMSG);

	/* Too small a buffer: E2BIG and the message stays; MSG_NOERROR
	 * truncates and takes it. */
	CHECK_ERRNO("small_buffer_e2big", recv(id, &m, 2, 5, 0), E2BIG);
	CHECK("e2big_message_stays", qstat(id).qnum == 1, "qnum %llu",
	      (unsigned long long)qstat(id).qnum);
	n = recv(id, &m, 2, 5, MSG_NOERROR | IPC_NOWAIT);
	CHECK("msg_noerror_truncates", n == 2 && !strcmp(m.text, "fi"),
	      "got %ld '%s'", n, m.text);
	ds = qstat(id);
	CHECK("stat_after_receive",
	      ds.qnum == 0 && ds.cbytes == 0 && ds.lrpid == getpid() &&
		  ds.rtime > 0,
	      "qnum %llu cbytes %llu lrpid %d", (unsigned long long)ds.qnum,
	      (unsigned long long)ds.cbytes, ds.lrpid);
	CHECK_ERRNO("empty_nowait_enomsg", recv(id, &m, MSGMAX, 0, IPC_NOWAIT),
		    ENOMSG);

	/* Limits. */
	CHECK_ERRNO("msgsz_8193_einval", msgsnd(id, &m, MSGMAX + 1, 0), EINVAL);
	m.type = 0;
	CHECK_ERRNO("type_0_einval", msgsnd(id, &m, 1, 0), EINVAL);
	m.type = 1;
	memset(m.text, 'x', MSGMAX);
	CHECK_OK("send_8192", msgsnd(id, &m, MSGMAX, 0));
	CHECK_OK("send_8192_again", msgsnd(id, &m, MSGMAX, 0));
	CHECK_ERRNO("full_queue_nowait_eagain", msgsnd(id, &m, 1, IPC_NOWAIT),
		    EAGAIN);
	CHECK("full_queue_bytes", qstat(id).cbytes == MSGMNB, "cbytes %llu",
	      (unsigned long long)qstat(id).cbytes);
	struct kmsginfo mi;
	memset(&mi, 0, sizeof(mi));
	CHECK("ipc_info",
	      kmsgctl(0, IPC_INFO, &mi) >= 0 && mi.msgmax == MSGMAX &&
		  mi.msgmnb == MSGMNB && mi.msgmni == 32000,
	      "msgmax %d msgmnb %d msgmni %d", mi.msgmax, mi.msgmnb, mi.msgmni);
	memset(&mi, 0, sizeof(mi));
	CHECK("msg_info",
	      kmsgctl(0, MSG_INFO, &mi) >= 0 && mi.msgpool >= 1 &&
		  mi.msgmap >= 2 && mi.msgtql >= MSGMNB,
	      "queues %d messages %d bytes %d", mi.msgpool, mi.msgmap,
	      mi.msgtql);

	/* /proc/sysvipc/msg lists the queue. */
	FILE *f = fopen("/proc/sysvipc/msg", "r");
	char line[256];
	const char *hdr = "       key      msqid perms      cbytes       qnum "
			  "lspid lrpid   uid   gid  cuid  cgid      stime      "
			  "rtime      ctime\n";
	int hdr_ok = f && fgets(line, sizeof(line), f) && !strcmp(line, hdr);
	CHECK("proc_sysvipc_msg_header", hdr_ok, "header '%s'",
	      f ? line : "no file");
	int found = 0;
	while (f && fgets(line, sizeof(line), f)) {
		int key, qid, lspid;
		unsigned mode;
		unsigned long cbytes, qnum;
		if (sscanf(line, "%d %d %o %lu %lu %d", &key, &qid, &mode,
			   &cbytes, &qnum, &lspid) == 6 &&
		    qid == id)
			found = key == 0 && mode == 0600 && cbytes == MSGMNB &&
				qnum == 2 && lspid == getpid();
	}
	if (f)
		fclose(f);
	CHECK("proc_sysvipc_msg_line", found, "queue %d not listed right", id);

	/* A full queue's sender sleeps until a receiver makes room. */
	pid_t pid = fork();
	if (pid == 0) {
		alarm(20);
		_exit(msgsnd(id, &m, 100, 0) ? 1 : 0);
	}
	usleep(100000);
	CHECK("sender_still_blocked", qstat(id).qnum == 2, "qnum %llu",
	      (unsigned long long)qstat(id).qnum);
	CHECK("receive_makes_room", recv(id, &m, MSGMAX, 0, 0) == MSGMAX,
	      "errno %s", errname(errno));
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("blocked_sender_woken", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status 0x%x", st);
	CHECK("sender_message_queued",
	      qstat(id).qnum == 2 && qstat(id).cbytes == MSGMAX + 100,
	      "qnum %llu", (unsigned long long)qstat(id).qnum);
	CHECK_OK("rmid", kmsgctl(id, IPC_RMID, NULL));
	CHECK_ERRNO("send_after_rmid", send(id, 1, "x", 0), EINVAL);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* A child that says (through pipe p) it is about to block in msgrcv,
 * then exits with 0 on success or the errno. */
static pid_t blocked_receiver(int id, int p[2], long type)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct kmsg m;
		struct sigaction sa = {.sa_handler = on_usr1,
				       .sa_flags = SA_RESTART};
		sigaction(SIGUSR1, &sa, NULL);
		alarm(20); /* a lost wake-up fails rather than hangs */
		close(p[0]);
		write(p[1], "x", 1);
		long n = recv(id, &m, MSGMAX, type, 0);
		_exit(n < 0				  ? errno
		      : n == 4 && !strcmp(m.text, "wake") ? 0
							  : 1);
	}
	close(p[1]);
	char c;
	read(p[0], &c, 1);
	close(p[0]);
	usleep(100000); /* into msgrcv's sleep */
	return pid;
}

static void test_blocking(void)
{
	int id = msgget(IPC_PRIVATE, 0600);
	if (id < 0)
		return;
	int p[2], st = 0;
	pipe(p);
	pid_t pid = blocked_receiver(id, p, 7);
	CHECK_OK("send_other_type", send(id, 6, "nope", 0));
	CHECK_OK("send_wanted_type", send(id, 7, "wake", 0));
	waitpid(pid, &st, 0);
	CHECK("blocked_receiver_woken", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status 0x%x", st);
	CHECK("other_type_left", qstat(id).qnum == 1, "qnum %llu",
	      (unsigned long long)qstat(id).qnum);

	pipe(p);
	pid = blocked_receiver(id, p, 9);
	kill(pid, SIGUSR1);
	waitpid(pid, &st, 0);
	CHECK("signal_eintr", WIFEXITED(st) && WEXITSTATUS(st) == EINTR,
	      "status 0x%x", st);

	pipe(p);
	pid = blocked_receiver(id, p, 9);
	CHECK_OK("rmid_with_sleeper", kmsgctl(id, IPC_RMID, NULL));
	waitpid(pid, &st, 0);
	CHECK("rmid_wakes_eidrm", WIFEXITED(st) && WEXITSTATUS(st) == EIDRM,
	      "status 0x%x", st);
}

static void nobody_denied(long id)
{
	struct kmsg m;
	struct kmsqid_ds ds;
	become_nobody();
	CHECK_ERRNO("nobody_msgget_key_eacces", msgget(0x3e5a, 0200), EACCES);
	CHECK_ERRNO("nobody_send_eacces", send((int)id, 1, "x", IPC_NOWAIT),
		    EACCES);
	CHECK_ERRNO("nobody_recv_eacces",
		    recv((int)id, &m, MSGMAX, 0, IPC_NOWAIT), EACCES);
	CHECK_ERRNO("nobody_stat_eacces", kmsgctl((int)id, IPC_STAT, &ds),
		    EACCES);
	CHECK_ERRNO("nobody_rmid_eperm", kmsgctl((int)id, IPC_RMID, NULL),
		    EPERM);
}

/* Unprivileged, fills queue after queue: the global cap on queued
 * memory, which IPC_INFO's msgpool gives (in KiB), stops it with ENOMEM
 * well before kernel memory runs out. Linux advertises 512000 KiB and
 * does not enforce it: there the check is skipped. */
static void nobody_fills(long unused)
{
	(void)unused;
	static int ids[2048];
	static struct kmsg m;
	struct kmsginfo mi;
	memset(&mi, 0, sizeof(mi));
	kmsgctl(0, IPC_INFO, &mi);
	if (mi.msgpool <= 0 || mi.msgpool > 65536) {
		CHECK("global_cap_enomem", 1, "skipped");
		return;
	}
	long cap = (long)mi.msgpool * 1024;
	become_nobody();
	m.type = 1;
	int nq = 0, err = 0;
	long total = 0;
	for (; nq < 2048 && !err; nq++) {
		ids[nq] = msgget(IPC_PRIVATE, 0600);
		if (ids[nq] < 0) {
			err = errno;
			break;
		}
		for (int i = 0; i < 2 && !err; i++) {
			if (msgsnd(ids[nq], &m, MSGMAX, IPC_NOWAIT))
				err = errno;
			else
				total += MSGMAX;
		}
	}
	CHECK("global_cap_enomem", err == ENOMEM && total <= cap,
	      "stopped by %s after %ld bytes in %d queues", errname(err), total,
	      nq);
	for (int i = 0; i < nq; i++)
		msgctl(ids[i], IPC_RMID, NULL);
	int id = msgget(IPC_PRIVATE, 0600);
	CHECK("room_again_after_rmid",
	      id >= 0 && msgsnd(id, &m, MSGMAX, 0) == 0, "errno %s",
	      errname(errno));
	msgctl(id, IPC_RMID, NULL);
}

static void test_permissions(void)
{
	int id = msgget(0x3e5a, IPC_CREAT | IPC_EXCL | 0600);
	CHECK("msgget_key_create", id >= 0, "errno %s", errname(errno));
	if (id < 0)
		return;
	CHECK("msgget_key_finds", msgget(0x3e5a, 0) == id, "errno %s",
	      errname(errno));
	CHECK_ERRNO("msgget_excl_eexist",
		    msgget(0x3e5a, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK_ERRNO("msgget_missing_enoent", msgget(0x3e5b, 0), ENOENT);
	CHECK_OK("send_for_nobody", send(id, 1, "secret", 0));
	in_child("nobody_0600", nobody_denied, id);
	CHECK("message_untouched_by_nobody", qstat(id).qnum == 1, "qnum %llu",
	      (unsigned long long)qstat(id).qnum);
	/* qbytes: root may raise it past MSGMNB, and lower it. */
	struct kmsqid_ds ds = qstat(id);
	ds.qbytes = 100;
	CHECK_OK("ipc_set_qbytes", kmsgctl(id, IPC_SET, &ds));
	CHECK("qbytes_set", qstat(id).qbytes == 100, "qbytes %llu",
	      (unsigned long long)qstat(id).qbytes);
	CHECK_OK("rmid_key", kmsgctl(id, IPC_RMID, NULL));
	CHECK_ERRNO("key_gone_after_rmid", msgget(0x3e5a, 0), ENOENT);
	in_child("nobody_global_cap", nobody_fills, 0);
}

int main(void)
{
	test_types();
	test_blocking();
	test_permissions();
	return check_summary("sys_sysvmsg");
}
