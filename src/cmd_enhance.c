/*
 * migen enhance: read a migration, explain what it does and what it lacks,
 * and print the code that fixes it. File → analyze → rules → emitter; this
 * file only wires the options to that flow. It never modifies the file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/cli.h"
#include "migen/emit.h"
#include "migen/ident.h"
#include "migen/input.h"
#include "migen/rules.h"

const char mg_enhance_usage[] =
    "usage: migen enhance [--file] FILE... [--add-tenant-indexes] [--use-concurrently]\n"
    "                     [--dry-run] [--format text|json] [--tenant-column NAME]\n"
    "                     [--space-column NAME] [--soft-delete-column NAME]\n"
    "\n"
    "Explains what an Alembic migration does and what it lacks for a busy\n"
    "PostgreSQL, and prints the exact code to add. The file is not modified.\n"
    "\n"
    "  -f, --file FILE            the migration (repeatable; paths may also follow the options)\n"
    "      --add-tenant-indexes   suggest a (tenant, space) index for new multi-tenant tables\n"
    "      --use-concurrently     suggest CONCURRENTLY for indexes on existing tables\n"
    "      --dry-run              accepted for compatibility: enhance never writes\n"
    "      --format text|json     output format (default text; JSON: docs/json.md)\n"
    "      --tenant-column NAME   the tenant column (default tenant_id)\n"
    "      --space-column NAME    the space column (default space_id)\n"
    "      --soft-delete-column NAME  the soft-delete column (default deleted_at)\n"
    "  -h, --help                 this help\n"
    "\n"
    "Rules: missing-tenant-index, missing-fk-index, require-concurrent-index,\n"
    "concurrent-index-in-transaction, not-null-without-backfill (docs/rules.md).\n"
    "\n"
    "Exit status: 0 analysed (with or without suggestions), 1 the file has Python\n"
    "syntax errors (analysed where possible), 2 usage, 3 unreadable input.\n";

enum { OPT_FORMAT = 256, OPT_TENANT, OPT_SPACE, OPT_SOFT, OPT_DRY, OPT_TENANT_IX, OPT_CONC };

static const struct option longopts[] = {
    {"file", required_argument, NULL, 'f'},
    {"add-tenant-indexes", no_argument, NULL, OPT_TENANT_IX},
    {"use-concurrently", no_argument, NULL, OPT_CONC},
    {"dry-run", no_argument, NULL, OPT_DRY},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"tenant-column", required_argument, NULL, OPT_TENANT},
    {"space-column", required_argument, NULL, OPT_SPACE},
    {"soft-delete-column", required_argument, NULL, OPT_SOFT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* One file: analysed and reported; returns its exit status. */
static int
enhance_one(const char *path, const struct mg_options *o, int json)
{
	struct mg_input in;
	struct mg_model *m;
	struct mg_diags d;
	const char *why;
	int status;

	if (mg_input_read(path, &in, &why) != 0) {
		mg_warnx("%s: %s", path, why);
		return MG_EXIT_INPUT;
	}
	m = mg_analyze(path, in.data, in.len, MG_ANALYZE_FULL);
	memset(&d, 0, sizeof(d));
	mg_rules_run(m, o, &d);
	if (json) {
		char *s = mg_emit_json(m, &d, o);
		fputs(s, stdout);
		free(s);
	} else {
		mg_emit_text(stdout, m, &d, o);
	}
	mg_emit_errors(stderr, m);
	status = m->nerrors > 0 ? MG_EXIT_FAIL : MG_EXIT_OK;
	mg_diags_free(&d);
	mg_model_free(m);
	mg_input_free(&in);
	return status;
}

int
mg_cmd_enhance(int argc, char **argv)
{
	const struct mg_command *cmd = mg_command_find("enhance");
	struct mg_options o = {0, 0, "tenant_id", "space_id", "deleted_at"};
	const char **files = mg_xcalloc((size_t)argc + 1, sizeof(*files));
	size_t nfiles = 0, i;
	int c, json = 0, status = MG_EXIT_OK;
	const char *why;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			files[nfiles++] = optarg;
			break;
		case OPT_TENANT_IX:
			o.add_tenant_indexes = 1;
			break;
		case OPT_CONC:
			o.use_concurrently = 1;
			break;
		case OPT_DRY:
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "text") == 0)
				json = 0;
			else {
				free(files);
				return mg_usage_error(cmd, "--format: '%s' is not text or json", optarg);
			}
			break;
		case OPT_TENANT:
			o.tenant_column = optarg;
			break;
		case OPT_SPACE:
			o.space_column = optarg;
			break;
		case OPT_SOFT:
			o.soft_delete_column = optarg;
			break;
		case 'h':
			free(files);
			mg_print_usage(cmd, stdout);
			return MG_EXIT_OK;
		case ':':
			free(files);
			return mg_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		default:
			free(files);
			return mg_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	for (; optind < argc; optind++)
		files[nfiles++] = argv[optind];
	if (nfiles == 0) {
		free(files);
		return mg_usage_error(cmd, "no migration file given (--file FILE)");
	}
	if ((why = mg_ident_refusal(o.tenant_column)) != NULL ||
	    (why = mg_ident_refusal(o.space_column)) != NULL ||
	    (why = mg_ident_refusal(o.soft_delete_column)) != NULL) {
		free(files);
		return mg_usage_error(cmd, "column option: %s", why);
	}
	for (i = 0; i < nfiles; i++) {
		int s;
		if (i > 0 && !json)
			fputc('\n', stdout);
		s = enhance_one(files[i], &o, json);
		/* The worst outcome wins: unreadable input over syntax errors. */
		if (s > status)
			status = s;
	}
	free(files);
	return status;
}
