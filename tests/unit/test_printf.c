/* Host tests of lib/printf.c, compiled as lm_snprintf/lm_vsnprintf (see
 * unit_rename_lib.h) and compared byte for byte, return value included, with
 * the host C library on hand-picked cases and on generated format tables. */
#include "unit.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>

#include <unit_rename_lib.h>
#include "../../lib/printf.c"
#include <unit_unrename_lib.h>

#define BUF 512

static bool same_output(const char *name, int line, const char *want, int rw,
			const char *got, int rg)
{
	char qw[300], qg[300];

	if (rw == rg && memcmp(want, got, (size_t)rw + 1) == 0)
		return unit_pass(name);
	return unit_fail(name, __FILE__, line,
			 "got %s (ret %d), expected %s (ret %d)",
			 unit_quote(qg, sizeof(qg), got), rg,
			 unit_quote(qw, sizeof(qw), want), rw);
}

/* The kernel's printf must agree with the host's on this call. */
#define SAME(fmt, ...)                                                         \
	do {                                                                   \
		char _want[BUF], _got[BUF];                                    \
		int _rw = snprintf(_want, sizeof(_want), fmt, ##__VA_ARGS__);  \
		int _rg = lm_snprintf(_got, sizeof(_got), fmt, ##__VA_ARGS__); \
		same_output("printf " #fmt " " #__VA_ARGS__, __LINE__, _want,  \
			    _rw, _got, _rg);                                   \
	} while (0)

/* As SAME, for formats -Wformat rejects (flags C says are ignored). */
#define SAME_NL(fmt, ...)                                                      \
	do {                                                                   \
		const char *volatile _f = fmt;                                 \
		char _want[BUF], _got[BUF];                                    \
		int _rw = snprintf(_want, sizeof(_want), _f, ##__VA_ARGS__);   \
		int _rg = lm_snprintf(_got, sizeof(_got), _f, ##__VA_ARGS__);  \
		same_output("printf " #fmt " " #__VA_ARGS__, __LINE__, _want,  \
			    _rw, _got, _rg);                                   \
	} while (0)

/* Where the kernel deliberately differs from the host (NULL, %p, errors). */
#define EXPECT(want, fmt, ...)                                                 \
	do {                                                                   \
		char _got[BUF];                                                \
		int _rg = lm_snprintf(_got, sizeof(_got), fmt, ##__VA_ARGS__); \
		same_output("printf " #fmt " " #__VA_ARGS__, __LINE__, want,   \
			    (int)strlen(want), _got, _rg);                     \
	} while (0)

static void test_integers(void)
{
	SAME("%d", 0);
	SAME("%d", 42);
	SAME("%d", -42);
	SAME("%i", -7);
	SAME("%d", INT_MIN);
	SAME("%d", INT_MAX);
	SAME("%u", UINT_MAX);
	SAME("%u", 0u);
	SAME("%ld", LONG_MIN);
	SAME("%lu", ULONG_MAX);
	SAME("%lld", LLONG_MIN);
	SAME("%lld", LLONG_MAX);
	SAME("%llu", ULLONG_MAX);
	SAME("%llx", ULLONG_MAX);
	SAME("%llX", 0xdeadBEEFcafeULL);
	SAME("%llo", ULLONG_MAX);
	SAME("%#llo", ULLONG_MAX);
	SAME("%lli", LLONG_MIN + 1);
	SAME("%x", 0xabcdefu);
	SAME("%X", 0xabcdefu);
	SAME("%o", 8u);
	SAME("%#o", 0u);
	SAME("%#.0o", 0u);
	SAME("%#x", 0u);
	SAME("%#.0x", 0u);
	SAME("%#X", 255u);
	SAME("%#5o", 8u);
	SAME("%#05o", 8u);
	SAME("%#.5o", 8u);
	SAME("%#010x", 0x1234u);
	SAME("%-#10x|", 0x1234u);
	SAME("%.0d", 0);
	SAME("%5.0d|", 0);
	SAME("%+.0d", 0);
	SAME("% .0d", 0);
	SAME("%.0u", 0u);
	SAME("%+d", 5);
	SAME("%+d", -5);
	SAME("%+d", 0);
	SAME("% d", 5);
	SAME("% d", -5);
	SAME_NL("%+ d", 5);
	SAME("%05d", -42);
	SAME_NL("%-05d|", -42);
	SAME_NL("%08.3d", -42);
	SAME("%+08d", 42);
	SAME("% 08d", 42);
	SAME("%.10d", INT_MIN);
	SAME("%25lld|", LLONG_MIN);
	SAME("%-25lld|", LLONG_MIN);
	SAME("%025lld", LLONG_MIN);
	SAME("%1d", 12345);
	SAME("%300d", 1);
	SAME("%-300d|", 1);
	SAME("%.300d", 1);
}

static void test_lengths(void)
{
	SAME("%hhd", 200);
	SAME("%hhd", -129);
	SAME("%hhu", -1);
	SAME("%hhx", 0x1ff);
	SAME("%hd", 70000);
	SAME("%hd", -32769);
	SAME("%hu", -1);
	SAME("%hx", 0x12345);
	SAME("%zu", SIZE_MAX);
	SAME("%zx", (size_t)0x123456789abULL);
	SAME("%zd", (ssize_t)-1);
	SAME("%zd", (ssize_t)LONG_MIN);
	SAME("%td", (ptrdiff_t)PTRDIFF_MIN);
	SAME("%tu", (ptrdiff_t)-1);
	SAME("%tx", (ptrdiff_t)-2);
	SAME("%jd", INTMAX_MIN);
	SAME("%jd", INTMAX_MAX);
	SAME("%ju", UINTMAX_MAX);
	SAME("%jx", UINTMAX_MAX);
	/* Arguments after a narrow one must still be fetched correctly. */
	SAME("%hhd %lld %hd %s %zu", 1, -2LL, 3, "x", (size_t)4);
}

static void test_chars_strings(void)
{
	const char *volatile null = NULL; /* hidden from -Wformat */

	SAME("%c", 'a');
	SAME("%5c|", 'a');
	SAME("%-5c|", 'a');
	SAME("%c%c%c", 'a', 'b', 'c');
	SAME("%c", 0x100 + 'z');
	SAME("%s", "");
	SAME("%s", "hello");
	SAME("%10s|", "hello");
	SAME("%-10s|", "hello");
	SAME("%.3s", "hello");
	SAME("%.0s|", "hello");
	SAME("%.10s", "hello");
	SAME("%8.3s|", "hello");
	SAME("%-8.3s|", "hello");
	SAME("%2s", "hello");
	SAME("%s and %s", "this", "that");
	SAME("%%");
	SAME("100%% %d%%", 5);
	SAME("no conversions");
	SAME_NL("");
	EXPECT("(null)", "%s", null);
	EXPECT("    (null)|", "%10s|", null);
	EXPECT("(null)    |", "%-10s|", null);
	EXPECT("(nu", "%.3s", null); /* glibc prints "" here; Linux "(nu" */

	{
		/* %c of NUL puts a NUL in the middle of the output. */
		char got[8];
		int r = lm_snprintf(got, sizeof(got), "a%cb", 0);

		CHECK_EQ_INT("printf_nul_char_ret", r, 3);
		CHECK_EQ_MEM("printf_nul_char_bytes", got, "a\0b", 4);
	}
	{
		/* With a precision, the string need not be NUL-terminated. */
		const char raw[3] = {'x', 'y', 'z'};
		char got[8];

		lm_snprintf(got, sizeof(got), "%.3s", raw);
		CHECK_EQ_STR("printf_prec_unterminated", got, "xyz");
	}
}

static void test_pointers(void)
{
	int x;
	void *volatile null = NULL;

	SAME("%p", (void *)&x);
	SAME("%p", (void *)0x1234);
	SAME("%p", (void *)UINTPTR_MAX);
	SAME("%20p|", (void *)0xabc);
	SAME("%-20p|", (void *)0xabc);
	EXPECT("0x0", "%p", null); /* glibc prints "(nil)" */
	EXPECT("  0x0|", "%5p|", null);
	EXPECT("0xffff800000001000", "%p", (void *)0xffff800000001000ULL);
	{
		/* '0' with %p is not C, so hide it from -Wformat. */
		const char *volatile zero_pad = "%011p";
		char got[32];

		lm_snprintf(got, sizeof(got), zero_pad, (void *)0xabc);
		CHECK_EQ_STR("printf_p_zero_pad", got, "0x000000abc");
	}
}

static void test_star(void)
{
	SAME("%*d|", 5, 42);
	SAME("%*d|", -5, 42);
	SAME("%-*d|", -5, 42);
	SAME("%*d|", 0, 42);
	SAME("%.*d|", 5, 42);
	SAME("%.*d|", -1, 42);
	SAME("%.*d|", 0, 0);
	SAME("%*.*d|", 8, 4, -42);
	SAME("%*.*s|", -8, 2, "hello");
	SAME("%.*s|", -3, "hello");
	SAME("%*s%d", 3, "a", 9);
	SAME("%0*d", 6, -1);
}

/* Behaviour the host does not define, so the expected text is ours. */
static void test_malformed(void)
{
	const char *volatile bad_conv = "a%yb";
	const char *volatile trailing = "abc%";
	const char *volatile trailing_spec = "x%-5";
	const char *volatile bad_then_good = "%y%d";
	char got[32];
	int r;

	r = lm_snprintf(got, sizeof(got), bad_conv, 1);
	CHECK_EQ_STR("printf_unknown_conv", got, "a%yb");
	CHECK_EQ_INT("printf_unknown_conv_ret", r, 4);
	r = lm_snprintf(got, sizeof(got), trailing, 1);
	CHECK_EQ_STR("printf_trailing_percent", got, "abc%");
	CHECK_EQ_INT("printf_trailing_percent_ret", r, 4);
	r = lm_snprintf(got, sizeof(got), trailing_spec, 1);
	CHECK_EQ_STR("printf_trailing_spec", got, "x%-5");
	/* An unknown conversion takes no argument: the next one gets it. */
	lm_snprintf(got, sizeof(got), bad_then_good, 7);
	CHECK_EQ_STR("printf_unknown_takes_no_arg", got, "%y7");
}

/* Every buffer size from 0 to past the full length: same bytes and return
 * as the host, NUL at the end, and nothing written beyond size. */
static void test_truncation(void)
{
	static const char *const texts[] = {"", "a", "hello",
					    "0123456789abcdef"};
	char why[200] = "";

	for (size_t t = 0; t < ARRAY_SIZE(texts); t++) {
		for (size_t size = 0; size <= 40; size++) {
			char want[64], got[64];
			int rw, rg;

			memset(want, '#', sizeof(want));
			memset(got, '#', sizeof(got));
			rw = snprintf(want, size, "[%s|%5d]", texts[t], -12);
			rg = lm_snprintf(got, size, "[%s|%5d]", texts[t], -12);
			if (!why[0] &&
			    (rw != rg || memcmp(want, got, sizeof(got))))
				snprintf(why, sizeof(why),
					 "text %zu size %zu: ret %d vs %d, "
					 "or bytes differ",
					 t, size, rg, rw);
		}
	}
	if (why[0])
		unit_fail("printf_truncation_sizes", __FILE__, __LINE__, "%s",
			  why);
	else
		unit_pass("printf_truncation_sizes");

	CHECK_EQ_INT("printf_null_buf_size0", lm_snprintf(NULL, 0, "%d", 12345),
		     5);
	{
		char b[4] = "zzz";

		CHECK_EQ_INT("printf_size1_ret", lm_snprintf(b, 1, "abc"), 3);
		CHECK_EQ_MEM("printf_size1_only_nul", b, "\0zz", 4);
		CHECK_EQ_INT("printf_trunc_ret",
			     lm_snprintf(b, 4, "%s", "abcdef"), 6);
		CHECK_EQ_STR("printf_trunc_text", b, "abc");
	}
}

static int call_lm_vsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = lm_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return r;
}

static void test_vsnprintf(void)
{
	char got[32];

	CHECK_EQ_INT("vsnprintf_ret",
		     call_lm_vsnprintf(got, sizeof(got), "%s=%d", "n", 10), 4);
	CHECK_EQ_STR("vsnprintf_text", got, "n=10");
}

/*
 * Generated tables: every combination of flags, width and precision for
 * each integer conversion and length, on values at the edges of each type.
 * One result line per conversion and length; the first mismatch is shown.
 */
enum argkind { ARG_INT, ARG_LL };

struct combo_group {
	const char *conv; /* length modifier and conversion, e.g. "lld" */
	enum argkind kind;
};

static const long long values[] = {
    0,
    1,
    -1,
    7,
    -42,
    127,
    128,
    -129,
    255,
    256,
    32767,
    -32768,
    65535,
    123456789,
    INT_MAX,
    INT_MIN,
    UINT_MAX,
    1LL << 32,
    -(1LL << 40),
    LLONG_MAX,
    LLONG_MIN,
    0x0123456789abcdefLL,
};

static const char *const widths[] = {"", "1", "5", "12", "25"};
static const char *const precs[] = {"", ".", ".0", ".1", ".3", ".15", ".22"};

static int build_format(char *f, size_t size, unsigned flags, const char *w,
			const char *p, const char *conv)
{
	static const char flag_chars[] = "-0+ #";
	char fl[8];
	int n = 0;

	for (int i = 0; i < 5; i++)
		if (flags & (1u << i))
			fl[n++] = flag_chars[i];
	fl[n] = '\0';
	return snprintf(f, size, "%%%s%s%s%s", fl, w, p, conv);
}

static void run_group(const struct combo_group *g)
{
	char name[64], why[400] = "";
	char conv_char = g->conv[strlen(g->conv) - 1];
	long total = 0;

	for (unsigned flags = 0; flags < 32 && !why[0]; flags++) {
		/* '#' is undefined for d, i and u. */
		if ((flags & 16) && strchr("diu", conv_char))
			continue;
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
			for (size_t p = 0; p < ARRAY_SIZE(precs); p++)
				for (size_t v = 0; v < ARRAY_SIZE(values);
				     v++) {
					char f[32], want[64], got[64];
					int rw, rg;

					build_format(f, sizeof(f), flags,
						     widths[w], precs[p],
						     g->conv);
					if (g->kind == ARG_INT) {
						int x = (int)values[v];

						rw = snprintf(
						    want, sizeof(want), f, x);
						rg = lm_snprintf(
						    got, sizeof(got), f, x);
					} else {
						long long x = values[v];

						rw = snprintf(
						    want, sizeof(want), f, x);
						rg = lm_snprintf(
						    got, sizeof(got), f, x);
					}
					total++;
					if (!why[0] &&
					    (rw != rg || strcmp(want, got))) {
						char qw[100], qg[100];

						snprintf(
						    why, sizeof(why),
						    "format \"%s\" value "
						    "%lld: got %s (ret %d), "
						    "expected %s (ret %d)",
						    f, values[v],
						    unit_quote(qg, sizeof(qg),
							       got),
						    rg,
						    unit_quote(qw, sizeof(qw),
							       want),
						    rw);
					}
				}
	}
	snprintf(name, sizeof(name), "printf_table_%%%s", g->conv);
	if (why[0])
		unit_fail(name, __FILE__, __LINE__, "%s", why);
	else if (total < 1000)
		unit_fail(name, __FILE__, __LINE__, "only %ld cases ran",
			  total);
	else
		unit_pass(name);
}

static void test_tables(void)
{
	static const char *const int_lengths[] = {"hh", "h", ""};
	static const char *const ll_lengths[] = {"l", "ll", "z", "t", "j"};
	static const char convs[] = "diouxX";
	char conv[8];

	for (size_t c = 0; convs[c]; c++) {
		for (size_t l = 0; l < ARRAY_SIZE(int_lengths); l++) {
			struct combo_group g = {conv, ARG_INT};

			snprintf(conv, sizeof(conv), "%s%c", int_lengths[l],
				 convs[c]);
			run_group(&g);
		}
		for (size_t l = 0; l < ARRAY_SIZE(ll_lengths); l++) {
			struct combo_group g = {conv, ARG_LL};

			snprintf(conv, sizeof(conv), "%s%c", ll_lengths[l],
				 convs[c]);
			run_group(&g);
		}
	}
}

int main(void)
{
	test_integers();
	test_lengths();
	test_chars_strings();
	test_pointers();
	test_star();
	test_malformed();
	test_truncation();
	test_vsnprintf();
	test_tables();
	return unit_done();
}
