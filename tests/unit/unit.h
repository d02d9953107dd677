/* A tiny harness for host unit tests: one line per check, "PASS name" or
 * "FAIL name: file:line: why", and unit_done() as main's exit status.
 * The CHECK macros are expressions that yield whether the check passed. */
#ifndef LIMEN_UNIT_H
#define LIMEN_UNIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int unit_checks, unit_failures;

/* Line-buffered, so the lines before a sanitizer abort are not lost. */
static inline void unit_line_start(void)
{
	if (unit_checks++ == 0)
		setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline bool unit_pass(const char *name)
{
	unit_line_start();
	printf("PASS %s\n", name);
	return true;
}

static inline bool __attribute__((format(printf, 4, 5)))
unit_fail(const char *name, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	unit_line_start();
	unit_failures++;
	printf("FAIL %s: %s:%d: ", name, file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return false;
}

/* For tests with their own checking helpers: why is printed as given. */
static inline bool unit_report(int ok, const char *name, const char *file,
			       int line, const char *why)
{
	if (ok)
		return unit_pass(name);
	return unit_fail(name, file, line, "%s", why);
}

/* Quotes s with C escapes, so a stray newline cannot split a result line;
 * too long a string ends in "...". Returns buf (size >= 16). */
static inline const char *unit_quote(char *buf, size_t size, const char *s)
{
	size_t o = 0;

	if (!s)
		return "NULL";
	buf[o++] = '"';
	for (; *s && o + 10 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			o += sprintf(buf + o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += sprintf(buf + o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o++] = '"';
	if (*s)
		o += sprintf(buf + o, "...");
	buf[o] = '\0';
	return buf;
}

/* "expected 3", or "expected 3 (n_items)" when the expression is not just
 * the number itself. */
static inline const char *unit_expected(char *buf, size_t size,
					const char *value, const char *expr)
{
	if (strcmp(value, expr) == 0)
		return value;
	snprintf(buf, size, "%s (%s)", value, expr);
	return buf;
}

static inline bool unit_eq_int(const char *name, const char *file, int line,
			       const char *ea, const char *eb, long long a,
			       long long b)
{
	char vb[32], want[200];

	if (a == b)
		return unit_pass(name);
	snprintf(vb, sizeof(vb), "%lld", b);
	return unit_fail(name, file, line, "%s is %lld, expected %s", ea, a,
			 unit_expected(want, sizeof(want), vb, eb));
}

static inline bool unit_eq_uint(const char *name, const char *file, int line,
				const char *ea, const char *eb,
				unsigned long long a, unsigned long long b)
{
	char vb[48], want[200];

	if (a == b)
		return unit_pass(name);
	snprintf(vb, sizeof(vb), "%llu", b);
	if (strcmp(vb, eb) != 0)
		snprintf(vb, sizeof(vb), "%llu = %#llx", b, b);
	return unit_fail(name, file, line, "%s is %llu = %#llx, expected %s",
			 ea, a, a, unit_expected(want, sizeof(want), vb, eb));
}

static inline bool unit_eq_ptr(const char *name, const char *file, int line,
			       const char *ea, const char *eb, const void *a,
			       const void *b)
{
	if (a == b)
		return unit_pass(name);
	return unit_fail(name, file, line, "%s is %p, expected %p (%s)", ea, a,
			 b, eb);
}

static inline bool unit_eq_str(const char *name, const char *file, int line,
			       const char *ea, const char *eb, const char *a,
			       const char *b)
{
	char qa[200], qb[200], want[500];

	if (a == b || (a && b && strcmp(a, b) == 0))
		return unit_pass(name);
	return unit_fail(name, file, line, "%s is %s, expected %s", ea,
			 unit_quote(qa, sizeof(qa), a),
			 unit_expected(want, sizeof(want),
				       unit_quote(qb, sizeof(qb), b), eb));
}

static inline bool unit_eq_mem(const char *name, const char *file, int line,
			       const char *ea, const char *eb, const void *a,
			       const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return unit_fail(name, file, line,
					 "%s and %s differ at byte %zu of %zu: "
					 "%#04x, expected %#04x",
					 ea, eb, i, n, x[i], y[i]);
	}
	return unit_pass(name);
}

#define CHECK(name, cond)                                                      \
	unit_report(!!(cond), name, __FILE__, __LINE__, #cond " is false")
#define CHECK_EQ_INT(name, a, b)                                               \
	unit_eq_int(name, __FILE__, __LINE__, #a, #b, (long long)(a),          \
		    (long long)(b))
#define CHECK_EQ_UINT(name, a, b)                                              \
	unit_eq_uint(name, __FILE__, __LINE__, #a, #b,                         \
		     (unsigned long long)(a), (unsigned long long)(b))
#define CHECK_EQ_PTR(name, a, b)                                               \
	unit_eq_ptr(name, __FILE__, __LINE__, #a, #b, (a), (b))
#define CHECK_EQ_STR(name, a, b)                                               \
	unit_eq_str(name, __FILE__, __LINE__, #a, #b, (a), (b))
#define CHECK_EQ_MEM(name, a, b, n)                                            \
	unit_eq_mem(name, __FILE__, __LINE__, #a, #b, (a), (b), (n))

/* main's exit status. A program that checked nothing has a broken harness,
 * not a passing test. */
static inline int unit_done(void)
{
	if (unit_checks == 0)
		unit_fail("unit_done", __FILE__, __LINE__, "no checks ran");
	return unit_failures ? 1 : 0;
}

#endif
