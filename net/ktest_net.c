/* In-kernel tests of the stack's core as it runs (ktest=net_timers,
 * net_loopback): netd fires net_timers in order, never a cancelled one,
 * lets a callback re-arm its own; a packet sent to 127.0.0.1 is queued by
 * loopback and handled by netd, not in the sender's call. */
#include <ktest.h>
#include <net/net.h>
#include <sched.h>
#include <time.h>
#include <uapi/socket.h>

static int fired[4], nfired, rearmed;
static struct net_timer kt_timers[4];

static void kt_timer_fn(struct net_timer *t)
{
	int i = (int)(t - kt_timers);
	fired[nfired++ & 3] = i;
	/* Timer 3 re-arms itself once, from its own callback. */
	if (i == 3 && !rearmed++)
		net_timer_arm(t, time_ns() + 10 * NSEC_PER_MSEC);
}

KTEST(net_timers)
{
	uint64_t now = time_ns();
	nfired = rearmed = 0;
	mutex_lock(&net_lock);
	for (int i = 0; i < 4; i++)
		kt_timers[i] = (struct net_timer){.fn = kt_timer_fn};
	net_timer_arm(&kt_timers[0], now + 30 * NSEC_PER_MSEC);
	net_timer_arm(&kt_timers[1], now + 10 * NSEC_PER_MSEC);
	net_timer_arm(&kt_timers[2], now + 20 * NSEC_PER_MSEC);
	net_timer_arm(&kt_timers[3], now + 5 * NSEC_PER_MSEC);
	net_timer_cancel(&kt_timers[2]);
	mutex_unlock(&net_lock);
	thread_sleep_ns(300 * NSEC_PER_MSEC);
	mutex_lock(&net_lock);
	int n = nfired;
	bool order = n == 4 && fired[0] == 3 && fired[1] == 1 &&
		     fired[2] == 3 && fired[3] == 0;
	bool idle = !kt_timers[0].expires && !kt_timers[2].expires;
	mutex_unlock(&net_lock);
	KCHECK(order && idle, "net_timers", "fired %d: %d %d %d %d", n,
	       fired[0], fired[1], fired[2], fired[3]);
}

KTEST(net_loopback)
{
	mutex_lock(&net_lock);
	uint64_t before = icmp_stats.out_echo_reps;
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, 8);
	uint8_t *p = nb->data;
	p[0] = 8; /* echo request */
	p[1] = p[4] = p[5] = p[6] = 0;
	p[7] = 1;
	p[2] = p[3] = 0;
	uint16_t c = net_csum_fold(net_csum_add(0, p, 8));
	p[2] = (uint8_t)(c >> 8);
	p[3] = (uint8_t)c;
	int r = ip_output(nb, 0, INADDR_LOOPBACK, IPPROTO_ICMP, 0);
	/* Loopback only queued it: netd needs net_lock to answer. */
	bool deferred = icmp_stats.out_echo_reps == before;
	mutex_unlock(&net_lock);
	thread_sleep_ns(100 * NSEC_PER_MSEC);
	mutex_lock(&net_lock);
	uint64_t after = icmp_stats.out_echo_reps;
	mutex_unlock(&net_lock);
	KCHECK(r == 0 && deferred && after == before + 1, "net_loopback",
	       "ret %d deferred %d replies %lu", r, deferred,
	       (unsigned long)(after - before));
}
