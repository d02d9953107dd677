/* /proc/PID/smaps and smaps_rollup against what the test did to its own
 * memory: a private mapping with some pages written (Rss, Private_Dirty,
 * Anonymous, Pss), pages shared copy-on-write with a forked child and
 * MAP_SHARED pages both processes touched (Shared in both, Pss halved),
 * mlock (Locked, "lo"), VmFlags, every header the same as its maps line,
 * the rollup's Rss the sum of the areas', and 4000 areas kept to smaps'
 * bounded buffer. The expected values are
 * Linux's for the same program. */
#include "check.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096

static long read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = 0, r;
	while ((size_t)n < size - 1 &&
	       (r = read(fd, buf + n, size - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	return n;
}

static char smaps[65536], other[65536];

/* A header line starts with the address in hex; a field with a capital. */
static bool is_header(const char *l)
{
	return (*l >= '0' && *l <= '9') || (*l >= 'a' && *l <= 'f');
}

/* The record of the area starting at addr in text, or NULL. */
static const char *record(const char *text, void *addr)
{
	char want[32];
	int n = snprintf(want, sizeof(want), "%08lx-", (unsigned long)addr);
	for (const char *l = text; *l;) {
		if (strncmp(l, want, (size_t)n) == 0)
			return l;
		const char *e = strchr(l, '\n');
		if (!e)
			break;
		l = e + 1;
	}
	return NULL;
}

/* The value of "field:" in the record at rec (up to the next header), in
 * kB; -1 if absent. */
static long field(const char *rec, const char *name)
{
	size_t n = strlen(name);
	for (const char *l = strchr(rec, '\n'); l && l[1];
	     l = strchr(l, '\n')) {
		l++;
		if (is_header(l))
			break;
		if (strncmp(l, name, n) == 0 && l[n] == ':')
			return strtol(l + n + 1, NULL, 10);
	}
	return -1;
}

/* Whether the record's VmFlags line has the two-letter flag. */
static bool has_flag(const char *rec, const char *flag)
{
	const char *l = strstr(rec, "\nVmFlags:");
	if (!l)
		return false;
	const char *end = strchr(l + 1, '\n');
	char want[8];
	snprintf(want, sizeof(want), " %s ", flag);
	const char *f = strstr(l, want);
	return f && (!end || f < end);
}

/* The area at addr of the caller's smaps, re-read. */
static const char *self_record(void *addr)
{
	read_file("/proc/self/smaps", smaps, sizeof(smaps));
	return record(smaps, addr);
}

#define FIELD_IS(tag, rec, name, want)                                         \
	do {                                                                   \
		long got_ = (rec) ? field(rec, name) : -2;                     \
		CHECK(tag, got_ == (want), "%s: %ld kB, expected %ld kB",      \
		      name, got_, (long)(want));                               \
	} while (0)

static void check_private(void)
{
	char *m = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 5; i++)
		m[i * 3 * PAGE] = 1;
	const char *r = self_record(m);
	CHECK("smaps.private_found", r != NULL, "no record at %p", (void *)m);
	FIELD_IS("smaps.private_size", r, "Size", 64);
	FIELD_IS("smaps.private_rss", r, "Rss", 20);
	FIELD_IS("smaps.private_pss", r, "Pss", 20);
	FIELD_IS("smaps.private_dirty", r, "Private_Dirty", 20);
	FIELD_IS("smaps.private_clean", r, "Private_Clean", 0);
	FIELD_IS("smaps.private_not_shared", r, "Shared_Dirty", 0);
	FIELD_IS("smaps.private_anonymous", r, "Anonymous", 20);
	FIELD_IS("smaps.private_referenced", r, "Referenced", 20);
	FIELD_IS("smaps.private_locked", r, "Locked", 0);
	FIELD_IS("smaps.page_size", r, "KernelPageSize", 4);
	CHECK("smaps.private_flags",
	      r && has_flag(r, "rd") && has_flag(r, "wr") &&
		  !has_flag(r, "ex") && !has_flag(r, "sh") &&
		  strstr(r, "VmFlags: rd wr "),
	      "VmFlags wrong in %.400s", r ? r : "(none)");
	/* The header is maps' line for the area, character for character. */
	static char maps[16384];
	read_file("/proc/self/maps", maps, sizeof(maps));
	const char *ml = record(maps, m);
	size_t len = ml ? strcspn(ml, "\n") : 0;
	CHECK("smaps.header_is_maps_line",
	      r && ml && strncmp(r, ml, len) == 0 && r[len] == '\n',
	      "maps '%.*s' smaps '%.80s'", (int)len, ml ? ml : "",
	      r ? r : "(none)");
	munmap(m, 16 * PAGE);
}

/* Checks that the area at addr in our smaps shows want_shared kB shared
 * and nothing private; returns how many checks failed. */
static int shared_in(const char *who, void *addr, long want_shared,
		     bool want_sh)
{
	int before = check_nfail;
	char tag[64];
	const char *r = self_record(addr);
	long sc = r ? field(r, "Shared_Clean") : -1;
	long sd = r ? field(r, "Shared_Dirty") : -1;
	snprintf(tag, sizeof(tag), "smaps.%s_shared", who);
	CHECK(tag, sc >= 0 && sd >= 0 && sc + sd == want_shared,
	      "Shared_Clean %ld + Shared_Dirty %ld kB, expected %ld", sc, sd,
	      want_shared);
	snprintf(tag, sizeof(tag), "smaps.%s_no_private", who);
	CHECK(tag,
	      r && field(r, "Private_Clean") == 0 &&
		  field(r, "Private_Dirty") == 0,
	      "private pages in %.500s", r ? r : "(none)");
	snprintf(tag, sizeof(tag), "smaps.%s_pss_half", who);
	FIELD_IS(tag, r, "Pss", want_shared / 2);
	snprintf(tag, sizeof(tag), "smaps.%s_vmflags", who);
	CHECK(tag, r && has_flag(r, "sh") == want_sh,
	      "expected%s \"sh\" in %.500s", want_sh ? "" : " no",
	      r ? r : "(none)");
	return check_nfail - before;
}

/* Four private pages written, then shared copy-on-write with a child;
 * and four MAP_SHARED pages of which two are written and both processes
 * read. The child checks its side while the parent waits for it. */
static void check_fork(void)
{
	char *cow = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *shm = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 4; i++)
		cow[i * PAGE] = 1;
	shm[0] = shm[PAGE] = 1;
	/* Before the fork, alone: MAP_SHARED pages mapped once are private
	 * (Linux counts map counts, not who else could map them), and not
	 * Anonymous (they are shared memory). */
	const char *r = self_record(shm);
	FIELD_IS("smaps.shared_alone_private", r, "Private_Dirty", 8);
	FIELD_IS("smaps.shared_not_anonymous", r, "Anonymous", 0);
	CHECK("smaps.shared_alone_sh", r && has_flag(r, "sh"),
	      "no \"sh\" in %.500s", r ? r : "(none)");

	int go[2], done[2];
	if (pipe(go) || pipe(done)) {
		CHECK("smaps.fork_pipes", 0, "pipe: %s", errname(errno));
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		volatile char sink = shm[0] + shm[PAGE];
		(void)sink;
		int bad = shared_in("child_cow", cow, 16, false) +
			  shared_in("child_shm", shm, 8, true);
		char c = 0;
		if (write(done[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			bad++;
		_exit(bad);
	}
	char c;
	CHECK("smaps.child_ready", read(done[0], &c, 1) == 1, "no child");
	shared_in("parent_cow", cow, 16, false);
	shared_in("parent_shm", shm, 8, true);
	/* The parent wrote the copy-on-write pages: their entries stay
	 * dirty when the fork makes them read-only (as on Linux). */
	FIELD_IS("smaps.parent_cow_dirty", self_record(cow), "Shared_Dirty",
		 16);
	(void)!write(go[1], &c, 1);
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("smaps.child_checks", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "%d of the child's checks failed (status %#x)",
	      WIFEXITED(st) ? WEXITSTATUS(st) : -1, st);
	/* The child gone, the pages are the parent's alone again. */
	r = self_record(cow);
	FIELD_IS("smaps.cow_private_again", r, "Private_Dirty", 16);
	FIELD_IS("smaps.cow_pss_whole_again", r, "Pss", 16);
	munmap(cow, 4 * PAGE);
	munmap(shm, 4 * PAGE);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
}

static void check_locked(void)
{
	char *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const char *r = self_record(m);
	FIELD_IS("smaps.unlocked", r, "Locked", 0);
	CHECK("smaps.unlocked_no_lo", r && !has_flag(r, "lo"),
	      "\"lo\" before mlock");
	CHECK_OK("smaps.mlock", mlock(m, 4 * PAGE));
	r = self_record(m);
	FIELD_IS("smaps.locked", r, "Locked", 16);
	FIELD_IS("smaps.locked_rss", r, "Rss", 16);
	CHECK("smaps.locked_lo", r && has_flag(r, "lo"), "no \"lo\" in %.500s",
	      r ? r : "(none)");
	munlock(m, 4 * PAGE);
	munmap(m, 4 * PAGE);
}

/* The rollup's Rss is the sum of the areas' (smaps holds every area of
 * maps here) and status's VmRSS, all read twice so that the buffers' own
 * pages are in, with nothing allocated between the reads. */
static void check_rollup(void)
{
	static char maps[16384], status[4096];
	long sum = 0, rss = -1, pss = -1, sum_pss = 0, vmrss = -1;
	int records = 0, lines = 0;
	for (int pass = 0; pass < 2; pass++) {
		read_file("/proc/self/maps", maps, sizeof(maps));
		read_file("/proc/self/smaps", smaps, sizeof(smaps));
		read_file("/proc/self/smaps_rollup", other, sizeof(other));
		read_file("/proc/self/status", status, sizeof(status));
		sum = sum_pss = 0;
		records = lines = 0;
		for (const char *l = smaps; *l;) {
			if (is_header(l)) {
				records++;
				sum += field(l, "Rss");
				sum_pss += field(l, "Pss");
			}
			const char *e = strchr(l, '\n');
			if (!e)
				break;
			l = e + 1;
		}
		for (const char *l = maps; (l = strchr(l, '\n')); l++)
			lines++;
		rss = field(other, "Rss");
		pss = field(other, "Pss");
		const char *v = strstr(status, "\nVmRSS:");
		vmrss = v ? strtol(v + 7, NULL, 10) : -1;
	}
	CHECK("smaps.every_area", records == lines && records > 3,
	      "%d records, %d maps lines", records, lines);
	CHECK("smaps_rollup.header", strstr(other, "[rollup]\n") != NULL,
	      "'%.120s'", other);
	CHECK("smaps_rollup.rss_is_sum", rss == sum && sum > 0,
	      "rollup Rss %ld kB, the areas' sum %ld kB", rss, sum);
	/* Each area's Pss is rounded down to a kB; the rollup's once. */
	CHECK("smaps_rollup.pss", pss >= sum_pss && pss <= sum_pss + records,
	      "rollup Pss %ld kB, the areas' sum %ld kB", pss, sum_pss);
	CHECK("smaps_rollup.rss_is_vmrss", vmrss == rss,
	      "VmRSS %ld kB, rollup Rss %ld kB", vmrss, rss);
}

/* 4000 areas (every other page read-only): smaps stays within its
 * buffer and ends at a whole record, while smaps_rollup still counts
 * every page. */
static void check_many_areas(void)
{
	const int n = 4000;
	char *m = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		CHECK("smaps.many_mmap", 0, "%s", errname(errno));
		return;
	}
	for (int i = 0; i < n; i++)
		m[(size_t)i * PAGE] = 1;
	for (int i = 0; i < n; i += 2)
		mprotect(m + (size_t)i * PAGE, PAGE, PROT_READ);
	read_file("/proc/self/smaps_rollup", other, sizeof(other));
	long rss = field(other, "Rss");
	long len = read_file("/proc/self/smaps", smaps, sizeof(smaps));
	const char *last = len > 0 ? strrchr(smaps, 'V') : NULL;
	CHECK("smaps.many_areas_bounded",
	      len > 0 && len < 16384 && smaps[len - 1] == '\n' && last &&
		  strncmp(last, "VmFlags:", 8) == 0 && !strchr(last, '\n')[1],
	      "%ld bytes, ending '%.40s'", len,
	      len > 40 ? smaps + len - 40 : smaps);
	CHECK("smaps_rollup.many_areas_all", rss >= n * 4,
	      "rollup Rss %ld kB, %d pages written", rss, n);
	munmap(m, (size_t)n * PAGE);
}

int main(void)
{
	check_private();
	check_fork();
	check_locked();
	check_rollup();
	check_many_areas();
	/* Another process's smaps: pid 1's, read from a child. */
	pid_t pid = fork();
	if (pid == 0) {
		char path[32];
		snprintf(path, sizeof(path), "/proc/%d/smaps", (int)getppid());
		_exit(read_file(path, other, sizeof(other)) > 0 &&
			      strstr(other, "VmFlags:")
			  ? 0
			  : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK("smaps.other_process", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "could not read the parent's smaps");
	return check_summary("sys_smaps");
}
