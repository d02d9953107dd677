/* Host tests of lib/string.c, compiled as lm_memcpy etc. (see
 * unit_rename_lib.h) and compared with the host C library where it has the
 * same function, or with hand-checked results where it has not. */
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unit_rename_lib.h>
#include "../../lib/string.c"
#include <unit_unrename_lib.h>

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Deterministic, non-repeating-looking bytes, so a copy from the wrong
 * offset cannot match by accident. */
static void fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)((i * 131 + seed * 7 + (i >> 3)) ^ 0x5a);
}

#define GUARD 0xa5

/* Every size 0..80 at every pair of alignments, with guard bytes around
 * the destination: covers the byte loops, the word loop and their seams. */
static void test_memcpy(void)
{
	unsigned char src[128], dst[128], want[128];
	char why[160] = "";

	for (size_t n = 0; n <= 80 && !why[0]; n++)
		for (size_t so = 0; so < 8; so++)
			for (size_t d_off = 0; d_off < 8; d_off++) {
				void *r;

				fill_pattern(src, sizeof(src), (unsigned)n);
				memset(dst, GUARD, sizeof(dst));
				memset(want, GUARD, sizeof(want));
				memcpy(want + d_off, src + so, n);
				r = lm_memcpy(dst + d_off, src + so, n);
				if (r != dst + d_off)
					snprintf(
					    why, sizeof(why),
					    "n=%zu so=%zu do=%zu: returned "
					    "%p, not dst",
					    n, so, d_off, r);
				else if (memcmp(dst, want, sizeof(dst)))
					snprintf(why, sizeof(why),
						 "n=%zu so=%zu do=%zu: wrong "
						 "bytes or guard overwritten",
						 n, so, d_off);
			}
	if (why[0])
		unit_fail("memcpy_sizes_alignments", __FILE__, __LINE__, "%s",
			  why);
	else
		unit_pass("memcpy_sizes_alignments");
}

/* Overlap in both directions at every distance up to 17 bytes, against the
 * host's memmove as reference. */
static void test_memmove(void)
{
	unsigned char buf[160], want[160];
	char why[160] = "";
	int fwd = 0, bwd = 0;

	for (size_t n = 0; n <= 70 && !why[0]; n++)
		for (int shift = -17; shift <= 17; shift++)
			for (size_t base = 20; base < 28; base++) {
				unsigned char *src = buf + base;
				unsigned char *dst = buf + base + shift;
				void *r;

				fill_pattern(buf, sizeof(buf), (unsigned)base);
				memcpy(want, buf, sizeof(buf));
				memmove(want + base + shift, want + base, n);
				r = lm_memmove(dst, src, n);
				if (shift > 0 && (size_t)shift < n)
					bwd++;
				if (shift < 0 && (size_t)-shift < n)
					fwd++;
				if (r != dst)
					snprintf(why, sizeof(why),
						 "n=%zu shift=%d: returned %p, "
						 "not dst",
						 n, shift, r);
				else if (memcmp(buf, want, sizeof(buf)))
					snprintf(why, sizeof(why),
						 "n=%zu shift=%d base=%zu: "
						 "wrong bytes",
						 n, shift, base);
			}
	if (why[0])
		unit_fail("memmove_overlap", __FILE__, __LINE__, "%s", why);
	else
		unit_pass("memmove_overlap");
	/* Make sure the loops above really exercised both overlaps. */
	CHECK("memmove_overlap_cases", fwd > 1000 && bwd > 1000);

	{
		char s[] = "abcdef";

		lm_memmove(s + 1, s, 5);
		CHECK_EQ_STR("memmove_right_by_one", s, "aabcde");
		lm_memmove(s, s + 1, 5);
		CHECK_EQ_STR("memmove_left_by_one", s, "abcdee");
		CHECK_EQ_PTR("memmove_same", lm_memmove(s, s, 6), (void *)s);
		CHECK_EQ_STR("memmove_same_unchanged", s, "abcdee");
		CHECK_EQ_PTR("memmove_zero_len", lm_memmove(s, s + 2, 0),
			     (void *)s);
		CHECK_EQ_STR("memmove_zero_len_unchanged", s, "abcdee");
	}
}

