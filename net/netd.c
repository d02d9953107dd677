/* The network thread "netd" and the stack's lock (net/net.h): drivers
 * queue received frames from interrupts (net_rx_enqueue); netd drains
 * them and runs due protocol timers, both under net_lock. */
#include <ktimer.h>
#include <mutex.h>
#include <net/ether.h>
#include <net/net.h>
#include <err.h>
#include <panic.h>
#include <sched.h>
#include <spinlock.h>
#include <time.h>

struct mutex net_lock = MUTEX_INIT(net_lock, "net_lock");

/* The receive queue. rx_lock is taken with interrupts off and nothing
 * else is taken under it; it nests inside net_lock (loopback's xmit
 * queues with net_lock held), never the other way. */
static spinlock_t rx_lock;
static LIST_HEAD(rx_queue);	  /* rx_lock */
static size_t rx_count, rx_bytes; /* rx_lock */
uint64_t net_rx_overflows;	  /* rx_lock */
/* Work for netd: set by whoever queues a frame or fires the timer, read
 * by netd's wait condition with sched_lock held (one aligned word). */
static volatile bool netd_kick;
static struct wait_queue netd_wq = WAIT_QUEUE_INIT(netd_wq);

/* Armed net_timers, sorted by expiry (net_lock). One ktimer wakes netd at
 * the earliest; it runs in interrupt context, so it only sets the kick. */
static LIST_HEAD(net_timers);
static struct ktimer netd_ktimer;

static void netd_wake(void)
{
	netd_kick = true;
	wait_queue_wake_all(&netd_wq);
}

void net_rx_enqueue(struct netif *dev, struct netbuf *nb)
{
	irqflags_t f = spin_lock_irqsave(&rx_lock);
	/* A flood (or a loopback sender faster than netd) must not grow
	 * the queue without end. */
	if (rx_count >= NET_RX_MAX || rx_bytes + nb->len > NET_RX_MAX_BYTES) {
		net_rx_overflows++;
		spin_unlock_irqrestore(&rx_lock, f);
		netbuf_free(nb);
		return;
	}
	nb->dev = dev;
	list_add_tail(&nb->link, &rx_queue);
	rx_count++;
	rx_bytes += nb->len;
	spin_unlock_irqrestore(&rx_lock, f);
	netd_wake();
}

static void netd_ktimer_fn(struct ktimer *kt)
{
	(void)kt;
	netd_wake();
}

/* With net_lock: sets the ktimer for the earliest armed net_timer. Once
 * it fired it is off ktimer's list even if the time it was set for is the
 * same, hence the look at queued. */
static void netd_ktimer_update(void)
{
	uint64_t at = 0;
	if (!list_empty(&net_timers))
		at = list_first_entry(&net_timers, struct net_timer, link)
			 ->expires;
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	if (!at)
		ktimer_del_locked(&netd_ktimer);
	else if (at != netd_ktimer.expires || !netd_ktimer.queued)
		ktimer_add_locked(&netd_ktimer, at);
	spin_unlock_irqrestore(&ktimer_lock, f);
}

void net_timer_arm(struct net_timer *t, uint64_t expires_ns)
{
	if (t->expires)
		list_del(&t->link);
	t->expires = expires_ns ? expires_ns : 1;
	struct net_timer *o;
	struct list_head *pos = &net_timers;
	list_for_each_entry(o, &net_timers, link)
	{
		if (o->expires > t->expires) {
			pos = &o->link;
			break;
		}
	}
	/* Insert before pos (at the tail when none expires later). */
	list_add_tail(&t->link, pos);
	netd_ktimer_update();
}

void net_timer_cancel(struct net_timer *t)
{
	if (!t->expires)
		return;
	list_del(&t->link);
	t->expires = 0;
	netd_ktimer_update();
}

/* With net_lock: runs every timer due by now. Each is off the list before
 * its function runs, so the function may re-arm or free it. */
static void netd_run_timers(void)
{
	uint64_t now = time_ns();
	while (!list_empty(&net_timers)) {
		struct net_timer *t =
		    list_first_entry(&net_timers, struct net_timer, link);
		if (t->expires > now)
			break;
		list_del(&t->link);
		t->expires = 0;
		t->fn(t);
	}
	netd_ktimer_update();
}

static bool netd_has_work(void)
{
	return netd_kick;
}

/* How many frames netd handles before looking at timers again, so a
 * flood cannot starve them (and net_lock's other users get a turn). */
#define NETD_BATCH 64

static void netd_main(void *arg)
{
	(void)arg;
	for (;;) {
		wait_event(&netd_wq, netd_has_work());
		netd_kick = false;
		for (;;) {
			mutex_lock(&net_lock);
			int n = 0;
			for (; n < NETD_BATCH; n++) {
				irqflags_t f = spin_lock_irqsave(&rx_lock);
				if (list_empty(&rx_queue)) {
					spin_unlock_irqrestore(&rx_lock, f);
					break;
				}
				struct netbuf *nb = list_first_entry(
				    &rx_queue, struct netbuf, link);
				list_del(&nb->link);
				rx_count--;
				rx_bytes -= nb->len;
				spin_unlock_irqrestore(&rx_lock, f);
				struct netif *dev = nb->dev;
				if (dev && dev->input) {
					dev->input(dev, nb);
				} else {
					/* Loopback: bare IPv4 packets. */
					if (dev && packet_tap)
						packet_tap(dev, nb, false);
					ip_input(nb);
				}
			}
			netd_run_timers();
			mutex_unlock(&net_lock);
			if (n < NETD_BATCH)
				break;
			sched_yield_cpu();
		}
	}
}

void net_init(void)
{
	spin_init(&rx_lock, "net_rx");
	netd_ktimer.fn = netd_ktimer_fn;
	mutex_lock(&net_lock);
	netif_loopback_init();
	mutex_unlock(&net_lock);
	udp_init();
	if (packet_init)
		packet_init();
	struct thread *t = thread_create("netd", netd_main, NULL);
	if (IS_ERR(t))
		panic("net: cannot start netd");
	thread_detach(t);
}
