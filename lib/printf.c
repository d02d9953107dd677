/* vsnprintf for the kernel: the C conversions the kernel uses, without
 * floating point (the kernel is built without SSE). Output is truncated to
 * the buffer, always NUL-terminated, and the full length is returned. */
#include <lib/printf.h>
#include <lib/string.h>

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	int width, prec; /* prec < 0: none */
	char len;	 /* 'H' hh, 'h', 'l', 'L' ll, 'z', 't', 'j' */
};

static void put_number(struct out *o, unsigned long long v, bool neg,
		       unsigned base, bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	if (!(v == 0 && sp->prec == 0))
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	const char *prefix = "";
	if (neg)
		prefix = "-";
	else if (sp->plus)
		prefix = "+";
	else if (sp->space)
		prefix = " ";
	if (sp->alt && base == 16 && n && !(n == 1 && tmp[0] == '0'))
		prefix = upper ? "0X" : "0x";
	if (sp->alt && base == 8 && (n == 0 || tmp[n - 1] != '0') &&
	    sp->prec <= n)
		tmp[n++] = '0';
	int zeros = sp->prec > n ? sp->prec - n : 0;
	int total = (int)strlen(prefix) + zeros + n;
	int fill = sp->width > total ? sp->width - total : 0;
	if (!sp->left && !(sp->zero && sp->prec < 0))
		pad(o, ' ', fill);
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	if (!sp->left && sp->zero && sp->prec < 0)
		pad(o, '0', fill);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', fill);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	} else {
		while (*f >= '0' && *f <= '9')
			sp->width = sp->width * 10 + (*f++ - '0');
	}
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				sp->prec = sp->prec * 10 + (*f++ - '0');
		}
	}
	if (f[0] == 'h' && f[1] == 'h') {
		sp->len = 'H';
		f += 2;
	} else if (f[0] == 'l' && f[1] == 'l') {
		sp->len = 'L';
		f += 2;
	} else if (*f == 'h' || *f == 'l' || *f == 'z' || *f == 't' ||
		   *f == 'j') {
		sp->len = *f++;
	}
	return f;
}

static long long signed_arg(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 'H':
		return (signed char)va_arg(*ap, int);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'l':
		return va_arg(*ap, long);
	case 'L':
	case 'j':
		return va_arg(*ap, long long);
	case 'z':
	case 't':
		return va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long unsigned_arg(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 'H':
		return (unsigned char)va_arg(*ap, unsigned);
	case 'h':
		return (unsigned short)va_arg(*ap, unsigned);
	case 'l':
		return va_arg(*ap, unsigned long);
	case 'L':
	case 'j':
		return va_arg(*ap, unsigned long long);
	case 'z':
	case 't':
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

static void put_string(struct out *o, const char *s, const struct spec *sp)
{
	if (!s)
		s = "(null)";
	int n = (int)(sp->prec >= 0 ? strnlen(s, sp->prec) : strlen(s));
	int fill = sp->width > n ? sp->width - n : 0;
	if (!sp->left)
		pad(o, ' ', fill);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', fill);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = {buf, size, 0};
	struct spec sp;
	va_list ap;
	va_copy(ap, ap_in);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp, &ap);
		switch (*f) {
		case 'd':
		case 'i': {
			long long v = signed_arg(&sp, &ap);
			unsigned long long mag = (unsigned long long)v;
			put_number(&o, v < 0 ? -mag : mag, v < 0, 10, false,
				   &sp);
			break;
		}
		case 'u':
			put_number(&o, unsigned_arg(&sp, &ap), false, 10, false,
				   &sp);
			break;
		case 'x':
		case 'X':
			put_number(&o, unsigned_arg(&sp, &ap), false, 16,
				   *f == 'X', &sp);
			break;
		case 'o':
			put_number(&o, unsigned_arg(&sp, &ap), false, 8, false,
				   &sp);
			break;
		case 'p':
			sp.alt = true;
			sp.len = 'l';
			put_number(&o, (uintptr_t)va_arg(ap, void *), false, 16,
				   false, &sp);
			break;
		case 'c':
			sp.prec = -1;
			{
				char c[2] = {(char)va_arg(ap, int), 0};
				int fill = sp.width > 1 ? sp.width - 1 : 0;
				if (!sp.left)
					pad(&o, ' ', fill);
				put(&o, c[0]);
				if (sp.left)
					pad(&o, ' ', fill);
			}
			break;
		case 's':
			put_string(&o, va_arg(ap, const char *), &sp);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			f--; /* a lone '%' at the end */
			break;
		default:
			put(&o, '%');
			put(&o, *f);
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
