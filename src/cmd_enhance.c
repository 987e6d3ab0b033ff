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
#include "migen/fix.h"
#include "migen/ident.h"
#include "migen/input.h"
#include "migen/rules.h"
#include "migen/snippet.h"
#include "migen/pyval.h"
#include "migen/sqlcheck.h"

const char mg_enhance_usage[] =
    "usage: migen enhance [--file] FILE... [--add-tenant-indexes] [--use-concurrently]\n"
    "                     [--write | --diff] [--default VALUE | --default-sql EXPR]\n"
    "                     [--dry-run] [--format text|json] [--tenant-column NAME]\n"
    "                     [--space-column NAME] [--soft-delete-column NAME]\n"
    "\n"
    "Explains what an Alembic migration does and what it lacks for a busy\n"
    "PostgreSQL, and prints the exact code to add. With --write it applies the\n"
    "fixes in place (atomically); with --diff it prints them as a unified diff.\n"
    "\n"
    "  -f, --file FILE            the migration (repeatable; paths may also follow the options)\n"
    "      --add-tenant-indexes   suggest a (tenant, space) index for new multi-tenant tables\n"
    "      --use-concurrently     let --write rewrite plain index builds with CONCURRENTLY\n"
    "      --write                apply the fixes to the file, in place\n"
    "      --diff                 print the fixes as a unified diff (git apply, patch -p1)\n"
    "      --default VALUE        value for existing rows when a NOT NULL column is fixed\n"
    "      --default-sql EXPR     the same, as an SQL expression (e.g. now())\n"
    "      --dry-run              never write: alone, the report; with --write, the diff\n"
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
    "syntax errors (analysed where possible, never written) or could not be\n"
    "written, 2 usage, 3 unreadable input.\n";

enum {
	OPT_FORMAT = 256,
	OPT_TENANT,
	OPT_SPACE,
	OPT_SOFT,
	OPT_DRY,
	OPT_TENANT_IX,
	OPT_CONC,
	OPT_WRITE,
	OPT_DIFF,
	OPT_DEFAULT,
	OPT_DEFAULT_SQL,
};

enum mode { MODE_REPORT, MODE_DIFF, MODE_WRITE };

