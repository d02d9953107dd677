/* In-kernel self-tests, run at boot with ktest=all or ktest=NAME[,NAME...]
 * (kernel/ktest.c). Each test reports through ktest_check(); results are
 * printed as "PASS name" / "FAIL name: why" for the host harness. */
#ifndef LIMEN_KTEST_H
#define LIMEN_KTEST_H

#include <types.h>

struct ktest {
	const char *name;
	void (*fn)(void);
};

#define KTEST(tname)                                                           \
	static void ktest_fn_##tname(void);                                    \
	static const struct ktest ktest_##tname                                \
	    __attribute__((used, section(".ktest"), aligned(8))) = {           \
		#tname, ktest_fn_##tname};                                     \
	static void ktest_fn_##tname(void)

void ktest_check(bool ok, const char *name, const char *fmt, ...)
    __printf(3, 4);
#define KCHECK(cond, name, ...)                                                \
	ktest_check((cond), (name), "(" #cond ") " __VA_ARGS__)

/* Runs the selected tests; returns the number of failures. */
int ktest_run(const char *selection);

#endif
