/* System calls on directories and names: getdents64, getcwd/chdir,
 * mkdir/mkdirat, unlink/unlinkat/rmdir, symlink/readlink/readlinkat, link
 * and rename. Works in a scratch directory under /tmp. */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "check.h"

#define KPTR ((void *)0xffff800000000000UL)
#define BADPTR ((void *)0x1)

struct lt_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

static char top[64];   /* the scratch directory */
static char p[8][128]; /* paths inside it, see main */
static const char *names[] = {"a",    "b",     "sub",	"sub/f",
			      "link", "loop1", "loop2", "c"};

/* Reads a whole directory; returns the number of entries or -errno, and
 * sets *found to a bitmask of which of want[] appeared with type want_type
 * (DT_UNKNOWN accepts any type). bad_reclen counts malformed records. */
static int list_dir(const char *dir, const char *const *want, int nwant,
		    const unsigned char *want_type, unsigned *found,
		    int *bad_reclen)
{
	static char buf[4096] __attribute__((aligned(8)));
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -errno;
	int count = 0;
	*found = 0;
	*bad_reclen = 0;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (n < 0) {
			close(fd);
			return -errno;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct lt_dirent64 *d = (void *)(buf + off);
			if (d->d_reclen <
				offsetof(struct lt_dirent64, d_name) + 2 ||
			    d->d_reclen % 8 || off + d->d_reclen > n) {
				(*bad_reclen)++;
				break;
			}
			for (int i = 0; i < nwant; i++)
				if (!strcmp(d->d_name, want[i]) &&
				    (want_type[i] == DT_UNKNOWN ||
				     d->d_type == want_type[i]))
					*found |= 1U << i;
			count++;
			off += d->d_reclen;
		}
	}
	close(fd);
	return count;
}

/* Puts the directory part of path in dir ("." or "/" when that is all) and
 * returns the last component, which stays inside path. */
static const char *split_path(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, size, ".");
	else if (slash == path)
		snprintf(dir, size, "/");
	else
		snprintf(dir, size, "%.*s", (int)(slash - path), path);
	return slash ? slash + 1 : path;
}

