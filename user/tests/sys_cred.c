/* Credentials as Linux keeps them: the setuid family's transitions, the
 * filesystem ids and supplementary groups in file permission checks,
 * access() with the real ids, sticky directories, chmod/chown/utimensat by
 * owner or root, set-id bits dropped by writes and chown, set-user-ID and
 * set-group-ID programs (not on a nosuid mount, not for #! scripts) with
 * AT_SECURE, and /proc/PID files another user may not read. Runs as root;
 * the ordinary user's checks run in children that drop to uid 1000. Passes
 * on Linux as root too (docs/users.md). */
#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#define USER 1000
#define OTHER 1001
#define GROUP 50 /* a supplementary group of USER's */
#define CDIR "/tmp/cred"
#define SUIDFS CDIR "/suidfs"
#define NOSUIDFS CDIR "/nosuidfs"

static char self_path[256];

/* The kernel's own AT_SECURE, read from the aux vector past the initial
 * environment: musl's getauxval(AT_SECURE) also answers 1 whenever the
 * real and effective ids differ, whatever the kernel said. */
static unsigned long kernel_at_secure(char **envp)
{
	while (*envp)
		envp++;
	for (unsigned long *a = (unsigned long *)(envp + 1); a[0]; a += 2)
		if (a[0] == AT_SECURE)
			return a[1];
	return ~0ul;
}

/* "report": what a program started by the tests sees, one line to fd 1:
 * its ids, AT_SECURE and dumpable, and whether after setuid(getuid()) it
 * can become root again. */
static int report(char **envp)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	unsigned long secure = kernel_at_secure(envp);
	int dump = prctl(PR_GET_DUMPABLE);
	int drop = setuid(getuid());
	uid_t r2, e2, s2;
	getresuid(&r2, &e2, &s2);
	errno = 0;
	int regain = setuid(0);
	int regain_err = errno;
	char line[256];
	int n = snprintf(line, sizeof(line),
			 "uid %u %u %u gid %u %u %u secure %lu dump %d drop %d "
			 "%u %u %u regain %d %d\n",
			 r, e, s, gr, ge, gs, secure, dump, drop, r2, e2, s2,
			 regain, regain_err);
	return write(1, line, n) == n ? 0 : 1;
}

static void become(uid_t uid, gid_t gid, int ngroups, const gid_t *groups)
{
	if (setgroups(ngroups, groups) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		_exit(99);
}

/* Runs fn in a child as uid/gid with the given groups; the child's checks
 * print their own lines, and the parent counts the child as one check. */
static void as_user(const char *name, uid_t uid, int ngroups,
		    const gid_t *groups, void (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		check_nfail = 0;
		become(uid, uid, ngroups, groups);
		fn();
		_exit(check_nfail ? 1 : 0);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK(name, WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child status %#x (1: a check above failed, 99: could not "
	      "drop to uid %u)",
	      st, uid);
}

/* A file's permission bits and owner, or -1: read before a CHECK, whose
 * arguments are evaluated in no set order. */
static long mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) ? -1 : (long)(st.st_mode & 07777);
}

static long uid_of(const char *path)
{
	struct stat st;
	return stat(path, &st) ? -1 : (long)st.st_uid;
}

static void ids_are(const char *name, uid_t r, uid_t e, uid_t s)
{
	uid_t a, b, c;
	getresuid(&a, &b, &c);
	CHECK(name, a == r && b == e && c == s,
	      "expected %u %u %u, got %u %u %u", r, e, s, a, b, c);
}

/* ---- the setuid family --------------------------------------------- */

static void t_setuid_root_sets_all(void)
{
	CHECK_OK("setuid.root", setuid(USER));
	ids_are("setuid.root_all_three", USER, USER, USER);
	CHECK_ERRNO("setuid.no_way_back", setuid(0), EPERM);
	CHECK_ERRNO("setresuid.no_way_back", setresuid(-1, 0, -1), EPERM);
	CHECK_ERRNO("setuid.minus_one", setuid(-1), EINVAL);
}

