/* Classic BPF: the validator run at SO_ATTACH_FILTER and the interpreter
 * run on every frame a filtered packet socket would get (net/bpf.h). A
 * validated program only jumps forward and ends with a return, so a run
 * takes at most len steps. */
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <net/bpf.h>
#include <uaccess.h>
#include <uapi/errno.h>

/* Instruction classes, sizes, modes, operations and sources. */
#define BPF_CLASS(c) ((c)&0x07)
#define BPF_LD 0x00
#define BPF_LDX 0x01
#define BPF_ST 0x02
#define BPF_STX 0x03
#define BPF_ALU 0x04
#define BPF_JMP 0x05
#define BPF_RET 0x06
#define BPF_MISC 0x07
#define BPF_W 0x00
#define BPF_H 0x08
#define BPF_B 0x10
#define BPF_IMM 0x00
#define BPF_ABS 0x20
#define BPF_IND 0x40
#define BPF_MEM 0x60
#define BPF_LEN 0x80
#define BPF_MSH 0xa0
#define BPF_OP(c) ((c)&0xf0)
#define BPF_ADD 0x00
#define BPF_SUB 0x10
#define BPF_MUL 0x20
#define BPF_DIV 0x30
#define BPF_OR 0x40
#define BPF_AND 0x50
#define BPF_LSH 0x60
#define BPF_RSH 0x70
#define BPF_NEG 0x80
#define BPF_MOD 0x90
#define BPF_XOR 0xa0
#define BPF_JA 0x00
#define BPF_JEQ 0x10
#define BPF_JGT 0x20
#define BPF_JGE 0x30
#define BPF_JSET 0x40
#define BPF_K 0x00
#define BPF_X 0x08
#define BPF_A 0x10
#define BPF_TAX 0x00
#define BPF_TXA 0x80

/* Every opcode Linux's bpf_check_classic accepts. */
static bool bpf_known(uint16_t c)
{
	switch (c) {
	case BPF_ALU | BPF_ADD | BPF_K:
	case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K:
	case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K:
	case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_MOD | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K:
	case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K:
	case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K:
	case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_H | BPF_ABS:
	case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LD | BPF_W | BPF_IND:
	case BPF_LD | BPF_H | BPF_IND:
	case BPF_LD | BPF_B | BPF_IND:
	case BPF_LD | BPF_IMM:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_B | BPF_MSH:
	case BPF_LDX | BPF_IMM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_X:
		return true;
	}
	return false;
}

int bpf_validate(const struct sock_filter_k *f, uint32_t len)
{
	if (len == 0 || len > BPF_MAXINSNS)
		return -EINVAL;
	for (uint32_t pc = 0; pc < len; pc++) {
		uint16_t c = f[pc].code;
		uint32_t k = f[pc].k, left = len - pc - 1;
		if (!bpf_known(c))
			return -EINVAL;
		switch (c) {
		case BPF_ALU | BPF_DIV | BPF_K:
		case BPF_ALU | BPF_MOD | BPF_K:
			if (k == 0)
				return -EINVAL;
			break;
		case BPF_ALU | BPF_LSH | BPF_K:
		case BPF_ALU | BPF_RSH | BPF_K:
			if (k >= 32)
				return -EINVAL;
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				return -EINVAL;
			break;
		case BPF_JMP | BPF_JA:
			if (k >= left)
				return -EINVAL;
			break;
		default:
			if (BPF_CLASS(c) == BPF_JMP &&
			    (f[pc].jt >= left || f[pc].jf >= left))
				return -EINVAL;
			break;
		}
	}
	return BPF_CLASS(f[len - 1].code) == BPF_RET ? 0 : -EINVAL;
}

/* Loads size bytes (big-endian) at off, or fails past the end. */
static bool bpf_load(const uint8_t *pkt, size_t len, uint64_t off,
		     unsigned size, uint32_t *v)
{
	if (off > len || len - off < size)
		return false;
	uint32_t r = 0;
	for (unsigned i = 0; i < size; i++)
		r = r << 8 | pkt[off + i];
	*v = r;
	return true;
}

