/*
 * migen enhance: read a migration, explain what it does and what it lacks,
 * and print the code that fixes it. File → analyze → rules → emitter; this
 * file only wires the options to that flow. It never modifies the file.
 */
/* realpath() */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "migen/analyze.h"
#include "migen/backfill.h"
#include "migen/cli.h"
#include "migen/emit.h"
#include "migen/fix.h"
#include "migen/ident.h"
#include "migen/input.h"
#include "migen/rules.h"
#include "migen/snippet.h"
#include "migen/pyval.h"
#include "migen/revlist.h"
#include "migen/sqlcheck.h"

const char mg_enhance_usage[] =
    "usage: migen enhance [--file] FILE|DIR|-... [--add-tenant-indexes] [--use-concurrently]\n"
    "                     [--write | --diff | --check] [--default VALUE | --default-sql EXPR]\n"
    "                     [--dry-run] [--format text|json] [--quiet] [--fail-on LEVEL]\n"
    "                     [--stdin-filename NAME] [--tenant-column NAME]\n"
    "                     [--space-column NAME] [--soft-delete-column NAME]\n"
    "                     [--key COLUMN] [--batch-size N] [--sleep SECONDS]\n"
    "\n"
    "Explains what an Alembic migration does and what it lacks for a busy\n"
    "PostgreSQL, and prints the exact code to add. With --write it applies the\n"
    "fixes in place (atomically); with --diff it prints them as a unified diff.\n"
    "\n"
    "  -f, --file FILE             a migration, a versions folder (its *.py files), or -\n"
    "                              for standard input (repeatable; operands work too)\n"
    "      --add-tenant-indexes    suggest a (tenant, space) index for new multi-tenant tables\n"
    "      --use-concurrently      let --write rewrite plain index builds with CONCURRENTLY\n"
    "      --write                 apply the fixes to the file, in place\n"
    "      --diff                  print the fixes as a unified diff (git apply, patch -p1)\n"
    "      --check                 print what --write would change, one line a file\n"
    "      --default VALUE         value for existing rows when a NOT NULL column is fixed\n"
    "      --default-sql EXPR      the same, as an SQL expression (e.g. now())\n"
    "      --dry-run               never write: alone, the report; with --write, the diff\n"
    "      --format text|json      output format (default text; JSON: docs/json.md)\n"
    "  -q, --quiet                 print the findings only, one line each\n"
    "      --fail-on LEVEL         exit 1 on findings at LEVEL or above: error (default),\n"
    "                              warning or never\n"
    "      --stdin-filename NAME   the name of the file read from standard input (-)\n"
    "      --tenant-column NAME    the tenant column (default tenant_id)\n"
    "      --space-column NAME     the space column (default space_id)\n"
    "      --soft-delete-column NAME  the soft-delete column (default deleted_at)\n"
    "      --key COLUMN            the unique, ordered column backfills walk (default: the\n"
    "                              table's primary key, from the file or the version folder)\n"
    "      --batch-size N          rows per backfill batch, 1 to 100000 (default 5000)\n"
    "      --sleep SECONDS         pause between backfill batches, 0 to 60 (default 0.01)\n"
    "  -h, --help                  print this help\n"
    "\n"
    "Rules: missing-tenant-index, missing-fk-index, require-concurrent-index,\n"
    "concurrent-index-in-transaction, not-null-without-backfill (docs/rules.md).\n"
    "\n"
    "Exit status: 0 ok, 1 a finding at the --fail-on level, fixes pending (--diff,\n"
    "--check), Python syntax errors, or a failed write, 2 bad arguments, 3 unreadable\n"
    "input or not an Alembic migration.\n";

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
	OPT_CHECK,
	OPT_FAIL_ON,
	OPT_STDIN_NAME,
	OPT_KEY,
	OPT_BATCH,
	OPT_SLEEP,
};

enum mode { MODE_REPORT, MODE_DIFF, MODE_WRITE, MODE_CHECK };