static void t_saved(void)
{
	/* real USER, effective OTHER, saved 0: unprivileged now. */
	CHECK_OK("setresuid.root_any", setresuid(USER, OTHER, 0));
	ids_are("setresuid.root_any_ids", USER, OTHER, 0);
	CHECK_ERRNO("setresuid.unpriv_foreign", setresuid(5, -1, -1), EPERM);
	CHECK_ERRNO("setresuid.unpriv_foreign_saved", setresuid(-1, -1, 5),
		    EPERM);
	CHECK_OK("setresuid.all_unchanged", setresuid(-1, -1, -1));
	ids_are("setresuid.unchanged_ids", USER, OTHER, 0);
	/* setuid to the effective id that is neither real nor saved: EPERM
	 * on Linux, though it changes nothing. */
	CHECK_ERRNO("setuid.unpriv_to_effective", setuid(OTHER), EPERM);
	/* To the saved id: only the effective id moves. */
	CHECK_OK("setuid.unpriv_to_saved", setuid(0));
	ids_are("setuid.unpriv_to_saved_ids", USER, 0, 0);
	/* Root again: setuid sets all three. */
	CHECK_OK("setuid.regained_root", setuid(OTHER));
	ids_are("setuid.regained_root_ids", OTHER, OTHER, OTHER);
}

static void t_setreuid(void)
{
	CHECK_OK("setreuid.setup", setresuid(USER, 2000, 3000));
	/* Effective moves away from the real id: the saved id follows. */
	CHECK_OK("setreuid.e_only", setreuid(-1, 3000));
	ids_are("setreuid.e_only_ids", USER, 3000, 3000);
	/* Real set: the saved id follows the effective. */
	CHECK_OK("setreuid.r", setreuid(3000, USER));
	ids_are("setreuid.r_ids", 3000, USER, USER);
	/* The real id may become only the real or effective one. */
	CHECK_ERRNO("setreuid.r_foreign", setreuid(2000, -1), EPERM);
	/* Effective back to the real id: the saved id stays. */
	CHECK_OK("setreuid.e_to_real", setreuid(-1, 3000));
	ids_are("setreuid.e_to_real_ids", 3000, 3000, USER);
}

static void t_setgid_family(void)
{
	CHECK_OK("setresgid.root", setresgid(USER, OTHER, 0));
	CHECK_OK("setresuid.drop_for_gid", setresuid(USER, USER, USER));
	gid_t a, b, c;
	CHECK_ERRNO("setgid.unpriv_to_effective", setgid(OTHER), EPERM);
	CHECK_OK("setgid.unpriv_to_saved", setgid(0));
	getresgid(&a, &b, &c);
	CHECK("setgid.unpriv_ids", a == USER && b == 0 && c == 0,
	      "got %u %u %u", a, b, c);
	CHECK_ERRNO("setresgid.unpriv_foreign", setresgid(5, -1, -1), EPERM);
	CHECK_ERRNO("setgroups.unpriv", setgroups(0, NULL), EPERM);
	CHECK_OK("setregid.unpriv", setregid(0, USER));
	getresgid(&a, &b, &c);
	CHECK("setregid.unpriv_ids", a == 0 && b == USER && c == USER,
	      "got %u %u %u", a, b, c);
}

static void t_fsuid(void)
{
	/* Root's setfsuid takes anything and returns the old value. */
	CHECK("setfsuid.root", setfsuid(USER) == 0, "old fsuid not 0");
	CHECK("setfsuid.query", setfsuid(-1) == USER, "fsuid not %u", USER);
	/* Files are created and checked with the fsuid. */
	unlink("/tmp/cred_sticky/fsuid");
	int fd =
	    open("/tmp/cred_sticky/fsuid", O_CREAT | O_WRONLY | O_TRUNC, 0600);
	const char *err = strerror(errno);
	close(fd);
	long u = uid_of("/tmp/cred_sticky/fsuid");
	CHECK("setfsuid.creates_as", fd >= 0 && u == USER, "fd %d (%s) uid %ld",
	      fd, err, u);
	CHECK_ERRNO("setfsuid.checks_as", open(CDIR "/root0600", O_RDONLY),
		    EACCES);
	/* A setuid-family change resets it to the effective id. */
	CHECK_OK("setfsuid.reset", setresuid(-1, 0, -1));
	CHECK("setfsuid.follows_euid", setfsuid(-1) == 0, "fsuid not reset");
	CHECK_OK("setfsuid.drop", setresuid(USER, USER, USER));
	CHECK("setfsuid.unpriv_refused",
	      setfsuid(5) == USER && setfsuid(-1) == USER, "fsuid changed");
}

