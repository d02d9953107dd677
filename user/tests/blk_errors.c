/* Block I/O errors from user space: booted with fail_blk=N (one in N
 * virtio-blk requests fails, kernel/failinject.c), this program mounts the
 * ext2 disk given and creates, writes, fsyncs, reads back, lists and
 * removes files in rounds, remounting between writing and reading so the
 * reads reach the disk. Calls may fail with EIO, never with anything else,
 * and what a read returns must be what was written (a failed read's buffer
 * is poisoned, so data used despite an error shows). Afterwards, with the
 * injection stopped, the disk is cleaned and unmounted, and the kernel
 * heap must be back where it was. Run by tests/blk-errors.sh as init.
 * usage: blk_errors DEV ROUNDS FILES */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define MNT "/mnt"
#define SUBDIR MNT "/d" /* the files: its first read is a readdir */
#define FILE_BYTES 9000 /* three 1 KiB-block pieces and more */

static const char *dev;
static long n_eio, n_ok;
static int unexpected;
/* Per call: how often it failed with EIO. */
static long eio_mkdir, eio_mount, eio_umount, eio_open, eio_write, eio_fsync,
    eio_read, eio_readdir, eio_unlink, eio_close;
static long short_files, corrupt;
/* Per file: the round that wrote it (-1: unknown) and the bytes written. */
static int wrote_round[64];
static long wrote_bytes[64];

static long read_num(const char *path, const char *key)
{
	char buf[512];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	size_t kl = strlen(key);
	for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
			return strtol(p + kl + 1, NULL, 10);
	return -1;
}

static int set_fail_blk(long n)
{
	char cmd[32];
	int fd = open("/proc/limen/failinject", O_WRONLY);
	if (fd < 0)
		return -1;
	int len = snprintf(cmd, sizeof(cmd), "fail_blk %ld\n", n);
	int r = write(fd, cmd, len) == len ? 0 : -1;
	close(fd);
	return r;
}

/* Counts the result of a call that may fail with EIO only. */
static int outcome(long r, const char *what, long *eio)
{
	if (r >= 0) {
		n_ok++;
		return 0;
	}
	if (errno == EIO) {
		n_eio++;
		(*eio)++;
		return -1;
	}
	if (unexpected++ < 10)
		printf("blk_errors: %s: unexpected %s\n", what, errname(errno));
	return -1;
}

static int do_mount(void)
{
	for (int i = 0; i < 50; i++) {
		if (outcome(mount(dev, MNT, "ext2", 0, NULL), "mount",
			    &eio_mount) == 0)
			return 0;
		if (errno != EIO)
			return -1;
	}
	return -1;
}

static void do_umount(void)
{
	/* As Linux, umount unmounts and succeeds even when writing back
	 * fails (the cache keeps the blocks and tries again). */
	if (umount(MNT) == 0) {
		n_ok++;
		return;
	}
	eio_umount++;
	if (unexpected++ < 10)
		printf("blk_errors: umount: %s\n", errname(errno));
}

static unsigned char pattern(int round, int i, long off)
{
	return (unsigned char)(off * 7 + i * 13 + round * 31 + 1);
}

static void write_file(int round, int i)
{
	char path[64], buf[FILE_BYTES];
	snprintf(path, sizeof(path), SUBDIR "/f%d", i);
	for (long off = 0; off < FILE_BYTES; off++)
		buf[off] = pattern(round, i, off);
	wrote_round[i] = -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (outcome(fd, "open(O_CREAT)", &eio_open))
		return;
	wrote_round[i] = round;
	wrote_bytes[i] = 0;
	/* Three writes, so one can fail after another succeeded. */
	long chunks[] = {1000, 3000, FILE_BYTES - 4000};
	long off = 0;
	for (int c = 0; c < 3; c++) {
		long w = write(fd, buf + off, chunks[c]);
		if (outcome(w, "write", &eio_write))
			break;
		off += w;
		wrote_bytes[i] = off;
	}
	outcome(fsync(fd), "fsync", &eio_fsync);
	outcome(close(fd), "close", &eio_close);
}

static void check_file(int round, int i)
{
	char path[64], buf[FILE_BYTES + 16];
	snprintf(path, sizeof(path), SUBDIR "/f%d", i);
	int fd = open(path, O_RDONLY);
	if (fd < 0 && errno == ENOENT)
		return; /* its creation failed */
	if (outcome(fd, "open", &eio_open))
		return;
	long got = 0;
	for (;;) {
		long r = read(fd, buf + got, sizeof(buf) - got);
		if (outcome(r, "read", &eio_read) || r == 0)
			break;
		got += r;
	}
	close(fd);
	if (wrote_round[i] != round)
		return; /* an old file whose truncation failed */
	if (got < FILE_BYTES)
		short_files++;
	if (got > wrote_bytes[i] && corrupt++ < 5)
		printf("blk_errors: f%d has %ld bytes, %ld were written\n", i,
		       got, wrote_bytes[i]);
	for (long off = 0; off < got; off++) {
		if ((unsigned char)buf[off] != pattern(round, i, off)) {
			if (corrupt++ < 5)
				printf("blk_errors: f%d byte %ld is %#x, not "
				       "%#x\n",
				       i, off, (unsigned char)buf[off],
				       pattern(round, i, off));
			break;
		}
	}
}

