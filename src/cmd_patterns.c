/*
 * `migen patterns`: lists the pattern library (patterns.c), one line each,
 * or prints patterns in full: why, upgrade() and downgrade().
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "migen/cli.h"
#include "migen/patterns.h"
#include "migen/util.h"

const char mg_patterns_usage[] =
    "usage: migen patterns [--all | NAME...]\n"
    "\n"
    "Without arguments, lists the patterns, one line each. With NAME, prints that\n"
    "pattern in full: why, what it assumes, upgrade() and downgrade(), ready to\n"
    "paste into a migration. Every pattern is run on PostgreSQL 15 by migen's\n"
    "tests: upgrade, downgrade, upgrade again, while the table takes writes.\n"
    "\n"
    "  --all       print every pattern in full\n"
    "  -h, --help  print this help\n"
    "\n"
    "Exit status: 0 printed, 2 bad arguments or an unknown pattern (nothing printed).\n";

/* "no pattern named 'x'", with the closest name when one is close. */
static int
unknown_pattern(const struct mg_command *cmd, const char *name)
{
	const char *names[64], *best;
	const struct mg_pattern *p;
	size_t n = 0;

	for (p = mg_patterns; p->name != NULL && n < 64; p++)
		names[n++] = p->name;
	if ((best = mg_cli_closest(name, names, n)) != NULL)
		return mg_usage_error(cmd, "no pattern named '%s'; did you mean '%s'?",
		                      mg_cli_shown(name), best);
	return mg_usage_error(cmd, "no pattern named '%s'; 'migen patterns' lists them",
	                      mg_cli_shown(name));
}

int
mg_cmd_patterns(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const struct mg_command *cmd = mg_command_find("patterns");
	const struct mg_pattern *p;
	struct mg_buf out = {0};
	int ch, all = 0, i, status;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			all = 1;
			break;
		case 'h':
			mg_print_usage(cmd, stdout);
			return MG_EXIT_OK;
		default:
			return mg_option_error(cmd, ch, argv);
		}
	}
	if (all && optind < argc)
		return mg_usage_error(cmd, "--all takes no pattern names");
	/* Check every name before printing anything. */
	for (i = optind; i < argc; i++)
		if (mg_pattern_find(argv[i]) == NULL)
			return unknown_pattern(cmd, argv[i]);
	if (all) {
		for (p = mg_patterns; p->name != NULL; p++) {
			if (p != mg_patterns)
				mg_buf_puts(&out, "\n\n");
			mg_pattern_render(&out, p);
		}
	} else if (optind < argc) {
		for (i = optind; i < argc; i++) {
			if (i > optind)
				mg_buf_puts(&out, "\n\n");
			mg_pattern_render(&out, mg_pattern_find(argv[i]));
		}
	} else {
		for (p = mg_patterns; p->name != NULL; p++)
			mg_buf_printf(&out, "%-24s %s\n", p->name, p->title);
	}
	fputs(out.s, stdout);
	status = MG_EXIT_OK; /* stdout is checked once, at exit (cli.c) */
	mg_buf_free(&out);
	return status;
}