/* Privileges that are not file access follow the effective uid, not the
 * filesystem uid (Linux's CAP_SYS_ADMIN survives setfsuid; it goes with
 * euid): an fsuid of 0 kept through a saved uid of 0 does not mount. And
 * SysV IPC's group check uses the filesystem gid (Linux's in_group_p). */
static void t_fsid_privs(void)
{
	int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0060);
	int ok = shm >= 0;
	struct shmid_ds ds;
	if (ok && shmctl(shm, IPC_STAT, &ds) == 0) {
		ds.shm_perm.uid = OTHER;
		ds.shm_perm.gid = GROUP;
		ok = shmctl(shm, IPC_SET, &ds) == 0;
	}
	CHECK("fsid.setup", ok && setgroups(0, NULL) == 0, "%s",
	      strerror(errno));
	CHECK_OK("fsid.setresgid", setresgid(7, 7, GROUP));
	CHECK_OK("fsid.setresuid", setresuid(USER, USER, 0));
	CHECK_ERRNO("fsid.ipc_egid_refused", (long)shmat(shm, NULL, 0), EACCES);
	CHECK("fsid.setfsgid", setfsgid(GROUP) == 7, "old fsgid not 7");
	void *a = shmat(shm, NULL, 0);
	CHECK("fsid.ipc_fsgid_granted", a != (void *)-1, "%s", strerror(errno));
	if (a != (void *)-1)
		shmdt(a);
	CHECK("fsid.setfsuid0", setfsuid(0) == USER && setfsuid(-1) == 0,
	      "fsuid not 0");
	CHECK_ERRNO("fsid.mount_needs_euid",
		    mount("none", CDIR, "tmpfs", 0, NULL), EPERM);
	CHECK_ERRNO("fsid.umount_needs_euid", umount("/tmp"), EPERM);
	setresuid(0, 0, 0);
	shmctl(shm, IPC_RMID, NULL);
}

static void t_groups_sorted(void)
{
	gid_t in[3] = {30, 10, 20}, out[8];
	CHECK_OK("setgroups.root", setgroups(3, in));
	int n = getgroups(8, out);
	CHECK("getgroups.sorted",
	      n == 3 && out[0] == 10 && out[1] == 20 && out[2] == 30,
	      "n %d: %u %u %u", n, out[0], out[1], out[2]);
	CHECK_ERRNO("getgroups.small", getgroups(2, out), EINVAL);
}

