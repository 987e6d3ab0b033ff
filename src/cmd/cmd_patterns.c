/*
 * `migen patterns`: lists the pattern library (patterns.c), one line each,
 * or prints patterns in full: why, upgrade() and downgrade(). With one
 * pattern, --table/--column/--ref-table/--ref-column put the user's names in
 * place of the defaults, checked as the templates check theirs.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "migen/cli.h"
#include "migen/ident.h"
#include "migen/patterns.h"
#include "migen/util.h"

const char mg_patterns_usage[] =
    "usage: migen patterns [--all | NAME...]\n"
    "       migen patterns NAME [--table TABLE] [--column COLUMN]...\n"
    "                           [--ref-table TABLE] [--ref-column COLUMN]\n"
    "\n"
    "Without arguments, lists the patterns, one line each. With NAME, prints that\n"
    "pattern in full: why, what it assumes, upgrade() and downgrade(), ready to\n"
    "paste into a migration. Every pattern is run on PostgreSQL 15 by migen's\n"
    "tests: upgrade, downgrade, upgrade again, while the table takes writes,\n"
    "through psycopg2 and asyncpg, and offline (alembic upgrade --sql).\n"
    "\n"
    "  --all               print every pattern in full\n"
    "  --table TABLE       the table, instead of the pattern's default\n"
    "  --column COLUMN     a column; repeat it for patterns that take several\n"
    "                      (given, it replaces all the default columns)\n"
    "  --ref-table TABLE   the referenced table (foreign key patterns)\n"
    "  --ref-column COLUMN the referenced column (default: the pattern's, id)\n"
    "  -h, --help          print this help\n"
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

const struct option mg_patterns_options[] = {
    {"all", no_argument, NULL, 'a'},
    {"table", required_argument, NULL, 't'},
    {"column", required_argument, NULL, 'c'},
    {"ref-table", required_argument, NULL, 'r'},
    {"ref-column", required_argument, NULL, 'k'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int
mg_cmd_patterns(int argc, char **argv)
{
	const struct mg_command *cmd = mg_command_find("patterns");
	const struct mg_pattern *p;
	struct mg_pattern_names names;
	struct mg_buf out = {0};
	int ch, all = 0, i, named = 0;
	const char *why, *opt;

	memset(&names, 0, sizeof(names));
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", mg_patterns_options, NULL)) != -1) {
		switch (ch) {
		case 'a':
			all = 1;
			break;
		case 't':
			names.table = optarg;
			named = 1;
			if ((why = mg_ident_refusal(optarg)) != NULL)
				return mg_usage_error(cmd, "--table: %s", why);
			break;
		case 'c':
			if (names.ncolumns == MG_PATTERN_MAX_COLUMNS)
				return mg_usage_error(cmd, "--column: at most %d",
				                      MG_PATTERN_MAX_COLUMNS);
			if ((why = mg_ident_refusal(optarg)) != NULL)
				return mg_usage_error(cmd, "--column: %s", why);
			names.columns[names.ncolumns++] = optarg;
			named = 1;
			break;
		case 'r':
			if ((why = mg_ident_refusal(optarg)) != NULL)
				return mg_usage_error(cmd, "--ref-table: %s", why);
			names.ref_table = optarg;
			named = 1;
			break;
		case 'k':
			if ((why = mg_ident_refusal(optarg)) != NULL)
				return mg_usage_error(cmd, "--ref-column: %s", why);
			names.ref_column = optarg;
			named = 1;
			break;
		case 'h':
			mg_print_usage(cmd, stdout);
			return MG_EXIT_OK;
		default: /* ':' or '?' */
			return mg_option_error(cmd, ch, argv);
		}
	}
	if (all && optind < argc)
		return mg_usage_error(cmd, "--all takes no pattern names");
	/* Check every name before printing anything. */
	for (i = optind; i < argc; i++)
		if (mg_pattern_find(argv[i]) == NULL)
			return unknown_pattern(cmd, argv[i]);
	if (named) {
		if (all || argc - optind != 1)
			return mg_usage_error(cmd, "names (--table, --column, ...) need exactly "
			                           "one pattern");
		p = mg_pattern_find(argv[optind]);
		if ((why = mg_pattern_names_refusal(p, &names, &opt)) != NULL) {
			if (p->columns_help != NULL && strcmp(opt, "--column") == 0)
				return mg_usage_error(cmd, "%s: %s: %s takes %s", opt, why, p->name,
				                      p->columns_help);
			return mg_usage_error(cmd, "%s: %s", opt, why);
		}
		mg_pattern_render(&out, p, &names);
	} else if (all) {
		for (p = mg_patterns; p->name != NULL; p++) {
			if (p != mg_patterns)
				mg_buf_puts(&out, "\n\n");
			mg_pattern_render(&out, p, NULL);
		}
	} else if (optind < argc) {
		for (i = optind; i < argc; i++) {
			if (i > optind)
				mg_buf_puts(&out, "\n\n");
			mg_pattern_render(&out, mg_pattern_find(argv[i]), NULL);
		}
	} else {
		for (p = mg_patterns; p->name != NULL; p++)
			mg_buf_printf(&out, "%-24s %s\n", p->name, p->title);
	}
	fputs(out.s, stdout);
	mg_buf_free(&out);
	return MG_EXIT_OK; /* stdout is checked once, at exit (cli.c) */
}
