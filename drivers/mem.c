/* The memory devices: /dev/null (1:3), zero (1:5), full (1:7), random
 * (1:8) and urandom (1:9), with Linux's behaviour. */
#include <drivers/mem.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <random.h>
#include <uapi/errno.h>

static long null_read(struct file *f, char *b, size_t n, uint64_t *pos)
{
	(void)f, (void)b, (void)n, (void)pos;
	return 0;
}

static long sink_write(struct file *f, const char *b, size_t n, uint64_t *pos)
{
	(void)f, (void)b, (void)pos;
	return (long)n;
}

static long zero_read(struct file *f, char *b, size_t n, uint64_t *pos)
{
	(void)f, (void)pos;
	memset(b, 0, n);
	return (long)n;
}

static long full_write(struct file *f, const char *b, size_t n, uint64_t *pos)
{
	(void)f, (void)b, (void)n, (void)pos;
	return -ENOSPC;
}

static long random_read(struct file *f, char *b, size_t n, uint64_t *pos)
{
	(void)f, (void)pos;
	random_fill(b, n);
	return (long)n;
}

static const struct file_ops null_ops = {
    .read = null_read, .write = sink_write, .seek_noop = true};
static const struct file_ops zero_ops = {
    .read = zero_read, .write = sink_write, .seek_noop = true};
static const struct file_ops full_ops = {
    .read = zero_read, .write = full_write, .seek_noop = true};
static const struct file_ops random_ops = {
    .read = random_read, .write = sink_write, .seek_noop = true};

void mem_devices_init(void)
{
	chrdev_register(1, 3, &null_ops);
	chrdev_register(1, 5, &zero_ops);
	chrdev_register(1, 7, &full_ops);
	chrdev_register(1, 8, &random_ops);
	chrdev_register(1, 9, &random_ops);
}
