/* Memory pressure on the page cache, run by tests/storage-suite.sh in a
 * guest with less RAM than the file (argv[1]: an ext2 mount, argv[2]: the
 * file's size in MiB): while a child keeps a working set of anonymous
 * memory and checks it, the parent writes the file, reads it back twice
 * (read() and a sliding mmap window) and checks every byte. Clean cached
 * pages must make room: nothing is lost, and the OOM killer never runs
 * (the child, the largest process, would be its victim). */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define MIB (1024 * 1024)
#define WORKING_SET (24 * MIB)
#define WINDOW (16 * MIB)

static unsigned char pat(uint64_t i)
{
	return (unsigned char)(i * 29 + (i >> 12) * 3 + (i >> 20) * 11);
}

/* The child: fills its working set, then until told to stop (its stdin
 * closes) walks it, checking every page and touching it again. */
static int keep_working_set(int rfd)
{
	unsigned char *w = mmap(NULL, WORKING_SET, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w == MAP_FAILED)
		return 2;
	for (size_t i = 0; i < WORKING_SET; i += 4096)
		w[i] = (unsigned char)(i >> 12);
	fcntl(rfd, F_SETFL, O_NONBLOCK);
	for (unsigned round = 0;; round++) {
		for (size_t i = 0; i < WORKING_SET; i += 4096)
			if (w[i] != (unsigned char)((i >> 12) + round))
				return 3;
			else
				w[i]++;
		char c;
		if (read(rfd, &c, 1) == 0)
			return 0;
		usleep(1000);
	}
}

static long meminfo(const char *f)
{
	return proc_kb("/proc/meminfo", f);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: ext2_pressure DIR MiB\n");
		return 2;
	}
	char path[256];
	snprintf(path, sizeof(path), "%s/pressure.dat", argv[1]);
	size_t len = (size_t)atoi(argv[2]) * MIB;
	long total = meminfo("MemTotal");
	CHECK("pressure.file_larger_than_ram", (long)(len / 1024) > total,
	      "file %zu MiB, MemTotal %ld kB", len / MIB, total);

	int p[2];
	if (pipe(p))
		return 1;
	pid_t child = fork();
	if (child == 0) {
		close(p[1]);
		_exit(keep_working_set(p[0]));
	}
	close(p[0]);

	static unsigned char buf[MIB];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0;
	for (size_t off = 0; ok && off < len; off += MIB) {
		for (size_t i = 0; i < MIB; i++)
			buf[i] = pat(off + i);
		ok = write(fd, buf, MIB) == MIB;
	}
	CHECK("pressure.write", ok, "%s", errname(errno));

	size_t bad = len;
	for (size_t off = 0; ok && off < len && bad == len; off += MIB) {
		if (pread(fd, buf, MIB, (off_t)off) != MIB) {
			bad = off;
			break;
		}
		for (size_t i = 0; i < MIB; i++)
			if (buf[i] != pat(off + i)) {
				bad = off + i;
				break;
			}
	}
	CHECK("pressure.read_back", ok && bad == len, "byte %zu differs", bad);
	long cached = meminfo("Cached");
	CHECK("pressure.cache_bounded", cached > 0 && cached < total,
	      "Cached %ld kB of %ld kB", cached, total);

	bad = len;
	for (size_t off = 0; ok && off < len && bad == len; off += WINDOW) {
		size_t n = len - off < WINDOW ? len - off : WINDOW;
		unsigned char *m =
		    mmap(NULL, n, PROT_READ, MAP_SHARED, fd, (off_t)off);
		if (m == MAP_FAILED) {
			bad = off;
			break;
		}
		for (size_t i = 0; i < n; i += 512)
			if (m[i] != pat(off + i)) {
				bad = off + i;
				break;
			}
		munmap(m, n);
	}
	CHECK("pressure.mmap_back", ok && bad == len, "byte %zu differs", bad);

	close(p[1]);
	int st = 0;
	waitpid(child, &st, 0);
	CHECK("pressure.working_set_kept",
	      WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %s %d",
	      WIFEXITED(st) ? "exited" : "killed by signal",
	      WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	close(fd);
	CHECK_OK("pressure.unlink", unlink(path));
	return check_summary("ext2_pressure");
}
