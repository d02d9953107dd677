/* The data path: read, write, pread64, pwrite64, readv, writev and sendfile.
 * User buffers are bounced through kernel memory in page-sized chunks, so no
 * file-system code ever touches user memory. */
#include <fd.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <net/socket.h>
#include <percpu.h>
#include <proc.h>
#include <rlimit.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include "sys_fs.h"

#define IO_CHUNK PAGE_SIZE /* the bounce page */
#define SMALL_IO 256
#define IOV_MAX 1024

/* Moves up to n bytes between a user buffer and the file, chunk by
 * chunk; stops early on a short transfer. */
static long do_io(struct file *f, char __user *ubuf, size_t n, bool write,
		  int64_t off)
{
	if (n > 0x7ffff000)
		n = 0x7ffff000; /* Linux's MAX_RW_COUNT */
	if (!access_ok(ubuf, n))
		return -EFAULT;
	/* Small transfers (most of them: a line, a byte) bounce through the
	 * stack, bigger ones through a page the thread keeps from its first
	 * big transfer to its exit (make bench: allocating per call cost
	 * more than the copy). */
	char small[SMALL_IO];
	char *k = small;
	if (n > SMALL_IO) {
		if (!current->io_page)
			current->io_page = pmm_alloc_zeroed_page();
		if (!(k = current->io_page))
			return -ENOMEM;
	}
	size_t done = 0;
	long r = 0;
	while (done < n || n == 0) {
		size_t c = MIN(n - done, k == small ? SMALL_IO : IO_CHUNK);
		if (write && copy_from_user(k, ubuf + done, c)) {
			r = -EFAULT;
			break;
		}
		if (off >= 0)
			r = write ? vfs_pwrite(f, k, c, off + done)
				  : vfs_pread(f, k, c, off + done);
		else
			r = write ? vfs_write(f, k, c) : vfs_read(f, k, c);
		if (r <= 0)
			break;
		if (!write && copy_to_user(ubuf + done, k, r)) {
			/* Nothing reached the caller: undo the advance, as
			 * Linux leaves the offset alone on EFAULT. */
			if (off < 0 && f->ops->seekable)
				f->pos -= r;
			r = -EFAULT;
			break;
		}
		done += r;
		if ((size_t)r < c || n == 0)
			break;
		/* A stream's read returns what it has: go on only if more is
		 * there now (a pipe holding exactly one chunk must not wait
		 * for the next). */
		if (!write && !f->ops->seekable && f->ops->poll &&
		    !(f->ops->poll(f) & POLLIN))
			break;
	}
	return done ? (long)done : r;
}

static long fd_io(int fd, char __user *ubuf, size_t n, bool write, int64_t off)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long r;
	if (sock_from_file(f))
		r = off >= 0 ? -ESPIPE : sock_rw(f, ubuf, n, write);
	else
		r = do_io(f, ubuf, n, write, off);
	file_put(f);
	return r;
}

SYSCALL_DEFINE3(read, int, fd, char __user *, buf, size_t, n)
{
	return fd_io(fd, buf, n, false, -1);
}
SYSCALL_DEFINE3(write, int, fd, char __user *, buf, size_t, n)
{
	return fd_io(fd, buf, n, true, -1);
}

SYSCALL_DEFINE4(pread64, int, fd, char __user *, buf, size_t, n, int64_t, off)
{
	return off < 0 ? -EINVAL : fd_io(fd, buf, n, false, off);
}

SYSCALL_DEFINE4(pwrite64, int, fd, char __user *, buf, size_t, n, int64_t, off)
{
	return off < 0 ? -EINVAL : fd_io(fd, buf, n, true, off);
}

static long vec_io(int fd, const struct iovec_k __user *uiov, int cnt,
		   bool write)
{
	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	if (sock_from_file(f)) {
		/* One message for the whole vector (a datagram). */
		long sr = sock_rwv(f, uiov, cnt, write);
		file_put(f);
		return sr;
	}
	long total = 0, r = 0;
	for (int i = 0; i < cnt; i++) {
		struct iovec_k v;
		if (copy_from_user(&v, &uiov[i], sizeof(v))) {
			r = -EFAULT;
			break;
		}
		if ((int64_t)v.iov_len < 0) {
			r = -EINVAL;
			break;
		}
		if (v.iov_len == 0)
			continue;
		r = do_io(f, (char __user *)v.iov_base, v.iov_len, write, -1);
		if (r <= 0)
			break;
		total += r;
		if ((uint64_t)r < v.iov_len)
			break;
	}
	file_put(f);
	return total ? total : r;
}

SYSCALL_DEFINE3(readv, int, fd, const struct iovec_k __user *, iov, int, cnt)
{
	return vec_io(fd, iov, cnt, false);
}

SYSCALL_DEFINE3(writev, int, fd, const struct iovec_k __user *, iov, int, cnt)
{
	return vec_io(fd, iov, cnt, true);
}

/* sendfile's source: a file with positions (not a socket or a pipe, as
 * Linux's "mmap-like" in_fd); its destination anything writable but an
 * O_APPEND file. Moves a page at a time through the thread's bounce page,
 * and only the bytes that were written count: a short write gives the
 * rest back to the source's position. */
static long sendfile_copy(struct file *out, struct file *in, int64_t *pos,
			  size_t count)
{
	char *k = current->io_page;
	if (!k && !(k = current->io_page = pmm_alloc_zeroed_page()))
		return -ENOMEM;
	size_t done = 0;
	long r = 0;
	while (done < count) {
		size_t c = MIN(count - done, IO_CHUNK);
		r = pos ? vfs_pread(in, k, c, (uint64_t)*pos + done)
			: vfs_read(in, k, c);
		if (r <= 0)
			break;
		size_t got = (size_t)r;
		r = sock_from_file(out) ? sock_write_kernel(out, k, got)
					: vfs_write(out, k, got);
		size_t put = r > 0 ? (size_t)r : 0;
		if (!pos && put < got)
			vfs_lseek(in, -(int64_t)(got - put), SEEK_CUR);
		done += put;
		if (put < got || signal_pending(current))
			break;
	}
	if (pos)
		*pos += done;
	return done ? (long)done : r;
}

SYSCALL_DEFINE4(sendfile, int, out_fd, int, in_fd, int64_t __user *, offp,
		size_t, count)
{
	struct process *p = proc_current();
	int64_t pos = 0;
	if (offp && copy_from_user(&pos, offp, sizeof(pos)))
		return -EFAULT;
	struct file *in = fd_get(p, in_fd);
	if (!in)
		return -EBADF;
	struct file *out = fd_get(p, out_fd);
	long r;
	if (!out) {
		r = -EBADF;
		goto put_in;
	}
	int acc_in = in->flags & O_ACCMODE, acc_out = out->flags & O_ACCMODE;
	if ((in->flags & O_PATH) || (out->flags & O_PATH) ||
	    acc_in == O_WRONLY || acc_out == O_RDONLY)
		r = -EBADF;
	else if (sock_from_file(in) || !in->ops->seekable ||
		 (out->flags & O_APPEND) || (offp && pos < 0))
		r = -EINVAL;
	else
		r = sendfile_copy(out, in, offp ? &pos : NULL,
				  MIN(count, (size_t)0x7ffff000));
	if (r >= 0 && offp && copy_to_user(offp, &pos, sizeof(pos)))
		r = -EFAULT;
	file_put(out);
put_in:
	file_put(in);
	return r;
}
