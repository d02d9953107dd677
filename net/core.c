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
	return nb;
}

void netbuf_free(struct netbuf *nb)
{
	kfree(nb);
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

/* Sums 16-bit big-endian words into a 32-bit accumulator, folding the
 * carries as it goes so no length can overflow it. An odd last byte is
 * the high half of a word padded with zero (RFC 1071). */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = sum;

	while (len >= 2) {
		acc += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t)p[0] << 8;
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
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
