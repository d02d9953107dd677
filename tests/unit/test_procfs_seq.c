/* Host tests of fs/procfs.c's record files (seq_file_read), which
 * /proc/net/tcp, udp and unix use: a table of 5000 records of varied
 * lengths (about 190 KiB, many buffers) read whole, in pieces of every
 * awkward size and at random offsets forward and back gives the same
 * text; reading past the end gives 0; a record removed between two reads
 * shifts the rest but never cuts a line; an error from the table reaches
 * the reader.
 *
 * Stubs: kmalloc is malloc; the mutexes count depth (no sleeping here);
 * the directory functions procfs.c also has are never called. */
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fs/vfs.h>
#include <mm/kmalloc.h>
#include <mutex.h>
#include <uapi/errno.h>

void *kmalloc(size_t n)
{
	return malloc(n ? n : 1);
}
void *kzalloc(size_t n)
{
	return calloc(1, n ? n : 1);
}
void kfree(void *p)
{
	free(p);
}

static int lock_depth;
void mutex_init(struct mutex *m, const char *name)
{
	m->name = name;
}
void mutex_lock(struct mutex *m)
{
	(void)m;
	lock_depth++;
}
void mutex_unlock(struct mutex *m)
{
	(void)m;
	lock_depth--;
}

struct inode *inode_alloc_sb(struct super_block *sb, uint32_t mode)
{
	(void)sb;
	(void)mode;
	return NULL;
}
int dir_add(struct inode *dir, const char *name, struct inode *ino)
{
	(void)dir;
	(void)name;
	(void)ino;
	return -ENOMEM;
}

/* The rest of the VFS procfs.c calls outside the record files: never
 * reached here. */
struct inode *inode_get(struct inode *ino)
{
	return ino;
}
void inode_put(struct inode *ino)
{
	(void)ino;
}
void vfs_lock(void) {}
void vfs_unlock(void) {}
struct inode *vfs_root(void)
{
	return NULL;
}
int vfs_create(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	       uint32_t mode, uint64_t rdev, struct inode **out)
{
	(void)ctx, (void)dir, (void)path, (void)mode, (void)rdev, (void)out;
	return -ENOSYS;
}
int vfs_lookup(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	       int flags, struct inode **out)
{
	(void)ctx, (void)dir, (void)path, (void)flags, (void)out;
	return -ENOSYS;
}
int vfs_mount(const struct vfs_ctx *ctx, const char *source,
	      struct inode *target, const char *type, unsigned long flags,
	      const char *data)
{
	(void)ctx, (void)source, (void)target, (void)type, (void)flags,
	    (void)data;
	return -ENOSYS;
}

#include "unit_rename_lib.h"
#include "../../lib/string.c"
#include "../../lib/printf.c"
#include "../../fs/procfs.c"
#include "unit_unrename_lib.h"

#define NREC 5000

/* The table: record i is present unless gone[i]. */
static bool gone[NREC];
static int show_error; /* a -errno show returns, 0: none */
static int show_calls;

static int rec_text(int i, char *out, size_t size)
{
	/* Lengths 10..~110: lines straddle every buffer boundary. */
	char pad[128];
	int n = i * 37 % 97;
	memset(pad, 'a' + i % 26, (size_t)n);
	pad[n] = '\0';
	return snprintf(out, size, "rec %04d %s\n", i, pad);
}

/* Record 0 a header, record k the k-th present entry, as the net files. */
static long show(char *buf, size_t size, struct seq_pos *p)
{
	long len = 0;
	char line[160];
	show_calls++;
	if (show_error)
		return show_error;
	if (p->idx == 0) {
		len = snprintf(buf, size, "header\n");
		p->idx++;
	}
	uint64_t k = 0;
	for (int i = 0; i < NREC; i++) {
		if (gone[i])
			continue;
		if (++k < p->idx)
			continue;
		int n = rec_text(i, line, sizeof(line));
		if ((size_t)len + (size_t)n > size)
			break;
		memcpy(buf + len, line, (size_t)n);
		len += n;
		p->idx++;
	}
	return len;
}

static char *expected(size_t *lenp)
{
	size_t cap = 1 << 20, len = 0;
	char *t = malloc(cap);
	len += (size_t)snprintf(t, cap, "header\n");
	for (int i = 0; i < NREC; i++)
		if (!gone[i])
			len += (size_t)rec_text(i, t + len, cap - len);
	*lenp = len;
	return t;
}

static struct file *open_file(void)
{
	struct file *f = calloc(1, sizeof(*f));
	if (seq_file_open(f, show)) {
		free(f);
		return NULL;
	}
	return f;
}

static void close_file(struct file *f)
{
	seq_file_release(f);
	free(f);
}

