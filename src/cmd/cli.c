/*
 * The command dispatcher: `migen CMD ...`, `migen help CMD`, `migen --help`,
 * `migen --version`. Commands are found through one table, as in git.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "migen/cli.h"
#include "migen/util.h"

const struct mg_command mg_commands[] = {
    {"enhance", mg_cmd_enhance, "explain a migration and what it lacks; print the code to add",
     mg_enhance_usage, mg_enhance_options},
    {"index-template", mg_cmd_index_template,
     "print a CONCURRENTLY index block for upgrade() and downgrade()", mg_index_template_usage,
     mg_index_template_options},
    {"backfill-template", mg_cmd_backfill_template,
     "print a batched backfill and an online NOT NULL", mg_backfill_template_usage,
     mg_backfill_template_options},
    {"patterns", mg_cmd_patterns, "list or print proven migration patterns", mg_patterns_usage,
     mg_patterns_options},
    {"doctor", mg_cmd_doctor, "check the revision graph and the Alembic environment",
     mg_doctor_usage, mg_doctor_options},
    {"lint", mg_cmd_lint, "check a project's migrations in graph order (the CI gate)",
     mg_lint_usage, mg_lint_options},
    {"schema", mg_cmd_schema, "print the schema the migrations build (replayed, no database)",
     mg_schema_usage, mg_schema_options},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct mg_command *
mg_command_find(const char *name)
{
	const struct mg_command *c;

	for (c = mg_commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void
main_usage(FILE *f)
{
	const struct mg_command *c;

	fputs("usage: migen [--version] [--help] <command> [<args>]\n\ncommands:\n", f);
	for (c = mg_commands; c->name != NULL; c++)
		fprintf(f, "  %-18s %s\n", c->name, c->summary);
	fputs("\n'migen help <command>' or 'migen <command> --help' describes one command.\n"
	      "Exit status: 0 ok, 1 a check failed (or output could not be written),\n"
	      "2 bad arguments, 3 unreadable input (or not an Alembic migration).\n",
	      f);
}

const char *
mg_cli_shown(const char *arg)
{
	const char *p;

	if (strlen(arg) > 60)
		return "(a long argument)";
	for (p = arg; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return "(an argument with unprintable characters)";
	return arg;
}

const char *
mg_cli_closest(const char *typed, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t i, bestd = (size_t)-1, len = strlen(typed);
	/* A third of the word may be wrong, at least two letters: "enhanc",
	 * "fk-not-vali"; a word that begins another is always close. */
	size_t limit = len / 3 > 2 ? len / 3 : 2;

	if (len == 0)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t d = mg_edit_distance(typed, names[i]);
		if (strncmp(names[i], typed, len) == 0 && d > 0)
			d = 1;
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return bestd <= limit ? best : NULL;
}

/* The name of the long option in arg ("--name" or "--name=value"), at most 60 bytes. */
static const char *
long_name(const char *arg, char *buf, size_t size)
{
	size_t n = strcspn(arg, "=");

	if (n >= size)
		n = size - 1;
	memcpy(buf, arg, n);
	buf[n] = '\0';
	return mg_cli_shown(buf);
}

int
mg_option_error(const struct mg_command *cmd, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	char name[64];

	if (strncmp(arg, "--", 2) == 0) {
		const char *shown = long_name(arg, name, sizeof(name));
		if (c == ':')
			return mg_usage_error(cmd, "option '%s' needs a value", shown);
		/* A known option without an argument given "=value". */
		if (optopt != 0 && strchr(arg, '=') != NULL)
			return mg_usage_error(cmd, "option '%s' takes no value", shown);
		return mg_usage_error(cmd, "unknown option '%s'", shown);
	}
	/* A short option: optopt names it even inside a cluster ("-xq"). */
	if (optopt > 0x20 && optopt < 0x7f) {
		if (c == ':')
			return mg_usage_error(cmd, "option '-%c' needs a value", optopt);
		return mg_usage_error(cmd, "unknown option '-%c'", optopt);
	}
	return mg_usage_error(cmd, "unknown option '%s'", mg_cli_shown(arg));
}

