/* Host tests only: compiles lib/string.c and lib/printf.c under lm_ names,
 * so they do not replace the host C library's (and ASan's) own. Include it
 * after every host header and before the lib/ .c files; then include
 * unit_unrename_lib.h to get the host's names back for comparisons. */
#ifndef LIMEN_UNIT_RENAME_LIB_H
#define LIMEN_UNIT_RENAME_LIB_H

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
#define vsnprintf lm_vsnprintf
#define snprintf lm_snprintf

#endif