static const struct option longopts[] = {
    {"file", required_argument, NULL, 'f'},
    {"add-tenant-indexes", no_argument, NULL, OPT_TENANT_IX},
    {"use-concurrently", no_argument, NULL, OPT_CONC},
    {"dry-run", no_argument, NULL, OPT_DRY},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"tenant-column", required_argument, NULL, OPT_TENANT},
    {"space-column", required_argument, NULL, OPT_SPACE},
    {"soft-delete-column", required_argument, NULL, OPT_SOFT},
    {"write", no_argument, NULL, OPT_WRITE},
    {"diff", no_argument, NULL, OPT_DIFF},
    {"default", required_argument, NULL, OPT_DEFAULT},
    {"default-sql", required_argument, NULL, OPT_DEFAULT_SQL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/*
 * --default VALUE as the Python literal bound to the backfill: plain numbers
 * and booleans as they are, anything else a string in the file's quotes.
 */
static char *
python_value(const char *v, char quote)
{
	struct mg_buf b = {0};

	if (mg_pyval_is_plain(v))
		return mg_xstrdup(v);
	mg_snippet_pystr(&b, v, quote);
	return mg_buf_detach(&b);
}

/* What was not applied (notes aside), with the code to paste and the reason. */
static void
leftovers(FILE *f, const struct mg_model *m, const struct mg_diags *d)
{
	struct mg_diags rest;
	size_t i;

	memset(&rest, 0, sizeof(rest));
	for (i = 0; i < d->n; i++) {
		if (d->v[i].applied || d->v[i].severity == MG_NOTE)
			continue;
		mg_grow(&rest.v, &rest.cap, rest.n + 1, sizeof(*rest.v));
		rest.v[rest.n++] = d->v[i];
	}
	if (rest.n > 0)
		mg_emit_suggestions(f, m, &rest, 1);
	free(rest.v);
}

/* "3 fixes applied (a, b), 1 left as a suggestion" */
static void
summary(FILE *f, const char *path, const struct mg_diags *d, const char *verb)
{
	size_t i, applied = 0, left = 0;

	for (i = 0; i < d->n; i++) {
		if (d->v[i].applied)
			applied++;
		else if (d->v[i].severity != MG_NOTE)
			left++;
	}
	mg_emit_safe(f, path);
	if (applied == 0) {
		fputs(": nothing to change", f);
	} else {
		const char *sep = " (";
		fprintf(f, ": %zu fix%s %s", applied, applied == 1 ? "" : "es", verb);
		for (i = 0; i < d->n; i++)
			if (d->v[i].applied) {
				fprintf(f, "%s%s line %u", sep, d->v[i].rule,
				        (unsigned)d->v[i].line);
				sep = ", ";
			}
		fputc(')', f);
	}
	if (left > 0)
		fprintf(f, "; %zu left as suggestion%s", left, left == 1 ? "" : "s");
	fputc('\n', f);
}

/* --diff and --write: plan, apply, verify, then print or write. */
static int
fix_one(const char *path, struct mg_input *in, struct mg_model *m, struct mg_diags *d,
        enum mode mode)
{
	struct mg_edits e;
	char *after;
	size_t alen;
	const char *why;
	int status = MG_EXIT_OK;

	if (m->nerrors > 0) {
		mg_emit_errors(stderr, m);
		mg_warnx("%s: has syntax errors; not changed", path);
		return MG_EXIT_FAIL;
	}
	memset(&e, 0, sizeof(e));
	mg_fix_plan(m, in->data, in->len, d, &e);
	after = mg_fix_apply(in->data, in->len, &e, &alen);
	if (e.n > 0 && (why = mg_fix_verify(m, after, alen)) != NULL) {
		mg_warnx("%s: %s; not changed", path, why);
		status = MG_EXIT_FAIL;
	} else if (mode == MODE_DIFF) {
		struct mg_buf b = {0};
		mg_diff_edits(&b, path, in->data, in->len, &e);
		fwrite(b.s ? b.s : "", 1, b.len, stdout);
		mg_buf_free(&b);
		/* stdout is the patch: everything else goes to stderr. */
		summary(stderr, path, d, "in the diff");
		leftovers(stderr, m, d);
	} else {
		if (e.n > 0 &&
		    mg_write_atomic(path, &in->st, in->data, in->len, after, alen, &why) != 0) {
			mg_warnx("%s: cannot write: %s; the file is unchanged", path, why);
			status = MG_EXIT_FAIL;
		} else {
			summary(stdout, path, d, "applied");
			leftovers(stdout, m, d);
		}
	}
	free(after);
	mg_edits_free(&e);
	return status;
}

/* One file: analysed and reported (or fixed); returns its exit status. */
static int
enhance_one(const char *path, const struct mg_options *opts, int json, enum mode mode,
            const char *default_value)
{
	struct mg_options o = *opts;
	struct mg_input in;
	struct mg_model *m;
	struct mg_diags d;
	const char *why;
	char *value = NULL;
	int status;

	if (mg_input_read(path, &in, &why) != 0) {
		mg_warnx("%s: %s", path, why);
		return MG_EXIT_INPUT;
	}
	m = mg_analyze(path, in.data, in.len, MG_ANALYZE_FULL);
	if (default_value != NULL)
		o.backfill_python = value = python_value(default_value, m->quote);
	memset(&d, 0, sizeof(d));
	mg_rules_run(m, &o, &d);
	if (mode != MODE_REPORT) {
		status = fix_one(path, &in, m, &d, mode);
	} else {
		if (json) {
			char *s = mg_emit_json(m, &d, &o);
			fputs(s, stdout);
			free(s);
		} else {
			mg_emit_text(stdout, m, &d, &o);
		}
		mg_emit_errors(stderr, m);
		status = m->nerrors > 0 ? MG_EXIT_FAIL : MG_EXIT_OK;
	}
	free(value);
	mg_diags_free(&d);
	mg_model_free(m);
	mg_input_free(&in);
	return status;
}

int
mg_cmd_enhance(int argc, char **argv)
{
	const struct mg_command *cmd = mg_command_find("enhance");
	struct mg_options o = {0, 0, "tenant_id", "space_id", "deleted_at", NULL, NULL};
	enum mode mode = MODE_REPORT;
	const char *default_value = NULL;
	int dry_run = 0;
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
			dry_run = 1;
			break;
		case OPT_WRITE:
			if (mode == MODE_DIFF) {
				free(files);
				return mg_usage_error(cmd, "--write and --diff exclude each other");
			}
			mode = MODE_WRITE;
			break;
		case OPT_DIFF:
			if (mode == MODE_WRITE) {
				free(files);
				return mg_usage_error(cmd, "--write and --diff exclude each other");
			}
			mode = MODE_DIFF;
			break;
		case OPT_DEFAULT:
			default_value = optarg;
			break;
		case OPT_DEFAULT_SQL:
			o.backfill_sql = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "text") == 0)
				json = 0;
			else {
				free(files);
				return mg_usage_error(cmd, "--format: '%s' is not text or json",
				                      optarg);
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
		default: /* ':' or '?' */
			free(files);
			return mg_option_error(cmd, c, argv);
		}
	}
	for (; optind < argc; optind++)
		files[nfiles++] = argv[optind];
	/* The seed's --dry-run shows the suggestions; with --write, what it would change. */
	if (dry_run && mode == MODE_WRITE)
		mode = MODE_DIFF;
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
	if (default_value != NULL && o.backfill_sql != NULL) {
		free(files);
		return mg_usage_error(cmd, "--default and --default-sql exclude each other");
	}
	if (json && mode != MODE_REPORT) {
		free(files);
		return mg_usage_error(
		    cmd, "--format json describes the file; it does not go with --write or --diff");
	}
	if (o.backfill_sql != NULL &&
	    (mg_sql_check_expr(o.backfill_sql, &why) != 0 ||
	     (mg_sql_is_null(o.backfill_sql) && (why = "NULL would never fill the column")))) {
		free(files);
		return mg_usage_error(cmd, "--default-sql: %s", why);
	}
	if (default_value != NULL &&
	    ((why = mg_pyval_str_refusal(default_value)) != NULL ||
	     (strcmp(default_value, "None") == 0 && (why = "None would never fill the column")))) {
		free(files);
		return mg_usage_error(cmd, "--default: %s", why);
	}
	for (i = 0; i < nfiles; i++) {
		int s;
		if (i > 0 && !json && mode == MODE_REPORT)
			fputc('\n', stdout);
		s = enhance_one(files[i], &o, json, mode, default_value);
		/* The worst outcome wins: unreadable input over syntax errors. */
		if (s > status)
			status = s;
	}
	free(files);
	return status;
}
