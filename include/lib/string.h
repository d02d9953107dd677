/* Freestanding string and memory helpers (lib/string.c). */
#ifndef LIMEN_LIB_STRING_H
#define LIMEN_LIB_STRING_H

#include <types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
/* Copies at most size-1 bytes and always NUL-terminates (if size > 0);
 * returns strlen(src) so truncation can be detected. */
size_t strlcpy(char *dst, const char *src, size_t size);
size_t strlcat(char *dst, const char *src, size_t size);
char *strstr(const char *haystack, const char *needle);
/* Parses all of s as an unsigned integer in base 2..16 (0 = auto: 0x / 0
 * prefixes; base 16 also takes 0x): an optional '+', digits and at most one
 * trailing newline. Returns 0, -EINVAL (*out untouched) or -ERANGE. */
int kstrtoull(const char *s, unsigned base, unsigned long long *out);
/* Parses the leading digits of s (no sign or spaces; bases as above) and
 * saturates at ULLONG_MAX; *end (if non-NULL) points past the digits, or at
 * s if there are none. */
unsigned long long simple_strtoull(const char *s, const char **end,
				   unsigned base);

#endif
