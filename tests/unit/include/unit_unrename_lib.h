/* Host tests only: undoes unit_rename_lib.h, so that after the lib/ .c files
 * memcpy, snprintf and the rest are the host C library's again and the
 * kernel's versions are reached as lm_memcpy, lm_snprintf, ... */
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
#undef strlcpy
#undef strlcat
#undef strstr
#undef kstrtoull
#undef simple_strtoull
#undef vsnprintf
#undef snprintf