static void t_fork_copies(void)
{
	gid_t g[2] = {GROUP, 7};
	setgroups(2, g);
	setresgid(USER, OTHER, 3);
	setresuid(USER, OTHER, 3);
	pid_t pid = fork();
	if (pid == 0) {
		uid_t r, e, s;
		gid_t gr, ge, gs, gl[4];
		getresuid(&r, &e, &s);
		getresgid(&gr, &ge, &gs);
		int n = getgroups(4, gl);
		_exit(r == USER && e == OTHER && s == 3 && gr == USER &&
			      ge == OTHER && gs == 3 && n == 2 && gl[0] == 7 &&
			      gl[1] == GROUP && setfsuid(-1) == OTHER
			  ? 0
			  : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK("fork.copies_creds", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status %#x", st);
	CHECK("dumpable.lost_by_setuid", prctl(PR_GET_DUMPABLE) != 1,
	      "still dumpable after the effective id changed");
	CHECK_OK("dumpable.set", prctl(PR_SET_DUMPABLE, 1));
	CHECK("dumpable.get", prctl(PR_GET_DUMPABLE) == 1, "not dumpable");
}

/* In a child that starts as root, so each table is independent. */
static void as_root_child(const char *name, void (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		check_nfail = 0;
		fn();
		_exit(check_nfail ? 1 : 0);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK(name, WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}

/* ---- files as an ordinary user ------------------------------------ */

static void t_user_files(void)
{
	CHECK_ERRNO("open.root0600", open(CDIR "/root0600", O_RDONLY), EACCES);
	CHECK_ERRNO("sticky.unlink_other", unlink("/tmp/cred_sticky/rootfile"),
		    EPERM);
	CHECK_ERRNO("sticky.rename_other",
		    rename("/tmp/cred_sticky/rootfile", "/tmp/cred_sticky/x"),
		    EPERM);
	CHECK_ERRNO(
	    "sticky.replace_other",
	    rename("/tmp/cred_sticky/mine0", "/tmp/cred_sticky/rootfile"),
	    EPERM);
	int fd = open("/tmp/cred_sticky/mine", O_CREAT | O_WRONLY, 0644);
	close(fd);
	CHECK_OK("sticky.rename_own",
		 rename("/tmp/cred_sticky/mine", "/tmp/cred_sticky/mine2"));
	CHECK_OK("sticky.unlink_own", unlink("/tmp/cred_sticky/mine2"));
	/* In a sticky directory a user owns, he may remove others' files. */
	CHECK_OK("sticky.dir_owner", unlink(CDIR "/userdir/rootfile"));
	CHECK_ERRNO("chown.give_away", chown(CDIR "/userfile", 0, -1), EPERM);
	CHECK_ERRNO("chown.foreign_group", chown(CDIR "/userfile", -1, 77),
		    EPERM);
	CHECK_OK("chown.own_group", chown(CDIR "/userfile", -1, GROUP));
	CHECK_ERRNO("chown.other_file", chown(CDIR "/root0644", -1, USER),
		    EPERM);
	CHECK_ERRNO("chmod.other_file", chmod(CDIR "/root0644", 0666), EPERM);
	long m;
	CHECK_OK("chmod.sgid_foreign_group", chmod(CDIR "/usergid0", 02755));
	m = mode_of(CDIR "/usergid0");
	CHECK("chmod.sgid_dropped", m == 0755, "mode %lo", m);
	CHECK_OK("chmod.sgid_own_group", chmod(CDIR "/userfile", 02755));
	m = mode_of(CDIR "/userfile");
	CHECK("chmod.sgid_kept", m == 02755, "mode %lo", m);
	CHECK_OK("group.supplementary_read", open(CDIR "/group0640", O_RDONLY));
	struct timespec ts[2] = {{1, 0}, {2, 0}};
	CHECK_ERRNO("utimensat.explicit_other",
		    utimensat(AT_FDCWD, CDIR "/root0666", ts, 0), EPERM);
	CHECK_OK("utimensat.now_writable",
		 utimensat(AT_FDCWD, CDIR "/root0666", NULL, 0));
	CHECK_ERRNO("utimensat.now_unwritable",
		    utimensat(AT_FDCWD, CDIR "/root0644", NULL, 0), EACCES);
	CHECK_ERRNO("truncate.unwritable", truncate(CDIR "/root0644", 0),
		    EACCES);
	CHECK_ERRNO("mknod.chr",
		    mknod("/tmp/cred_null", S_IFCHR | 0666, makedev(1, 3)),
		    EPERM);
	/* A write by someone else drops set-user-ID, and set-group-ID with
	 * group execute. */
	fd = open(CDIR "/suid_w", O_WRONLY);
	CHECK("write.open", fd >= 0 && write(fd, "x", 1) == 1, "%s",
	      strerror(errno));
	close(fd);
	m = mode_of(CDIR "/suid_w");
	CHECK("write.clears_suid", m == 0777, "mode %lo", m);
	fd = open(CDIR "/sgid_w", O_WRONLY);
	if (fd >= 0 && write(fd, "x", 1) != 1)
		fd = -1;
	close(fd);
	m = mode_of(CDIR "/sgid_w");
	CHECK("write.clears_sgid", m == 0777, "mode %lo", m);
}

static void t_user_nogroup(void)
{
	CHECK_ERRNO("group.not_member", open(CDIR "/group0640", O_RDONLY),
		    EACCES);
}

/* Real uid USER, effective 0: access() answers for the real user. */
static void t_access_real(void)
{
	if (setresuid(USER, 0, 0))
		_exit(99);
	CHECK_ERRNO("access.real_ids", access(CDIR "/root0600", R_OK), EACCES);
	CHECK_OK("access.open_effective", open(CDIR "/root0600", O_RDONLY));
	CHECK_OK("faccessat2.eaccess",
		 syscall(SYS_faccessat2, AT_FDCWD, CDIR "/root0600", R_OK,
			 AT_EACCESS));
	CHECK_OK("access.own_file", access(CDIR "/userfile", R_OK | W_OK));
}

/* ---- set-user-ID programs ----------------------------------------- */

static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY),
	    out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	char buf[8192];
	long n;
	int ok = in >= 0 && out >= 0;
	while (ok && (n = read(in, buf, sizeof(buf))) > 0)
		ok = write(out, buf, n) == n;
	close(in);
	close(out);
	return ok ? 0 : -1;
}

/* Runs path (with "report") as USER and returns its report line. */
static int run_report(const char *path, char *out, size_t size)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		become(USER, USER, 0, NULL);
		dup2(p[1], 1);
		execl(path, path, "report", (char *)NULL);
		_exit(98);
	}
	close(p[1]);
	long n = 0, k;
	while (n < (long)size - 1 &&
	       (k = read(p[0], out + n, size - 1 - n)) > 0)
		n += k;
	out[n] = '\0';
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void t_setuid_exec(void)
{
	char line[256];
	int suidfs = mount("tmpfs", SUIDFS, "tmpfs", 0, NULL) == 0;
	int nosuidfs = mount("tmpfs", NOSUIDFS, "tmpfs", MS_NOSUID, NULL) == 0;
	const char *dir = suidfs ? SUIDFS : CDIR;
	char prog[128], plain[128], script[128];
	snprintf(prog, sizeof(prog), "%s/suidprog", dir);
	snprintf(plain, sizeof(plain), "%s/plainprog", dir);
	snprintf(script, sizeof(script), "%s/suidscript", dir);
	int ok = copy_file(self_path, prog) == 0 &&
		 copy_file(self_path, plain) == 0 &&
		 chown(prog, 0, GROUP) == 0 && chmod(prog, 06755) == 0;
	CHECK("suid.setup", ok, "copy/chown/chmod: %s", strerror(errno));
	int r = run_report(prog, line, sizeof(line));
	/* Linux's suid_dumpable may be 0 or 2: not 1, either way. */
	unsigned a[12];
	int dump = 1;
	int n = sscanf(line,
		       "uid %u %u %u gid %u %u %u secure %u dump %d drop %u "
		       "%u %u %u regain %u %u",
		       &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &a[6], &dump,
		       &a[7], &a[8], &a[9], &a[10], &a[11], &a[11]);
	CHECK("suid.exec_ids",
	      r == 0 && n >= 7 && a[0] == USER && a[1] == 0 && a[2] == 0 &&
		  a[3] == USER && a[4] == GROUP && a[5] == GROUP && a[6] == 1,
	      "report: %s", line);
	CHECK("suid.not_dumpable", dump != 1, "report: %s", line);
	CHECK("suid.drops_for_good",
	      strstr(line, "drop 0 1000 1000 1000 regain -1 1") != NULL,
	      "report: %s", line);
	/* A plain program: nothing changes, AT_SECURE 0. */
	r = run_report(plain, line, sizeof(line));
	static const char plain_ids[] =
	    "uid 1000 1000 1000 gid 1000 1000 1000 secure 0 dump 1 ";
	CHECK("plain.exec_ids",
	      r == 0 && strncmp(line, plain_ids, strlen(plain_ids)) == 0,
	      "report: %s", line);
	/* A set-user-ID script: its bits are ignored. */
	int fd = open(script, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	dprintf(fd, "#!%s\n", plain);
	close(fd);
	chown(script, 0, 0);
	chmod(script, 04755);
	r = run_report(script, line, sizeof(line));
	CHECK("suid.script_ignored",
	      r == 0 && strncmp(line, "uid 1000 1000 1000", 18) == 0 &&
		  strstr(line, "secure 0"),
	      "report: %s", line);
	/* Set-group-ID without group execute is no set-group-ID. */
	chmod(prog, 02745);
	r = run_report(prog, line, sizeof(line));
	CHECK("sgid.needs_group_exec",
	      r == 0 && strncmp(line, "uid 1000 1000 1000 gid 1000 1000 1000",
				37) == 0,
	      "report: %s", line);
	/* Root's chown drops set-user-ID from a non-directory (Linux). */
	chmod(prog, 04755);
	chown(prog, 0, 0);
	long m;
	m = mode_of(prog);
	CHECK("chown.root_clears_suid", m == 0755, "mode %lo", m);
	if (nosuidfs) {
		char nprog[128];
		snprintf(nprog, sizeof(nprog), "%s/suidprog", NOSUIDFS);
		ok = copy_file(self_path, nprog) == 0 &&
		     chown(nprog, 0, 0) == 0 && chmod(nprog, 04755) == 0;
		r = run_report(nprog, line, sizeof(line));
		CHECK("suid.nosuid_mount",
		      ok && r == 0 &&
			  strncmp(line, "uid 1000 1000 1000", 18) == 0 &&
			  strstr(line, "secure 0"),
		      "report: %s", line);
	} else {
		printf("# suid.nosuid_mount skipped: mount: %s\n",
		       strerror(errno));
		fflush(stdout);
	}
	if (suidfs)
		umount2(SUIDFS, MNT_DETACH);
	if (nosuidfs)
		umount2(NOSUIDFS, MNT_DETACH);
}

/* ---- /proc/PID ---------------------------------------------------- */

static pid_t root_pid;

static int readable(const char *fmt, pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), fmt, pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	char c;
	int r = read(fd, &c, 1) < 0 ? -errno : 0;
	close(fd);
	return r;
}

static void t_proc_other(void)
{
	char path[64], buf[256];
	CHECK("proc.environ_other",
	      readable("/proc/%d/environ", root_pid) == -EACCES, "got %d",
	      readable("/proc/%d/environ", root_pid));
	CHECK("proc.maps_other", readable("/proc/%d/maps", root_pid) == -EACCES,
	      "got %d", readable("/proc/%d/maps", root_pid));
	CHECK("proc.smaps_other",
	      readable("/proc/%d/smaps", root_pid) == -EACCES, "got %d",
	      readable("/proc/%d/smaps", root_pid));
	snprintf(path, sizeof(path), "/proc/%d/fd", root_pid);
	errno = 0;
	DIR *d = opendir(path);
	CHECK("proc.fd_other", !d && errno == EACCES, "opendir: %s",
	      strerror(errno));
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), "/proc/%d/exe", root_pid);
	CHECK_ERRNO("proc.exe_other", readlink(path, buf, sizeof(buf)), EACCES);
	CHECK("proc.cmdline_other", readable("/proc/%d/cmdline", root_pid) == 0,
	      "got %d", readable("/proc/%d/cmdline", root_pid));
	CHECK("proc.status_other", readable("/proc/%d/status", root_pid) == 0,
	      "got %d", readable("/proc/%d/status", root_pid));
	CHECK("proc.stat_other", readable("/proc/%d/stat", root_pid) == 0,
	      "got %d", readable("/proc/%d/stat", root_pid));
	/* Dropped from root: not dumpable until it says so. */
	prctl(PR_SET_DUMPABLE, 1);
	pid_t me = getpid();
	CHECK("proc.environ_own", readable("/proc/%d/environ", me) == 0,
	      "got %d", readable("/proc/%d/environ", me));
	CHECK("proc.maps_own", readable("/proc/%d/maps", me) == 0, "got %d",
	      readable("/proc/%d/maps", me));
	snprintf(path, sizeof(path), "/proc/%d/fd", me);
	d = opendir(path);
	CHECK("proc.fd_own", d != NULL, "opendir: %s", strerror(errno));
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), "/proc/%d/exe", me);
	CHECK_OK("proc.exe_own", readlink(path, buf, sizeof(buf)));
	long u;
	snprintf(path, sizeof(path), "/proc/%d", me);
	u = uid_of(path);
	CHECK("proc.dir_owner", u == USER, "uid %ld", u);
	/* Another process of the same user: readable while it is dumpable,
	 * not once it is not. */
	int p[2];
	pipe(p);
	pid_t kid = fork();
	if (kid == 0) {
		char c;
		read(p[0], &c, 1);
		prctl(PR_SET_DUMPABLE, 0);
		read(p[0], &c, 1);
		_exit(0);
	}
	CHECK("proc.maps_same_user", readable("/proc/%d/maps", kid) == 0,
	      "got %d", readable("/proc/%d/maps", kid));
	write(p[1], "x", 1);
	usleep(100000);
	CHECK("proc.maps_not_dumpable",
	      readable("/proc/%d/maps", kid) == -EACCES, "got %d",
	      readable("/proc/%d/maps", kid));
	/* Its files are root's; the directory keeps the effective uid
	 * (ps reads it there). */
	snprintf(path, sizeof(path), "/proc/%d/environ", kid);
	u = uid_of(path);
	CHECK("proc.not_dumpable_owner", u == 0, "uid %ld", u);
	snprintf(path, sizeof(path), "/proc/%d", kid);
	u = uid_of(path);
	CHECK("proc.dir_keeps_euid", u == USER, "uid %ld", u);
	write(p[1], "x", 1);
	waitpid(kid, NULL, 0);
}