static void test_memset(void)
{
	static const int values[] = {0, 0x5a, 0xff, -1, 0x1ab, -0x80};
	unsigned char buf[128], want[128];
	char why[160] = "";

	for (size_t v = 0; v < ARRAY_SIZE(values); v++)
		for (size_t n = 0; n <= 80; n++)
			for (size_t off = 0; off < 8; off++) {
				void *r;

				memset(buf, GUARD, sizeof(buf));
				memset(want, GUARD, sizeof(want));
				memset(want + off, values[v], n);
				r = lm_memset(buf + off, values[v], n);
				if (!why[0] && (r != buf + off ||
						memcmp(buf, want, sizeof(buf))))
					snprintf(why, sizeof(why),
						 "c=%d n=%zu off=%zu",
						 values[v], n, off);
			}
	if (why[0])
		unit_fail("memset_sizes_alignments", __FILE__, __LINE__, "%s",
			  why);
	else
		unit_pass("memset_sizes_alignments");
}

static void test_memcmp(void)
{
	unsigned char a[40], b[40];

	fill_pattern(a, sizeof(a), 3);
	memcpy(b, a, sizeof(b));
	CHECK_EQ_INT("memcmp_equal", lm_memcmp(a, b, sizeof(a)), 0);
	CHECK_EQ_INT("memcmp_zero_len", lm_memcmp("a", "b", 0), 0);
	b[39]++;
	CHECK_EQ_INT("memcmp_last_byte", sign(lm_memcmp(a, b, 40)), -1);
	CHECK_EQ_INT("memcmp_stops_at_n", lm_memcmp(a, b, 39), 0);
	b[0] = a[0] - 1;
	CHECK_EQ_INT("memcmp_first_byte", sign(lm_memcmp(a, b, 40)), 1);
	/* Bytes compare as unsigned char: 0x80 is greater than 0x01. */
	CHECK_EQ_INT("memcmp_unsigned", sign(lm_memcmp("\x80", "\x01", 1)), 1);
	CHECK_EQ_INT("memcmp_unsigned_rev", sign(lm_memcmp("\x01", "\xff", 1)),
		     -1);
	CHECK_EQ_INT("memcmp_past_nul", sign(lm_memcmp("a\0b", "a\0c", 3)), -1);
}

static void test_memchr(void)
{
	const char s[] = "hello, world";
	const unsigned char hi[] = {1, 2, 0xff, 3};

	CHECK_EQ_PTR("memchr_first", lm_memchr(s, 'o', 12), (void *)(s + 4));
	CHECK_EQ_PTR("memchr_absent", lm_memchr(s, 'z', 12), NULL);
	CHECK_EQ_PTR("memchr_limited", lm_memchr(s, 'w', 7), NULL);
	CHECK_EQ_PTR("memchr_zero_len", lm_memchr(s, 'h', 0), NULL);
	CHECK_EQ_PTR("memchr_nul", lm_memchr(s, '\0', 13), (void *)(s + 12));
	CHECK_EQ_PTR("memchr_int_to_uchar", lm_memchr(s, 0x100 + 'w', 12),
		     (void *)(s + 7));
	CHECK_EQ_PTR("memchr_high_byte", lm_memchr(hi, -1, 4),
		     (void *)(hi + 2));
}

