/* printk: formats a message, prefixes Linux's "[    0.001234] " timestamp,
 * and writes it to the console when its level is below the console log
 * level. Serialised by printk_lock so lines from different CPUs never mix;
 * after a panic the lock is bypassed so the report always gets out. */
#include <drivers/uart.h>
#include <lib/printf.h>
#include <printk.h>
#include <spinlock.h>
#include <time.h>

#define PRINTK_LINE_MAX 512

static int console_loglevel = 7;
/* Protects the console output and line_buf. */
static spinlock_t printk_lock = SPINLOCK_INIT("printk");
static char line_buf[PRINTK_LINE_MAX];
bool printk_panicking;

void printk_set_loglevel(int level)
{
	console_loglevel = level;
}

void console_write(const char *s, size_t n)
{
	uart_write(s, n);
}

static void printk_emit(int level, const char *fmt, va_list ap)
{
	uint64_t ns = time_ns();
	int n = snprintf(line_buf, sizeof(line_buf), "[%5llu.%06llu] ",
			 (unsigned long long)(ns / 1000000000ULL),
			 (unsigned long long)(ns % 1000000000ULL / 1000));
	int m = vsnprintf(line_buf + n, sizeof(line_buf) - n, fmt, ap);
	size_t len = n + (size_t)MIN(m, (int)sizeof(line_buf) - n - 1);
	(void)level;
	console_write(line_buf, len);
	if (len == 0 || line_buf[len - 1] != '\n')
		console_write("\n", 1);
}

void vprintk(int level, const char *fmt, va_list ap)
{
	if (level >= console_loglevel && !printk_panicking)
		return;
	if (printk_panicking) {
		printk_emit(level, fmt, ap);
		return;
	}
	irqflags_t f = spin_lock_irqsave(&printk_lock);
	printk_emit(level, fmt, ap);
	spin_unlock_irqrestore(&printk_lock, f);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

/* Unprefixed output, always shown: test results and panic reports. */
void kprintf(const char *fmt, ...)
{
	char buf[PRINTK_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, (size_t)MIN(n, (int)sizeof(buf) - 1));
}