const struct option mg_enhance_options[] = {
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
    {"check", no_argument, NULL, OPT_CHECK},
    {"quiet", no_argument, NULL, 'q'},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"stdin-filename", required_argument, NULL, OPT_STDIN_NAME},
    {"key", required_argument, NULL, OPT_KEY},
    {"batch-size", required_argument, NULL, OPT_BATCH},
    {"sleep", required_argument, NULL, OPT_SLEEP},
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

/* What the whole run saw: the options, the totals of the last line, the exit status. */
struct run {
	struct mg_options o;
	enum mode mode;
	int json, quiet;
	int fail_on; /* the lowest severity that fails the run; FAIL_NEVER: none */
	const char *default_value, *stdin_name;
	int json_array; /* several inputs: one JSON array of documents */
	size_t ndocs, files, errors, warnings, notes;
	int status;
	struct mg_backfill_cache keys; /* primary keys from the version folders, per folder */
};

#define FAIL_NEVER (MG_ERROR + 1)

static void
worsen(struct run *r, int status)
{
	/* The worst outcome wins: unreadable input over findings and syntax errors. */
	if (status > r->status)
		r->status = status;
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
	/* What an applied fix does to the migration as a whole (fix.h, mg_fix_annotate). */
	for (i = 0; i < d->n; i++)
		if (d->v[i].applied && d->v[i].note != NULL) {
			mg_emit_safe(f, path);
			fprintf(f, ":%u: ", (unsigned)d->v[i].line);
			mg_emit_safe(f, d->v[i].note);
			fputc('\n', f);
		}
}

/* --diff, --check and --write: plan, apply, verify, then print or write. */
static int
fix_one(struct run *r, const char *path, const char *name, struct mg_input *in, struct mg_model *m,
        struct mg_diags *d)
{
	struct mg_edits e;
	char *after;
	size_t alen;
	const char *why;
	int status = MG_EXIT_OK;

	if (m->nerrors > 0) {
		mg_emit_errors(stderr, m);
		mg_warnx("%s: has syntax errors; not changed", name);
		return MG_EXIT_FAIL;
	}
	memset(&e, 0, sizeof(e));
	mg_fix_plan(m, in->data, in->len, d, &e);
	after = mg_fix_apply(in->data, in->len, &e, &alen);
	if (e.n > 0 && (why = mg_fix_verify(m, after, alen)) != NULL) {
		mg_warnx("%s: %s; not changed", name, why);
		status = MG_EXIT_FAIL;
	} else if (r->mode == MODE_DIFF) {
		struct mg_buf b = {0};
		char *root, *shown = mg_diff_patch_path(name, &root);

		mg_diff_edits(&b, shown, in->data, in->len, &e);
		fwrite(b.s ? b.s : "", 1, b.len, stdout);
		mg_buf_free(&b);
		/* stdout is the patch: everything else goes to stderr. */
		if (e.n > 0 && root != NULL)
			mg_warnx("%s: the diff's paths are relative to %s: apply it there "
			         "(git apply, or patch -p1 -d %s)",
			         name, root, root);
		if (!r->quiet) {
			summary(stderr, name, d, "in the diff");
			leftovers(stderr, m, d);
		}
		free(shown);
		free(root);
		if (e.n > 0)
			status = MG_EXIT_FAIL; /* as diff(1): a difference is status 1 */
	} else if (r->mode == MODE_CHECK) {
		if (!r->quiet)
			summary(stdout, name, d, "pending");
		if (e.n > 0)
			status = MG_EXIT_FAIL;
	} else {
		int w = e.n > 0
		            ? mg_write_atomic(path, &in->st, in->data, in->len, after, alen, &why)
		            : 0;
		if (w == MG_WRITE_READ_ONLY) {
			mg_warnx("%s: %s", name, why);
			status = MG_EXIT_FAIL;
		} else if (w != 0) {
			mg_warnx("%s: cannot write: %s; the file is unchanged", name, why);
			status = MG_EXIT_FAIL;
		} else if (!r->quiet) {
			summary(stdout, name, d, "applied");
			leftovers(stdout, m, d);
		}
	}
	free(after);
	mg_edits_free(&e);
	return status;
}