static void test_strlen(void)
{
	char big[300];
	/* Not NUL-terminated: strnlen must stop at max (ASan would catch a
	 * read past the array). */
	const char raw[4] = {'a', 'b', 'c', 'd'};

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_EQ_UINT("strlen_empty", lm_strlen(""), 0);
	CHECK_EQ_UINT("strlen_one", lm_strlen("a"), 1);
	CHECK_EQ_UINT("strlen_long", lm_strlen(big), 299);
	CHECK_EQ_UINT("strlen_embedded_nul", lm_strlen("ab\0cd"), 2);
	CHECK_EQ_UINT("strnlen_max_zero", lm_strnlen("abc", 0), 0);
	CHECK_EQ_UINT("strnlen_short", lm_strnlen("abc", 2), 2);
	CHECK_EQ_UINT("strnlen_exact", lm_strnlen("abc", 3), 3);
	CHECK_EQ_UINT("strnlen_long_max", lm_strnlen("abc", 100), 3);
	CHECK_EQ_UINT("strnlen_unterminated", lm_strnlen(raw, 4), 4);
}

static void test_strcmp(void)
{
	static const char *const pairs[][2] = {
	    {"", ""},	      {"a", ""},      {"", "a"},     {"abc", "abc"},
	    {"abc", "abd"},   {"abd", "abc"}, {"ab", "abc"}, {"abc", "ab"},
	    {"\x80", "\x01"}, {"a\xff", "a"}, {"A", "a"},    {"hello", "help"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(pairs); i++) {
		const char *a = pairs[i][0], *b = pairs[i][1];
		char name[64];

		snprintf(name, sizeof(name), "strcmp_%zu", i);
		CHECK_EQ_INT(name, sign(lm_strcmp(a, b)), sign(strcmp(a, b)));
		for (size_t n = 0; n <= 5; n++) {
			snprintf(name, sizeof(name), "strncmp_%zu_n%zu", i, n);
			CHECK_EQ_INT(name, sign(lm_strncmp(a, b, n)),
				     sign(strncmp(a, b, n)));
		}
	}
	/* Must not read past the NUL of equal strings, however large n. */
	CHECK_EQ_INT("strncmp_huge_n", lm_strncmp("ab", "ab", SIZE_MAX), 0);
}

static void test_strchr(void)
{
	const char *s = "a/b/c";

	CHECK_EQ_PTR("strchr_first", lm_strchr(s, '/'), s + 1);
	CHECK_EQ_PTR("strchr_start", lm_strchr(s, 'a'), s);
	CHECK_EQ_PTR("strchr_absent", lm_strchr(s, 'x'), NULL);
	CHECK_EQ_PTR("strchr_nul", lm_strchr(s, '\0'), s + 5);
	CHECK_EQ_PTR("strchr_empty", lm_strchr("", 'a'), NULL);
	CHECK_EQ_PTR("strchr_int_to_char", lm_strchr(s, 0x100 + 'b'), s + 2);
	CHECK_EQ_PTR("strrchr_last", lm_strrchr(s, '/'), s + 3);
	CHECK_EQ_PTR("strrchr_end", lm_strrchr(s, 'c'), s + 4);
	CHECK_EQ_PTR("strrchr_absent", lm_strrchr(s, 'x'), NULL);
	CHECK_EQ_PTR("strrchr_nul", lm_strrchr(s, '\0'), s + 5);
	CHECK_EQ_PTR("strrchr_empty", lm_strrchr("", 'a'), NULL);
}

static void test_strlcpy(void)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ_UINT("strlcpy_size0_ret", lm_strlcpy(buf, "abc", 0), 3);
	CHECK_EQ_INT("strlcpy_size0_untouched", buf[0], 'Z');
	CHECK_EQ_UINT("strlcpy_size1_ret", lm_strlcpy(buf, "abc", 1), 3);
	CHECK_EQ_STR("strlcpy_size1", buf, "");
	CHECK_EQ_UINT("strlcpy_fits_ret", lm_strlcpy(buf, "abc", 8), 3);
	CHECK_EQ_STR("strlcpy_fits", buf, "abc");
	CHECK_EQ_UINT("strlcpy_exact_ret", lm_strlcpy(buf, "abcdefg", 8), 7);
	CHECK_EQ_STR("strlcpy_exact", buf, "abcdefg");
	CHECK_EQ_UINT("strlcpy_trunc_ret", lm_strlcpy(buf, "abcdefghij", 8),
		      10);
	CHECK_EQ_STR("strlcpy_trunc", buf, "abcdefg");
	CHECK_EQ_UINT("strlcpy_empty_ret", lm_strlcpy(buf, "", 8), 0);
	CHECK_EQ_STR("strlcpy_empty", buf, "");

	lm_strlcpy(buf, "ab", sizeof(buf));
	CHECK_EQ_UINT("strlcat_fits_ret", lm_strlcat(buf, "cd", 8), 4);
	CHECK_EQ_STR("strlcat_fits", buf, "abcd");
	CHECK_EQ_UINT("strlcat_trunc_ret", lm_strlcat(buf, "efghij", 8), 10);
	CHECK_EQ_STR("strlcat_trunc", buf, "abcdefg");
	CHECK_EQ_UINT("strlcat_full_ret", lm_strlcat(buf, "xyz", 8), 10);
	CHECK_EQ_STR("strlcat_full", buf, "abcdefg");
	/* No NUL within size: dst is not a string we may extend. */
	lm_strlcpy(buf, "abcd", sizeof(buf));
	CHECK_EQ_UINT("strlcat_no_nul_ret", lm_strlcat(buf, "xyz", 3), 6);
	CHECK_EQ_STR("strlcat_no_nul_untouched", buf, "abcd");
	CHECK_EQ_UINT("strlcat_size0_ret", lm_strlcat(buf, "xyz", 0), 3);
	CHECK_EQ_STR("strlcat_size0_untouched", buf, "abcd");
	CHECK_EQ_UINT("strlcat_empty_src", lm_strlcat(buf, "", 8), 4);
	CHECK_EQ_STR("strlcat_empty_src_unchanged", buf, "abcd");
}

