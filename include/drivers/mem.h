/* /dev/null, zero, full, random, urandom (drivers/mem.c). */
#ifndef LIMEN_DRIVERS_MEM_H
#define LIMEN_DRIVERS_MEM_H

void mem_devices_init(void);

#endif
