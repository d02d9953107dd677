/* A tiny harness for host unit tests: one line per check, "PASS name" or
 * "FAIL name: why", and unit_done() as main's exit status. */
#ifndef LIMEN_UNIT_H
#define LIMEN_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failures;

static inline void unit_report(int ok, const char *name, const char *file,
			       int line, const char *why)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		unit_failures++;
		printf("FAIL %s: %s:%d: %s\n", name, file, line, why);
	}
}

#define CHECK(name, cond)                                                      \
	unit_report(!!(cond), (name), __FILE__, __LINE__, #cond)

#define CHECK_EQ_INT(name, a, b)                                               \
	do {                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);            \
		char _w[160];                                                  \
		snprintf(_w, sizeof(_w), "%s == %lld, expected %lld", #a, _a,  \
			 _b);                                                  \
		unit_report(_a == _b, (name), __FILE__, __LINE__, _w);         \
	} while (0)

#define CHECK_EQ_STR(name, a, b)                                               \
	do {                                                                   \
		const char *_a = (a), *_b = (b);                               \
		char _w[300];                                                  \
		snprintf(_w, sizeof(_w), "\"%s\", expected \"%s\"", _a, _b);   \
		unit_report(strcmp(_a, _b) == 0, (name), __FILE__, __LINE__,   \
			    _w);                                               \
	} while (0)

static inline int unit_done(void)
{
	return unit_failures ? 1 : 0;
}

#endif