static void test_strstr(void)
{
	const char *h = "aaabcabcd";

	CHECK_EQ_PTR("strstr_empty_needle", lm_strstr(h, ""), h);
	CHECK_EQ_PTR("strstr_empty_both", lm_strstr(h + 9, ""), h + 9);
	CHECK_EQ_PTR("strstr_start", lm_strstr(h, "aa"), h);
	CHECK_EQ_PTR("strstr_backtrack", lm_strstr(h, "aab"), h + 1);
	CHECK_EQ_PTR("strstr_middle", lm_strstr(h, "bca"), h + 3);
	CHECK_EQ_PTR("strstr_end", lm_strstr(h, "bcd"), h + 6);
	CHECK_EQ_PTR("strstr_whole", lm_strstr(h, h), h);
	CHECK_EQ_PTR("strstr_absent", lm_strstr(h, "abd"), NULL);
	CHECK_EQ_PTR("strstr_too_long", lm_strstr("ab", "abc"), NULL);
	CHECK_EQ_PTR("strstr_empty_haystack", lm_strstr("", "a"), NULL);
}

struct strto_case {
	const char *s;
	unsigned base;
	int ret;
	unsigned long long val;
};

static void test_kstrtoull(void)
{
	static const struct strto_case cases[] = {
	    {"0", 10, 0, 0},
	    {"123", 10, 0, 123},
	    {"+7", 10, 0, 7},
	    {"0042", 10, 0, 42},
	    {"18446744073709551615", 10, 0, ~0ULL},
	    {"18446744073709551616", 10, -ERANGE, 0},
	    {"99999999999999999999999", 10, -ERANGE, 0},
	    {"12\n", 10, 0, 12},
	    {"12\n\n", 10, -EINVAL, 0},
	    {"", 10, -EINVAL, 0},
	    {"\n", 10, -EINVAL, 0},
	    {"+", 10, -EINVAL, 0},
	    {"-1", 10, -EINVAL, 0},
	    {" 1", 10, -EINVAL, 0},
	    {"1 ", 10, -EINVAL, 0},
	    {"12a", 10, -EINVAL, 0},
	    {"ff", 16, 0, 0xff},
	    {"FfFf", 16, 0, 0xffff},
	    {"0xff", 16, 0, 0xff},
	    {"0XAB", 16, 0, 0xab},
	    {"0x", 16, -EINVAL, 0},
	    {"0xg", 16, -EINVAL, 0},
	    {"ffffffffffffffff", 16, 0, ~0ULL},
	    {"0x10000000000000000", 16, -ERANGE, 0},
	    {"777", 8, 0, 0777},
	    {"8", 8, -EINVAL, 0},
	    {"1777777777777777777777", 8, 0, ~0ULL},
	    {"2000000000000000000000", 8, -ERANGE, 0},
	    {"1011", 2, 0, 11},
	    {"2", 2, -EINVAL, 0},
	    {"zz", 16, -EINVAL, 0},
	    {"0x1f", 0, 0, 31},
	    {"017", 0, 0, 15},
	    {"0", 0, 0, 0},
	    {"19", 0, 0, 19},
	    {"09", 0, -EINVAL, 0},
	    {"0x", 0, -EINVAL, 0},
	    {"12", 1, -EINVAL, 0},
	    {"12", 17, -EINVAL, 0},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct strto_case *c = &cases[i];
		unsigned long long v = 0x1234;
		char name[128], q[64];
		int r = lm_kstrtoull(c->s, c->base, &v);

		snprintf(name, sizeof(name), "kstrtoull_%s_base%u",
			 unit_quote(q, sizeof(q), c->s), c->base);
		if (r != c->ret)
			unit_fail(name, __FILE__, __LINE__,
				  "returned %d, expected %d", r, c->ret);
		else if (r == 0 && v != c->val)
			unit_fail(name, __FILE__, __LINE__,
				  "value %llu, expected %llu", v, c->val);
		else if (r != 0 && v != 0x1234)
			unit_fail(name, __FILE__, __LINE__,
				  "*out changed to %llu on error", v);
		else
			unit_pass(name);
	}
}