/* SUBDIR's entries other than . and ..; -1 if listing failed. */
static int list_dir(void)
{
	DIR *d = opendir(SUBDIR);
	if (!d) {
		outcome(-1, "opendir", &eio_readdir);
		return -1;
	}
	int n = 0;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	int err = errno;
	closedir(d);
	if (err) {
		errno = err;
		outcome(-1, "readdir", &eio_readdir);
		return -1;
	}
	n_ok++;
	return n;
}

static void remove_all(int files)
{
	char path[64];
	for (int i = 0; i < files; i++) {
		snprintf(path, sizeof(path), SUBDIR "/f%d", i);
		int r = unlink(path);
		if (r < 0 && errno == ENOENT)
			continue;
		outcome(r, "unlink", &eio_unlink);
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		printf("usage: blk_errors DEV ROUNDS FILES\n");
		return 2;
	}
	dev = argv[1];
	int rounds = atoi(argv[2]), files = atoi(argv[3]);
	if (files > 64)
		files = 64;
	setvbuf(stdout, NULL, _IONBF, 0);
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	long every = read_num("/proc/limen/failinject", "fail_blk");
	CHECK("blk_errors.fail_blk_set", every > 0,
	      "fail_blk is %ld in /proc/limen/failinject", every);

	/* A clean mount first: the write-back thread starts once, and
	 * whatever else a first mount keeps is not a leak. */
	set_fail_blk(0);
	int m = mount(dev, MNT, "ext2", 0, NULL);
	CHECK("blk_errors.clean_mount", m == 0, "%s", errname(errno));
	if (m == 0) {
		remove_all(files);
		mkdir(SUBDIR, 0755);
		list_dir();
		rmdir(SUBDIR);
		sync();
		umount(MNT);
	}
	read_num("/proc/limen/failinject", "blk_failed");
	long live0 = read_num("/proc/limen/kheap", "live");
	long bytes0 = read_num("/proc/limen/kheap", "bytes_in_use");
	long bufs0 = read_num("/proc/limen/bcache", "buffers");

	set_fail_blk(every);
	for (int round = 0; round < rounds; round++) {
		if (do_mount())
			continue;
		int r = mkdir(SUBDIR, 0755);
		if (r < 0 && errno == EEXIST)
			r = 0;
		if (outcome(r, "mkdir", &eio_mkdir)) {
			do_umount();
			continue;
		}
		for (int i = 0; i < files; i++)
			write_file(round, i);
		list_dir();
		do_umount();
		if (do_mount())
			continue;
		list_dir();
		for (int i = 0; i < files; i++)
			check_file(round, i);
		remove_all(files);
		list_dir();
		do_umount();
	}
	long blk_failed = read_num("/proc/limen/failinject", "blk_failed");

	/* Clean up with the injection stopped: nothing may stay behind. */
	set_fail_blk(0);
	int left = -1;
	if (mount(dev, MNT, "ext2", 0, NULL) == 0) {
		remove_all(files);
		left = list_dir();
		CHECK("blk_errors.rmdir", rmdir(SUBDIR) == 0 || errno == ENOENT,
		      "%s", errname(errno));
		sync();
		CHECK("blk_errors.final_umount", umount(MNT) == 0, "%s",
		      errname(errno));
	} else {
		CHECK("blk_errors.final_mount", 0, "%s", errname(errno));
	}
	long live1 = read_num("/proc/limen/kheap", "live");
	long bytes1 = read_num("/proc/limen/kheap", "bytes_in_use");
	long bufs1 = read_num("/proc/limen/bcache", "buffers");

	printf(
	    "blk_errors: %ld calls ok, %ld EIO (mount %ld, umount %ld, "
	    "mkdir %ld, open %ld, write %ld, fsync %ld, close %ld, read %ld, "
	    "readdir %ld, unlink %ld); %ld requests failed; %ld short "
	    "files\n",
	    n_ok, n_eio, eio_mount, eio_umount, eio_mkdir, eio_open, eio_write,
	    eio_fsync, eio_close, eio_read, eio_readdir, eio_unlink, blk_failed,
	    short_files);
	printf("blk_errors: kernel heap %ld blocks %ld bytes before, %ld "
	       "blocks %ld bytes after; cache buffers %ld, %ld\n",
	       live0, bytes0, live1, bytes1, bufs0, bufs1);
	CHECK("blk_errors.requests_failed", blk_failed > 0,
	      "no request failed on purpose");
	CHECK("blk_errors.calls_got_eio", n_eio > 0,
	      "no call failed with EIO (%ld succeeded)", n_ok);
	CHECK("blk_errors.calls_succeeded", n_ok > 0, "every call failed");
	CHECK("blk_errors.only_eio", unexpected == 0,
	      "%d calls failed with another error", unexpected);
	CHECK("blk_errors.data_intact", corrupt == 0,
	      "%ld files read back other bytes than written", corrupt);
	CHECK("blk_errors.all_removed", left == 0, "%d files left", left);
	CHECK("blk_errors.cache_empty", bufs1 == bufs0,
	      "%ld buffers cached before, %ld after", bufs0, bufs1);
	CHECK("blk_errors.no_heap_leak",
	      live0 > 0 && live1 == live0 && bytes1 == bytes0,
	      "%ld blocks, %ld bytes more in the kernel heap", live1 - live0,
	      bytes1 - bytes0);
	/* Init's exit powers off, after the kernel's failinject line. */
	return check_summary("blk_errors");
}
