/* The kernel command line, parsed with Linux's rules (kernel/cmdline.c):
 * known parameters are consumed; after "--", and for unknown words without
 * '=', words become init's arguments; unknown name=value words become init's
 * environment. */
#ifndef LIMEN_CMDLINE_H
#define LIMEN_CMDLINE_H

#include <types.h>

#define CMDLINE_MAX_ARGS 32

struct cmdline {
	const char *console;	/* console= */
	const char *init;	/* init= */
	const char *rdinit;	/* rdinit= */
	const char *root;	/* root= */
	const char *rootfstype; /* rootfstype= */
	const char *ktest;	/* ktest= : run in-kernel self-tests */
	unsigned fail_alloc;	/* fail_alloc=N: kernel/failinject.c */
	unsigned fail_blk;	/* fail_blk=N: kernel/failinject.c */
	bool quiet;
	bool ro, rw;
	int loglevel; /* -1 if not given */
	int panic_timeout;
	const char *init_argv[CMDLINE_MAX_ARGS + 1];
	int init_argc;
	const char *init_envp[CMDLINE_MAX_ARGS + 1];
	int init_envc;
	int dropped; /* words that did not fit */
};

extern struct cmdline cmdline;

/* Parses buf in place (it is split into words). Returns 0 or -E2BIG if some
 * words were dropped. */
int cmdline_parse(char *buf, struct cmdline *out);

#endif
