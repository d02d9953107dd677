/* Kernel log: printk with Linux's log levels and timestamps, kept in a ring
 * that dmesg reads and written to the console (kernel/printk.c). A message
 * is shown on the console when its level is below the console log level
 * (loglevel=N on the command line, 7 by default, 4 with "quiet"), as on
 * Linux; the ring keeps every level. */
#ifndef LIMEN_PRINTK_H
#define LIMEN_PRINTK_H

#include <types.h>

#define LOGLEVEL_EMERG 0
#define LOGLEVEL_ALERT 1
#define LOGLEVEL_CRIT 2
#define LOGLEVEL_ERR 3
#define LOGLEVEL_WARNING 4
#define LOGLEVEL_NOTICE 5
#define LOGLEVEL_INFO 6
#define LOGLEVEL_DEBUG 7

void printk(int level, const char *fmt, ...) __printf(2, 3);
/* Set by panic: printk then writes straight to the console. */
extern bool printk_panicking;
void vprintk(int level, const char *fmt, va_list ap);
void printk_set_loglevel(int level);

#define pr_emerg(...) printk(LOGLEVEL_EMERG, __VA_ARGS__)
#define pr_err(...) printk(LOGLEVEL_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOGLEVEL_WARNING, __VA_ARGS__)
#define pr_notice(...) printk(LOGLEVEL_NOTICE, __VA_ARGS__)
#define pr_info(...) printk(LOGLEVEL_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOGLEVEL_DEBUG, __VA_ARGS__)

/* The kernel log that syslog(2) reads (kernel/sys_syslog.c): the newest
 * PRINTK_LOG_SIZE bytes of "<level>[    0.001234] text\n" lines. */
#define PRINTK_LOG_SIZE (64 * 1024)
/* Copies the newest whole lines that fit in n bytes (since the last clear);
 * with clear, the log then starts afresh. Returns the bytes copied. */
size_t printk_log_read_all(char *dst, size_t n, bool clear);
/* Copies up to n bytes not yet consumed by an earlier call, and consumes
 * them (lines lost to the ring's wrap are skipped). */
size_t printk_log_read(char *dst, size_t n);
size_t printk_log_unread(void);
void printk_log_clear(void);
/* The console log level: off (1) and back on, or set (1-8). */
void printk_console(bool on);
void printk_console_level(int level);

/* Raw console output without prefix or level (tests, panic). */
void console_write(const char *s, size_t n);
void kprintf(const char *fmt, ...) __printf(1, 2);

#endif
