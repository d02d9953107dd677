/* Self-tests of the virtio-blk driver, run by tests/virtio-blk.sh with two
 * disks: vda holds a pattern the host wrote (32-bit word i of the disk is
 * i * 2654435761), vdb is a zeroed scratch disk whose writes the host
 * checks after power-off. Without disks (ktest=all in the plain boot) the
 * tests say so and check nothing. */
#include <drivers/virtio_blk.h>
#include <err.h>
#include <fs/blkdev.h>
#include <ktest.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <printk.h>
#include <sched.h>
#include <uapi/errno.h>
#include <uapi/stat.h>

#define VBT_DISK_SECTORS 2048 /* the 1 MiB images tests/virtio-blk.sh makes */
#define VBT_WRITE_FIRST 100   /* vdb sectors the host checks */
#define VBT_WRITE_COUNT 16
#define VBT_THREADS 4
#define VBT_THREAD_SECTOR                                                      \
	1024 /* vdb: thread t writes 64 sectors here + 64t                     \
	      */

static uint32_t vbt_word(uint64_t index)
{
	return (uint32_t)(index * 2654435761u);
}

/* Does buf hold vda's pattern for count sectors from sector? */
static bool vbt_pattern_ok(const void *buf, uint64_t sector, size_t count)
{
	const uint8_t *p = buf;
	for (size_t i = 0; i < count * SECTOR_SIZE / 4; i++) {
		uint32_t w;
		memcpy(&w, p + 4 * i, 4);
		if (w != vbt_word(sector * SECTOR_SIZE / 4 + i))
			return false;
	}
	return true;
}

/* What the write test puts in vdb's sector s (the host checks it). */
static void vbt_fill_sector(uint8_t *p, uint64_t s)
{
	memset(p, (int)(s & 0xff), SECTOR_SIZE);
	snprintf((char *)p, 64, "limen virtio-blk sector %llu",
		 (unsigned long long)s);
}

static bool vbt_disks(struct blkdev **a, struct blkdev **b)
{
	*a = blkdev_find("vda");
	*b = blkdev_find("/dev/vdb");
	if (!*a || !*b) {
		pr_info("ktest: no vda/vdb disks, virtio-blk tests skipped");
		return false;
	}
	return true;
}

/* Reads 3 sectors into a buffer whose two pages are not physically
 * adjacent: a kernel-stack area whose second page is remapped to a frame
 * chosen not to follow the first. The driver must split the buffer. */
static bool vbt_read_discontiguous(struct blkdev *a)
{
	void *top = vm_kstack_alloc();
	if (!top)
		return false;
	uintptr_t base = (uintptr_t)top - KSTACK_SIZE;
	phys_addr_t p0, orig, x = 0, spare = 0;
	bool ok = false;
	if (vm_kvirt_to_phys(base, &p0) ||
	    vm_kvirt_to_phys(base + PAGE_SIZE, &orig))
		goto out;
	x = pmm_alloc_pages(0);
	if (x == p0 + PAGE_SIZE) {
		spare = x;
		x = pmm_alloc_pages(0);
	}
	if (!x || vm_kmap(base + PAGE_SIZE, x, VM_WRITE))
		goto out;
	uint8_t *buf = (uint8_t *)base + PAGE_SIZE - 700;
	memset(buf, 0, 3 * SECTOR_SIZE);
	ok = blkdev_rw(a, 1500, buf, 3, false) == 0 &&
	     vbt_pattern_ok(buf, 1500, 3);
	vm_kmap(base + PAGE_SIZE, orig, VM_WRITE);
out:
	if (x)
		pmm_free_pages(x, 0);
	if (spare)
		pmm_free_pages(spare, 0);
	vm_kstack_free(top);
	return ok;
}

KTEST(virtio_blk_read)
{
	struct blkdev *a, *b;
	if (!vbt_disks(&a, &b))
		return;
	KCHECK(a->nsectors == VBT_DISK_SECTORS, "vblk_capacity", "%llu",
	       (unsigned long long)a->nsectors);
	KCHECK(a->major == 254 && a->minor == 0 && b->minor == 16,
	       "vblk_devnums");
	KCHECK(blkdev_find_rdev(MKDEV(254, 16)) == b, "vblk_find_rdev");
	KCHECK(blkdev_next(NULL) == a && blkdev_next(a) == b, "vblk_next");

	/* The whole disk in one call: split into many requests. */
	unsigned order = 8; /* 1 MiB */
	phys_addr_t pa = pmm_alloc_pages(order);
	KCHECK(pa != 0, "vblk_alloc");
	if (!pa)
		return;
	uint8_t *big = phys_to_virt(pa);
	memset(big, 0, PAGE_SIZE << order);
	int r = blkdev_rw(a, 0, big, VBT_DISK_SECTORS, false);
	KCHECK(r == 0 && vbt_pattern_ok(big, 0, VBT_DISK_SECTORS),
	       "vblk_read_whole_disk", "r=%d", r);

	/* Sector by sector, then an odd-sized read into an unaligned
	 * kernel-stack buffer, which crosses non-contiguous pages. */
	bool ok = true;
	for (uint64_t s = 0; s < 64 && ok; s++) {
		r = blkdev_rw(a, s, big, 1, false);
		ok = r == 0 && vbt_pattern_ok(big, s, 1);
	}
	KCHECK(ok, "vblk_read_sectors_0_63");
	uint8_t stackbuf[3 * SECTOR_SIZE + 16];
	memset(stackbuf, 0, sizeof(stackbuf));
	r = blkdev_rw(a, 777, stackbuf + 3, 3, false);
	KCHECK(r == 0 && vbt_pattern_ok(stackbuf + 3, 777, 3),
	       "vblk_read_unaligned_stack", "r=%d", r);
	KCHECK(vbt_read_discontiguous(a), "vblk_read_discontiguous_pages");
	/* A direct-map buffer straddling a page boundary of the heap. */
	r = blkdev_rw(a, VBT_DISK_SECTORS - 9, big + PAGE_SIZE - 1000, 9,
		      false);
	KCHECK(r == 0 && vbt_pattern_ok(big + PAGE_SIZE - 1000,
					VBT_DISK_SECTORS - 9, 9),
	       "vblk_read_last_sectors", "r=%d", r);
	KCHECK(blkdev_rw(a, VBT_DISK_SECTORS - 1, big, 2, false) == -EINVAL,
	       "vblk_read_past_end");
	pmm_free_pages(pa, order);
}