/* Reads the whole file through f in pieces of n bytes from *pos. */
static size_t read_all(struct file *f, char *out, size_t cap, size_t n)
{
	size_t len = 0;
	uint64_t pos = 0;
	for (;;) {
		long r = seq_file_read(f, out + len, MIN(n, cap - len), &pos);
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == cap)
			break;
	}
	return len;
}

static void test_pieces(void)
{
	size_t want_len;
	char *want = expected(&want_len);
	char *got = malloc(1 << 20);
	CHECK("text spans many buffers", want_len > 40 * SEQ_BUF);
	size_t sizes[] = {1 << 20, 1, 7, 149, 4095, 4096, 4097, 12345};
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct file *f = open_file();
		memset(got, 0, 1 << 20);
		size_t n = read_all(f, got, 1 << 20, sizes[s]);
		CHECK_EQ_UINT("length read in pieces", n, want_len);
		CHECK_EQ_MEM("text read in pieces", got, want, want_len);
		close_file(f);
	}
	CHECK_EQ_INT("mutexes balanced", lock_depth, 0);
	free(got);
	free(want);
}

static void test_offsets(void)
{
	size_t want_len;
	char *want = expected(&want_len);
	struct file *f = open_file();
	char buf[300];
	srand(1);
	int bad = 0;
	for (int i = 0; i < 3000; i++) {
		uint64_t off = (uint64_t)rand() % (want_len + 100);
		uint64_t pos = off;
		long r = seq_file_read(f, buf, sizeof(buf), &pos);
		size_t n =
		    off < want_len ? MIN(sizeof(buf), want_len - off) : 0;
		if (r != (long)n ||
		    memcmp(buf, want + (off < want_len ? off : 0), n) != 0 ||
		    pos != off + n)
			bad++;
	}
	CHECK_EQ_INT("reads at 3000 random offsets", bad, 0);
	uint64_t pos = (uint64_t)want_len;
	CHECK_EQ_INT("read at the end", seq_file_read(f, buf, 10, &pos), 0);
	pos = (uint64_t)1 << 62;
	CHECK_EQ_INT("read far past the end", seq_file_read(f, buf, 10, &pos),
		     0);
	close_file(f);
	free(want);
}

/* Every line of text (len bytes) is one whole record or the header. */
static bool whole_lines(const char *text, size_t len)
{
	char line[160];
	size_t i = 0;
	while (i < len) {
		const char *e = memchr(text + i, '\n', len - i);
		if (!e)
			return false;
		size_t n = (size_t)(e - text - i) + 1;
		int rec;
		if (n >= sizeof(line))
			return false;
		memcpy(line, text + i, n);
		line[n] = '\0';
		if (strcmp(line, "header\n") != 0) {
			if (sscanf(line, "rec %d", &rec) != 1 || rec < 0 ||
			    rec >= NREC)
				return false;
			char want[160];
			rec_text(rec, want, sizeof(want));
			if (strcmp(line, want) != 0)
				return false;
		}
		i += n;
	}
	return true;
}

static void test_change_between_reads(void)
{
	struct file *f = open_file();
	char *got = malloc(1 << 20);
	uint64_t pos = 0;
	size_t len = 0;
	long r = seq_file_read(f, got, 5000, &pos);
	len = r > 0 ? (size_t)r : 0;
	/* Records the reader has passed and records still ahead go. */
	for (int i = 0; i < 40; i++)
		gone[i] = true;
	for (int i = 3000; i < 3010; i++)
		gone[i] = true;
	while ((r = seq_file_read(f, got + len, 333, &pos)) > 0)
		len += (size_t)r;
	CHECK("only whole lines after removals", whole_lines(got, len));
	char last[160];
	size_t n = (size_t)rec_text(NREC - 1, last, sizeof(last));
	CHECK("the last record still read",
	      len >= n && !memcmp(got + len - n, last, n));
	memset(gone, 0, sizeof(gone));
	close_file(f);
	free(got);
}

static void test_error(void)
{
	struct file *f = open_file();
	char buf[64];
	uint64_t pos = 0;
	show_error = -ENOMEM;
	CHECK_EQ_INT("show's error reaches the reader",
		     seq_file_read(f, buf, sizeof(buf), &pos), -ENOMEM);
	CHECK_EQ_UINT("position unchanged on error", pos, 0);
	show_error = 0;
	CHECK_EQ_INT("then a read works", seq_file_read(f, buf, 7, &pos), 7);
	CHECK_EQ_MEM("and starts at the header", buf, "header\n", 7);
	close_file(f);
	/* A forward seek walks buffer by buffer: bounded by the table. */
	f = open_file();
	show_calls = 0;
	pos = 100000;
	seq_file_read(f, buf, sizeof(buf), &pos);
	CHECK("a seek forward fills each buffer once",
	      show_calls > 20 && show_calls < 100000 / 2000);
	close_file(f);
}

int main(void)
{
	test_pieces();
	test_offsets();
	test_change_between_reads();
	test_error();
	return unit_done();
}
