/* Packet buffers and the Internet checksum (net/net.h): the parts of the
 * stack's core that need nothing from the scheduler, so the host unit
 * tests can use them as they are. netd, net_lock and timers: net/netd.c. */
#include <mm/kmalloc.h>
#include <net/net.h>
#include <types.h>

struct netbuf *netbuf_alloc(size_t headroom, size_t len)
{
	/* Both come from callers that checked them against 64 KiB or the
	 * MTU; refuse anything absurd rather than wrap the sum. */
	if (headroom > (1u << 20) || len > (1u << 20))
		return NULL;
	struct netbuf *nb = kmalloc(sizeof(*nb) + headroom + len);
	if (!nb)
		return NULL;
	list_init(&nb->link);
	nb->head = (uint8_t *)(nb + 1);
	nb->size = headroom + len;
	nb->data = nb->head + headroom;
	nb->len = len;
	nb->dev = NULL;
	nb->ip_src = nb->ip_dst = 0;
	nb->ip_proto = nb->ip_ttl = 0;
	nb->ip_hdr = NULL;
	nb->csum_ok = false;
	return nb;
}

void netbuf_free(struct netbuf *nb)
{
	kfree(nb);
}

void netbuf_queue_purge(struct list_head *q)
{
	struct netbuf *nb, *t;
	list_for_each_entry_safe(nb, t, q, link)
	{
		list_del(&nb->link);
		netbuf_free(nb);
	}
}

void *netbuf_push(struct netbuf *nb, size_t n)
{
	if (n > (size_t)(nb->data - nb->head))
		return NULL;
	nb->data -= n;
	nb->len += n;
	return nb->data;
}

void *netbuf_pull(struct netbuf *nb, size_t n)
{
	if (n > nb->len)
		return NULL;
	nb->data += n;
	nb->len -= n;
	return nb->data;
}

void netbuf_trim(struct netbuf *nb, size_t len)
{
	if (len < nb->len)
		nb->len = len;
}

/* The one's-complement sum of 16-bit big-endian words (an odd last byte
 * is the high half of a word padded with zero, RFC 1071), added to sum.
 * The sum does not depend on byte order but for a final swap (RFC 1071
 * 2(B)), so it adds the little-endian machine's 32-bit words into 64
 * bits, eight bytes a step (the stack's hottest loop: make bench's
 * tcp_loopback_bandwidth), and swaps once. The result is folded to 16
 * bits before it is added, so no length can overflow. */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = 0, w8;
	uint32_t w4;
	uint16_t w2;

	for (; len >= 8; p += 8, len -= 8) {
		__builtin_memcpy(&w8, p, 8);
		acc += (w8 & 0xffffffff) + (w8 >> 32);
	}
	if (len >= 4) {
		__builtin_memcpy(&w4, p, 4);
		acc += w4;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		__builtin_memcpy(&w2, p, 2);
		acc += w2;
		p += 2;
		len -= 2;
	}
	if (len)
		acc += p[0]; /* the low byte of a little-endian word */
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	uint64_t r = (uint64_t)sum + (((acc & 0xff) << 8) | (acc >> 8));
	return (uint32_t)r + (uint32_t)(r >> 32);
}

/* The complement of the folded sum, in host order: store it with
 * net_htons. A sum over data including a correct checksum folds to 0. */
uint16_t net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
			 uint16_t len)
{
	uint64_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) +
		     (dst & 0xffff) + proto + len;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}
