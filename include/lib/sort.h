/* Sorting without recursion or allocation (lib/sort.c). */
#ifndef LIMEN_LIB_SORT_H
#define LIMEN_LIB_SORT_H

#include <types.h>

/* Sorts n pointers by address, in place: heapsort, O(n log n) at worst
 * and a fixed amount of stack, whatever n a user made it. */
void sort_ptrs(void **v, size_t n);

#endif
