/* Classic BPF (net/bpf.c): the socket filters of SO_ATTACH_FILTER, as
 * Linux's bpf_check_classic and its interpreter define them, without the
 * ancillary loads (SKF_AD_*: offsets past the packet read as past its
 * end, so the filter returns 0). */
#ifndef LIMEN_NET_BPF_H
#define LIMEN_NET_BPF_H

#include <types.h>

#define BPF_MAXINSNS 4096
#define BPF_MEMWORDS 16

struct sock_filter_k { /* Linux's struct sock_filter */
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

struct sock_fprog_k { /* Linux's struct sock_fprog, x86_64 layout */
	uint16_t len;
	uint16_t pad[3];
	uint64_t filter; /* user pointer to len instructions */
};

struct bpf_prog {
	uint32_t len;
	struct sock_filter_k insns[]; /* len of them, validated */
};

/* 0 if the len instructions form a program Linux would accept: 1 to
 * BPF_MAXINSNS of them, known opcodes, jumps forward and inside, scratch
 * indices below BPF_MEMWORDS, no division or modulo by a constant 0,
 * shifts by a constant below 32, a return last; -EINVAL otherwise. */
int bpf_validate(const struct sock_filter_k *insns, uint32_t len);
/* Runs a validated program over pkt: the bytes to keep (0: drop). A load
 * past pkt's end, or a division by X == 0, returns 0 as Linux. */
uint32_t bpf_run(const struct bpf_prog *p, const uint8_t *pkt, size_t len);
/* setsockopt(SO_ATTACH_FILTER)'s value (a struct sock_fprog_k of optlen
 * bytes, already in the kernel) to a new kmalloc'd program: -EINVAL for a
 * short option or a bad program, -EFAULT for a bad instruction pointer,
 * -ENOMEM. */
int bpf_prog_from_user(const void *opt, uint32_t optlen,
		       struct bpf_prog **out);

#endif
