/* /proc/PID/fdinfo/N in Linux's format: pos, flags (octal, O_LARGEFILE as
 * Linux's open adds it, O_CLOEXEC from the descriptor), mnt_id, ino; only
 * the owner (and root) may look, as for /proc/PID/fd. */
#define _GNU_SOURCE
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

struct fdinfo {
	long long pos;
	unsigned flags;
	long mnt_id;
	unsigned long long ino;
	int fields;
};

static int read_fdinfo(pid_t pid, int fd, struct fdinfo *fi)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	int f = open(path, O_RDONLY);
	if (f < 0)
		return -errno;
	ssize_t n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	memset(fi, 0, sizeof(*fi));
	for (char *l = buf; l && *l;
	     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (sscanf(l, "pos:\t%lld", &fi->pos) == 1)
			fi->fields |= 1;
		else if (sscanf(l, "flags:\t%o", &fi->flags) == 1 &&
			 l[7] == '0')
			fi->fields |= 2;
		else if (sscanf(l, "mnt_id:\t%ld", &fi->mnt_id) == 1)
			fi->fields |= 4;
		else if (sscanf(l, "ino:\t%llu", &fi->ino) == 1)
			fi->fields |= 8;
	}
	return 0;
}

int main(void)
{
	struct fdinfo fi;
	pid_t me = getpid();
	int fd = open("/tmp/fdinfo_file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char data[100] = {0};
	if (write(fd, data, sizeof(data)) != sizeof(data))
		CHECK("write", 0, "write failed");
	lseek(fd, 37, SEEK_SET);
	struct stat st;
	fstat(fd, &st);
	int r = read_fdinfo(me, fd, &fi);
	CHECK("fdinfo_read", r == 0 && fi.fields == 15, "read %s, fields %#x",
	      errname(-r), fi.fields);
	CHECK("fdinfo_pos", fi.pos == 37, "pos %lld", fi.pos);
	CHECK("fdinfo_flags_rdwr", fi.flags == (O_RDWR | 0100000), "flags 0%o",
	      fi.flags);
	CHECK("fdinfo_ino", fi.ino == (unsigned long long)st.st_ino,
	      "ino %llu, st_ino %llu", fi.ino, (unsigned long long)st.st_ino);
	CHECK("fdinfo_mnt_id", fi.mnt_id > 0, "mnt_id %ld", fi.mnt_id);
	/* The offset follows reads. */
	char b[10];
	if (read(fd, b, 10) != 10)
		CHECK("read10", 0, "read failed");
	read_fdinfo(me, fd, &fi);
	CHECK("fdinfo_pos_after_read", fi.pos == 47, "pos %lld", fi.pos);
	/* Through /proc/self too. */
	read_fdinfo(me, fd, &fi);
	char sp[64];
	snprintf(sp, sizeof(sp), "/proc/self/fdinfo/%d", fd);
	CHECK("fdinfo_self", access(sp, R_OK) == 0, "%s: %s", sp,
	      errname(errno));

	int afd = open("/tmp/fdinfo_file",
		       O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC);
	read_fdinfo(me, afd, &fi);
	unsigned want = O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC | 0100000;
	CHECK("fdinfo_flags_append_nonblock_cloexec", fi.flags == want,
	      "flags 0%o, want 0%o", fi.flags, want);
	fcntl(afd, F_SETFD, 0);
	fcntl(afd, F_SETFL, O_APPEND);
	read_fdinfo(me, afd, &fi);
	want = O_WRONLY | O_APPEND | 0100000;
	CHECK("fdinfo_flags_after_fcntl", fi.flags == want,
	      "flags 0%o, want 0%o", fi.flags, want);
	close(afd);

	/* open's one-time flags are not kept. */
	int tfd = open("/tmp/fdinfo_file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	read_fdinfo(me, tfd, &fi);
	CHECK("fdinfo_flags_no_creat_trunc", fi.flags == (O_RDWR | 0100000),
	      "flags 0%o", fi.flags);
	close(tfd);

	int p[2];
	if (pipe(p) == 0) {
		struct fdinfo w;
		read_fdinfo(me, p[0], &fi);
		read_fdinfo(me, p[1], &w);
		CHECK("fdinfo_pipe_flags", fi.flags == 0 && w.flags == 1,
		      "read end 0%o, write end 0%o", fi.flags, w.flags);
		close(p[0]);
		close(p[1]);
	}

	/* A closed descriptor has no entry; the listing shows the open
	 * ones. */
	int cfd = open("/tmp/fdinfo_file", O_RDONLY);
	close(cfd);
	CHECK("fdinfo_closed_enoent", read_fdinfo(me, cfd, &fi) == -ENOENT,
	      "fdinfo of a closed descriptor readable");
	DIR *d = opendir("/proc/self/fdinfo");
	int saw = 0, extra = 0;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			int n = atoi(e->d_name);
			if (e->d_name[0] == '.' || n == dirfd(d))
				continue; /* the listing's own descriptor */
			if (n == fd)
				saw |= 1;
			else if (n == 0 || n == 1 || n == 2)
				saw |= 2;
			else if (n == cfd)
				extra++;
		}
		closedir(d);
	}
	CHECK("fdinfo_listing", (saw & 1) && !extra, "saw %d extra %d", saw,
	      extra);

	/* A bad buffer is EFAULT, nothing worse. */
	int f = open(sp, O_RDONLY);
	CHECK_ERRNO("fdinfo_read_efault", read(f, (void *)8, 64), EFAULT);
	close(f);

	/* Another user may not look at our descriptors; its own, yes. */
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", me, fd);
		int g = open(path, O_RDONLY);
		if (g >= 0 || errno != EACCES)
			_exit(11);
		snprintf(path, sizeof(path), "/proc/%d/fdinfo", me);
		if (opendir(path))
			_exit(12);
		struct fdinfo own;
		if (read_fdinfo(getpid(), 1, &own) != 0 || own.fields != 15)
			_exit(13);
		_exit(0);
	}
	int stt = -1;
	waitpid(pid, &stt, 0);
	CHECK("fdinfo_other_user_refused",
	      WIFEXITED(stt) && WEXITSTATUS(stt) == 0,
	      "child status %#x (10 setuid, 11 open allowed, 12 listing "
	      "allowed, 13 own unreadable)",
	      stt);
	unlink("/tmp/fdinfo_file");
	return check_summary("sys_fdinfo");
}
