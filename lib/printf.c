/* vsnprintf and snprintf for the kernel: the C integer, character, string
 * and pointer conversions, without floating point (no SSE in the kernel).
 * Output is truncated to the buffer, always NUL-terminated, and the length
 * the full output would have had is returned, as in C. */
#include <lib/printf.h>

/* Output sink: counts every character but stores only what fits, leaving
 * room for the NUL. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_mem(struct out *o, const char *s, int n)
{
	while (n-- > 0)
		out_char(o, *s++);
}

#define F_LEFT 0x01  /* '-' */
#define F_ZERO 0x02  /* '0' */
#define F_PLUS 0x04  /* '+' */
#define F_SPACE 0x08 /* ' ' */
#define F_ALT 0x10   /* '#' */
#define F_UPPER 0x20 /* %X */
#define F_PTR 0x40   /* %p: "0x" even for zero */

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct spec {
	unsigned flags;
	int width;
	int prec; /* -1: none given */
	enum length len;
};

/* Padding for a field of n characters; callers put it before or after the
 * field depending on '-'. */
static int field_fill(const struct spec *sp, int n)
{
	return sp->width > n ? sp->width - n : 0;
}

static void fmt_number(struct out *o, const struct spec *sp,
		       unsigned long long v, bool neg, unsigned base)
{
	const char *digits =
	    (sp->flags & F_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24]; /* 22 octal digits for 64 bits, the most of any base */
	char prefix[2];
	int ndig = 0, npre = 0, prec = sp->prec, zeros, fill;

	/* C: a zero value with precision zero prints no digits at all. */
	if (!(v == 0 && prec == 0)) {
		unsigned long long x = v;

		do {
			tmp[sizeof(tmp) - 1 - ndig++] = digits[x % base];
			x /= base;
		} while (x);
	}

	if (neg)
		prefix[npre++] = '-';
	else if (sp->flags & F_PLUS)
		prefix[npre++] = '+';
	else if (sp->flags & F_SPACE)
		prefix[npre++] = ' ';
	if (base == 16 && ((sp->flags & F_PTR) || (sp->flags & F_ALT && v))) {
		prefix[npre++] = '0';
		prefix[npre++] = (sp->flags & F_UPPER) ? 'X' : 'x';
	}
	/* '#' with %o: raise the precision just enough to start with 0. */
	if (base == 8 && (sp->flags & F_ALT) && prec <= ndig &&
	    (ndig == 0 || tmp[sizeof(tmp) - ndig] != '0'))
		prec = ndig + 1;

	zeros = prec > ndig ? prec - ndig : 0;
	/* '0' is ignored with '-' and, for integers, with a precision. */
	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec < 0 &&
	    sp->width > npre + ndig + zeros)
		zeros = sp->width - npre - ndig;
	fill = field_fill(sp, npre + zeros + ndig);

	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', fill);
	out_mem(o, prefix, npre);
	out_repeat(o, '0', zeros);
	out_mem(o, tmp + sizeof(tmp) - ndig, ndig);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', fill);
}

static void fmt_string(struct out *o, const struct spec *sp, const char *s)
{
	int n = 0, fill;

	if (!s)
		s = "(null)";
	/* With a precision, s need not be NUL-terminated: read no further. */
	while ((sp->prec < 0 || n < sp->prec) && s[n])
		n++;
	fill = field_fill(sp, n);
	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', fill);
	out_mem(o, s, n);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', fill);
}

/* Reads a decimal field, saturating instead of overflowing. */
static const char *parse_int(const char *f, int *v)
{
	*v = 0;
	for (; *f >= '0' && *f <= '9'; f++) {
		if (*v < 100000000)
			*v = *v * 10 + (*f - '0');
	}
	return f;
}

