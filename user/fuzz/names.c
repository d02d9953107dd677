/* System-call names for the fuzzer's reports, from the kernel's own list
 * (kept apart from worker.c: the list defines __NR_* names that clash with
 * musl's <sys/syscall.h>). */
#include "../../include/syscall_names.h"

#define NAME_ENTRY(nr, name) [nr] = #name,
static const char *const names[] = {SYSCALL_NAMES(NAME_ENTRY)};

const char *fuzz_syscall_name(long nr)
{
	if (nr >= 0 && nr < (long)(sizeof(names) / sizeof(names[0])) &&
	    names[nr])
		return names[nr];
	return "?";
}
