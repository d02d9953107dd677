/* TCP internals (net/tcp_*.c): the connection control block, its state
 * machine (RFC 9293) and the helpers the input, output, timer and socket
 * files share. Everything here is guarded by net_lock. */
#ifndef LIMEN_NET_TCP_H
#define LIMEN_NET_TCP_H

#include <lib/list.h>
#include <net/net.h>
#include <time.h>
#include <types.h>

/* States, numbered as Linux's TCP_INFO tcpi_state reports them. */
enum tcp_state {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,
};

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

struct tcp_hdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t doff; /* data offset in the high nibble */
	uint8_t flags;
	uint16_t win, csum, urg;
} __attribute__((packed));

/* Sequence arithmetic modulo 2^32. */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

/* Tunables (Linux's values unless said). */
#define TCP_MSL_NS (30 * NSEC_PER_SEC)	       /* TIME-WAIT is 2*MSL = 60 s */
#define TCP_FIN_TIMEOUT_NS (60 * NSEC_PER_SEC) /* orphaned FIN-WAIT-2 */
#define TCP_RTO_MIN_MS 200		       /* Linux; RFC 6298 says 1 s */
#define TCP_RTO_INIT_MS 1000
#define TCP_RTO_MAX_MS 120000
#define TCP_SYN_RETRIES 6    /* ~127 s before connect gives ETIMEDOUT */
#define TCP_RETRIES2 15	     /* data retransmissions before giving up */
#define TCP_ORPHAN_RETRIES 8 /* the same for a closed socket's connection */
#define TCP_DELACK_NS (40 * NSEC_PER_MSEC)
#define TCP_OOO_MAX 16	    /* out-of-order holes remembered per connection */
#define TCP_MAX_CONNS 16384 /* the connection table's bound */
#define TCP_MAX_TIMEWAIT (TCP_MAX_CONNS / 4) /* then TIME-WAIT is skipped */
#define TCP_SYNQ_MAX 256 /* half-open connections per listener, at most */
#define TCP_BUF_MIN 4608
#define TCP_BUF_MAX (4u << 20)
#define TCP_DEF_MSS 536
#define TCP_EPHEMERAL_LO 32768
#define TCP_EPHEMERAL_HI 60999

struct socket;

/* Counters for malformed or unacceptable input (tests, /proc later). */
struct tcp_stats {
	uint64_t in_segs, out_segs, retrans_segs, in_errs, bad_csum, bad_hdr;
	uint64_t out_rsts, dropped_oow, dropped_dup, syn_dropped, syn_evicted;
	uint64_t challenge_acks, active_opens, passive_opens, fast_retrans;
	uint64_t ooo_queued, ooo_dropped, rst_ignored, tw_overflows;
};
extern struct tcp_stats tcp_stats;

/* A connection (or listener). The socket and the stack share it: sock is
 * NULL once the file is closed (an orphan, freed by the stack when it
 * reaches CLOSED); while sock is set only tcp_sock.c's release frees it. */
struct tcb {
	int state;
	struct list_head all_link;  /* tcp_all, while lport != 0 */
	struct list_head hash_link; /* a tcp_hash bucket or tcp_listeners */
	bool hashed;
	struct list_head q_link;	/* parent's synq or acceptq */
	struct tcb *parent;		/* the listener while queued there */
	bool in_synq;			/* parent's synq (else its acceptq) */
	struct list_head synq, acceptq; /* LISTEN only */
	int synq_len, acceptq_len, backlog;
	struct socket *sock;

	uint32_t laddr, raddr; /* host order; laddr 0: any (unconnected) */
	uint16_t lport, rport;
	bool reuseaddr;

	/* Send side. The ring holds bytes from snd_una on. */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
	uint32_t max_wnd;
	uint32_t snd_sml; /* end of the last small segment sent (Nagle) */
	uint8_t snd_wscale, rcv_wscale;
	bool ws_ok;
	uint32_t mss;	   /* what we send per segment */
	uint32_t adv_mss;  /* what we announced */
	uint32_t user_mss; /* TCP_MAXSEG, 0: none */
	/* scap is the buffer's limit (SO_SNDBUF); the ring itself (sbuf_sz
	 * bytes) grows up to it as data comes, so idle connections stay
	 * small. Likewise rcap / rbuf_sz. */
	uint8_t *sbuf;
	uint32_t scap, sbuf_sz, shead, slen;
	bool fin_queued; /* no more data: a FIN follows the ring's last byte */

	/* Receive side. The ring holds readable bytes, then out-of-order
	 * bytes at their offsets beyond rlen (marked in ooo[]). */
	uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge announced */
	uint32_t rcv_wup;		/* rcv_nxt when we last sent an ACK */
	uint8_t *rbuf;
	uint32_t rcap, rbuf_sz, rhead, rlen;
	struct {
		uint32_t start, end;
	} ooo[TCP_OOO_MAX];
	int nooo;
	bool fin_rcvd;

