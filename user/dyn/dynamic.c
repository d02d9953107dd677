/* A dynamically linked glibc program (built by the host's gcc without
 * -static), run from `make run`'s disk, where tools/mkrootfs puts Debian's
 * ld.so and libraries: execve loads the program and the interpreter its
 * PT_INTERP names, and ld.so does the rest with mmap, mprotect and the
 * files. Checks what the kernel handed over (the aux vector, the maps), that
 * libraries load and run (libc, libm through dlopen, threads), and how
 * execve refuses a broken interpreter, as Linux does: a missing one is
 * ENOENT, one without execute permission EACCES, one shorter than an ELF
 * header EIO, one that is not an ELF file ELIBBAD, and a PT_INTERP path
 * without its NUL ENOEXEC. It passes on Linux too. */
#define _GNU_SOURCE
#include "../tests/check.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char _start[];

static void *thread_main(void *arg)
{
	return (void *)(strlen(arg) + 1);
}

/* The start of the first mapping whose line in /proc/self/maps names a
 * file with this suffix. */
static uintptr_t map_start(const char *suffix)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uintptr_t found = 0;
	while (f && !found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		size_t n = strlen(line), k = strlen(suffix);
		if (n >= k && strcmp(line + n - k, suffix) == 0)
			found = strtoull(line, NULL, 16);
	}
	if (f)
		fclose(f);
	return found;
}

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(const void **)data = info->dlpi_phdr;
	return 1; /* the first object is the program itself */
}

static void loader_checks(void)
{
	uintptr_t base = getauxval(AT_BASE),
		  ld = map_start("ld-linux-x86-64.so.2");
	CHECK("dynamic.at_base_is_ld_so", base != 0 && base == ld,
	      "AT_BASE %#lx, ld.so mapped at %#lx", (unsigned long)base,
	      (unsigned long)ld);
	CHECK("dynamic.at_entry_is_program",
	      getauxval(AT_ENTRY) == (uintptr_t)_start,
	      "AT_ENTRY %#lx, _start %p", getauxval(AT_ENTRY), (void *)_start);
	const void *phdr = NULL;
	dl_iterate_phdr(phdr_cb, &phdr);
	CHECK("dynamic.at_phdr_is_program",
	      phdr && getauxval(AT_PHDR) == (uintptr_t)phdr,
	      "AT_PHDR %#lx, program headers %p", getauxval(AT_PHDR), phdr);
	CHECK("dynamic.libc_mapped", map_start("/libc.so.6") != 0,
	      "no libc.so.6 in /proc/self/maps");
}

static void library_checks(void)
{
	char *p = malloc(1 << 20);
	CHECK("dynamic.malloc", p != NULL, "malloc failed");
	if (p) {
		memset(p, 'x', 1 << 20);
		strcpy(p, "limen");
	}
	pthread_t t;
	void *ret = NULL;
	CHECK("dynamic.thread",
	      p && pthread_create(&t, NULL, thread_main, p) == 0 &&
		  pthread_join(t, &ret) == 0 && (long)ret == 6,
	      "thread returned %ld", (long)ret);
	free(p);
	void *m = dlopen("libm.so.6", RTLD_NOW);
	double (*sqrt_fn)(double) =
	    m ? (double (*)(double))dlsym(m, "sqrt") : NULL;
	CHECK("dynamic.dlopen_libm", sqrt_fn && sqrt_fn(144.0) == 12.0,
	      "dlopen: %s", m ? "no sqrt" : dlerror());
	if (m)
		dlclose(m);
}

/* Runs path with argv {path, "--child"}; the exit status, or -errno if
 * execve failed (the child reports its errno as its status + 100). */
static int run(const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)path, "--child", NULL};
		execv(path, argv);
		_exit(100 + errno);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1000;
	int code = WEXITSTATUS(st);
	return code >= 100 ? -(code - 100) : code;
}

