/* The in-kernel self-test runner: finds the tests in the .ktest section,
 * runs those selected on the command line, and prints one PASS/FAIL line
 * per check plus a summary line. */
#include <ktest.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <printk.h>

extern const struct ktest __ktest_start[], __ktest_end[];

static int ktest_passed, ktest_failed;

void ktest_check(bool ok, const char *name, const char *fmt, ...)
{
	char why[200] = "";
	if (ok) {
		ktest_passed++;
		kprintf("PASS %s\n", name);
		return;
	}
	ktest_failed++;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	kprintf("FAIL %s: %s\n", name, why[0] ? why : "check failed");
}

static bool selected(const char *sel, const char *name)
{
	/* "all" leaves out the tests that end in a deliberate panic. */
	if (strcmp(sel, "all") == 0)
		return strncmp(name, "panic_", 6) != 0;
	size_t n = strlen(name);
	for (const char *p = sel; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len + (comma ? 1 : 0);
	}
	return false;
}

int ktest_run(const char *sel)
{
	int ran = 0;
	for (const struct ktest *t = __ktest_start; t < __ktest_end; t++) {
		if (!selected(sel, t->name))
			continue;
		pr_info("ktest: running %s", t->name);
		t->fn();
		ran++;
	}
	if (ran == 0)
		ktest_check(false, "ktest", "no test matches '%s'", sel);
	pr_info("ktest: %d tests, %d checks passed, %d failed", ran,
		ktest_passed, ktest_failed);
	return ktest_failed;
}
