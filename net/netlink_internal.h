/* Between the netlink socket (net/netlink.c: ports, queues, building and
 * parsing messages) and rtnetlink (net/rtnetlink.c: what the messages
 * mean). Everything here runs with net_lock held. */
#ifndef LIMEN_NET_NETLINK_INTERNAL_H
#define LIMEN_NET_NETLINK_INTERNAL_H

#include <types.h>
#include <uapi/netlink.h>

/* A reply being built: messages are appended to data[0..len), never past
 * cap, and no more than max_msgs of them when that is not 0. */
struct nl_buf {
	uint8_t *data;
	size_t len, cap;
	unsigned nmsgs, max_msgs;
};

/* Appends a message header and payload bytes (zeroed) of room; NULL when
 * it does not fit. Close it with nl_msg_end once its attributes are in. */
struct nlmsghdr_k *nl_msg_put(struct nl_buf *b, uint16_t type, uint16_t flags,
			      uint32_t seq, uint32_t portid, size_t payload);
void nl_msg_end(struct nl_buf *b, struct nlmsghdr_k *h);
/* The payload of the message h. */
static inline void *nl_msg_data(struct nlmsghdr_k *h)
{
	return (uint8_t *)h + NLMSG_HDRLEN;
}
/* Appends an attribute to the last message; -EMSGSIZE when no room. */
int nl_attr_put(struct nl_buf *b, uint16_t type, const void *data, size_t len);
int nl_attr_put_u32(struct nl_buf *b, uint16_t type, uint32_t v);
int nl_attr_put_u8(struct nl_buf *b, uint16_t type, uint8_t v);

/* Splits len bytes of attributes into tb[0..max] (the last of each type
 * wins, types past max are skipped): 0, or -EINVAL when an attribute is
 * shorter than its header or runs past the end. */
int nl_attr_parse(const void *attrs, size_t len, const struct nlattr_k **tb,
		  int max);
static inline const void *nl_attr_data(const struct nlattr_k *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}
static inline size_t nl_attr_len(const struct nlattr_k *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* A dump in progress on one socket (its nl_sock's field, net_lock). */
struct nl_dump {
	bool active;
	bool entries_done; /* every entry sent, NLMSG_DONE still to go */
	uint16_t type;	   /* the request's RTM_GET* */
	uint8_t family;	   /* the request's family filter */
	uint32_t seq, portid;
	long idx; /* cursor: entries already sent */
};

/* rtnetlink (net/rtnetlink.c). Handles one request h whose header and
 * length the caller checked (NLMSG_HDRLEN <= nlmsg_len, all present).
 * Returns 0 or -errno for the NLMSG_ERROR reply, or RTNL_DUMP_STARTED when
 * it set d up for a dump (no acknowledgement then, as Linux). Single
 * replies (RTM_GETLINK of one interface) go to out. */
#define RTNL_DUMP_STARTED 1
int rtnl_request(const struct nlmsghdr_k *h, uint32_t portid, struct nl_dump *d,
		 struct nl_buf *out);
/* Appends the next entries of dump d to b from d->idx on, as many whole
 * messages as fit; 1 once every entry is out, 0 when more remain. */
int rtnl_dump(struct nl_dump *d, struct nl_buf *b);

#endif
