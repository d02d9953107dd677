/* Freestanding string and memory helpers (declared in lib/string.h). gcc may
 * emit calls to memcpy/memset/memmove/memcmp on its own, so these names must
 * exist in the kernel with exactly their C semantics. */
#include <lib/string.h>
#include <uapi/errno.h>
#ifdef KERNEL_SANITIZE
#include <mm/kasan.h>
#endif

/* gcc recognises copy and fill loops and turns them into calls to memcpy and
 * memset, which inside memcpy and memset would recurse forever. */
#if defined(__GNUC__) && !defined(__clang__)
#define NO_LOOP_TO_CALL                                                        \
	__attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LOOP_TO_CALL
#endif

/* SANITIZE=1 kernels: the copy and fill loops are not instrumented (a hook
 * call per word made page copies dominate: sys_dir ran ten times slower);
 * the whole range is checked once instead. */
#ifdef KERNEL_SANITIZE
#define NO_ACCESS_CHECKS __attribute__((no_sanitize_address))
#define CHECK_RANGE(p, n, write) kasan_check_range((p), (n), (write))
#else
#define NO_ACCESS_CHECKS
#define CHECK_RANGE(p, n, write) ((void)0)
#endif

/* may_alias: word accesses to memory whose declared type is anything. */
typedef uint64_t __attribute__((may_alias)) word_t;
/* A word at any address: x86 loads it in one instruction. */
typedef uint64_t __attribute__((may_alias, aligned(1))) uword_t;
#define WORD_SIZE sizeof(word_t)

/* Copies low to high, so it is also correct for overlapping buffers when
 * dst < src: each word is read before any write can reach it. The
 * destination is aligned and the source read a word at a time wherever
 * it lies (x86 loads unaligned words): buffers whose addresses differ
 * modulo 8, as a TCP segment's payload and its place in a ring, would
 * otherwise go a byte at a time (make bench's tcp_loopback_bandwidth). */
static NO_LOOP_TO_CALL NO_ACCESS_CHECKS void
copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	while (n && ((uintptr_t)d & (WORD_SIZE - 1))) {
		*d++ = *s++;
		n--;
	}
	/* Four words a step, all read before any is written (still right
	 * for memmove's overlap with dst < src): a quarter of the loop
	 * overhead (make bench). */
	for (; n >= 4 * WORD_SIZE; n -= 4 * WORD_SIZE) {
		word_t w0 = ((const uword_t *)s)[0];
		word_t w1 = ((const uword_t *)s)[1];
		word_t w2 = ((const uword_t *)s)[2];
		word_t w3 = ((const uword_t *)s)[3];
		((word_t *)d)[0] = w0;
		((word_t *)d)[1] = w1;
		((word_t *)d)[2] = w2;
		((word_t *)d)[3] = w3;
		d += 4 * WORD_SIZE;
		s += 4 * WORD_SIZE;
	}
	for (; n >= WORD_SIZE; n -= WORD_SIZE) {
		*(word_t *)d = *(const uword_t *)s;
		d += WORD_SIZE;
		s += WORD_SIZE;
	}
	while (n--)
		*d++ = *s++;
}

/* Copies high to low, for overlapping buffers with dst > src. */
static NO_LOOP_TO_CALL NO_ACCESS_CHECKS void
copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if ((((uintptr_t)d ^ (uintptr_t)s) & (WORD_SIZE - 1)) == 0) {
		while (n && ((uintptr_t)d & (WORD_SIZE - 1))) {
			*--d = *--s;
			n--;
		}
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	while (n--)
		*--d = *--s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	CHECK_RANGE(src, n, false);
	CHECK_RANGE(dst, n, true);
	copy_forward(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	CHECK_RANGE(src, n, false);
	CHECK_RANGE(dst, n, true);
	if (d <= s || d >= s + n)
		copy_forward(d, s, n);
	else
		copy_backward(d, s, n);
	return dst;
}

NO_LOOP_TO_CALL NO_ACCESS_CHECKS void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char b = (unsigned char)c;

	CHECK_RANGE(dst, n, true);
	while (n && ((uintptr_t)d & (WORD_SIZE - 1))) {
		*d++ = b;
		n--;
	}
	if (n >= WORD_SIZE) {
		word_t w = b * 0x0101010101010101ULL;

		/* Four words a step, as copy_forward (zeroing every new page
		 * goes through here). */
		for (; n >= 4 * WORD_SIZE; n -= 4 * WORD_SIZE) {
			((word_t *)d)[0] = w;
			((word_t *)d)[1] = w;
			((word_t *)d)[2] = w;
			((word_t *)d)[3] = w;
			d += 4 * WORD_SIZE;
		}
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			*(word_t *)d = w;
			d += WORD_SIZE;
		}
	}
	while (n--)
		*d++ = b;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++) {
		if (*p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
		if (!*x)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* As BSD's: if dst holds no NUL within size, it is left alone and the result
 * is size + strlen(src), which the caller sees as truncation. */
size_t strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);
	size_t slen = strlen(src);
	size_t n;

	if (dlen == size)
		return size + slen;
	n = slen < size - dlen - 1 ? slen : size - dlen - 1;
	memcpy(dst + dlen, src, n);
	dst[dlen + n] = '\0';
	return dlen + slen;
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++) {
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	}
	return n == 0 ? (char *)haystack : NULL;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* Resolves base 0 and skips a 0x prefix, but only when a hex digit follows
 * it, so "0x" alone parses as 0 followed by 'x' (as C's strtoull does). */
static const char *parse_base(const char *s, unsigned *base)
{
	bool hex_prefix = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
			  digit_value(s[2]) < 16;

	if (*base == 0) {
		if (hex_prefix)
			*base = 16;
		else if (s[0] == '0')
			*base = 8;
		else
			*base = 10;
	}
	if (*base == 16 && hex_prefix)
		s += 2;
	return s;
}

/* Accumulates digits of base; *overflow is set if the value does not fit,
 * in which case the result saturates at ULLONG_MAX. */
static unsigned long long parse_digits(const char *s, const char **end,
				       unsigned base, bool *overflow)
{
	unsigned long long v = 0;
	int d;

	*overflow = false;
	for (; (d = digit_value(*s)) < (int)base; s++) {
		if (v > (~0ULL - d) / base) {
			*overflow = true;
			v = ~0ULL;
		} else if (!*overflow) {
			v = v * base + d;
		}
	}
	*end = s;
	return v;
}

/* Strict, like Linux's: an optional '+', then only digits, with one trailing
 * newline allowed so values read from text files parse. */
int kstrtoull(const char *s, unsigned base, unsigned long long *out)
{
	const char *digits, *end;
	unsigned long long v;
	bool overflow;

	if (base == 1 || base > 16)
		return -EINVAL;
	if (*s == '+')
		s++;
	digits = parse_base(s, &base);
	v = parse_digits(digits, &end, base, &overflow);
	if (end == digits)
		return -EINVAL;
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	if (overflow)
		return -ERANGE;
	*out = v;
	return 0;
}

unsigned long long simple_strtoull(const char *s, const char **end,
				   unsigned base)
{
	const char *stop;
	unsigned long long v;
	bool overflow;

	if (base == 1 || base > 16) {
		if (end)
			*end = s;
		return 0;
	}
	/* parse_base skips a prefix only before a digit, so no digits means
	 * stop is where the caller's string began, as C's strtoull reports. */
	s = parse_base(s, &base);
	v = parse_digits(s, &stop, base, &overflow);
	if (end)
		*end = stop;
	return v;
}
