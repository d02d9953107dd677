/* memfd file sealing (memfd_create(2), fcntl(2) F_ADD_SEALS/F_GET_SEALS):
 * every seal's rule, the EBUSY of F_SEAL_WRITE while a shared mapping
 * may write (this process's or a child's), and who may not be sealed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "check.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

#define LEN 8192

static long seals(int fd)
{
	return fcntl(fd, F_GET_SEALS);
}

static int sealable(const char *name)
{
	int fd = memfd_create(name, MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, LEN) || pwrite(fd, "data", 4, 0) != 4) {
		CHECK(name, 0, "memfd_create/ftruncate/pwrite: %s",
		      errname(errno));
		return -1;
	}
	return fd;
}

static off_t size_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) ? -1 : st.st_size;
}

static void test_unsealable(void)
{
	int fd = memfd_create("plain", 0);
	CHECK("seal.plain_has_seal_seal", seals(fd) == F_SEAL_SEAL,
	      "F_GET_SEALS %ld", seals(fd));
	CHECK_ERRNO("seal.plain_add_eperm",
		    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	CHECK("seal.plain_still_writable", pwrite(fd, "x", 1, 0) == 1,
	      "pwrite: %s", errname(errno));
	close(fd);
	fd = memfd_create("s", MFD_ALLOW_SEALING);
	CHECK("seal.allow_sealing_none", fd >= 0 && seals(fd) == 0,
	      "fd %d seals %ld (%s)", fd, seals(fd), errname(errno));
	CHECK_ERRNO("seal.unknown_bit", fcntl(fd, F_ADD_SEALS, 0x100), EINVAL);
	CHECK_ERRNO("seal.huge_arg",
		    syscall(SYS_fcntl, fd, F_ADD_SEALS, 1UL << 32), EINVAL);
	close(fd);
}

static void test_not_memfd(void)
{
	int p[2];
	if (pipe(p))
		return;
	CHECK_ERRNO("seal.pipe_get_einval", fcntl(p[1], F_GET_SEALS), EINVAL);
	CHECK_ERRNO("seal.pipe_add_einval",
		    fcntl(p[1], F_ADD_SEALS, F_SEAL_GROW), EINVAL);
	/* Write access is checked first, as on Linux. */
	CHECK_ERRNO("seal.readonly_eperm",
		    fcntl(p[0], F_ADD_SEALS, F_SEAL_GROW), EPERM);
	close(p[0]);
	close(p[1]);
	int fd = open("/dev/null", O_RDWR);
	CHECK_ERRNO("seal.devnull_einval", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW),
		    EINVAL);
	close(fd);
	/* A tmpfs file is a shmem file on Linux: sealed against sealing. */
	fd = open("/dev/shm/seal-test", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK("seal.tmpfs_seal_seal", fd >= 0 && seals(fd) == F_SEAL_SEAL,
	      "fd %d seals %ld (%s)", fd, seals(fd), errname(errno));
	CHECK_ERRNO("seal.tmpfs_add_eperm", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW),
		    EPERM);
	close(fd);
	fd = open("/dev/shm/seal-test", O_RDONLY);
	CHECK_ERRNO("seal.tmpfs_rdonly_eperm",
		    fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), EPERM);
	close(fd);
	unlink("/dev/shm/seal-test");
}

