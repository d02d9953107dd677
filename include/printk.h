/* Kernel log: printk with Linux's log levels and timestamps, written to the
 * console (kernel/printk.c). A message is shown when its level is below the
 * console log level (loglevel=N on the command line, 7 by default, 4 with
 * "quiet"), as on Linux. */
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

/* Raw console output without prefix or level (tests, panic). */
void console_write(const char *s, size_t n);
void kprintf(const char *fmt, ...) __printf(1, 2);

#endif
