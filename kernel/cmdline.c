/* Kernel command-line parsing. Pure string handling, so it is also unit
 * tested on the host (tests/unit/test_cmdline.c). Quoting with double
 * quotes groups words, as Linux's next_arg() allows. */
#include <cmdline.h>
#include <lib/string.h>
#include <uapi/errno.h>

struct cmdline cmdline;

/* Splits off the next word; returns NULL at the end. */
static char *next_word(char **pos)
{
	char *p = *pos;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p)
		return NULL;
	char *start = p, *out = p;
	bool quoted = false;
	for (; *p; p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (!quoted && (*p == ' ' || *p == '\t' || *p == '\n'))
			break;
		*out++ = *p;
	}
	if (*p)
		p++;
	*out = '\0';
	*pos = p;
	return start;
}

static bool param(const char *word, const char *name, const char **val)
{
	size_t n = strlen(name);
	if (strncmp(word, name, n) != 0 || word[n] != '=')
		return false;
	*val = word + n + 1;
	return true;
}

static void add(const char **vec, int *count, const char *w, int *dropped)
{
	if (*count < CMDLINE_MAX_ARGS) {
		vec[(*count)++] = w;
		vec[*count] = NULL;
	} else {
		(*dropped)++;
	}
}

int cmdline_parse(char *buf, struct cmdline *c)
{
	char *pos = buf, *w;
	const char *v;
	bool after_dashes = false;

	memset(c, 0, sizeof(*c));
	c->loglevel = -1;
	/* argv[0] is filled in when init is chosen. */
	c->init_argc = 1;
	while ((w = next_word(&pos)) != NULL) {
		if (after_dashes) {
			add(c->init_argv, &c->init_argc, w, &c->dropped);
		} else if (strcmp(w, "--") == 0) {
			after_dashes = true;
		} else if (param(w, "console", &v)) {
			c->console = v;
		} else if (param(w, "init", &v)) {
			c->init = v;
		} else if (param(w, "rdinit", &v)) {
			c->rdinit = v;
		} else if (param(w, "root", &v)) {
			c->root = v;
		} else if (param(w, "rootfstype", &v)) {
			c->rootfstype = v;
		} else if (param(w, "ktest", &v)) {
			c->ktest = v;
		} else if (param(w, "fail_alloc", &v)) {
			unsigned long long n;
			if (kstrtoull(v, 10, &n) == 0 && n <= 1000000000)
				c->fail_alloc = (unsigned)n;
		} else if (param(w, "fail_blk", &v)) {
			unsigned long long n;
			if (kstrtoull(v, 10, &n) == 0 && n <= 1000000000)
				c->fail_blk = (unsigned)n;
		} else if (param(w, "loglevel", &v)) {
			unsigned long long n;
			if (kstrtoull(v, 10, &n) == 0 && n <= 15)
				c->loglevel = (int)n;
		} else if (param(w, "panic", &v)) {
			unsigned long long n;
			if (kstrtoull(v, 10, &n) == 0)
				c->panic_timeout = (int)n;
		} else if (strcmp(w, "quiet") == 0) {
			c->quiet = true;
		} else if (strcmp(w, "ro") == 0) {
			c->ro = true;
		} else if (strcmp(w, "rw") == 0) {
			c->rw = true;
		} else if (strchr(w, '=')) {
			/* Dotted names are module parameters on Linux: never
			 * passed to init. */
			const char *eq = strchr(w, '=');
			const char *dot = strchr(w, '.');
			if (!dot || dot > eq)
				add(c->init_envp, &c->init_envc, w,
				    &c->dropped);
		} else if (!strchr(w, '.')) {
			add(c->init_argv, &c->init_argc, w, &c->dropped);
		}
	}
	return c->dropped ? -E2BIG : 0;
}
