/* kmain: the first C code. Brings the machine up in dependency order
 * (console, descriptors, memory, paging, heap, CPU protections, ACPI,
 * interrupts, timer, scheduler), reports what it found, then hands over to
 * the first kernel thread and becomes the idle thread. */
#include <acpi.h>
#include <arch.h>
#include <entry.h>
#include <failinject.h>
#include <asm/apic.h>
#include <asm/cpufeature.h>
#include <asm/gdt.h>
#include <asm/percpu.h>
#include <asm/user.h>
#include <boot.h>
#include <cmdline.h>
#include <drivers/tty.h>
#include <drivers/uart.h>
#include <drivers/mem.h>
#include <drivers/pci.h>
#include <drivers/virtio_blk.h>
#include <net/ether.h>
#include <err.h>
#include <fs/vfs.h>
#include <ktest.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <net/net.h>
#include <panic.h>
#include <power.h>
#include <printk.h>
#include <proc.h>
#include <sched.h>
#include <time.h>
#include <uapi/errno.h>

#define LIMEN_VERSION "0.1"

extern char __kernel_start[], __kernel_end[];
static char cmdline_buf[BOOT_CMDLINE_MAX];

static const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
		return "usable";
	case MEM_ACPI_RECLAIM:
		return "ACPI data";
	case MEM_ACPI_NVS:
		return "ACPI NVS";
	default:
		return "reserved";
	}
}

static void __init memory_init(void)
{
	struct phys_range reserved[3];
	size_t nres = 0;

	for (size_t i = 0; i < boot_info.nmap; i++) {
		const struct mem_region *r = &boot_info.map[i];
		pr_info("mem: [0x%016llx-0x%016llx] %s",
			(unsigned long long)r->base,
			(unsigned long long)(r->base + r->len - 1),
			mem_type_name(r->type));
	}
	reserved[nres++] = (struct phys_range){0, 1UL << 20};
	reserved[nres++] = (struct phys_range){virt_to_phys(__kernel_start),
					       virt_to_phys(__kernel_end)};
	if (boot_info.initrd_size)
		reserved[nres++] = (struct phys_range){
		    ALIGN_DOWN(boot_info.initrd_base, PAGE_SIZE),
		    ALIGN_UP(boot_info.initrd_base + boot_info.initrd_size,
			     PAGE_SIZE)};
	pmm_init(boot_info.map, boot_info.nmap, reserved, nres);

	struct pmm_stats st;
	pmm_get_stats(&st);
	pr_info("mem: %llu MiB usable, %llu MiB free, %llu KiB reserved "
		"(kernel %lu KiB)",
		(unsigned long long)(st.total_pages * PAGE_SIZE >> 20),
		(unsigned long long)(st.free_pages * PAGE_SIZE >> 20),
		(unsigned long long)(st.reserved_pages * PAGE_SIZE >> 10),
		(unsigned long)(__kernel_end - __kernel_start) >> 10);
}

static void report_initrd(void)
{
	if (!boot_info.initrd_size) {
		pr_info("initrd: none");
		return;
	}
	const uint8_t *p = phys_to_virt(boot_info.initrd_base);
	bool cpio = boot_info.initrd_size >= 6 && memcmp(p, "070701", 6) == 0;
	pr_info("initrd: %llu bytes at %#llx (%s)",
		(unsigned long long)boot_info.initrd_size,
		(unsigned long long)boot_info.initrd_base,
		cpio ? "cpio newc archive" : "not a newc cpio archive");
}

/* Tries one init candidate; returns only if it cannot be run. */
static int try_init(const char *path)
{
	static const char *envp[CMDLINE_MAX_ARGS + 3];
	int n = 0;
	envp[n++] = "HOME=/";
	envp[n++] = "TERM=linux";
	for (int i = 0; i < cmdline.init_envc; i++)
		envp[n++] = cmdline.init_envp[i];
	envp[n] = NULL;
	cmdline.init_argv[0] = path;
	int r = proc_exec_init(path, cmdline.init_argv, envp);
	if (r != -ENOENT)
		pr_err("Failed to execute %s (error %d)", path, r);
	return r;
}

/* The first kernel thread becomes pid 1, chosen with Linux's rules: with
 * an initramfs, rdinit= (default /init) if it exists; then init=, then the
 * usual places. */
