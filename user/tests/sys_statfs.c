/* statfs(2), fstatfs(2) and statvfs(3) on every kind of file system Limen
 * has: Linux's f_type magic, block size and real block and inode counts
 * (none for ramfs and proc, as Linux's simple_statfs; tmpfs its size= and
 * nr_inodes= limits, none for size=0), and EFAULT, ENOENT, EBADF on bad
 * input. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994
#define PROC_SUPER_MAGIC 0x9fa0
#define PIPEFS_MAGIC 0x50495045

/* Mounts type on dir unless a file system of that magic is there. */
static void ensure(const char *src, const char *dir, const char *type,
		   unsigned long magic, const char *opts)
{
	struct statfs sf;
	mkdir(dir, 0755);
	if (statfs(dir, &sf) == 0 && (unsigned long)sf.f_type == magic) {
		struct statfs up;
		char parent[64];
		snprintf(parent, sizeof(parent), "%s/..", dir);
		if (statfs(parent, &up) == 0 &&
		    up.f_fsid.__val[0] != sf.f_fsid.__val[0])
			return; /* already its own mount */
	}
	if (mount(src, dir, type, 0, opts) != 0)
		CHECK("mount", 0, "mount %s on %s: %s", type, dir,
		      errname(errno));
}

int main(void)
{
	struct statfs sf;
	struct statvfs sv;

	/* The root: the initramfs's ramfs (Linux's rootfs is ramfs without
	 * CONFIG_TMPFS, tmpfs with it). */
	CHECK_OK("statfs_root", statfs("/", &sf));
	CHECK("statfs_root_type",
	      sf.f_type == RAMFS_MAGIC || sf.f_type == TMPFS_MAGIC,
	      "f_type %#lx", (unsigned long)sf.f_type);
	CHECK("statfs_root_bsize", sf.f_bsize == 4096 && sf.f_frsize == 4096,
	      "bsize %ld frsize %ld", (long)sf.f_bsize, (long)sf.f_frsize);
	CHECK("statfs_root_namelen", sf.f_namelen == 255, "namelen %ld",
	      (long)sf.f_namelen);
	if (sf.f_type == RAMFS_MAGIC)
		CHECK("statfs_ramfs_no_counts",
		      sf.f_blocks == 0 && sf.f_bfree == 0 && sf.f_files == 0,
		      "blocks %lu free %lu files %lu",
		      (unsigned long)sf.f_blocks, (unsigned long)sf.f_bfree,
		      (unsigned long)sf.f_files);
	CHECK_OK("statvfs_root", statvfs("/", &sv));
	CHECK("statvfs_root_fields",
	      sv.f_bsize == 4096 && sv.f_frsize == 4096 &&
		  sv.f_namemax == 255 && !(sv.f_flag & ST_RDONLY),
	      "bsize %lu frsize %lu namemax %lu flag %#lx", sv.f_bsize,
	      sv.f_frsize, sv.f_namemax, sv.f_flag);

	/* What a boot script mounts: /proc, /dev, /dev/shm, /tmp. */
	ensure("proc", "/proc", "proc", PROC_SUPER_MAGIC, NULL);
	ensure("devtmpfs", "/dev", "devtmpfs", TMPFS_MAGIC, NULL);
	ensure("tmpfs", "/dev/shm", "tmpfs", TMPFS_MAGIC, "size=2m");
	ensure("tmpfs", "/tmp", "tmpfs", TMPFS_MAGIC, NULL);

	CHECK_OK("statfs_proc", statfs("/proc", &sf));
	CHECK("statfs_proc_fields",
	      sf.f_type == PROC_SUPER_MAGIC && sf.f_bsize == 4096 &&
		  sf.f_blocks == 0 && sf.f_files == 0,
	      "type %#lx bsize %ld blocks %lu files %lu",
	      (unsigned long)sf.f_type, (long)sf.f_bsize,
	      (unsigned long)sf.f_blocks, (unsigned long)sf.f_files);
	CHECK_OK("statvfs_proc", statvfs("/proc", &sv));
	CHECK_OK("statfs_proc_self", statfs("/proc/self/status", &sf));
	CHECK("statfs_proc_file_type", sf.f_type == PROC_SUPER_MAGIC,
	      "type %#lx", (unsigned long)sf.f_type);

	/* devtmpfs is a tmpfs with tmpfs's default limits (half of RAM). */
	CHECK_OK("statfs_dev", statfs("/dev", &sf));
	CHECK("statfs_dev_fields",
	      sf.f_type == TMPFS_MAGIC && sf.f_bsize == 4096 &&
		  sf.f_blocks > 0 && sf.f_bfree <= sf.f_blocks &&
		  sf.f_files > 0 && sf.f_ffree < sf.f_files,
	      "type %#lx blocks %lu free %lu files %lu ffree %lu",
	      (unsigned long)sf.f_type, (unsigned long)sf.f_blocks,
	      (unsigned long)sf.f_bfree, (unsigned long)sf.f_files,
	      (unsigned long)sf.f_ffree);

	/* /dev/shm with size=2m: 512 blocks of 4 KiB. */
	CHECK_OK("statvfs_dev_shm", statvfs("/dev/shm", &sv));
	CHECK("statvfs_dev_shm_size",
	      sv.f_bsize == 4096 && sv.f_blocks == 512 && sv.f_bfree <= 512 &&
		  sv.f_bavail == sv.f_bfree,
	      "bsize %lu blocks %lu bfree %lu bavail %lu", sv.f_bsize,
	      (unsigned long)sv.f_blocks, (unsigned long)sv.f_bfree,
	      (unsigned long)sv.f_bavail);

	/* /tmp: tmpfs, default half of RAM; writes are counted. */
	CHECK_OK("statvfs_tmp", statvfs("/tmp", &sv));
	CHECK_OK("statfs_tmp", statfs("/tmp", &sf));
	CHECK("statfs_tmp_type", sf.f_type == TMPFS_MAGIC && sv.f_blocks > 0,
	      "type %#lx blocks %lu", (unsigned long)sf.f_type,
	      (unsigned long)sv.f_blocks);

	/* A tmpfs's limits, and its counts following what is stored. */
	mkdir("/mnt", 0755);
	mkdir("/mnt/t1", 0755);
	int r = mount("tmpfs", "/mnt/t1", "tmpfs", MS_NOSUID,
		      "size=1m,nr_inodes=100");
	CHECK("mount_tmpfs_limits", r == 0, "mount: %s", errname(errno));
	struct statfs a, b;
	statfs("/mnt/t1", &a);
	CHECK("statfs_tmpfs_limits",
	      a.f_type == TMPFS_MAGIC && a.f_blocks == 256 &&
		  a.f_files == 100 && a.f_bfree == 256 && a.f_ffree == 99,
	      "type %#lx blocks %lu bfree %lu files %lu ffree %lu",
	      (unsigned long)a.f_type, (unsigned long)a.f_blocks,
	      (unsigned long)a.f_bfree, (unsigned long)a.f_files,
	      (unsigned long)a.f_ffree);
	int fd = open("/mnt/t1/f", O_RDWR | O_CREAT, 0644);
	static char page[8192];
	if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page))
		CHECK("write_tmpfs", 0, "write failed");
	fstatfs(fd, &b);
	CHECK("statfs_tmpfs_counts",
	      b.f_bfree == a.f_bfree - 2 && b.f_ffree == a.f_ffree - 1,
	      "bfree %lu -> %lu, ffree %lu -> %lu", (unsigned long)a.f_bfree,
	      (unsigned long)b.f_bfree, (unsigned long)a.f_ffree,
	      (unsigned long)b.f_ffree);
	close(fd);
	statvfs("/mnt/t1", &sv);
	CHECK("statvfs_nosuid_flag", (sv.f_flag & ST_NOSUID) != 0,
	      "f_flag %#lx", sv.f_flag);
	unlink("/mnt/t1/f");
	umount("/mnt/t1");
	mkdir("/mnt/t2", 0755);
	r = mount("tmpfs", "/mnt/t2", "tmpfs", 0, "size=0,nr_inodes=0");
	statfs("/mnt/t2", &a);
	CHECK("statfs_tmpfs_unlimited",
	      r == 0 && a.f_type == TMPFS_MAGIC && a.f_blocks == 0 &&
		  a.f_files == 0,
	      "mount %d blocks %lu files %lu", r, (unsigned long)a.f_blocks,
	      (unsigned long)a.f_files);
	umount("/mnt/t2");

	/* ext2, when a disk is given with what Linux's statfs said of it
	 * (tests/storage-suite.sh): EXT2_STATFS="bsize blocks bfree bavail
	 * files ffree". */
	const char *want = getenv("EXT2_STATFS");
	if (want) {
		unsigned long w[6] = {0};
		sscanf(want, "%lu %lu %lu %lu %lu %lu", &w[0], &w[1], &w[2],
		       &w[3], &w[4], &w[5]);
		mkdir("/mnt/e", 0755);
		r = mount("/dev/vda", "/mnt/e", "ext2", MS_RDONLY, NULL);
		CHECK("mount_ext2", r == 0, "mount: %s", errname(errno));
		memset(&sf, 0, sizeof(sf));
		statfs("/mnt/e", &sf);
		CHECK("statfs_ext2",
		      sf.f_type == 0xef53 &&
			  (unsigned long)sf.f_bsize == w[0] &&
			  sf.f_blocks == w[1] && sf.f_bfree == w[2] &&
			  sf.f_bavail == w[3] && sf.f_files == w[4] &&
			  sf.f_ffree == w[5],
		      "got type %#lx %ld %lu %lu %lu %lu %lu, Linux %s",
		      (unsigned long)sf.f_type, (long)sf.f_bsize,
		      (unsigned long)sf.f_blocks, (unsigned long)sf.f_bfree,
		      (unsigned long)sf.f_bavail, (unsigned long)sf.f_files,
		      (unsigned long)sf.f_ffree, want);
		statvfs("/mnt/e", &sv);
		CHECK("statvfs_ext2_rdonly", (sv.f_flag & ST_RDONLY) != 0,
		      "f_flag %#lx", sv.f_flag);
		umount("/mnt/e");
	}

	/* Descriptors with no file system of their own, as Linux's
	 * internal ones. */
	int p[2];
	if (pipe(p) == 0) {
		CHECK("fstatfs_pipe",
		      fstatfs(p[0], &sf) == 0 && sf.f_type == PIPEFS_MAGIC &&
			  sf.f_bsize == 4096,
		      "type %#lx", (unsigned long)sf.f_type);
		close(p[0]);
		close(p[1]);
	}
	int mfd = memfd_create("statfs", 0);
	CHECK("fstatfs_memfd",
	      mfd >= 0 && fstatfs(mfd, &sf) == 0 && sf.f_type == TMPFS_MAGIC,
	      "memfd %d type %#lx", mfd, (unsigned long)sf.f_type);
	close(mfd);

	/* Bad input. */
	CHECK_ERRNO("statfs_efault_buf", syscall(SYS_statfs, "/", (void *)8),
		    EFAULT);
	CHECK_ERRNO("statfs_efault_kernel_buf",
		    syscall(SYS_statfs, "/", (void *)0xffffffff80000000UL),
		    EFAULT);
	CHECK_ERRNO("statfs_efault_path", syscall(SYS_statfs, (void *)8, &sf),
		    EFAULT);
	CHECK_ERRNO("fstatfs_efault_buf", syscall(SYS_fstatfs, 0, (void *)8),
		    EFAULT);
	CHECK_ERRNO("statfs_empty_path", statfs("", &sf), ENOENT);
	CHECK_ERRNO("statfs_enoent", statfs("/no/such/dir", &sf), ENOENT);
	CHECK_ERRNO("statfs_enotdir", statfs("/tests/sys_statfs/x", &sf),
		    ENOTDIR);
	CHECK_ERRNO("fstatfs_ebadf", fstatfs(-1, &sf), EBADF);
	CHECK_ERRNO("fstatfs_ebadf_big", fstatfs(100000, &sf), EBADF);
	return check_summary("sys_statfs");
}