static const char *parse_length(const char *f, enum length *len)
{
	switch (*f) {
	case 'h':
		if (f[1] == 'h') {
			*len = LEN_HH;
			return f + 2;
		}
		*len = LEN_H;
		return f + 1;
	case 'l':
		if (f[1] == 'l') {
			*len = LEN_LL;
			return f + 2;
		}
		*len = LEN_L;
		return f + 1;
	case 'z':
		*len = LEN_Z;
		return f + 1;
	case 't':
		*len = LEN_T;
		return f + 1;
	case 'j':
		*len = LEN_J;
		return f + 1;
	default:
		*len = LEN_NONE;
		return f;
	}
}

/* Arguments narrower than int arrive promoted; the casts undo that. */
static long long arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
		return va_arg(*ap, ssize_t);
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		return (size_t)va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static void fmt_unsigned(struct out *o, struct spec *sp, va_list *ap,
			 unsigned base)
{
	/* '+' and ' ' apply to signed conversions only. */
	sp->flags &= ~(F_PLUS | F_SPACE);
	fmt_number(o, sp, arg_unsigned(ap, sp->len), false, base);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = {buf, size, 0};
	va_list ap; /* a local copy, so helpers can take its address */

	va_copy(ap, ap_in);
	while (*fmt) {
		const char *start = fmt;
		struct spec sp = {0, 0, -1, LEN_NONE};

		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				sp.flags |= F_LEFT;
			else if (*fmt == '0')
				sp.flags |= F_ZERO;
			else if (*fmt == '+')
				sp.flags |= F_PLUS;
			else if (*fmt == ' ')
				sp.flags |= F_SPACE;
			else if (*fmt == '#')
				sp.flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				/* C: a negative '*' width is '-' plus width. */
				sp.flags |= F_LEFT;
				sp.width = sp.width == -__INT_MAX__ - 1
					       ? __INT_MAX__
					       : -sp.width;
			}
			fmt++;
		} else {
			fmt = parse_int(fmt, &sp.width);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1; /* C: as if omitted */
				fmt++;
			} else {
				fmt = parse_int(fmt, &sp.prec);
			}
		}
		fmt = parse_length(fmt, &sp.len);

		switch (*fmt) {
		case 'd':
		case 'i': {
			long long v = arg_signed(&ap, sp.len);
			/* Negate in unsigned arithmetic: LLONG_MIN has no
			 * positive counterpart. */
			unsigned long long mag =
			    v < 0 ? 0ULL - (unsigned long long)v
				  : (unsigned long long)v;

			fmt_number(&o, &sp, mag, v < 0, 10);
			break;
		}
		case 'u':
			fmt_unsigned(&o, &sp, &ap, 10);
			break;
		case 'o':
			fmt_unsigned(&o, &sp, &ap, 8);
			break;
		case 'x':
			fmt_unsigned(&o, &sp, &ap, 16);
			break;
		case 'X':
			sp.flags |= F_UPPER;
			fmt_unsigned(&o, &sp, &ap, 16);
			break;
		case 'p':
			sp.flags &= ~(F_PLUS | F_SPACE | F_UPPER);
			sp.flags |= F_PTR;
			fmt_number(&o, &sp, (uintptr_t)va_arg(ap, void *),
				   false, 16);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			int fill = field_fill(&sp, 1);

			if (!(sp.flags & F_LEFT))
				out_repeat(&o, ' ', fill);
			out_char(&o, c);
			if (sp.flags & F_LEFT)
				out_repeat(&o, ' ', fill);
			break;
		}
		case 's':
			fmt_string(&o, &sp, va_arg(ap, const char *));
			break;
		case '%':
			out_char(&o, '%');
			break;
		default:
			/* Unknown or truncated: print it as written, so the
			 * mistake shows, and consume no argument. */
			out_mem(&o, start, (int)(fmt - start) + (*fmt != '\0'));
			if (!*fmt)
				continue;
			break;
		}
		fmt++;
	}
	va_end(ap);

	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > __INT_MAX__ ? __INT_MAX__ : (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
