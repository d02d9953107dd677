/* getdents64(2): struct linux_dirent64 and the d_type values, with Linux's
 * layout. Records are 8-byte aligned; d_off is the position to resume at
 * (a value for lseek(SEEK_SET) on the directory). */
#ifndef LIMEN_UAPI_DIRENT_H
#define LIMEN_UAPI_DIRENT_H

#include <types.h>

#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12
#define DT_WHT 14

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};
STATIC_ASSERT(offsetof(struct linux_dirent64, d_reclen) == 16, "d_reclen");
STATIC_ASSERT(offsetof(struct linux_dirent64, d_type) == 18, "d_type");
STATIC_ASSERT(offsetof(struct linux_dirent64, d_name) == 19, "d_name");

#endif
