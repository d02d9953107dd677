/* Host tests of the kernel command-line parser (kernel/cmdline.c): Linux's
 * rules for what goes to the kernel, to init's argv and to its envp. */
#include "unit.h"

#include "../../kernel/cmdline.c"
#include "../../lib/string.c"

static struct cmdline c;
static char buf[512];

static int parse(const char *s)
{
	strncpy(buf, s, sizeof(buf) - 1);
	return cmdline_parse(buf, &c);
}

int main(void)
{
	CHECK_EQ_INT("cmdline_empty", parse(""), 0);
	CHECK_EQ_INT("cmdline_empty_argc", c.init_argc, 1);
	CHECK("cmdline_empty_loglevel", c.loglevel == -1);

	parse("console=ttyS0 init=/bin/sh root=/dev/vda quiet loglevel=3 rw");
	CHECK_EQ_STR("cmdline_console", c.console, "ttyS0");
	CHECK_EQ_STR("cmdline_init", c.init, "/bin/sh");
	CHECK_EQ_STR("cmdline_root", c.root, "/dev/vda");
	CHECK("cmdline_quiet", c.quiet);
	CHECK("cmdline_rw", c.rw && !c.ro);
	CHECK_EQ_INT("cmdline_loglevel", c.loglevel, 3);
	CHECK_EQ_INT("cmdline_no_init_args", c.init_argc, 1);

	parse("console=ttyS0 rdinit=/bin/busybox -- echo hi there");
	CHECK_EQ_STR("cmdline_rdinit", c.rdinit, "/bin/busybox");
	CHECK_EQ_INT("cmdline_dashdash_argc", c.init_argc, 4);
	CHECK_EQ_STR("cmdline_dashdash_arg1", c.init_argv[1], "echo");
	CHECK_EQ_STR("cmdline_dashdash_arg3", c.init_argv[3], "there");
	CHECK("cmdline_argv_null_terminated", c.init_argv[4] == NULL);

	/* Unknown words without '=' go to argv, name=value to envp, dotted
	 * (module) parameters nowhere; after "--" everything is argv. */
	parse("single TERM=vt100 mod.param=1 mod.flag -- a=b");
	CHECK_EQ_INT("cmdline_unknown_argc", c.init_argc, 3);
	CHECK_EQ_STR("cmdline_unknown_word", c.init_argv[1], "single");
	CHECK_EQ_STR("cmdline_after_dashes_kept", c.init_argv[2], "a=b");
	CHECK_EQ_INT("cmdline_envc", c.init_envc, 1);
	CHECK_EQ_STR("cmdline_env", c.init_envp[0], "TERM=vt100");

	parse("init=\"/bin/my prog\" loglevel=99 loglevel=x");
	CHECK_EQ_STR("cmdline_quoted_value", c.init, "/bin/my prog");
	CHECK_EQ_INT("cmdline_bad_loglevel_ignored", c.loglevel, -1);

	char many[512] = "";
	for (int i = 0; i < 40; i++)
		strcat(many, "w ");
	CHECK_EQ_INT("cmdline_too_many_args", parse(many), -E2BIG);
	CHECK_EQ_INT("cmdline_dropped_count", c.dropped, 40 - 31);
	return unit_done();
}