/* The initrd's pages, once unpacked, go back to the allocator (Linux's
 * "Freeing initrd memory"): only the parts inside usable RAM. */
static void initrd_free(void)
{
	phys_addr_t s = ALIGN_DOWN(boot_info.initrd_base, PAGE_SIZE);
	phys_addr_t e =
	    ALIGN_UP(boot_info.initrd_base + boot_info.initrd_size, PAGE_SIZE);
	uint64_t freed = 0;
	for (size_t i = 0; i < boot_info.nmap; i++) {
		const struct mem_region *r = &boot_info.map[i];
		phys_addr_t rs = MAX(s, r->base), re = MIN(e, r->base + r->len);
		if (r->type != MEM_USABLE || rs >= re)
			continue;
		pmm_release_range(rs, re);
		freed += re - rs;
	}
	pr_info("initrd: freed %llu KiB", (unsigned long long)(freed >> 10));
}

static void kinit(void *arg)
{
	(void)arg;
	if (boot_info.initrd_size) {
		initramfs_unpack(phys_to_virt(boot_info.initrd_base),
				 boot_info.initrd_size);
		initrd_free();
	}
	/* The network stack before any driver: loopback is interface 1, as
	 * on Linux, and netd is there for the first received frame. */
	net_init();
	/* Disks first, so /dev gets a node for each. */
	pci_init();
	virtio_blk_init();
	virtio_net_init();
	initramfs_make_dev();
	procfs_init();
	if (cmdline.ktest) {
		int failed = ktest_run(cmdline.ktest);
		kernel_power_off(failed ? "self-tests failed"
					: "self-tests done");
	}
	if (boot_info.initrd_size)
		try_init(cmdline.rdinit ? cmdline.rdinit : "/init");
	/* As Linux: the root file system is mounted read-only unless the
	 * command line says "rw". */
	if (cmdline.root &&
	    vfs_mount_root(cmdline.root, cmdline.rootfstype, !cmdline.rw))
		pr_warn("root=%s: staying on the initramfs", cmdline.root);
	if (cmdline.init) {
		try_init(cmdline.init);
		panic("Requested init %s failed.", cmdline.init);
	}
	static const char *const defaults[] = {"/sbin/init", "/etc/init",
					       "/bin/init", "/bin/sh"};
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		try_init(defaults[i]);
	pr_notice("limen: no init found (no initramfs, or none of /init, "
		  "/sbin/init, /etc/init, /bin/init, /bin/sh in it)");
	kernel_power_off("no init");
}

void kmain(phys_addr_t start_info)
{
	/* Segments first: loading them clears the GS base on Intel CPUs,
	 * and spinlocks (so printk) need per-CPU data through GS. */
	boot_tsc = rdtsc();
	gdt_init();
	idt_init();
	percpu_init_boot();
	uart_init();
	if (arch_boot_parse(start_info))
		panic("boot: no usable PVH start info / memory map");
	strlcpy(cmdline_buf, boot_info.cmdline, sizeof(cmdline_buf));
	if (cmdline_parse(cmdline_buf, &cmdline))
		pr_warn("cmdline: too many init arguments, %d dropped",
			cmdline.dropped);
	if (cmdline.loglevel >= 0)
		printk_set_loglevel(cmdline.loglevel);
	else if (cmdline.quiet)
		printk_set_loglevel(LOGLEVEL_WARNING);

	pr_notice("Limen %s (x86_64), booted by %s", LIMEN_VERSION,
		  boot_info.protocol);
	pr_notice("Command line: %s", boot_info.cmdline);
	failinject_init(cmdline.fail_alloc, cmdline.fail_blk);
	memory_init();
	paging_init(&boot_info);
	pmm_release_high();
	kmalloc_init();
	vfs_init_root();
	mem_devices_init();
	cpu_features_init();
	fpu_init();
	syscall_init();
	if (acpi_init(boot_info.rsdp))
		pr_warn("acpi: no usable tables; power-off falls back to "
			"QEMU's debug exit");
	apic_init();
	timer_init();
	rtc_init();
	console_init();
	pty_init();
	sched_init();
	arch_irq_enable();
	report_initrd();

	struct thread *t = thread_create("kinit", kinit, NULL);
	if (IS_ERR(t))
		panic("cannot create the first kernel thread: %ld", PTR_ERR(t));
	thread_detach(t);
	sched_idle_loop();
}
