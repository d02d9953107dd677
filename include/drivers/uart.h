/* The 16550 UART on COM1, the kernel console (drivers/uart.c). */
#ifndef LIMEN_DRIVERS_UART_H
#define LIMEN_DRIVERS_UART_H

#include <types.h>

void uart_init(void);
void uart_putc(char c);
void uart_write(const char *s, size_t n); /* \n becomes \r\n */
void uart_write_raw(const char *s, size_t n);
/* Returns a received byte, or -1 if none is waiting. */
int uart_getc_nowait(void);
void uart_enable_rx_irq(void);

#endif