/* The document of one file, in the array when there are several. */
static void
json_doc(struct run *r, const struct mg_model *m, const struct mg_diags *d)
{
	char *s = mg_emit_json(m, d, &r->o), *p;

	if (!r->json_array) {
		fputs(s, stdout);
		free(s);
		return;
	}
	/* Indented one level inside the array; JSON strings hold no raw newline. */
	fputs(r->ndocs++ == 0 ? "[\n  " : ",\n  ", stdout);
	for (p = s; *p; p++) {
		if (*p == '\n' && p[1] == '\0')
			break;
		fputc(*p, stdout);
		if (*p == '\n')
			fputs("  ", stdout);
	}
	free(s);
}

/* Adds the file's findings to the totals; returns 1 when one is at the --fail-on level. */
static int
tally(struct run *r, const struct mg_model *m, const struct mg_diags *d)
{
	size_t i;
	int fail = 0;

	r->files++;
	r->errors += m->nerrors;
	r->notes += m->nnotes;
	for (i = 0; i < d->n; i++) {
		const struct mg_diag *g = &d->v[i];

		if (g->severity == MG_ERROR)
			r->errors++;
		else if (g->severity == MG_WARNING)
			r->warnings++;
		else
			r->notes++;
		/* What --write applied is no longer a finding of the file. */
		if (r->mode == MODE_WRITE && g->applied)
			continue;
		if ((int)g->severity >= r->fail_on)
			fail = 1;
	}
	return fail;
}

/* One file (path "-": standard input), analysed and reported or fixed. */
static void
enhance_one(struct run *r, const char *path)
{
	struct mg_options o = r->o;
	struct mg_input in;
	struct mg_model *m;
	struct mg_diags d;
	const char *why, *name = path;
	char *value = NULL;
	int status, stdin_in = strcmp(path, "-") == 0, rc;

	if (stdin_in) {
		name = r->stdin_name ? r->stdin_name : "-";
		rc = mg_input_read_stdin(&in, &why);
	} else {
		rc = mg_input_read(path, &in, &why);
	}
	if (rc != 0) {
		mg_warnx("%s: %s", name, why);
		worsen(r, MG_EXIT_INPUT);
		return;
	}
	m = mg_analyze(name, in.data, in.len, MG_ANALYZE_FULL);
	if (!m->rev.has_revision) {
		/* A model, an empty file, alembic.ini: a report about it would mislead. */
		mg_warnx("%s: not an Alembic migration (no revision variable)", name);
		mg_model_free(m);
		mg_input_free(&in);
		worsen(r, MG_EXIT_INPUT);
		return;
	}
	/* The primary keys backfills walk: from the migrations beside this one. */
	if (o.backfill_key == NULL && mg_backfill_needs_keys(m) && strcmp(name, "-") != 0)
		o.history_keys = mg_backfill_cache_keys(&r->keys, name, m);
	if (r->default_value != NULL)
		o.backfill_python = value = python_value(r->default_value, m->quote);
	memset(&d, 0, sizeof(d));
	mg_rules_run(m, &o, &d);
	mg_fix_annotate(m, &d);
	if (r->mode != MODE_REPORT) {
		status = fix_one(r, path, name, &in, m, &d);
	} else {
		if (r->json)
			json_doc(r, m, &d);
		else if (r->quiet)
			mg_emit_findings(stdout, m, &d);
		else {
			if (r->files > 0)
				fputc('\n', stdout);
			mg_emit_text(stdout, m, &d, &o);
		}
		mg_emit_errors(stderr, m);
		status = m->nerrors > 0 ? MG_EXIT_FAIL : MG_EXIT_OK;
	}
	if (tally(r, m, &d))
		worsen(r, MG_EXIT_FAIL);
	worsen(r, status);
	free(value);
	mg_diags_free(&d);
	mg_model_free(m);
	mg_input_free(&in);
}

/* A folder: the migrations Alembic would load from it (its *.py files), in path order. */
static void
enhance_dir(struct run *r, const char *dir)
{
	struct mg_arena arena = {0};
	struct mg_revlist l;
	const char *why = NULL, *where = NULL;
	size_t i;

	memset(&l, 0, sizeof(l));
	l.arena = &arena;
	if (mg_revlist_dirs(&l, &dir, 1, 0, &why, &where) != 0) {
		mg_warnx("%s: %s", where, why);
		worsen(r, MG_EXIT_INPUT);
	} else if (l.n == 0) {
		mg_warnx("%s: no migrations (*.py files) in this folder", dir);
	}
	for (i = 0; i < l.n; i++)
		enhance_one(r, l.v[i].path);
	mg_revlist_free(&l);
	mg_arena_free(&arena);
}

