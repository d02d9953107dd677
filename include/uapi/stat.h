/* struct stat and struct statx with Linux x86_64 layouts, and the file
 * type and permission bits. */
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
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)
#define S_ISLNK(m) (((m)&S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m)&S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m)&S_IFMT) == S_IFBLK)

struct kstat_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

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
	int64_t st_blocks;
	struct kstat_timespec st_atim, st_mtim, st_ctim;
	int64_t __reserved[3];
};
STATIC_ASSERT(sizeof(struct stat) == 144, "struct stat is 144 bytes");

struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t __reserved;
};

struct statx {
	uint32_t stx_mask;
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
	uint64_t __spare2[14];
};
STATIC_ASSERT(sizeof(struct statx) == 256, "struct statx is 256 bytes");

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

#define MAJOR(d) ((uint32_t)((d) >> 8) & 0xfff)
#define MINOR(d) ((uint32_t)((d)&0xff) | (uint32_t)(((d) >> 12) & 0xfff00))
#define MKDEV(ma, mi)                                                          \
	((uint64_t)(((mi)&0xff) | (((ma)&0xfff) << 8) |                        \
		    (((uint64_t)(mi) & ~0xffULL) << 12)))

#endif