KTEST(virtio_blk_write)
{
	struct blkdev *a, *b;
	if (!vbt_disks(&a, &b))
		return;
	KCHECK(!b->read_only, "vblk_scratch_writable");
	size_t len = VBT_WRITE_COUNT * SECTOR_SIZE;
	uint8_t *out = kmalloc(len), *in = kmalloc(len);
	KCHECK(out && in, "vblk_alloc");
	if (!out || !in)
		goto done;
	for (int i = 0; i < VBT_WRITE_COUNT; i++)
		vbt_fill_sector(out + i * SECTOR_SIZE, VBT_WRITE_FIRST + i);
	int r = blkdev_rw(b, VBT_WRITE_FIRST, out, VBT_WRITE_COUNT, true);
	KCHECK(r == 0, "vblk_write", "r=%d", r);
	r = blkdev_flush(b);
	KCHECK(r == 0, "vblk_flush", "r=%d", r);
	memset(in, 0, len);
	r = blkdev_rw(b, VBT_WRITE_FIRST, in, VBT_WRITE_COUNT, false);
	KCHECK(r == 0 && memcmp(in, out, len) == 0, "vblk_write_read_back",
	       "r=%d", r);
	KCHECK(b->writes >= 1 && b->sectors_written >= VBT_WRITE_COUNT,
	       "vblk_counters");
done:
	kfree(out);
	kfree(in);
}

struct vbt_worker {
	struct blkdev *a, *b;
	int id;
	int bad; /* iterations that failed */
};

/* Reads pattern ranges of vda and writes then re-reads its own region of
 * vdb, many times, alongside the other workers. */
static void vbt_worker_fn(void *arg)
{
	struct vbt_worker *w = arg;
	size_t maxn = 64;
	uint8_t *buf = kmalloc(maxn * SECTOR_SIZE);
	uint8_t *chk = kmalloc(maxn * SECTOR_SIZE);
	if (!buf || !chk) {
		w->bad++;
		goto out;
	}
	uint64_t seed = 12345 + w->id * 7919;
	for (int it = 0; it < 40; it++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		size_t n = 1 + (seed >> 33) % maxn;
		uint64_t s = (seed >> 13) % (VBT_DISK_SECTORS - n);
		if (blkdev_rw(w->a, s, buf, n, false) ||
		    !vbt_pattern_ok(buf, s, n))
			w->bad++;
		uint64_t ws = VBT_THREAD_SECTOR + 64 * w->id + it % 8;
		size_t wn = 1 + it % 8;
		for (size_t i = 0; i < wn; i++)
			vbt_fill_sector(buf + i * SECTOR_SIZE, ws + i);
		if (blkdev_rw(w->b, ws, buf, wn, true) ||
		    blkdev_rw(w->b, ws, chk, wn, false) ||
		    memcmp(buf, chk, wn * SECTOR_SIZE) != 0)
			w->bad++;
	}
out:
	kfree(buf);
	kfree(chk);
	thread_exit(0);
}

KTEST(virtio_blk_threads)
{
	struct blkdev *a, *b;
	if (!vbt_disks(&a, &b))
		return;
	struct vbt_worker w[VBT_THREADS];
	struct thread *t[VBT_THREADS];
	bool created = true;
	for (int i = 0; i < VBT_THREADS; i++) {
		w[i] = (struct vbt_worker){a, b, i, 0};
		t[i] = thread_create("vblk-test", vbt_worker_fn, &w[i]);
		if (IS_ERR(t[i]))
			created = false;
	}
	KCHECK(created, "vblk_threads_created");
	int bad = 0;
	for (int i = 0; i < VBT_THREADS; i++) {
		if (!IS_ERR(t[i])) {
			thread_join(t[i]);
			bad += w[i].bad;
		}
	}
	KCHECK(bad == 0, "vblk_threads_data", "%d bad iterations", bad);
	unsigned inflight =
	    virtio_blk_max_inflight(a) + virtio_blk_max_inflight(b);
	KCHECK(virtio_blk_max_inflight(a) >= 2 ||
		   virtio_blk_max_inflight(b) >= 2,
	       "vblk_requests_overlap", "at most %u in flight", inflight);
	KCHECK(blkdev_flush(b) == 0, "vblk_threads_flush");
}