static int
is_dir(const char *path)
{
	struct stat st;

	return strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *
plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The command line, checked; returns 0 or the usage error's status. */
static int
parse_args(const struct mg_command *cmd, int argc, char **argv, struct run *r, const char **files,
           size_t *nfiles)
{
	const char *why;
	int c, dry_run = 0, nstdin = 0;
	size_t i;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:qh", mg_enhance_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			files[(*nfiles)++] = optarg;
			break;
		case OPT_TENANT_IX:
			r->o.add_tenant_indexes = 1;
			break;
		case OPT_CONC:
			r->o.use_concurrently = 1;
			break;
		case OPT_DRY:
			dry_run = 1;
			break;
		case OPT_WRITE:
		case OPT_DIFF:
		case OPT_CHECK: {
			enum mode want = c == OPT_WRITE  ? MODE_WRITE
			                 : c == OPT_DIFF ? MODE_DIFF
			                                 : MODE_CHECK;
			if (r->mode != MODE_REPORT && r->mode != want)
				return mg_usage_error(
				    cmd, "--write, --diff and --check exclude each other");
			r->mode = want;
			break;
		}
		case OPT_DEFAULT:
			r->default_value = optarg;
			break;
		case OPT_DEFAULT_SQL:
			r->o.backfill_sql = optarg;
			break;
		case OPT_KEY:
			r->o.backfill_key = optarg;
			break;
		case OPT_BATCH:
			if (mg_backfill_parse_batch(optarg, &r->o.batch_size) != 0)
				return mg_usage_error(cmd, "--batch-size: must be a whole number "
				                           "from 1 to 100000");
			break;
		case OPT_SLEEP:
			if (mg_backfill_check_sleep(optarg) != 0)
				return mg_usage_error(cmd,
				                      "--sleep: must be a number of seconds from "
				                      "0 to 60, such as 0.01");
			r->o.sleep = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				r->json = 1;
			else if (strcmp(optarg, "text") == 0)
				r->json = 0;
			else
				return mg_usage_error(cmd, "--format: '%s' is not text or json",
				                      mg_cli_shown(optarg));
			break;
		case OPT_FAIL_ON:
			if (strcmp(optarg, "error") == 0)
				r->fail_on = MG_ERROR;
			else if (strcmp(optarg, "warning") == 0)
				r->fail_on = MG_WARNING;
			else if (strcmp(optarg, "never") == 0)
				r->fail_on = FAIL_NEVER;
			else
				return mg_usage_error(
				    cmd, "--fail-on: '%s' is not error, warning or never",
				    mg_cli_shown(optarg));
			break;
		case OPT_STDIN_NAME:
			r->stdin_name = optarg;
			break;
		case 'q':
			r->quiet = 1;
			break;
		case OPT_TENANT:
			r->o.tenant_column = optarg;
			break;
		case OPT_SPACE:
			r->o.space_column = optarg;
			break;
		case OPT_SOFT:
			r->o.soft_delete_column = optarg;
			break;
		case 'h':
			mg_print_usage(cmd, stdout);
			return -1;
		default: /* ':' or '?' */
			return mg_option_error(cmd, c, argv);
		}
	}
	for (; optind < argc; optind++)
		files[(*nfiles)++] = argv[optind];
	/* The seed's --dry-run shows the suggestions; with --write, what it would change. */
	if (dry_run && r->mode == MODE_WRITE)
		r->mode = MODE_DIFF;
	if (*nfiles == 0)
		return mg_usage_error(cmd, "no migration file given (--file FILE)");
	for (i = 0; i < *nfiles; i++)
		nstdin += strcmp(files[i], "-") == 0;
	if (nstdin > 1)
		return mg_usage_error(cmd, "standard input (-) can be read once");
	if (nstdin > 0 && r->mode == MODE_WRITE)
		return mg_usage_error(cmd, "--write cannot write standard input (-): use --diff");
	if (r->stdin_name != NULL && nstdin == 0)
		return mg_usage_error(cmd,
		                      "--stdin-filename names standard input: give - as the file");
	if (r->o.backfill_key != NULL && (why = mg_ident_refusal(r->o.backfill_key)) != NULL)
		return mg_usage_error(cmd, "--key: %s", why);
	if ((why = mg_ident_refusal(r->o.tenant_column)) != NULL)
		return mg_usage_error(cmd, "--tenant-column: %s", why);
	if ((why = mg_ident_refusal(r->o.space_column)) != NULL)
		return mg_usage_error(cmd, "--space-column: %s", why);
	if ((why = mg_ident_refusal(r->o.soft_delete_column)) != NULL)
		return mg_usage_error(cmd, "--soft-delete-column: %s", why);
	if (r->default_value != NULL && r->o.backfill_sql != NULL)
		return mg_usage_error(cmd, "--default and --default-sql exclude each other");
	if (r->json && r->mode != MODE_REPORT)
		return mg_usage_error(
		    cmd, "--format json describes the file; it does not go with --write, --diff or "
		         "--check");
	if (r->json && r->quiet)
		return mg_usage_error(cmd, "--quiet shortens the text report; it does not go with "
		                           "--format json");
	if (r->o.backfill_sql != NULL &&
	    (mg_sql_check_expr(r->o.backfill_sql, &why) != 0 ||
	     (mg_sql_is_null(r->o.backfill_sql) && (why = "NULL would never fill the column"))))
		return mg_usage_error(cmd, "--default-sql: %s", why);
	if (r->default_value != NULL &&
	    ((why = mg_pyval_str_refusal(r->default_value)) != NULL ||
	     (strcmp(r->default_value, "None") == 0 && (why = "None would never fill the column"))))
		return mg_usage_error(cmd, "--default: %s", why);
	return 0;
}

