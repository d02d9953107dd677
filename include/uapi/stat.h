/* struct stat and struct statx with Linux x86_64 layouts, the file type and
 * permission bits, and the dev_t encoding (Linux's "new" 32-bit form:
 * 12 bits of major, 20 of minor) that st_rdev and mknod use. */
#ifndef LIMEN_UAPI_STAT_H
#define LIMEN_UAPI_STAT_H

#include <types.h>

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_IRWXU 00700
#define S_IRUSR 00400
#define S_IWUSR 00200
#define S_IXUSR 00100
#define S_IRWXG 00070
#define S_IRGRP 00040
#define S_IWGRP 00020
#define S_IXGRP 00010
#define S_IRWXO 00007
#define S_IROTH 00004
#define S_IWOTH 00002
#define S_IXOTH 00001
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)
#define S_ISLNK(m) (((m)&S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m)&S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m)&S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m)&S_IFMT) == S_IFSOCK)

struct kstat_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

/* Linux's last three longs are "__unused"; that name is an attribute macro
 * in types.h, hence __reserved. */
struct stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t __pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks; /* 512-byte units */
	struct kstat_timespec st_atim, st_mtim, st_ctim;
	int64_t __reserved[3];
};
STATIC_ASSERT(sizeof(struct stat) == 144, "struct stat is 144 bytes");
STATIC_ASSERT(offsetof(struct stat, st_nlink) == 16, "st_nlink");
STATIC_ASSERT(offsetof(struct stat, st_mode) == 24, "st_mode");
STATIC_ASSERT(offsetof(struct stat, st_rdev) == 40, "st_rdev");
STATIC_ASSERT(offsetof(struct stat, st_size) == 48, "st_size");
STATIC_ASSERT(offsetof(struct stat, st_blocks) == 64, "st_blocks");
STATIC_ASSERT(offsetof(struct stat, st_atim) == 72, "st_atim");
STATIC_ASSERT(offsetof(struct stat, st_mtim) == 88, "st_mtim");
STATIC_ASSERT(offsetof(struct stat, st_ctim) == 104, "st_ctim");

struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t __reserved;
};

struct statx {
	uint32_t stx_mask; /* which fields below are filled */
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t __spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align, stx_dio_offset_align;
	uint64_t __spare3[12];
};
STATIC_ASSERT(sizeof(struct statx) == 256, "struct statx is 256 bytes");
STATIC_ASSERT(offsetof(struct statx, stx_ino) == 0x20, "stx_ino");
STATIC_ASSERT(offsetof(struct statx, stx_atime) == 0x40, "stx_atime");
STATIC_ASSERT(offsetof(struct statx, stx_rdev_major) == 0x80, "stx_rdev");
STATIC_ASSERT(offsetof(struct statx, stx_mnt_id) == 0x90, "stx_mnt_id");

#define STATX_TYPE 0x1
#define STATX_MODE 0x2
#define STATX_NLINK 0x4
#define STATX_UID 0x8
#define STATX_GID 0x10
#define STATX_ATIME 0x20
#define STATX_MTIME 0x40
#define STATX_CTIME 0x80
#define STATX_INO 0x100
#define STATX_SIZE 0x200
#define STATX_BLOCKS 0x400
#define STATX_BASIC_STATS 0x7ff
#define STATX_BTIME 0x800
#define STATX_MNT_ID 0x1000
#define STATX_DIOALIGN 0x2000
#define STATX__RESERVED 0x80000000u

#define MAJOR(d) ((uint32_t)((d) >> 8) & 0xfff)
#define MINOR(d) ((uint32_t)((d)&0xff) | (uint32_t)(((d) >> 12) & 0xfff00))
#define MKDEV(ma, mi)                                                          \
	((uint64_t)(((mi)&0xff) | (((ma)&0xfff) << 8) |                        \
		    (((uint64_t)(mi) & ~0xffULL) << 12)))

#endif
