/* Host tests of net/bpf.c, the classic BPF validator and interpreter
 * behind SO_ATTACH_FILTER: every rule the validator enforces, each
 * instruction's effect, loads at and past the packet's end, division by
 * X == 0, busybox's old udhcpc filter on real-shaped packets, and 20000
 * random programs (those the validator accepts run on random packets
 * under ASan and UBSan, and must stop within their length). */
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mm/kmalloc.h>
#include <uapi/errno.h>

void *kmalloc(size_t n)
{
	return malloc(n ? n : 1);
}
void kfree(void *p)
{
	free(p);
}
size_t __uaccess_copy(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)src < 4096)
		return n; /* a "bad user pointer" */
	memcpy(dst, src, n);
	return 0;
}

#include "../../net/bpf.c"

#define S(c, k) ((struct sock_filter_k){(uint16_t)(c), 0, 0, (k)})
#define J(c, k, t, f) ((struct sock_filter_k){(uint16_t)(c), (t), (f), (k)})

/* Runs n instructions (validated first) over pkt. */
static uint32_t run(const struct sock_filter_k *f, uint32_t n,
		    const uint8_t *pkt, size_t len)
{
	struct bpf_prog *p = malloc(sizeof(*p) + n * sizeof(*f));
	p->len = n;
	memcpy(p->insns, f, n * sizeof(*f));
	uint32_t r = bpf_validate(f, n) ? 0xdeadbeef : bpf_run(p, pkt, len);
	free(p);
	return r;
}

static void t_validate(void)
{
	struct sock_filter_k ok[] = {S(BPF_RET | BPF_K, 1)};
	CHECK_EQ_INT("validate.one_ret", bpf_validate(ok, 1), 0);
	CHECK_EQ_INT("validate.empty", bpf_validate(ok, 0), -EINVAL);
	struct sock_filter_k *big = calloc(BPF_MAXINSNS + 1, sizeof(*big));
	for (int i = 0; i <= BPF_MAXINSNS; i++)
		big[i] = S(BPF_LD | BPF_IMM, (uint32_t)i);
	big[BPF_MAXINSNS - 1] = S(BPF_RET | BPF_A, 0);
	CHECK_EQ_INT("validate.max_len", bpf_validate(big, BPF_MAXINSNS), 0);
	big[BPF_MAXINSNS] = S(BPF_RET | BPF_A, 0);
	CHECK_EQ_INT("validate.too_long", bpf_validate(big, BPF_MAXINSNS + 1),
		     -EINVAL);
	CHECK_EQ_UINT("run.max_len", run(big, BPF_MAXINSNS, NULL, 0),
		      BPF_MAXINSNS - 2);
	free(big);
	struct sock_filter_k no_ret[] = {S(BPF_LD | BPF_IMM, 1)};
	CHECK_EQ_INT("validate.no_ret", bpf_validate(no_ret, 1), -EINVAL);
	/* Every 16-bit code: accepted exactly when bpf_known says so, and
	 * the interpreter handles each accepted one. */
	int known = 0;
	for (uint32_t c = 0; c < 0x10000; c++) {
		/* k 1: no division by 0; JA needs 0 to stay inside. */
		uint32_t k = (c & 7) == BPF_JMP ? 0 : 1;
		struct sock_filter_k f[] = {S(c, k), S(BPF_RET | BPF_A, 0)};
		if (bpf_validate(f, 2) == 0) {
			known++;
			uint8_t pkt[4] = {1, 2, 3, 4};
			(void)run(f, 2, pkt, sizeof(pkt));
		}
	}
	/* Linux's list: 21 ALU, 9 LD, 4 LDX, ST, STX, 2 MISC, 2 RET, 9 JMP. */
	CHECK_EQ_INT("validate.known_opcodes", known, 49);
	struct sock_filter_k jmp[] = {J(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
				      S(BPF_RET | BPF_K, 0)};
	CHECK_EQ_INT("validate.jt_past_end", bpf_validate(jmp, 2), -EINVAL);
	jmp[0] = J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1);
	CHECK_EQ_INT("validate.jf_past_end", bpf_validate(jmp, 2), -EINVAL);
	jmp[0] = S(BPF_JMP | BPF_JA, 1);
	CHECK_EQ_INT("validate.ja_past_end", bpf_validate(jmp, 2), -EINVAL);
	jmp[0] = S(BPF_JMP | BPF_JA, 0xffffffffu); /* "backward" */
	CHECK_EQ_INT("validate.ja_backward", bpf_validate(jmp, 2), -EINVAL);
	jmp[0] = S(BPF_JMP | BPF_JA, 0);
	CHECK_EQ_INT("validate.ja_next", bpf_validate(jmp, 2), 0);
	struct sock_filter_k div[] = {S(BPF_ALU | BPF_DIV | BPF_K, 0),
				      S(BPF_RET | BPF_K, 0)};
	CHECK_EQ_INT("validate.div_k_zero", bpf_validate(div, 2), -EINVAL);
	div[0] = S(BPF_ALU | BPF_MOD | BPF_K, 0);
	CHECK_EQ_INT("validate.mod_k_zero", bpf_validate(div, 2), -EINVAL);
	div[0] = S(BPF_ALU | BPF_LSH | BPF_K, 32);
	CHECK_EQ_INT("validate.shift_32", bpf_validate(div, 2), -EINVAL);
	div[0] = S(BPF_ST, BPF_MEMWORDS);
	CHECK_EQ_INT("validate.st_index", bpf_validate(div, 2), -EINVAL);
	div[0] = S(BPF_LDX | BPF_MEM, BPF_MEMWORDS);
	CHECK_EQ_INT("validate.ldx_mem_index", bpf_validate(div, 2), -EINVAL);
	div[0] = S(BPF_RET | BPF_X, 0); /* not in Linux's list */
	CHECK_EQ_INT("validate.ret_x", bpf_validate(div, 2), -EINVAL);
}