static void test_write_seal(void)
{
	int fd = sealable("seal.write_create");
	if (fd < 0)
		return;
	/* A writable shared mapping, ours: EBUSY until it goes. */
	char *m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("seal.write_map", m != MAP_FAILED, "mmap: %s", errname(errno));
	CHECK_ERRNO("seal.write_ebusy_mapped",
		    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	/* A read-only shared mapping of a writable fd may still become
	 * writable (VM_MAYWRITE): EBUSY too. */
	char *r = mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0);
	munmap(m, LEN);
	CHECK_ERRNO("seal.write_ebusy_maywrite",
		    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	munmap(r, LEN);
	/* A child's mapping counts as well. */
	m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int go[2];
	if (pipe(go))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(go[1]);
		read(go[0], &c, 1); /* holds the mapping until told */
		_exit(0);
	}
	munmap(m, LEN);
	CHECK_ERRNO("seal.write_ebusy_child",
		    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	close(go[1]);
	close(go[0]);
	waitpid(pid, NULL, 0);
	/* A private writable mapping does not count. */
	char *priv =
	    mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK_OK("seal.write_add", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	CHECK("seal.write_get", seals(fd) == F_SEAL_WRITE, "seals %ld",
	      seals(fd));
	CHECK_ERRNO("seal.write_write", write(fd, "x", 1), EPERM);
	CHECK_ERRNO("seal.write_pwrite", pwrite(fd, "x", 1, 0), EPERM);
	CHECK_ERRNO("seal.write_map_shared_rw",
		    mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
		    EPERM);
	r = mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("seal.write_map_shared_ro",
	      r != MAP_FAILED && !memcmp(r, "data", 4), "mmap: %s",
	      errname(errno));
	CHECK_ERRNO("seal.write_mprotect_eacces",
		    mprotect(r, LEN, PROT_READ | PROT_WRITE), EACCES);
	munmap(r, LEN);
	if (priv != MAP_FAILED) {
		priv[0] = 'D'; /* copy-on-write: the file keeps its data */
		char c = 0;
		CHECK("seal.write_private_cow",
		      pread(fd, &c, 1, 0) == 1 && c == 'd', "file has %#x", c);
		munmap(priv, LEN);
	}
	char *p2 = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK("seal.write_map_private_rw", p2 != MAP_FAILED, "mmap: %s",
	      errname(errno));
	munmap(p2, LEN);
	/* Not a size seal: resizing still works. */
	CHECK_OK("seal.write_ftruncate", ftruncate(fd, 2 * LEN));
	CHECK_OK("seal.write_readd", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	close(fd);
}

static void test_future_write(void)
{
	int fd = sealable("seal.future_create");
	if (fd < 0)
		return;
	char *m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK_OK("seal.future_add_mapped",
		 fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	if (m != MAP_FAILED) {
		m[1] = 'A'; /* the existing mapping still writes */
		char c = 0;
		CHECK("seal.future_old_map_writes",
		      pread(fd, &c, 1, 1) == 1 && c == 'A', "file has %#x", c);
		munmap(m, LEN);
	}
	CHECK_ERRNO("seal.future_write", write(fd, "x", 1), EPERM);
	CHECK_ERRNO("seal.future_pwrite", pwrite(fd, "x", 1, 0), EPERM);
	CHECK_ERRNO("seal.future_map_shared_rw",
		    mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
		    EPERM);
	char *r = mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("seal.future_map_shared_ro", r != MAP_FAILED, "mmap: %s",
	      errname(errno));
	CHECK_ERRNO("seal.future_mprotect_eacces",
		    mprotect(r, LEN, PROT_READ | PROT_WRITE), EACCES);
	munmap(r, LEN);
	close(fd);
}

static void test_size_seals(void)
{
	int fd = sealable("seal.shrink_create");
	if (fd < 0)
		return;
	CHECK_OK("seal.shrink_add", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	CHECK_ERRNO("seal.shrink_ftruncate", ftruncate(fd, LEN / 2), EPERM);
	CHECK_ERRNO("seal.shrink_ftruncate_0", ftruncate(fd, 0), EPERM);
	CHECK("seal.shrink_size_kept", size_of(fd) == LEN, "size %ld",
	      (long)size_of(fd));
	CHECK_OK("seal.shrink_same_size", ftruncate(fd, LEN));
	CHECK_OK("seal.shrink_grow", ftruncate(fd, 2 * LEN));
	CHECK("seal.shrink_write", pwrite(fd, "y", 1, 3 * LEN) == 1,
	      "pwrite: %s", errname(errno));
	close(fd);

	fd = sealable("seal.grow_create");
	if (fd < 0)
		return;
	CHECK_OK("seal.grow_add", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	CHECK_ERRNO("seal.grow_ftruncate", ftruncate(fd, 2 * LEN), EPERM);
	CHECK_ERRNO("seal.grow_pwrite_past_end", pwrite(fd, "y", 1, LEN),
		    EPERM);
	lseek(fd, 0, SEEK_END);
	CHECK_ERRNO("seal.grow_append", write(fd, "y", 1), EPERM);
	CHECK("seal.grow_size_kept", size_of(fd) == LEN, "size %ld",
	      (long)size_of(fd));
	CHECK("seal.grow_write_inside", pwrite(fd, "yy", 2, LEN - 2) == 2,
	      "pwrite: %s", errname(errno));
	CHECK("seal.grow_write_clipped", pwrite(fd, "zzzz", 4, LEN - 2) == 2,
	      "pwrite: %s", errname(errno));
	CHECK_OK("seal.grow_shrink", ftruncate(fd, LEN / 2));
	CHECK_ERRNO("seal.grow_regrow", ftruncate(fd, LEN), EPERM);
	close(fd);
}

static void test_seal_seal(void)
{
	int fd = sealable("seal.seal_create");
	if (fd < 0)
		return;
	CHECK_OK("seal.seal_add_many",
		 fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
	CHECK_OK("seal.seal_add_seal", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	CHECK("seal.seal_get",
	      seals(fd) == (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW),
	      "seals %ld", seals(fd));
	CHECK_ERRNO("seal.seal_refuses_more",
		    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	CHECK_ERRNO("seal.seal_refuses_same",
		    fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), EPERM);
	/* Seals live on the file, not the descriptor: a dup sees them. */
	int fd2 = dup(fd);
	CHECK("seal.seal_dup_sees", seals(fd2) == seals(fd), "seals %ld",
	      seals(fd2));
	close(fd2);
	close(fd);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_unsealable();
	test_not_memfd();
	test_write_seal();
	test_future_write();
	test_size_seals();
	test_seal_seal();
	return check_summary("sys_memfd_seal");
}