int
mg_cmd_enhance(int argc, char **argv)
{
	const struct mg_command *cmd = mg_command_find("enhance");
	struct run r;
	const char **files = mg_xcalloc((size_t)argc + 1, sizeof(*files));
	size_t nfiles = 0, i;
	int rc;

	memset(&r, 0, sizeof(r));
	r.o.tenant_column = "tenant_id";
	r.o.space_column = "space_id";
	r.o.soft_delete_column = "deleted_at";
	r.fail_on = MG_ERROR;
	if ((rc = parse_args(cmd, argc, argv, &r, files, &nfiles)) != 0) {
		free(files);
		return rc < 0 ? MG_EXIT_OK : rc;
	}
	/* Decided by the command line, never by what is found: one file named,
	 * one document (as it always was); several, or a folder, one array. */
	r.json_array = nfiles > 1;
	for (i = 0; i < nfiles && !r.json_array; i++)
		r.json_array = is_dir(files[i]);
	for (i = 0; i < nfiles; i++) {
		if (is_dir(files[i]))
			enhance_dir(&r, files[i]);
		else
			enhance_one(&r, files[i]);
	}
	if (r.json && r.json_array)
		fputs(r.ndocs == 0 ? "[]\n" : "\n]\n", stdout);
	/* Nothing analysed and something refused: the error said it all. */
	if (!r.json && !r.quiet && (r.files > 0 || r.status == MG_EXIT_OK)) {
		/* After a --diff, stdout is the patch: the tally goes with the other messages. */
		FILE *f = r.mode == MODE_DIFF ? stderr : stdout;
		if (r.mode == MODE_REPORT && r.files > 0)
			fputc('\n', f);
		fprintf(f, "%zu %s, %zu %s, %zu %s, %zu %s\n", r.files,
		        plural(r.files, "file", "files"), r.errors,
		        plural(r.errors, "error", "errors"), r.warnings,
		        plural(r.warnings, "warning", "warnings"), r.notes,
		        plural(r.notes, "note", "notes"));
	}
	mg_backfill_cache_free(&r.keys);
	free(files);
	return r.status;
}