static void t_run(void)
{
	uint8_t pkt[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	struct sock_filter_k w[] = {S(BPF_LD | BPF_W | BPF_ABS, 4),
				    S(BPF_RET | BPF_A, 0)};
	CHECK_EQ_UINT("run.ld_w_last", run(w, 2, pkt, 8), 0x55667788u);
	w[0].k = 5;
	CHECK_EQ_UINT("run.ld_w_past_end", run(w, 2, pkt, 8), 0);
	w[0] = S(BPF_LD | BPF_H | BPF_ABS, 6);
	CHECK_EQ_UINT("run.ld_h_last", run(w, 2, pkt, 8), 0x7788u);
	w[0].k = 7;
	CHECK_EQ_UINT("run.ld_h_past_end", run(w, 2, pkt, 8), 0);
	w[0] = S(BPF_LD | BPF_B | BPF_ABS, 0xffffffffu);
	CHECK_EQ_UINT("run.ld_b_huge_offset", run(w, 2, pkt, 8), 0);
	w[0] = S(BPF_LD | BPF_W | BPF_LEN, 0);
	CHECK_EQ_UINT("run.len", run(w, 2, pkt, 8), 8);
	struct sock_filter_k ind[] = {S(BPF_LDX | BPF_IMM, 0xfffffffeu),
				      S(BPF_LD | BPF_B | BPF_IND, 3),
				      S(BPF_RET | BPF_A, 0)};
	CHECK_EQ_UINT("run.ind_wraps_not", run(ind, 3, pkt, 8), 0);
	ind[0].k = 2;
	CHECK_EQ_UINT("run.ind", run(ind, 3, pkt, 8), 0x66);
	struct sock_filter_k msh[] = {S(BPF_LDX | BPF_B | BPF_MSH, 0),
				      S(BPF_MISC | BPF_TXA, 0),
				      S(BPF_RET | BPF_A, 0)};
	CHECK_EQ_UINT("run.msh", run(msh, 3, pkt, 8), 4); /* 0x11 & 15, *4 */
	struct sock_filter_k dx[] = {
	    S(BPF_LD | BPF_IMM, 7), S(BPF_LDX | BPF_IMM, 0),
	    S(BPF_ALU | BPF_DIV | BPF_X, 0), S(BPF_RET | BPF_K, 99)};
	CHECK_EQ_UINT("run.div_x_zero_drops", run(dx, 4, pkt, 8), 0);
	dx[2] = S(BPF_ALU | BPF_MOD | BPF_X, 0);
	CHECK_EQ_UINT("run.mod_x_zero_drops", run(dx, 4, pkt, 8), 0);
	struct sock_filter_k alu[] = {S(BPF_LD | BPF_IMM, 100),
				      S(BPF_ALU | BPF_ADD | BPF_K, 5),
				      S(BPF_ALU | BPF_MUL | BPF_K, 3),
				      S(BPF_ALU | BPF_SUB | BPF_K, 15),
				      S(BPF_ALU | BPF_DIV | BPF_K, 10),
				      S(BPF_ALU | BPF_MOD | BPF_K, 7),
				      S(BPF_ALU | BPF_LSH | BPF_K, 4),
				      S(BPF_ALU | BPF_OR | BPF_K, 1),
				      S(BPF_ALU | BPF_AND | BPF_K, 0x71),
				      S(BPF_ALU | BPF_XOR | BPF_K, 3),
				      S(BPF_ALU | BPF_RSH | BPF_K, 1),
				      S(BPF_ST, 3),
				      S(BPF_LD | BPF_IMM, 0),
				      S(BPF_LDX | BPF_MEM, 3),
				      S(BPF_MISC | BPF_TXA, 0),
				      S(BPF_ALU | BPF_NEG, 0),
				      S(BPF_RET | BPF_A, 0)};
	/* ((((105*3-15)/10)%7)<<4 | 1) & 0x71 ^ 3 >> 1 = 0x21 >> 1... */
	uint32_t a =
	    (uint32_t)(((((((105u * 3 - 15) / 10) % 7) << 4) | 1) & 0x71) ^
		       3) >>
	    1;
	CHECK_EQ_UINT("run.alu_chain", run(alu, 17, pkt, 8), -a);
	struct sock_filter_k jx[] = {S(BPF_LD | BPF_IMM, 5),
				     S(BPF_LDX | BPF_IMM, 5),
				     J(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 2),
				     J(BPF_JMP | BPF_JGT | BPF_X, 0, 1, 0),
				     S(BPF_RET | BPF_K, 1),
				     S(BPF_RET | BPF_K, 2)};
	CHECK_EQ_UINT("run.jge_jgt", run(jx, 6, pkt, 8), 1);
}

/* busybox (1.22 and before) udhcpc's filter: UDP to port 68, not a
 * fragment, over an IPv4 packet (SOCK_DGRAM: no link header). */
static const struct sock_filter_k dhcp[] = {
    S(BPF_LD | BPF_B | BPF_ABS, 9),
    J(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 6),
    S(BPF_LD | BPF_H | BPF_ABS, 6),
    J(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
    S(BPF_LDX | BPF_B | BPF_MSH, 0),
    S(BPF_LD | BPF_H | BPF_IND, 2),
    J(BPF_JMP | BPF_JEQ | BPF_K, 68, 0, 1),
    S(BPF_RET | BPF_K, 0x7fffffff),
    S(BPF_RET | BPF_K, 0),
};

static void t_dhcp(void)
{
	uint8_t ip[28] = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17};
	ip[22] = 0, ip[23] = 68;
	CHECK_EQ_UINT("dhcp.accepts", run(dhcp, 9, ip, 28), 0x7fffffff);
	ip[23] = 67;
	CHECK_EQ_UINT("dhcp.other_port", run(dhcp, 9, ip, 28), 0);
	ip[23] = 68;
	ip[7] = 1; /* fragment offset */
	CHECK_EQ_UINT("dhcp.fragment", run(dhcp, 9, ip, 28), 0);
	ip[7] = 0;
	ip[9] = 6;
	CHECK_EQ_UINT("dhcp.tcp", run(dhcp, 9, ip, 28), 0);
	ip[9] = 17;
	for (size_t n = 0; n < 24; n++)
		if (run(dhcp, 9, ip, n) != 0)
			CHECK("dhcp.truncated_drops", 0);
	CHECK("dhcp.truncated_drops", 1);
	ip[0] = 0x46; /* options: the port moves 4 bytes on */
	CHECK_EQ_UINT("dhcp.ihl_moves_port", run(dhcp, 9, ip, 28), 0);
}

static void t_from_user(void)
{
	struct bpf_prog *p = NULL;
	struct sock_fprog_k fp = {.len = 9, .filter = (uintptr_t)dhcp};
	CHECK_EQ_INT("user.short_option", bpf_prog_from_user(&fp, 8, &p),
		     -EINVAL);
	CHECK_EQ_INT("user.ok", bpf_prog_from_user(&fp, sizeof(fp), &p), 0);
	CHECK("user.copied",
	      p && p->len == 9 && !memcmp(p->insns, dhcp, 9 * 8));
	free(p);
	fp.filter = 8;
	CHECK_EQ_INT("user.efault", bpf_prog_from_user(&fp, sizeof(fp), &p),
		     -EFAULT);
	fp.filter = (uintptr_t)dhcp;
	fp.len = 8; /* the last instruction is no return */
	CHECK_EQ_INT("user.invalid", bpf_prog_from_user(&fp, sizeof(fp), &p),
		     -EINVAL);
	fp.len = 0;
	CHECK_EQ_INT("user.empty", bpf_prog_from_user(&fp, sizeof(fp), &p),
		     -EINVAL);
}

static void t_fuzz(void)
{
	static const uint16_t codes[] = {
	    0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c,
	    0x54, 0x5c, 0x44, 0x4c, 0xa4, 0xac, 0x64, 0x6c, 0x74, 0x7c,
	    0x84, 0x20, 0x28, 0x30, 0x80, 0x40, 0x48, 0x50, 0x00, 0x60,
	    0x81, 0xb1, 0x01, 0x61, 0x02, 0x03, 0x07, 0x87, 0x06, 0x16,
	    0x05, 0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d, 0x45, 0x4d};
	srand(1);
	int accepted = 0, bad = 0;
	for (int i = 0; i < 20000; i++) {
		struct sock_filter_k f[32];
		uint32_t n = 1 + (uint32_t)rand() % 32;
		for (uint32_t j = 0; j < n; j++) {
			f[j].code =
			    rand() % 8 ? codes[rand() % 49] : (uint16_t)rand();
			f[j].jt = (uint8_t)(rand() % 4);
			f[j].jf = (uint8_t)(rand() % 4);
			f[j].k = rand() % 4 ? (uint32_t)rand() % 40
					    : (uint32_t)rand();
		}
		if (rand() % 2)
			f[n - 1] = S(BPF_RET | BPF_A, 0);
		if (bpf_validate(f, n))
			continue;
		accepted++;
		uint8_t pkt[64];
		size_t len = (size_t)rand() % sizeof(pkt);
		for (size_t j = 0; j < len; j++)
			pkt[j] = (uint8_t)rand();
		uint8_t *heap = malloc(len ? len : 1); /* ASan bounds */
		memcpy(heap, pkt, len);
		(void)run(f, n, heap, len);
		free(heap);
	}
	CHECK("fuzz.some_accepted", accepted > 1000 && !bad);
}

int main(void)
{
	t_validate();
	t_run();
	t_dhcp();
	t_from_user();
	t_fuzz();
	return unit_done();
}
