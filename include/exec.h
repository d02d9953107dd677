/* Program loading (kernel/exec.c): builds a new address space from an ELF64
 * executable (static, static-PIE, or dynamic with the PT_INTERP loader it
 * names) and lays out the initial stack exactly as Linux does: argc,
 * argv[], NULL, envp[], NULL, auxv pairs, then the strings and AT_RANDOM
 * bytes near the top. */
#ifndef LIMEN_EXEC_H
#define LIMEN_EXEC_H

#include <types.h>

struct mm;

/* Reads len bytes at offset off of the executable; returns bytes read or
 * -errno. */
typedef long (*exec_read_fn)(void *ctx, void *buf, size_t len, uint64_t off);

struct exec_image {
	/* In: the file the segments come from, for /proc/PID/maps (or
	 * NULL); exec_load takes its own references. */
	struct vma_file *file;
	/* In: the ids the program will run with, for the aux vector
	 * (AT_UID...), and whether they changed (AT_SECURE). */
	uint32_t uid, euid, gid, egid;
	bool secure;
	struct mm *mm;	 /* the new address space */
	uintptr_t entry; /* initial rip */
	uintptr_t sp;	 /* initial rsp */
	/* The ELF file that was loaded (a script's interpreter), for
	 * /proc/PID/exe: absolute, as the caller named it. */
	char exe[256];
};

#define EXEC_ARG_MAX (128 * 1024) /* argv + envp bytes, then E2BIG */
#define EXEC_ARGC_MAX 4096

/* The program interpreter (PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2)
 * a dynamic executable names, as an open file to load beside it. */
struct exec_interp {
	exec_read_fn read;
	void *ctx;
	struct vma_file *file; /* for /proc/PID/maps, or NULL */
};

/* Copies the executable's PT_INTERP path into buf (size bytes); buf is ""
 * when it has none. -ENOEXEC for a malformed file or a path that does not
 * fit. */
int exec_interp_path(exec_read_fn read, void *ctx, char *buf, size_t size);

/* argv/envp are kernel copies. execfn is the path as given (AT_EXECFN).
 * interp is the opened interpreter when the program names one (NULL
 * otherwise; a program that names one is then -ENOEXEC). */
int exec_load(exec_read_fn read, void *ctx, const char *execfn,
	      const char *const *argv, const char *const *envp,
	      const struct exec_interp *interp, struct exec_image *out);

#endif