static void test_getdents(const char *argv0)
{
	unsigned found;
	int bad;
	static const char *const root_want[] = {".", "..", "etc"};
	static const unsigned char root_type[] = {DT_DIR, DT_DIR, DT_DIR};
	int n = list_dir("/", root_want, 3, root_type, &found, &bad);
	CHECK("dir.getdents64_root", n >= 3 && found == 7 && !bad,
	      "expected ., .., etc as DT_DIR; got n=%d found=%#x bad=%d", n,
	      found, bad);

	/* The program's own directory (/tests on Limen) and its parent. */
	static char self[256], dir[256], pdir[256];
	snprintf(self, sizeof(self), "%s%s",
		 strchr(argv0, '/') ? "" : "/tests/", argv0);
	const char *prog = split_path(self, dir, sizeof(dir));
	const char *dirname = split_path(dir, pdir, sizeof(pdir));
	const char *const self_want[] = {prog};
	static const unsigned char reg[] = {DT_REG};
	n = list_dir(dir, self_want, 1, reg, &found, &bad);
	CHECK("dir.getdents64_finds_self", n > 0 && found == 1 && !bad,
	      "expected %s as DT_REG in %s; got n=%d found=%#x", prog, dir, n,
	      found);
	const char *const parent_want[] = {dirname};
	static const unsigned char dirt[] = {DT_DIR};
	n = list_dir(pdir, parent_want, 1, dirt, &found, &bad);
	CHECK("dir.getdents64_finds_tests", n > 0 && found == 1 && !bad,
	      "expected %s as DT_DIR in %s; got n=%d found=%#x", dirname, pdir,
	      n, found);

	/* A directory we made holds exactly what we put there. */
	static const char *const mine[] = {".", "..", "a", "b", "sub"};
	static const unsigned char mtype[] = {DT_DIR, DT_DIR, DT_REG, DT_REG,
					      DT_DIR};
	n = list_dir(top, mine, 5, mtype, &found, &bad);
	CHECK("dir.getdents64_exact", n == 5 && found == 31 && !bad,
	      "expected exactly . .. a b sub; got n=%d found=%#x bad=%d", n,
	      found, bad);

	char buf[512] __attribute__((aligned(8)));
	int fd = open(top, O_RDONLY | O_DIRECTORY);
	long r1 = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	long r2 = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	lseek(fd, 0, SEEK_SET);
	long r3 = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	CHECK("dir.getdents64_eof_and_rewind", r1 > 0 && r2 == 0 && r3 == r1,
	      "expected n, 0, n after lseek 0; got %ld, %ld, %ld", r1, r2, r3);
	lseek(fd, 0, SEEK_SET);
	CHECK_ERRNO("dir.getdents64_small_buf",
		    syscall(SYS_getdents64, fd, buf, 8), EINVAL);
	CHECK_ERRNO("dir.getdents64_efault",
		    syscall(SYS_getdents64, fd, BADPTR, sizeof(buf)), EFAULT);
	close(fd);
	fd = open(p[0], O_RDONLY);
	CHECK_ERRNO("dir.getdents64_on_file",
		    syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	close(fd);
	CHECK_ERRNO("dir.getdents64_ebadf",
		    syscall(SYS_getdents64, 9999, buf, sizeof(buf)), EBADF);
}

static void test_cwd(void)
{
	char buf[256], old[256];
	long r = syscall(SYS_getcwd, old, sizeof(old));
	/* The raw call returns the length including the NUL. */
	CHECK("dir.getcwd",
	      r > 1 && old[0] == '/' && r == (long)strlen(old) + 1,
	      "expected an absolute path and its length + 1, got %ld \"%s\"", r,
	      r > 0 ? old : "");
	CHECK_ERRNO("dir.getcwd_erange", syscall(SYS_getcwd, buf, strlen(old)),
		    ERANGE);
	CHECK_ERRNO("dir.getcwd_size_0", syscall(SYS_getcwd, buf, 0), ERANGE);
	CHECK_ERRNO("dir.getcwd_efault", syscall(SYS_getcwd, KPTR, sizeof(buf)),
		    EFAULT);

	CHECK_OK("dir.chdir", chdir(p[2]));
	r = syscall(SYS_getcwd, buf, sizeof(buf));
	CHECK("dir.getcwd_after_chdir", r > 0 && !strcmp(buf, p[2]),
	      "expected \"%s\", got %ld \"%s\"", p[2], r, r > 0 ? buf : "");
	int fd = open("rel", O_CREAT | O_WRONLY, 0600);
	char rel[160];
	snprintf(rel, sizeof(rel), "%s/rel", p[2]);
	struct stat st;
	CHECK("dir.relative_open_uses_cwd", fd >= 0 && stat(rel, &st) == 0,
	      "created fd %d, stat %s: %s", fd, rel, errname(errno));
	close(fd);
	unlink(rel);
	chdir("..");
	r = syscall(SYS_getcwd, buf, sizeof(buf));
	CHECK("dir.chdir_dotdot", r > 0 && !strcmp(buf, top),
	      "expected \"%s\", got \"%s\"", top, r > 0 ? buf : "");
	chdir("/");
	chdir("..");
	r = syscall(SYS_getcwd, buf, sizeof(buf));
	CHECK("dir.root_dotdot_is_root", r == 2 && !strcmp(buf, "/"),
	      "expected \"/\", got %ld \"%s\"", r, r > 0 ? buf : "");
	CHECK_ERRNO("dir.chdir_enoent", chdir("/tmp/lt-no-such-dir"), ENOENT);
	CHECK_ERRNO("dir.chdir_enotdir", chdir(p[0]), ENOTDIR);
	CHECK_ERRNO("dir.chdir_efault", syscall(SYS_chdir, BADPTR), EFAULT);
	chdir(old);
}

static void test_mkdir_unlink(void)
{
	struct stat st;
	int r = stat(p[2], &st);
	CHECK("dir.mkdir", r == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 2,
	      "expected a directory with nlink 2, got r=%d mode %o nlink %ld",
	      r, st.st_mode, (long)st.st_nlink);
	stat(top, &st);
	CHECK("dir.mkdir_parent_nlink", st.st_nlink == 3,
	      "expected parent nlink 3 (one subdirectory), got %ld",
	      (long)st.st_nlink);
	CHECK_ERRNO("dir.mkdir_eexist", mkdir(p[2], 0755), EEXIST);
	CHECK_ERRNO("dir.mkdir_over_file", mkdir(p[0], 0755), EEXIST);
	CHECK_ERRNO("dir.mkdir_enoent", mkdir("/tmp/lt-no-such-dir/x", 0755),
		    ENOENT);
	CHECK_ERRNO("dir.mkdir_enotdir", mkdir("/etc/motd/x", 0755), ENOTDIR);
	int dfd = open(p[2], O_RDONLY | O_DIRECTORY);
	CHECK_OK("dir.mkdirat", syscall(SYS_mkdirat, dfd, "d2", 0755));
	CHECK_ERRNO("dir.mkdirat_eexist", syscall(SYS_mkdirat, dfd, "d2", 0755),
		    EEXIST);

	CHECK_ERRNO("dir.unlink_dir_eisdir", unlink(p[2]), EISDIR);
	CHECK_ERRNO("dir.unlinkat_dir_eisdir",
		    syscall(SYS_unlinkat, dfd, "d2", 0), EISDIR);
	CHECK_ERRNO("dir.unlinkat_file_removedir",
		    syscall(SYS_unlinkat, AT_FDCWD, p[3], AT_REMOVEDIR),
		    ENOTDIR);
	CHECK_ERRNO("dir.unlinkat_bad_flags",
		    syscall(SYS_unlinkat, dfd, "d2", 0x1), EINVAL);
	CHECK_OK("dir.unlinkat_removedir",
		 syscall(SYS_unlinkat, dfd, "d2", AT_REMOVEDIR));
	CHECK_ERRNO("dir.removed_is_gone",
		    syscall(SYS_newfstatat, dfd, "d2", &st, 0), ENOENT);
	CHECK_ERRNO("dir.rmdir_enotempty", rmdir(p[2]), ENOTEMPTY);
	CHECK_ERRNO("dir.unlinkat_removedir_enotempty",
		    syscall(SYS_unlinkat, AT_FDCWD, p[2], AT_REMOVEDIR),
		    ENOTEMPTY);
	CHECK_ERRNO("dir.rmdir_file_enotdir", rmdir(p[3]), ENOTDIR);
	char dot[160];
	snprintf(dot, sizeof(dot), "%s/.", p[2]);
	CHECK_ERRNO("dir.rmdir_dot_einval", rmdir(dot), EINVAL);
	CHECK_ERRNO("dir.unlink_enoent", unlink("/tmp/lt-no-such-file"),
		    ENOENT);
	CHECK_ERRNO("dir.unlink_efault", syscall(SYS_unlink, BADPTR), EFAULT);

	/* An unlinked file stays readable through an open fd. */
	int fd = syscall(SYS_openat, dfd, "f", O_RDONLY);
	char c = 0;
	CHECK_OK("dir.unlinkat_file", syscall(SYS_unlinkat, dfd, "f", 0));
	long n = read(fd, &c, 1);
	fstat(fd, &st);
	CHECK("dir.unlinked_open_file", n == 1 && c == 'F' && st.st_nlink == 0,
	      "expected to read 'F' with nlink 0, got %ld '%c' nlink %ld", n, c,
	      (long)st.st_nlink);
	close(fd);
	close(dfd);
	CHECK_OK("dir.rmdir", rmdir(p[2]));
	stat(top, &st);
	CHECK("dir.rmdir_parent_nlink", st.st_nlink == 2,
	      "expected parent nlink 2, got %ld", (long)st.st_nlink);
}

static void test_links(void)
{
	char buf[160];
	/* A relative target resolves from the link's directory. */
	CHECK_OK("dir.symlink", symlink("a", p[4]));
	long n = readlink(p[4], buf, sizeof(buf));
	CHECK("dir.readlink", n == 1 && buf[0] == 'a',
	      "expected 1 \"a\", got %ld \"%.*s\"", n, (int)(n > 0 ? n : 0),
	      buf);
	int fd = open(p[4], O_RDONLY);
	char c = 0;
	read(fd, &c, 1);
	close(fd);
	CHECK("dir.open_follows_relative_symlink", fd >= 0 && c == 'A',
	      "expected to read 'A' through the link, got fd %d '%c'", fd, c);
	CHECK_ERRNO("dir.symlink_eexist", symlink("x", p[4]), EEXIST);
	CHECK_ERRNO("dir.readlink_not_link", readlink(p[0], buf, sizeof(buf)),
		    EINVAL);
	CHECK_ERRNO("dir.readlink_enoent",
		    readlink("/tmp/lt-no-such-link", buf, sizeof(buf)), ENOENT);
	CHECK_ERRNO("dir.readlink_bufsiz_0",
		    syscall(SYS_readlink, p[4], buf, 0), EINVAL);
	CHECK_ERRNO("dir.readlink_efault",
		    syscall(SYS_readlink, p[4], KPTR, sizeof(buf)), EFAULT);

	symlink("/etc/motd", p[7]);
	memset(buf, 0, sizeof(buf));
	n = syscall(SYS_readlink, p[7], buf, 4);
	CHECK("dir.readlink_truncates",
	      n == 4 && !memcmp(buf, "/etc", 4) && buf[4] == 0,
	      "expected 4 \"/etc\" and no NUL, got %ld \"%s\"", n, buf);
	int dfd = open(top, O_RDONLY | O_DIRECTORY);
	n = syscall(SYS_readlinkat, dfd, "c", buf, sizeof(buf));
	CHECK("dir.readlinkat", n == 9 && !memcmp(buf, "/etc/motd", 9),
	      "expected 9 \"/etc/motd\", got %ld", n);
	close(dfd);

	symlink("loop2", p[5]);
	symlink("loop1", p[6]);
	CHECK_ERRNO("dir.symlink_loop_eloop", open(p[5], O_RDONLY), ELOOP);
	CHECK_ERRNO("dir.o_nofollow_eloop", open(p[4], O_RDONLY | O_NOFOLLOW),
		    ELOOP);

	struct stat st;
	CHECK_OK("dir.link", link(p[0], p[1]));
	int r = stat(p[0], &st);
	CHECK("dir.link_nlink", r == 0 && st.st_nlink == 2,
	      "expected nlink 2, got %ld", (long)st.st_nlink);
	CHECK_ERRNO("dir.link_eexist", link(p[0], p[1]), EEXIST);
	unlink(p[1]);
}

static void test_rename(void)
{
	struct stat st, st2;
	char c = 0;
	stat(p[0], &st);
	CHECK_OK("dir.rename", rename(p[0], p[1]));
	int r = stat(p[1], &st2);
	CHECK("dir.rename_moves",
	      r == 0 && st2.st_ino == st.st_ino && stat(p[0], &st2) < 0 &&
		  errno == ENOENT,
	      "expected b with a's inode and a gone");
	int fd = open(p[0], O_CREAT | O_WRONLY, 0600);
	write(fd, "N", 1);
	close(fd);
	CHECK_OK("dir.rename_replaces", rename(p[0], p[1]));
	fd = open(p[1], O_RDONLY);
	read(fd, &c, 1);
	close(fd);
	CHECK("dir.rename_replaced_content", c == 'N',
	      "expected 'N' in b, got '%c'", c);
	CHECK_OK("dir.rename_same", rename(p[1], p[1]));
	CHECK_ERRNO("dir.rename_enoent", rename(p[0], p[3]), ENOENT);

	mkdir(p[2], 0755);
	CHECK_ERRNO("dir.rename_file_over_dir", rename(p[1], p[2]), EISDIR);
	CHECK_ERRNO("dir.rename_dir_over_file", rename(p[2], p[1]), ENOTDIR);
	char inside[160];
	snprintf(inside, sizeof(inside), "%s/x", p[2]);
	CHECK_ERRNO("dir.rename_into_self", rename(p[2], inside), EINVAL);
	mkdir(p[0], 0755);
	fd = open(p[3], O_CREAT | O_WRONLY, 0600);
	close(fd);
	CHECK_ERRNO("dir.rename_over_nonempty_dir", rename(p[0], p[2]),
		    ENOTEMPTY);
	unlink(p[3]);
	CHECK_OK("dir.rename_over_empty_dir", rename(p[0], p[2]));
	r = stat(p[2], &st);
	CHECK("dir.rename_dir_result",
	      r == 0 && S_ISDIR(st.st_mode) && stat(p[0], &st2) < 0,
	      "expected sub to be a directory and a gone");
}

static void cleanup(void)
{
	char sub[160];
	snprintf(sub, sizeof(sub), "%s/d2", p[2]);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/rel", p[2]);
	unlink(sub);
	for (int i = 7; i >= 0; i--)
		if (unlink(p[i]) < 0)
			rmdir(p[i]);
	rmdir(top);
}

int main(int argc, char **argv)
{
	snprintf(top, sizeof(top), "/tmp/lt-dir-%d", (int)getpid());
	for (int i = 0; i < 8; i++)
		snprintf(p[i], sizeof(p[i]), "%s/%s", top, names[i]);
	cleanup();
	/* top holds files a ("A") and b, directory sub with file f ("F"). */
	int ok = mkdir(top, 0755) == 0 && mkdir(p[2], 0755) == 0;
	for (int i = 0; i < 4; i++) {
		if (i == 2)
			continue;
		int fd = open(p[i], O_CREAT | O_WRONLY | O_TRUNC, 0600);
		ok &= fd >= 0 && write(fd, i == 3 ? "F" : "A", 1) == 1;
		close(fd);
	}
	CHECK("dir.setup", ok, "could not create %s: %s", top, errname(errno));
	test_getdents(argc > 0 ? argv[0] : "sys_dir");
	test_cwd();
	test_mkdir_unlink();
	unlink(p[1]);
	test_links();
	test_rename();
	cleanup();
	return check_summary("sys_dir");
}
