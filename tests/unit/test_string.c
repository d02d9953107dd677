/* Host tests of lib/string.c (compiled under other names so the host C
 * library stays in charge of its own) and of include/lib/list.h. */
#include "unit.h"

#include <stdint.h>

#define memcpy lm_memcpy
#define memmove lm_memmove
#define memset lm_memset
#define memcmp lm_memcmp
#define memchr lm_memchr
#define strlen lm_strlen
#define strnlen lm_strnlen
#define strcmp lm_strcmp
#define strncmp lm_strncmp
#define strchr lm_strchr
#define strrchr lm_strrchr
#define strlcpy lm_strlcpy
#define strlcat lm_strlcat
#define strstr lm_strstr
#define kstrtoull lm_kstrtoull
#define simple_strtoull lm_simple_strtoull
#include "../../lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strstr
#include <lib/list.h>

struct item {
	int v;
	struct list_head link;
};

static void test_list(void)
{
	LIST_HEAD(h);
	struct item it[5];
	CHECK("list_empty_init", list_empty(&h));
	for (int i = 0; i < 5; i++) {
		it[i].v = i;
		list_add_tail(&it[i].link, &h);
	}
	int sum = 0, order_ok = 1, expect = 0;
	struct item *p, *tmp;
	list_for_each_entry(p, &h, link)
	{
		order_ok &= p->v == expect++;
		sum += p->v;
	}
	CHECK("list_tail_order", order_ok && sum == 10);
	list_for_each_entry_safe(p, tmp, &h, link) if (p->v % 2 == 0)
	    list_del(&p->link);
	int n = 0;
	list_for_each_entry(p, &h, link) n++;
	CHECK_EQ_INT("list_safe_delete", n, 2);
	struct item head_item = {.v = 42};
	list_add(&head_item.link, &h);
	CHECK_EQ_INT("list_add_front",
		     list_first_entry(&h, struct item, link)->v, 42);
	expect = 3;
	order_ok = 1;
	list_for_each_entry_reverse(p, &h, link)
	{
		order_ok &= p->v == expect;
		expect = expect == 3 ? 1 : 42;
	}
	CHECK("list_reverse", order_ok);
	list_del(&head_item.link);
	list_del(&head_item.link); /* harmless twice */
	CHECK("list_del_twice", list_empty(&head_item.link));
}

int main(void)
{
	char a[64], b[64];
	for (int i = 0; i < 64; i++)
		a[i] = (char)i;
	lm_memcpy(b, a, 64);
	CHECK("memcpy_copies", memcmp(a, b, 64) == 0);
	lm_memcpy(b + 1, a, 0);
	CHECK("memcpy_zero", b[1] == 1);
	for (int off = 0; off < 8; off++) {
		char s[40];
		for (int i = 0; i < 40; i++)
			s[i] = (char)i;
		lm_memcpy(s + off, a, 17);
		CHECK("memcpy_unaligned", memcmp(s + off, a, 17) == 0);
	}
	char m[16] = "abcdefghijklmno";
	lm_memmove(m + 2, m, 10);
	CHECK("memmove_forward_overlap", memcmp(m, "ababcdefghijmno", 15) == 0);
	char m2[16] = "abcdefghijklmno";
	lm_memmove(m2, m2 + 3, 10);
	CHECK("memmove_backward_overlap",
	      memcmp(m2, "defghijklmklmno", 15) == 0);
	lm_memset(a, 0x5a, 33);
	CHECK("memset_fills", a[0] == 0x5a && a[32] == 0x5a && a[33] == 33);
	CHECK("memcmp_order", lm_memcmp("abc", "abd", 3) < 0 &&
				  lm_memcmp("abd", "abc", 3) > 0 &&
				  lm_memcmp("x", "y", 0) == 0);
	CHECK("memcmp_unsigned", lm_memcmp("\xff", "\x01", 1) > 0);
	const char *hello = "hello world";
	CHECK("memchr", lm_memchr(hello, 'l', 5) == hello + 2 &&
			    lm_memchr(hello, 'z', 11) == NULL);
	CHECK_EQ_INT("strlen", lm_strlen("hello"), 5);
	CHECK_EQ_INT("strlen_empty", lm_strlen(""), 0);
	CHECK_EQ_INT("strnlen_cap", lm_strnlen("hello", 3), 3);
	CHECK("strcmp", lm_strcmp("a", "b") < 0 && lm_strcmp("b", "a") > 0 &&
			    lm_strcmp("ab", "ab") == 0 &&
			    lm_strcmp("a", "ab") < 0);
	CHECK("strncmp", lm_strncmp("abcx", "abcy", 3) == 0 &&
			     lm_strncmp("abcx", "abcy", 4) < 0);
	const char *s = "a/b/c";
	CHECK("strchr", lm_strchr(s, '/') == s + 1 && !lm_strchr(s, 'z') &&
			    lm_strchr(s, '\0') == s + 5);
	CHECK("strrchr", lm_strrchr(s, '/') == s + 3 && !lm_strrchr(s, 'z'));
	CHECK("strstr", lm_strstr(hello, "o w") == hello + 4 &&
			    lm_strstr(hello, "") == hello &&
			    !lm_strstr(hello, "xyz"));
	char d[6];
	CHECK_EQ_INT("strlcpy_ret", lm_strlcpy(d, "truncated", sizeof(d)), 9);
	CHECK_EQ_STR("strlcpy_truncates", d, "trunc");
	CHECK_EQ_INT("strlcat_ret", lm_strlcat(d, "xyz", sizeof(d)), 8);
	unsigned long long v;
	CHECK("kstrtoull_dec",
	      lm_kstrtoull("12345", 10, &v) == 0 && v == 12345);
	CHECK("kstrtoull_hex_auto",
	      lm_kstrtoull("0x1f", 0, &v) == 0 && v == 31);
	CHECK("kstrtoull_octal_auto",
	      lm_kstrtoull("017", 0, &v) == 0 && v == 15);
	CHECK("kstrtoull_newline", lm_kstrtoull("7\n", 10, &v) == 0 && v == 7);
	CHECK_EQ_INT("kstrtoull_invalid", lm_kstrtoull("12a", 10, &v), -EINVAL);
	CHECK_EQ_INT("kstrtoull_empty", lm_kstrtoull("", 10, &v), -EINVAL);
	CHECK_EQ_INT("kstrtoull_overflow",
		     lm_kstrtoull("18446744073709551616", 10, &v), -ERANGE);
	CHECK("kstrtoull_max",
	      lm_kstrtoull("18446744073709551615", 10, &v) == 0 && v == ~0ULL);
	const char *end;
	CHECK("simple_strtoull",
	      lm_simple_strtoull("42abc", &end, 10) == 42 && *end == 'a');
	test_list();
	return unit_done();
}