static int make(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "secret\n", 7) != 7)
		return -1;
	close(fd);
	return chown(path, uid, gid) || chmod(path, mode) ? -1 : 0;
}

int main(int argc, char **argv, char **envp)
{
	/* Last: a #! script's interpreter gets the script's path first. */
	if (argc > 1 && strcmp(argv[argc - 1], "report") == 0)
		return report(envp);
	if (readlink("/proc/self/exe", self_path, sizeof(self_path) - 1) < 0)
		strcpy(self_path, argv[0]);
	root_pid = getpid();
	if (getuid() != 0) {
		printf("sys_cred: needs root\n");
		return 1;
	}
	mkdir(CDIR, 0755);
	mkdir(SUIDFS, 0755);
	mkdir(NOSUIDFS, 0755);
	mkdir("/tmp/cred_sticky", 0755);
	chmod("/tmp/cred_sticky", 01777);
	mkdir(CDIR "/userdir", 0755);
	chown(CDIR "/userdir", USER, USER);
	chmod(CDIR "/userdir", 01777);
	int ok = make(CDIR "/root0600", 0600, 0, 0) == 0 &&
		 make(CDIR "/root0644", 0644, 0, 0) == 0 &&
		 make(CDIR "/root0666", 0666, 0, 0) == 0 &&
		 make(CDIR "/group0640", 0640, 0, GROUP) == 0 &&
		 make(CDIR "/userfile", 0644, USER, USER) == 0 &&
		 make(CDIR "/usergid0", 0644, USER, 0) == 0 &&
		 make(CDIR "/suid_w", 04777, 0, 0) == 0 &&
		 make(CDIR "/sgid_w", 02777, 0, 0) == 0 &&
		 make("/tmp/cred_sticky/rootfile", 0666, 0, 0) == 0 &&
		 make("/tmp/cred_sticky/mine0", 0666, USER, USER) == 0 &&
		 make(CDIR "/userdir/rootfile", 0644, 0, 0) == 0;
	CHECK("setup", ok, "%s", strerror(errno));

	as_root_child("cred.setuid_root", t_setuid_root_sets_all);
	as_root_child("cred.saved", t_saved);
	as_root_child("cred.setreuid", t_setreuid);
	as_root_child("cred.setgid", t_setgid_family);
	as_root_child("cred.fsuid", t_fsuid);
	as_root_child("cred.groups", t_groups_sorted);
	as_root_child("cred.fsid_privs", t_fsid_privs);
	as_root_child("cred.fork", t_fork_copies);

	gid_t groups[1] = {GROUP};
	as_user("user.files", USER, 1, groups, t_user_files);
	as_user("user.nogroup", USER, 0, NULL, t_user_nogroup);
	as_root_child("cred.access", t_access_real);
	/* Root's own write keeps the bits. */
	make(CDIR "/suid_root", 04777, 0, 0);
	int fd = open(CDIR "/suid_root", O_WRONLY);
	write(fd, "y", 1);
	close(fd);
	long m;
	m = mode_of(CDIR "/suid_root");
	CHECK("write.root_keeps_suid", m == 04777, "mode %lo", m);
	t_setuid_exec();
	as_user("user.proc", USER, 0, NULL, t_proc_other);
	return check_summary("sys_cred");
}
