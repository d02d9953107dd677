/* printk: formats a message, prefixes Linux's "[    0.001234] " timestamp,
 * keeps it in the kernel log that syslog(2) reads (dmesg), and writes it to
 * the console when its level is below the console log level. Serialised by
 * printk_lock so lines from different CPUs never mix; after a panic the
 * lock is bypassed so the report always gets out. */
#include <drivers/uart.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <printk.h>
#include <spinlock.h>
#include <time.h>

#define PRINTK_LINE_MAX 512

/* printk_lock guards everything below. */
static spinlock_t printk_lock = SPINLOCK_INIT("printk");
static int console_loglevel = 7;
static int saved_loglevel; /* while SYSLOG_ACTION_CONSOLE_OFF is in force */
static char line_buf[PRINTK_LINE_MAX];
/* The log: every line as "<level>[    0.001234] text\n" (Linux's record
 * format for syslog(2)), the newest PRINTK_LOG_SIZE bytes of them; older
 * bytes are overwritten. The positions count bytes ever written. */
static char log_buf[PRINTK_LOG_SIZE];
static uint64_t log_head;  /* the next byte's position */
static uint64_t log_clear; /* SYSLOG_ACTION_CLEAR moved the start here */
static uint64_t log_read;  /* SYSLOG_ACTION_READ has consumed up to here */
bool printk_panicking;

void printk_set_loglevel(int level)
{
	console_loglevel = level;
}

void console_write(const char *s, size_t n)
{
	uart_write(s, n);
}

static void log_append(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_buf[(log_head + i) % PRINTK_LOG_SIZE] = s[i];
	log_head += n;
}

static void printk_emit(int level, const char *fmt, va_list ap)
{
	uint64_t ns = time_ns();
	int n = snprintf(line_buf, sizeof(line_buf), "[%5llu.%06llu] ",
			 (unsigned long long)(ns / 1000000000ULL),
			 (unsigned long long)(ns % 1000000000ULL / 1000));
	int m = vsnprintf(line_buf + n, sizeof(line_buf) - n, fmt, ap);
	size_t len = n + (size_t)MIN(m, (int)sizeof(line_buf) - n - 1);
	while (len > 0 && line_buf[len - 1] == '\n')
		len--;
	char prefix[8];
	int k = snprintf(prefix, sizeof(prefix), "<%d>", level & 7);
	log_append(prefix, (size_t)k);
	log_append(line_buf, len);
	log_append("\n", 1);
	if (level < console_loglevel || printk_panicking) {
		console_write(line_buf, len);
		console_write("\n", 1);
	}
}

/* The oldest position still in the ring at or after from, moved to the
 * start of a line when the ring has overwritten part of one. */
static uint64_t log_line_start(uint64_t from)
{
	uint64_t oldest =
	    log_head > PRINTK_LOG_SIZE ? log_head - PRINTK_LOG_SIZE : 0;
	if (from >= oldest)
		return from;
	from = oldest;
	while (from < log_head && log_buf[(from - 1) % PRINTK_LOG_SIZE] != '\n')
		from++;
	return from;
}

static size_t log_copy(uint64_t from, char *dst, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = log_buf[(from + i) % PRINTK_LOG_SIZE];
	return n;
}

size_t printk_log_read_all(char *dst, size_t n, bool clear)
{
	irqflags_t f = spin_lock_irqsave(&printk_lock);
	uint64_t from = log_line_start(log_clear);
	if (log_head - from > n) {
		/* The newest lines that fit, whole. */
		from = log_head - n;
		while (from < log_head &&
		       log_buf[(from - 1) % PRINTK_LOG_SIZE] != '\n')
			from++;
	}
	size_t got = log_copy(from, dst, log_head - from);
	if (clear)
		log_clear = log_head;
	spin_unlock_irqrestore(&printk_lock, f);
	return got;
}

size_t printk_log_read(char *dst, size_t n)
{
	irqflags_t f = spin_lock_irqsave(&printk_lock);
	log_read = log_line_start(log_read);
	size_t got = log_copy(log_read, dst, MIN(n, log_head - log_read));
	log_read += got;
	spin_unlock_irqrestore(&printk_lock, f);
	return got;
}

size_t printk_log_unread(void)
{
	irqflags_t f = spin_lock_irqsave(&printk_lock);
	size_t n = log_head - log_line_start(log_read);
	spin_unlock_irqrestore(&printk_lock, f);
	return n;
}

void printk_log_clear(void)
{
	irqflags_t f = spin_lock_irqsave(&printk_lock);
	log_clear = log_head;
	spin_unlock_irqrestore(&printk_lock, f);
}

/* SYSLOG_ACTION_CONSOLE_OFF (on false: back to the saved level) and _ON. */
void printk_console(bool on)
{
	irqflags_t f = spin_lock_irqsave(&printk_lock);
	if (!on && !saved_loglevel) {
		saved_loglevel = console_loglevel;
		console_loglevel = 1; /* Linux's minimum_console_loglevel */
	} else if (on && saved_loglevel) {
		console_loglevel = saved_loglevel;
		saved_loglevel = 0;
	}
	spin_unlock_irqrestore(&printk_lock, f);
}

void printk_console_level(int level)
{
	irqflags_t f = spin_lock_irqsave(&printk_lock);
	console_loglevel = level;
	saved_loglevel = 0;
	spin_unlock_irqrestore(&printk_lock, f);
}

void vprintk(int level, const char *fmt, va_list ap)
{
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
