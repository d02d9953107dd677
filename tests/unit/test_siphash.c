/* SipHash-2-4 against the paper's test vectors (key 00..0f, messages
 * 00, 00 01, ...): the empty message, 7 and 8 bytes (a word boundary)
 * and 15 bytes. */
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../lib/siphash.c"

int main(void)
{
	uint8_t key[16], msg[64];
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	static const struct {
		size_t len;
		uint64_t want;
	} v[] = {
	    {0, 0x726fdb47dd0e0e31ull},
	    {7, 0xab0200f58b01d137ull},
	    {8, 0x93f5f5799a932462ull},
	    {15, 0xa129ca6149be45e5ull},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char name[32];
		snprintf(name, sizeof(name), "siphash.vector_%zu", v[i].len);
		uint64_t got = siphash_2_4(key, msg, v[i].len);
		if (got == v[i].want)
			unit_pass(name);
		else
			unit_fail(name, __FILE__, __LINE__, "%016llx",
				  (unsigned long long)got);
	}
	return unit_done();
}