static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char *buf = malloc(st.st_size);
	ssize_t got = buf ? read(fd, buf, st.st_size) : -1;
	close(fd);
	if (got != st.st_size) {
		free(buf);
		return NULL;
	}
	*len = st.st_size;
	return buf;
}

static int spit(const char *path, const void *buf, size_t len, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return -1;
	ssize_t put = write(fd, buf, len);
	close(fd);
	return put == (ssize_t)len ? 0 : -1;
}

/* This program with its PT_INTERP changed: the path replaced by interp
 * (which must fit in the old one), or, with no interp, its length cut by
 * one so that the path's NUL falls outside. */
static int patched_copy(const char *out, const char *interp)
{
	size_t len;
	char *img = slurp("/proc/self/exe", &len);
	if (!img)
		return -1;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	int r = -1;
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh->e_phoff) + i;
		if (ph->p_type != PT_INTERP)
			continue;
		if (!interp) {
			ph->p_filesz--;
			r = 0;
		} else if (strlen(interp) < ph->p_filesz) {
			memset(img + ph->p_offset, 0, ph->p_filesz);
			memcpy(img + ph->p_offset, interp, strlen(interp));
			r = 0;
		}
	}
	if (r == 0)
		r = spit(out, img, len, 0755);
	free(img);
	return r;
}

static void refusal_checks(void)
{
	const char *ld = "/lib64/ld-linux-x86-64.so.2";
	int r = run("/proc/self/exe");
	CHECK("dynamic.reexec", r == 42, "status %d", r);
	/* ld.so run as a program (a static PIE) runs the program it is
	 * given: here this one. */
	char self[256] = "";
	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		strcpy(self, "/proc/self/exe");
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)ld, self, "--child", NULL};
		execv(ld, argv);
		_exit(100 + errno);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("dynamic.ld_so_as_program",
	      WIFEXITED(st) && WEXITSTATUS(st) == 42, "status %#x", st);

	r = -1;
	if (patched_copy("/tmp/dyn-missing", "/nonexistent/ld.so") == 0)
		r = run("/tmp/dyn-missing");
	CHECK("dynamic.missing_interp_enoent", r == -ENOENT, "status %d", r);
	size_t len;
	char *ldimg = slurp(ld, &len);
	r = -1;
	if (ldimg && spit("/tmp/ld-noexec", ldimg, len, 0644) == 0 &&
	    patched_copy("/tmp/dyn-noexec", "/tmp/ld-noexec") == 0)
		r = run("/tmp/dyn-noexec");
	CHECK("dynamic.noexec_interp_eacces", r == -EACCES, "status %d", r);
	free(ldimg);
	/* Shorter than an ELF header: the read of it fails, EIO. */
	const char text[] = "#!/bin/sh\necho not an ELF file\n";
	r = -1;
	if (spit("/tmp/ld-text", text, sizeof(text) - 1, 0755) == 0 &&
	    patched_copy("/tmp/dyn-text", "/tmp/ld-text") == 0)
		r = run("/tmp/dyn-text");
	CHECK("dynamic.short_interp_eio", r == -EIO, "status %d", r);
	char longer[256];
	memset(longer, '#', sizeof(longer));
	r = -1;
	if (spit("/tmp/ld-text", longer, sizeof(longer), 0755) == 0)
		r = run("/tmp/dyn-text");
	CHECK("dynamic.non_elf_interp_elibbad", r == -ELIBBAD, "status %d", r);
	r = -1;
	if (patched_copy("/tmp/dyn-nonul", NULL) == 0)
		r = run("/tmp/dyn-nonul");
	CHECK("dynamic.unterminated_interp_enoexec", r == -ENOEXEC, "status %d",
	      r);
	unlink("/tmp/dyn-missing");
	unlink("/tmp/dyn-noexec");
	unlink("/tmp/ld-noexec");
	unlink("/tmp/dyn-text");
	unlink("/tmp/ld-text");
	unlink("/tmp/dyn-nonul");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--child") == 0)
		return 42;
	loader_checks();
	library_checks();
	refusal_checks();
	return check_summary("dynamic");
}
