/*
 * The command dispatcher: `migen CMD ...`, `migen help CMD`, `migen --help`,
 * `migen --version`. Commands are found through one table, as in git.c.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "migen/cli.h"

const struct mg_command mg_commands[] = {
    {"enhance", mg_cmd_enhance, "explain a migration and what it lacks; print the code to add",
     mg_enhance_usage},
    {"index-template", mg_cmd_index_template,
     "print a CONCURRENTLY index block for upgrade() and downgrade()", mg_index_template_usage},
    {"backfill-template", mg_cmd_backfill_template,
     "print a batched backfill and an online NOT NULL", mg_backfill_template_usage},
    {"patterns", mg_cmd_patterns, "list or print proven migration patterns", mg_patterns_usage},
    {"doctor", mg_cmd_doctor, "check the revision graph and the Alembic environment",
     mg_doctor_usage},
    {NULL, NULL, NULL, NULL},
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
	      "Exit status: 0 ok, 1 a check failed, 2 usage, 3 unreadable input.\n",
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

int
mg_option_error(const struct mg_command *cmd, int c, char **argv)
{
	if (c == ':')
		return mg_usage_error(cmd, "option '%s' needs a value",
		                      mg_cli_shown(argv[optind - 1]));
	return mg_usage_error(cmd, "unknown option '%s'", mg_cli_shown(argv[optind - 1]));
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

int
mg_cli_main(int argc, char **argv)
{
	const struct mg_command *c;

	if (argc < 2) {
		main_usage(stderr);
		return MG_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("migen %s\n", MIGEN_VERSION);
		return MG_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		main_usage(stdout);
		return MG_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc == 2) {
			main_usage(stdout);
			return MG_EXIT_OK;
		}
		if ((c = mg_command_find(argv[2])) == NULL)
			return mg_usage_error(NULL, "'%s' is not a migen command", argv[2]);
		mg_print_usage(c, stdout);
		return MG_EXIT_OK;
	}
	if (argv[1][0] == '-')
		return mg_usage_error(NULL, "unknown option '%s'", argv[1]);
	if ((c = mg_command_find(argv[1])) == NULL)
		return mg_usage_error(NULL, "'%s' is not a migen command", argv[1]);
	return c->run(argc - 1, argv + 1);
}
