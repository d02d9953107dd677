/* Heapsort of pointers by address. The kernel sorts lists whose length a
 * user chose (the inodes of a tree being unmounted), so the sort must not
 * recurse and must not be quadratic on any input. */
#include <lib/sort.h>

/* Moves v[i] down until both its children are smaller (a max-heap over
 * v[0..n)). */
static void sift_down(void **v, size_t i, size_t n)
{
	for (;;) {
		size_t big = i, l = 2 * i + 1, r = l + 1;
		if (l < n && (uintptr_t)v[l] > (uintptr_t)v[big])
			big = l;
		if (r < n && (uintptr_t)v[r] > (uintptr_t)v[big])
			big = r;
		if (big == i)
			return;
		void *t = v[i];
		v[i] = v[big];
		v[big] = t;
		i = big;
	}
}

void sort_ptrs(void **v, size_t n)
{
	if (n < 2)
		return;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n - 1; end > 0; end--) {
		void *t = v[0];
		v[0] = v[end];
		v[end] = t;
		sift_down(v, 0, end);
	}
}
