#ifndef LIMEN_LIB_SIPHASH_H
#define LIMEN_LIB_SIPHASH_H
#include <types.h>

/* SipHash-2-4 (Aumasson and Bernstein): a keyed hash whose output an
 * attacker who sees some of them cannot predict for other inputs without
 * the 16-byte key. For values derived from secrets, as TCP's initial
 * sequence numbers (RFC 6528). */
uint64_t siphash_2_4(const uint8_t key[16], const void *data, size_t len);

#endif
