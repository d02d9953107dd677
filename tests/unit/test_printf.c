/* Host tests of lib/printf.c: the kernel's vsnprintf is compiled under
 * other names and compared with the host C library's on a table of formats,
 * including truncation and return values. */
#include "unit.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>

#define vsnprintf lm_vsnprintf
#define snprintf lm_snprintf
#include "../../lib/printf.c"
#undef vsnprintf
#undef snprintf

/* Both printers must produce the same bytes and the same return value. */
#define SAME(name, fmt, ...)                                                   \
	do {                                                                   \
		char want[128], got[128];                                      \
		int rw = snprintf(want, sizeof(want), fmt, __VA_ARGS__);       \
		int rg = lm_snprintf(got, sizeof(got), fmt, __VA_ARGS__);      \
		CHECK_EQ_STR(name, got, want);                                 \
		CHECK_EQ_INT(name "_ret", rg, rw);                             \
	} while (0)

int main(void)
{
	SAME("pf_int", "%d", 42);
	SAME("pf_neg", "%d", -42);
	SAME("pf_int_min", "%d", INT_MIN);
	SAME("pf_llong_min", "%lld", LLONG_MIN);
	SAME("pf_ullong_max", "%llu", ULLONG_MAX);
	SAME("pf_width", "[%5d]", 42);
	SAME("pf_left", "[%-5d]", 42);
	SAME("pf_zero", "[%05d]", -42);
	SAME("pf_plus", "[%+d]", 7);
	SAME("pf_space", "[% d]", 7);
	SAME("pf_prec_int", "[%.3d]", 7);
	SAME("pf_prec_zero_value", "[%.0d]", 0);
	SAME("pf_hex", "%x %X", 0xbeefu, 0xbeefu);
	SAME("pf_hex_alt", "%#x %#o", 255u, 8u);
	SAME("pf_alt_zero", "%#x", 0u);
	SAME("pf_long_hex", "%lx", 0xffffffffffUL);
	SAME("pf_size", "%zu %zd", (size_t)123, (ssize_t)-5);
	SAME("pf_char", "[%c%-3c]", 'a', 'b');
	SAME("pf_str", "[%s]", "hello");
	SAME("pf_str_width", "[%8s|%-8s]", "ab", "cd");
	SAME("pf_str_prec", "[%.2s]", "hello");
	SAME("pf_star", "[%*d|%-*d]", 6, 1, 6, 2);
	SAME("pf_star_prec", "[%.*s]", 3, "abcdef");
	SAME("pf_hh", "%hhd %hhu", 300, 300);
	SAME("pf_h", "%hd", 70000);
	SAME("pf_percent", "100%% %d", 1);
	SAME("pf_ptr", "%p", (void *)0x1234abcd);
	SAME("pf_octal", "%o", 8u);

	char nul[16];
	const char *volatile np = NULL; /* hidden from the format checker */
	lm_snprintf(nul, sizeof(nul), "%s", np);
	CHECK_EQ_STR("pf_null_str", nul, "(null)");

	char small[5];
	int r = lm_snprintf(small, sizeof(small), "%s", "abcdefgh");
	CHECK_EQ_STR("pf_truncate", small, "abcd");
	CHECK_EQ_INT("pf_truncate_ret", r, 8);
	r = lm_snprintf(NULL, 0, "%d", 12345);
	CHECK_EQ_INT("pf_size_zero", r, 5);
	char one[1] = {'x'};
	lm_snprintf(one, 1, "abc");
	CHECK_EQ_INT("pf_size_one_nul", one[0], 0);
	return unit_done();
}