uint32_t bpf_run(const struct bpf_prog *p, const uint8_t *pkt, size_t len)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0}, v;
	for (uint32_t pc = 0; pc < p->len; pc++) {
		const struct sock_filter_k *f = &p->insns[pc];
		uint32_t k = f->k;
		uint32_t src = (f->code & BPF_X) ? x : k;
		unsigned size = 4;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if ((f->code & 0x18) == BPF_H)
				size = 2;
			else if ((f->code & 0x18) == BPF_B)
				size = 1;
			switch (f->code & 0xe0) {
			case BPF_ABS:
			case BPF_IND: {
				uint64_t off = k;
				if ((f->code & 0xe0) == BPF_IND)
					off += x;
				if (!bpf_load(pkt, len, off, size, &v))
					return 0;
				a = v;
				break;
			}
			case BPF_LEN:
				a = (uint32_t)len;
				break;
			case BPF_MEM:
				a = mem[k];
				break;
			default: /* BPF_IMM */
				a = k;
				break;
			}
			break;
		case BPF_LDX:
			switch (f->code & 0xe0) {
			case BPF_LEN:
				x = (uint32_t)len;
				break;
			case BPF_MSH: /* 4 * (pkt[k] & 0xf): an IP header */
				if (!bpf_load(pkt, len, k, 1, &v))
					return 0;
				x = (v & 0xf) << 2;
				break;
			case BPF_MEM:
				x = mem[k];
				break;
			default:
				x = k;
				break;
			}
			break;
		case BPF_ST:
			mem[k] = a;
			break;
		case BPF_STX:
			mem[k] = x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD:
				a += src;
				break;
			case BPF_SUB:
				a -= src;
				break;
			case BPF_MUL:
				a *= src;
				break;
			case BPF_DIV:
				if (!src)
					return 0;
				a /= src;
				break;
			case BPF_MOD:
				if (!src)
					return 0;
				a %= src;
				break;
			case BPF_AND:
				a &= src;
				break;
			case BPF_OR:
				a |= src;
				break;
			case BPF_XOR:
				a ^= src;
				break;
			case BPF_LSH:
				a = src >= 32 ? 0 : a << src;
				break;
			case BPF_RSH:
				a = src >= 32 ? 0 : a >> src;
				break;
			default: /* BPF_NEG */
				a = -a;
				break;
			}
			break;
		case BPF_JMP: {
			bool t;
			switch (BPF_OP(f->code)) {
			case BPF_JA:
				pc += k;
				continue;
			case BPF_JEQ:
				t = a == src;
				break;
			case BPF_JGT:
				t = a > src;
				break;
			case BPF_JGE:
				t = a >= src;
				break;
			default: /* BPF_JSET */
				t = (a & src) != 0;
				break;
			}
			pc += t ? f->jt : f->jf;
			break;
		}
		case BPF_RET:
			return (f->code & BPF_A) ? a : k;
		default: /* BPF_MISC */
			if (f->code & BPF_TXA)
				a = x;
			else
				x = a;
			break;
		}
	}
	return 0; /* not reached: validated programs end with a return */
}

int bpf_prog_from_user(const void *opt, uint32_t optlen, struct bpf_prog **out)
{
	struct sock_fprog_k fp;
	if (optlen < sizeof(fp))
		return -EINVAL;
	memcpy(&fp, opt, sizeof(fp));
	if (fp.len == 0 || fp.len > BPF_MAXINSNS)
		return -EINVAL;
	size_t n = (size_t)fp.len * sizeof(struct sock_filter_k);
	struct bpf_prog *p = kmalloc(sizeof(*p) + n);
	if (!p)
		return -ENOMEM;
	p->len = fp.len;
	if (copy_from_user(p->insns, (const void __user *)(uintptr_t)fp.filter,
			   n)) {
		kfree(p);
		return -EFAULT;
	}
	int r = bpf_validate(p->insns, p->len);
	if (r) {
		kfree(p);
		return r;
	}
	*out = p;
	return 0;
}