/* Where strtoull and simple_strtoull agree (no sign, no leading space, no
 * overflow), the host's is the reference for value and end. */
static void test_simple_strtoull(void)
{
	static const struct {
		const char *s;
		unsigned base;
	} cases[] = {
	    {"123abc", 10}, {"abc", 10},   {"0x1g", 0},	    {"0x", 16},
	    {"0x", 0},	    {"0777", 0},   {"0789", 0},	    {"ff:", 16},
	    {"0XfF", 16},   {"101201", 2}, {"", 10},	    {"z", 0},
	    {"00", 0},	    {"1234", 8},   {"0xabcdef", 0},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *s = cases[i].s, *end = NULL;
		char *want_end;
		unsigned long long want = strtoull(s, &want_end, cases[i].base);
		unsigned long long v =
		    lm_simple_strtoull(s, &end, cases[i].base);
		char name[128], q[64];

		snprintf(name, sizeof(name), "simple_strtoull_%s_base%u",
			 unit_quote(q, sizeof(q), s), cases[i].base);
		if (v != want || end != want_end)
			unit_fail(name, __FILE__, __LINE__,
				  "value %llu end +%td, expected %llu end +%td",
				  v, end - s, want, want_end - s);
		else
			unit_pass(name);
	}
	CHECK_EQ_UINT("simple_strtoull_null_end",
		      lm_simple_strtoull("42", NULL, 10), 42);
	CHECK_EQ_UINT("simple_strtoull_saturates",
		      lm_simple_strtoull("99999999999999999999", NULL, 10),
		      ~0ULL);
	{
		const char *s = "12", *end = NULL;

		CHECK_EQ_UINT("simple_strtoull_bad_base",
			      lm_simple_strtoull(s, &end, 40), 0);
		CHECK_EQ_PTR("simple_strtoull_bad_base_end", end, s);
	}
}

int main(void)
{
	test_memcpy();
	test_memmove();
	test_memset();
	test_memcmp();
	test_memchr();
	test_strlen();
	test_strcmp();
	test_strchr();
	test_strlcpy();
	test_strstr();
	test_kstrtoull();
	test_simple_strtoull();
	return unit_done();
}