int
mg_no_operands(const struct mg_command *cmd, int argc, char **argv)
{
	if (optind >= argc)
		return 0;
	return mg_usage_error(cmd, "unexpected argument '%s'", mg_cli_shown(argv[optind]));
}

void
mg_print_usage(const struct mg_command *cmd, FILE *f)
{
	fputs(cmd->usage, f);
}

int
mg_usage_error(const struct mg_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("migen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd != NULL) {
		/* Only the synopsis: the full text is one --help away. */
		const char *nl = strchr(cmd->usage, '\n');
		int n = nl ? (int)(nl - cmd->usage) : (int)strlen(cmd->usage);
		fprintf(stderr, "%.*s\n", n, cmd->usage);
		fprintf(stderr, "Try 'migen %s --help' for more.\n", cmd->name);
	} else {
		main_usage(stderr);
	}
	return MG_EXIT_USAGE;
}

/* "'x' is not a migen command", with the closest name when one is close. */
static int
not_a_command(const char *name)
{
	const char *names[16];
	const char *best;
	size_t n = 0;
	const struct mg_command *c;

	for (c = mg_commands; c->name != NULL && n < 16; c++)
		names[n++] = c->name;
	if ((best = mg_cli_closest(name, names, n)) != NULL)
		return mg_usage_error(NULL, "'%s' is not a migen command; did you mean '%s'?",
		                      mg_cli_shown(name), best);
	return mg_usage_error(NULL, "'%s' is not a migen command", mg_cli_shown(name));
}

static int
dispatch(int argc, char **argv)
{
	const struct mg_command *c;

	if (argc < 2) {
		main_usage(stderr);
		return MG_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		if (argc > 2)
			return mg_usage_error(NULL, "--version takes no arguments");
		printf("migen %s\n", MIGEN_VERSION);
		return MG_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc > 2)
			return mg_usage_error(NULL,
			                      "--help takes no arguments (try 'migen help %s')",
			                      mg_cli_shown(argv[2]));
		main_usage(stdout);
		return MG_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc == 2) {
			main_usage(stdout);
			return MG_EXIT_OK;
		}
		if ((c = mg_command_find(argv[2])) == NULL)
			return not_a_command(argv[2]);
		if (argc > 3)
			return mg_usage_error(NULL, "help takes one command name, not '%s'",
			                      mg_cli_shown(argv[3]));
		mg_print_usage(c, stdout);
		return MG_EXIT_OK;
	}
	if (argv[1][0] == '-')
		return mg_usage_error(NULL, "unknown option '%s'", mg_cli_shown(argv[1]));
	/* Not in the table, so not in --help: what a package installs, not what a user types. */
	if (strcmp(argv[1], "completions") == 0)
		return mg_cmd_completions(argc - 1, argv + 1);
	if ((c = mg_command_find(argv[1])) == NULL)
		return not_a_command(argv[1]);
	return c->run(argc - 1, argv + 1);
}

/*
 * Output that was not written is a failure, whatever the command: stdout
 * is flushed and closed here, once, and an error (a full disk, a closed
 * pipe) is reported as "migen: stdout: reason" with exit status 1.
 */
static int
close_stdout(int status)
{
	int failed = ferror(stdout), err = 0;

	/* A write that failed earlier left its reason in errno, unless a later
	 * call replaced it: trust only the reasons a write gives. */
	if (failed && (errno == ENOSPC || errno == EDQUOT || errno == EIO || errno == EPIPE ||
	               errno == EFBIG || errno == EBADF))
		err = errno;
	errno = 0;
	if (fflush(stdout) != 0) {
		failed = 1;
		if (errno != 0)
			err = errno;
	}
	if (fclose(stdout) != 0 && !failed) {
		failed = 1;
		err = errno;
	}
	if (!failed)
		return status;
	if (err != 0)
		mg_warnx("stdout: %s", strerror(err));
	else
		mg_warnx("stdout: write error");
	return status == MG_EXIT_OK ? MG_EXIT_FAIL : status;
}

int
mg_cli_main(int argc, char **argv)
{
	return close_stdout(dispatch(argc, argv));
}