	/* Congestion control (RFC 5681, NewReno RFC 6582). */
	uint32_t cwnd, ssthresh, recover, dupacks;
	bool in_recovery;

	/* RTO (RFC 6298), microseconds / milliseconds. */
	uint32_t srtt_us, rttvar_us, rto_ms;
	bool rtt_valid, timing;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	int retries;  /* consecutive timeouts */
	bool persist; /* rtx_timer is the zero-window probe timer */

	struct net_timer rtx_timer, delack_timer, keep_timer;
	bool ack_now, ack_pending;
	int segs_unacked;

	bool nodelay, keepalive;
	uint32_t keepidle_s, keepintvl_s, keepcnt;
	uint32_t keep_probes;
	uint64_t last_rcv; /* for keep-alive */
	uint8_t ttl;
	bool shut_rd;
	int err; /* pending error for SO_ERROR / the next call (positive) */
	bool was_reset;
	uint32_t sndbuf_cfg, rcvbuf_cfg;
	uint64_t total_retrans;
};

/* tcp_sock.c / tcp_input.c: the tables. */
extern struct list_head tcp_all;
extern int tcp_nconns;
extern int tcp_ntimewait;
struct tcb *tcb_new(void);
void tcb_free(struct tcb *t);
/* A listener's queued connections: dropped (reset if established). */
void tcb_free_children(struct tcb *l);
int tcb_alloc_bufs(struct tcb *t);
void tcb_free_bufs(struct tcb *t);
/* Grows a ring to hold need bytes (need <= its limit), keeping the used
 * bytes from *head; 0 or -ENOMEM. */
int tcp_ring_grow(uint8_t **buf, uint32_t *sz, uint32_t *head, uint32_t used,
		  uint32_t need);
#define TCP_RING_INIT 16384
void tcb_hash(struct tcb *t);
void tcb_unhash(struct tcb *t);
void tcb_set_port(struct tcb *t, uint16_t port);
struct tcb *tcp_lookup(uint32_t laddr, uint16_t lport, uint32_t raddr,
		       uint16_t rport);
struct tcb *tcp_lookup_listener(uint32_t laddr, uint16_t lport);
uint16_t tcp_port_users(uint16_t port);
/* Wakes the socket's sleepers, if there is a socket. */
void tcp_wake(struct tcb *t);
/* The connection is over (err: positive errno to report, 0: none):
 * state CLOSE, timers off, unhashed; freed now if nobody holds it.
 * Returns true if t was freed. */
bool tcp_done(struct tcb *t, int err);
void tcp_set_state(struct tcb *t, int state);

/* tcp_output.c */
uint32_t tcp_new_isn(const struct tcb *t);
/* Sends what the windows, Nagle and the FIN allow. */
void tcp_output(struct tcb *t);
void tcp_send_syn(struct tcb *t); /* SYN or SYN-ACK by state */
void tcp_send_ack(struct tcb *t);
/* One segment from seq (data from the ring), for retransmission. */
void tcp_send_data_at(struct tcb *t, uint32_t seq, uint32_t len, bool rtx);
void tcp_send_rst(struct tcb *t);
void tcp_send_probe(struct tcb *t); /* keep-alive / zero window probe */
/* Reset for a segment without a connection (RFC 9293 3.10.7.1). */
void tcp_reset_reply(uint32_t saddr, uint32_t daddr, const struct tcp_hdr *th,
		     uint32_t seglen);
uint32_t tcp_rcv_window(struct tcb *t);
uint32_t tcp_flight(struct tcb *t);
uint32_t tcp_send_avail(struct tcb *t); /* bytes not yet sent */
void tcp_ring_read(const uint8_t *ring, uint32_t cap, uint32_t pos,
		   uint8_t *dst, uint32_t n);
void tcp_ring_write(uint8_t *ring, uint32_t cap, uint32_t pos,
		    const uint8_t *src, uint32_t n);

/* tcp_opts.c: the SOL_TCP and SOL_IP options, SO_ERROR, TCP_INFO. */
int tcp_setsockopt(struct socket *s, int level, int name, const void *val,
		   uint32_t len);
int tcp_getsockopt(struct socket *s, int level, int name, void *val,
		   uint32_t *len);
void tcp_init_seqs(struct tcb *t);

/* tcp_timer.c */
void tcp_timers_init(struct tcb *t);
void tcp_timers_stop(struct tcb *t);
void tcp_arm_rtx(struct tcb *t);
void tcp_arm_persist(struct tcb *t);
void tcp_arm_delack(struct tcb *t);
void tcp_arm_keepalive(struct tcb *t);
void tcp_arm_timewait(struct tcb *t);
void tcp_arm_finwait2(struct tcb *t);
void tcp_rtt_sample(struct tcb *t, uint64_t rtt_ns);

#endif
