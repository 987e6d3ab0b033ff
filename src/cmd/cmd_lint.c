/*
 * migen lint: the CI gate over a project's migrations. This file chooses
 * the migrations (files given, --since REF, or every revision), reads the
 * configuration, hands the units to the engine (src/lint/) in graph order
 * and prints the report with one emitter; with --fix or --diff it writes or
 * shows the fixes through the planner enhance --write uses (src/fix/).
 */
/* realpath() */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migen/alembic_ini.h"
#include "migen/cli.h"
#include "migen/config.h"
#include "migen/envpy.h"
#include "migen/fix.h"
#include "migen/input.h"
#include "migen/lint.h"
#include "migen/project.h"
#include "migen/since.h"
#include "migen/snapshot.h"

const char mg_lint_usage[] =
    "usage: migen lint [PATH ...] [-c alembic.ini] [--since REF] [--format FORMAT]\n"
    "                  [--select RULE,...] [--ignore RULE,...] [--fail-on LEVEL]\n"
    "                  [--pg-version N] [--color auto|always|never] [--no-cache]\n"
    "                  [--stairway] [--fix | --diff]\n"
    "\n"
    "Checks an Alembic project's migrations for what locks or breaks a busy\n"
    "PostgreSQL, in revision-graph order: the files or folders given, the\n"
    "migrations added or changed since --since REF, or every revision (an audit).\n"
    "Settings come from [tool.migen] in pyproject.toml (docs/config.md); options\n"
    "given here win.\n"
    "\n"
    "  -c, --config FILE       alembic.ini (default: $ALEMBIC_CONFIG, else alembic.ini\n"
    "                          in this folder or the nearest parent)\n"
    "      --since REF         lint the migrations added or changed since the merge-base\n"
    "                          of REF and HEAD (git), uncommitted ones included\n"
    "      --format FORMAT     text, concise, json, sarif, github or gitlab (default:\n"
    "                          text on a terminal, concise otherwise; docs/lint-formats.md)\n"
    "      --select RULE,...   run only these rules\n"
    "      --ignore RULE,...   never report these rules\n"
    "      --fail-on LEVEL     exit 1 on findings at LEVEL or above: error, warning\n"
    "                          (default), note or never\n"
    "      --pg-version N      the PostgreSQL major version deployed to (10 to 99,\n"
    "                          default 14)\n"
    "      --color WHEN        auto (default: on a terminal, unless NO_COLOR is set),\n"
    "                          always or never\n"
    "      --no-cache          read every file afresh (also MIGEN_NO_CACHE=1)\n"
    "      --stairway          downgrade-mismatch also runs upgrade() again after each\n"
    "                          downgrade(), as pytest-alembic's stairway test\n"
    "      --fix               apply the fixes in place (atomically), then report what\n"
    "                          is left\n"
    "      --diff              print the fixes as a unified diff instead\n"
    "  -h, --help              print this help\n"
    "\n"
    "Suppress a finding with `# migen: ignore[RULE] reason` on its line or the line\n"
    "above, or `# migen: ignore-file[RULE] reason` in the module header (docs/lint.md).\n"
    "\n"
    "Rules: missing-tenant-index, missing-fk-index, require-concurrent-index,\n"
    "concurrent-index-in-transaction, not-null-without-backfill, invalid-sql,\n"
    "drop-unnamed-constraint, irreversible-downgrade, downgrade-mismatch,\n"
    "sqlite-alter-needs-batch, non-idempotent-autocommit, ignore-without-reason,\n"
    "unused-ignore (docs/rules.md).\n"
    "\n"
    "Exit status: 0 nothing at or above the --fail-on level, 1 findings at that level\n"
    "(or a fix that could not be written), 2 bad arguments or configuration, 3 no\n"
    "Alembic environment, or unreadable input.\n";

enum {
	OPT_SINCE = 256,
	OPT_FORMAT,
	OPT_SELECT,
	OPT_IGNORE,
	OPT_FAIL_ON,
	OPT_PG,
	OPT_COLOR,
	OPT_NO_CACHE,
	OPT_FIX,
	OPT_DIFF,
	OPT_STAIRWAY,
};

const struct option mg_lint_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"since", required_argument, NULL, OPT_SINCE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"select", required_argument, NULL, OPT_SELECT},
    {"ignore", required_argument, NULL, OPT_IGNORE},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"pg-version", required_argument, NULL, OPT_PG},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"fix", no_argument, NULL, OPT_FIX},
    {"diff", no_argument, NULL, OPT_DIFF},
    {"stairway", no_argument, NULL, OPT_STAIRWAY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

enum color_when { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct args {
	const char **paths;
	size_t npaths;
	const char *config, *since;
	int has_format;
	enum mg_lint_format format;
	const char **select, **ignore; /* NULL: not given */
	size_t nselect, nignore;
	int fail_on; /* -1: not given */
	long pg_version;
	enum color_when color;
	int no_cache, fix, diff, stairway;
	struct mg_arena arena;
};

/* Every id a user may name: the rules and lint's own two checks. */
static const char **
all_ids(size_t *n)
{
	static const char *v[64];
	size_t i;

	for (i = 0; mg_rules[i] != NULL && i < 60; i++)
		v[i] = mg_rules[i]->id;
	v[i++] = MG_RULE_IGNORE_WITHOUT_REASON;
	v[i++] = MG_RULE_UNUSED_IGNORE;
	*n = i;
	return v;
}

/* "a,b, c" into known rule ids; returns 0 or the usage error's status. */
static int
rule_list(const struct mg_command *cmd, const char *opt, const char *arg, struct args *a,
          const char ***out, size_t *n, size_t *cap)
{
	const char *p = arg;
	size_t nids;
	const char **ids = all_ids(&nids);

	for (;;) {
		const char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);
		char *id;

		while (p < end && *p == ' ')
			p++;
		while (end > p && end[-1] == ' ')
			end--;
		id = mg_arena_strndup(&a->arena, p, (size_t)(end - p));
		if (*id == '\0')
			return mg_usage_error(cmd, "%s: an empty rule id", opt);
		if (!mg_lint_rule_known(id)) {
			const char *best = mg_cli_closest(id, ids, nids);
			if (best != NULL)
				return mg_usage_error(cmd,
				                      "%s: unknown rule '%s'; did you mean '%s'?",
				                      opt, mg_cli_shown(id), best);
			return mg_usage_error(cmd, "%s: unknown rule '%s'", opt, mg_cli_shown(id));
		}
		mg_grow(out, cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = id;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

static int
parse_args(const struct mg_command *cmd, int argc, char **argv, struct args *a)
{
	size_t capsel = 0, capign = 0;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", mg_lint_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->config = optarg;
			break;
		case OPT_SINCE:
			if (*optarg == '\0' || *optarg == '-')
				return mg_usage_error(cmd, "--since: '%s' is not a git revision",
				                      mg_cli_shown(optarg));
			a->since = optarg;
			break;
		case OPT_FORMAT:
			if (mg_lint_format_parse(optarg, &a->format) != 0)
				return mg_usage_error(cmd, "--format: '%s' is not one of %s",
				                      mg_cli_shown(optarg), mg_lint_format_names);
			a->has_format = 1;
			break;
		case OPT_SELECT:
			if ((rc = rule_list(cmd, "--select", optarg, a, &a->select, &a->nselect,
			                    &capsel)) != 0)
				return rc;
			break;
		case OPT_IGNORE:
			if ((rc = rule_list(cmd, "--ignore", optarg, a, &a->ignore, &a->nignore,
			                    &capign)) != 0)
				return rc;
			break;
		case OPT_FAIL_ON:
			if (strcmp(optarg, "error") == 0)
				a->fail_on = MG_ERROR;
			else if (strcmp(optarg, "warning") == 0)
				a->fail_on = MG_WARNING;
			else if (strcmp(optarg, "note") == 0)
				a->fail_on = MG_NOTE;
			else if (strcmp(optarg, "never") == 0)
				a->fail_on = MG_CONFIG_FAIL_NEVER;
			else
				return mg_usage_error(
				    cmd, "--fail-on: '%s' is not error, warning, note or never",
				    mg_cli_shown(optarg));
			break;
		case OPT_PG: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 10 || v > 99)
				return mg_usage_error(
				    cmd, "--pg-version: '%s' is not a major version from 10 to 99",
				    mg_cli_shown(optarg));
			a->pg_version = v;
			break;
		}
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0)
				a->color = COLOR_AUTO;
			else if (strcmp(optarg, "always") == 0)
				a->color = COLOR_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				a->color = COLOR_NEVER;
			else
				return mg_usage_error(cmd,
				                      "--color: '%s' is not auto, always or never",
				                      mg_cli_shown(optarg));
			break;
		case OPT_NO_CACHE:
			a->no_cache = 1;
			break;
		case OPT_FIX:
			a->fix = 1;
			break;
		case OPT_DIFF:
			a->diff = 1;
			break;
		case OPT_STAIRWAY:
			a->stairway = 1;
			break;
		case 'h':
			mg_print_usage(cmd, stdout);
			return -1;
		default: /* ':' or '?' */
			return mg_option_error(cmd, c, argv);
		}
	}
	for (; optind < argc; optind++)
		a->paths[a->npaths++] = argv[optind];
	if (a->fix && a->diff)
		return mg_usage_error(cmd, "--fix and --diff exclude each other");
	if (a->since != NULL && a->npaths > 0)
		return mg_usage_error(cmd, "--since chooses the migrations: do not name files too");
	return 0;
}

/* A path given on the command line, as reported and as the file system knows it. */
struct given {
	const char *shown, *real;
};

/* Work started on a thread of its own while the project loads (run inline when no thread
 * can be made). */
struct bg {
	pthread_t tid;
	int running;
};

static void
bg_start(struct bg *b, void *(*fn)(void *), void *arg)
{
	b->running = pthread_create(&b->tid, NULL, fn, arg) == 0;
	if (!b->running)
		fn(arg);
}

static void
bg_join(struct bg *b)
{
	if (b->running)
		pthread_join(b->tid, NULL);
	b->running = 0;
}

/* mg_since_files() in the background. */
struct sincejob {
	const char *ref;
	const char **dirs; /* the version folders (realpath): git looks only there */
	size_t ndirs;
	const char *scope; /* where git's answer is kept (the alembic.ini), or NULL */
	int64_t started_ns;
	struct mg_since *s;
	int rc;
	const char *why;
	struct bg bg;
};

/* mg_snapshot_read() in the background. */
struct readjob {
	char *scope;
	struct mg_snapshot_read rd;
	struct bg bg;
};

struct run {
	struct args a;
	struct sincejob sincejob;
	struct readjob readjob;
	struct mg_config cfg;
	struct mg_project proj;
	int have_proj;
	struct mg_since since;
	struct given *given;
	size_t ngiven, capgiven;
	struct mg_lint_unit *u;
	size_t nu, capu;
	int status;
	enum mg_dialect dialect; /* from alembic.ini or env.py; [tool.migen] wins */
};

static void *
since_thread(void *arg)
{
	struct sincejob *j = arg;

	j->rc = mg_since_files(j->ref, j->dirs, j->ndirs, j->scope, j->started_ns, j->s, &j->why);
	return NULL;
}

static void *
read_thread(void *arg)
{
	struct readjob *j = arg;

	mg_snapshot_read(&j->rd, j->scope);
	return NULL;
}

static void
worsen(struct run *r, int status)
{
	/* The worst outcome wins: unreadable input over findings. */
	if (status > r->status)
		r->status = status;
}

static const char *
real_of(struct mg_arena *a, const char *path)
{
	char *p = realpath(path, NULL), *s;

	if (p == NULL)
		return NULL;
	s = mg_arena_strdup(a, p);
	free(p);
	return s;
}

/* The last component of a path. */
static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static void
add_given(struct run *r, const char *shown)
{
	mg_grow(&r->given, &r->capgiven, r->ngiven + 1, sizeof(*r->given));
	r->given[r->ngiven].shown = mg_arena_strdup(&r->a.arena, shown);
	r->given[r->ngiven++].real = real_of(&r->a.arena, shown);
}

/* The files and folders given, as files: a folder's migrations as Alembic lists them. */
static void
expand(struct run *r)
{
	size_t i, k;

	for (i = 0; i < r->a.npaths; i++) {
		const char *p = r->a.paths[i];
		struct stat st;

		if (stat(p, &st) != 0) {
			mg_warnx("%s: no such file or folder", p);
			worsen(r, MG_EXIT_INPUT);
		} else if (S_ISDIR(st.st_mode)) {
			struct mg_arena arena = {0};
			const char **files, *why = NULL, *where = NULL;
			size_t n;

			if (mg_project_dir_files(p, &arena, &files, &n, &why, &where) != 0) {
				mg_warnx("%s: %s", where, why);
				worsen(r, MG_EXIT_INPUT);
			} else if (n == 0) {
				mg_warnx("%s: no migrations (*.py files) in this folder", p);
			}
			for (k = 0; k < n; k++)
				add_given(r, files[k]);
			free(files);
			mg_arena_free(&arena);
		} else {
			add_given(r, p);
		}
	}
}

static struct mg_lint_unit *
add_unit(struct run *r, const char *path, const char *revision, int report)
{
	struct mg_lint_unit *u;

	mg_grow(&r->u, &r->capu, r->nu + 1, sizeof(*r->u));
	u = &r->u[r->nu++];
	memset(u, 0, sizeof(*u));
	u->path = path;
	u->revision = revision;
	u->report = report;
	return u;
}

static int
strpcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The realpaths of the project's files named like a file given or changed
 * since REF, NULL for the others ([proj.n]: free() it). Only those are
 * resolved: realpath() reads each component of a path, and at 10,000
 * migrations that is more than loading them. A link is found by either
 * name.
 */
static const char **
project_reals(struct run *r)
{
	const char **names = mg_xcalloc(2 * r->ngiven + 2 * r->since.n + 1, sizeof(*names));
	const char **real = mg_xcalloc(r->proj.n + 1, sizeof(*real));
	size_t i, nnames = 0;

	for (i = 0; i < r->ngiven; i++) {
		names[nnames++] = base_name(r->given[i].shown);
		if (r->given[i].real != NULL)
			names[nnames++] = base_name(r->given[i].real);
	}
	for (i = 0; i < r->since.n; i++) {
		names[nnames++] = base_name(r->since.v[i].path);
		names[nnames++] = base_name(r->since.v[i].name);
	}
	qsort(names, nnames, sizeof(*names), strpcmp);
	for (i = 0; i < r->proj.n; i++) {
		const char *b = base_name(r->proj.v[i].path);
		if (bsearch(&b, names, nnames, sizeof(*names), strpcmp) != NULL)
			real[i] = real_of(&r->a.arena, r->proj.v[i].path);
	}
	free(names);
	return real;
}

/*
 * git's answer for --since, settled against the project: an answer an
 * earlier run saved stands if the project's files are as they were (else
 * git is asked now), and an answer git gave is saved for the next run.
 * *real is the project's realpaths, redone when the answer changed.
 * 0, or the exit status of a failure.
 */
static int
settle_since(struct run *r, const char ***real)
{
	uint64_t print[2];
	const char *why = NULL;
	int racy, rc, have;

	have = mg_since_print(&r->since, &r->proj, *real, print, &racy) == 0;
	if (r->since.saved) {
		if ((rc = mg_since_confirm(&r->since, have ? print : NULL, &why)) != MG_SINCE_OK) {
			mg_warnx("--since %s: %s", mg_cli_shown(r->a.since), why);
			return rc == MG_SINCE_BAD_REF ? MG_EXIT_USAGE : MG_EXIT_INPUT;
		}
		if (!r->since.asked)
			return 0;
		free(*real);
		*real = project_reals(r);
		have = mg_since_print(&r->since, &r->proj, *real, print, &racy) == 0;
	}
	/* A file changed about now may change again unseen: the next run asks git. */
	if (have && !racy)
		mg_since_save(&r->since, print);
	return 0;
}

/* The units in graph order: the whole history, with the ones to report marked; real as
 * project_reals() gave it. */
static void
units_from_project(struct run *r, const char *const *real)
{
	const char **reals = mg_xcalloc(r->ngiven + 1, sizeof(*reals));
	size_t i, nreals = 0;

	for (i = 0; i < r->ngiven; i++)
		if (r->given[i].real != NULL)
			reals[nreals++] = r->given[i].real;
	qsort(reals, nreals, sizeof(*reals), strpcmp);
	for (i = 0; i < r->proj.n; i++) {
		const struct mg_project_rev *x = &r->proj.v[i];
		struct mg_lint_unit *u = add_unit(r, x->path, x->revision, 0);

		/* The units start with the project's, in its order: same positions. */
		u->parents = x->parents;
		u->nparents = x->nparents;
		u->key = x->key;

		if (r->a.npaths > 0) {
			const char **hit =
			    real[i] ? bsearch(&real[i], reals, nreals, sizeof(*reals), strpcmp)
			            : NULL;
			u->report = hit != NULL;
		} else if (r->a.since != NULL) {
			const struct mg_since_file *f = mg_since_find(&r->since, real[i]);
			u->report = f != NULL && x->started;
			u->added = f != NULL && f->added;
		} else {
			u->report = x->started;
		}
	}
	/* Files given that the environment does not load: linted on their own, last. */
	{
		const char **loaded = mg_xcalloc(r->proj.n + 1, sizeof(*loaded));
		size_t nloaded = 0;

		for (i = 0; i < r->proj.n; i++)
			if (real[i] != NULL)
				loaded[nloaded++] = real[i];
		qsort(loaded, nloaded, sizeof(*loaded), strpcmp);
		for (i = 0; i < r->ngiven; i++)
			if (r->given[i].real == NULL || bsearch(&r->given[i].real, loaded, nloaded,
			                                        sizeof(*loaded), strpcmp) == NULL)
				add_unit(r, r->given[i].shown, NULL, 1);
		free(loaded);
	}
	free(reals);
}

/* Reads [tool.migen]; 0, or the exit status of a bad configuration. */
static int
read_config(struct run *r)
{
	char *path = mg_config_find(r->have_proj ? r->proj.here : ".");
	const char *err;
	int rc = 0;

	memset(&r->cfg, 0, sizeof(r->cfg));
	r->cfg.fail_on = -1;
	r->cfg.downgrades = -1;
	if (path == NULL)
		return 0;
	if (mg_config_read(path, mg_lint_rule_known, &r->cfg, &err) != 0) {
		mg_warnx("%s", err);
		rc = MG_EXIT_USAGE;
	}
	free(path);
	return rc;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Each unit as the walk loads it, before its check: its own revision when
 * there is no graph (copied: models are released), and the problems with a
 * reported file itself: unreadable, not a migration, syntax errors.
 */
static void
unit_loaded(void *arg, struct mg_lint_unit *u)
{
	struct run *r = arg;
	size_t k;

	if (u->revision == NULL && u->model != NULL && u->model->rev.revision != NULL)
		u->revision = mg_arena_strdup(&r->a.arena, u->model->rev.revision);
	if (!u->report)
		return;
	if (u->model == NULL) {
		mg_warnx("%s: %s", u->path, u->error ? u->error : "cannot be read");
		worsen(r, MG_EXIT_INPUT);
		return;
	}
	if (!u->model->rev.has_revision) {
		/* A model, an empty file, a README: a report about it would mislead. */
		mg_warnx("%s: not an Alembic migration (no revision variable)", u->path);
		worsen(r, MG_EXIT_INPUT);
		u->report = 0;
		return;
	}
	for (k = 0; k < u->model->nerrors; k++) {
		const struct mg_error *e = &u->model->errors[k];
		mg_warnx("%s:%u:%u: %s", u->path, (unsigned)e->line, (unsigned)e->col, e->message);
		worsen(r, MG_EXIT_INPUT);
	}
}

/* What the engine runs: the defaults, the configuration, then the command line. */
static void
lint_config(const struct run *r, struct mg_lint_config *lc, struct mg_lint_severity **sev)
{
	size_t i;

	memset(lc, 0, sizeof(*lc));
	/* lint checks tenant indexes and CONCURRENTLY by default; select/ignore turn them off. */
	lc->o.add_tenant_indexes = 1;
	lc->o.use_concurrently = 1;
	lc->o.pg_version = (int)(r->a.pg_version     ? r->a.pg_version
	                         : r->cfg.pg_version ? r->cfg.pg_version
	                                             : MG_PG_VERSION_DEFAULT);
	if (r->have_proj) {
		lc->o.env_py = r->proj.env_py;
		lc->o.env_lock_timeout = mg_envpy_sets_lock_timeout(r->proj.env_py, r->proj.ini);
	}
	lc->o.tenant_column = r->cfg.tenant_column ? r->cfg.tenant_column : "tenant_id";
	lc->o.space_column = r->cfg.space_column ? r->cfg.space_column : "space_id";
	lc->o.soft_delete_column =
	    r->cfg.soft_delete_column ? r->cfg.soft_delete_column : "deleted_at";
	if (r->a.select != NULL) {
		lc->select = r->a.select;
		lc->nselect = r->a.nselect;
	} else if (r->cfg.select != NULL) {
		lc->select = r->cfg.select;
		lc->nselect = r->cfg.nselect;
	}
	if (r->a.ignore != NULL) {
		lc->ignore = r->a.ignore;
		lc->nignore = r->a.nignore;
	} else {
		lc->ignore = r->cfg.ignore;
		lc->nignore = r->cfg.nignore;
	}
	*sev = mg_xcalloc(r->cfg.nseverity + 1, sizeof(**sev));
	for (i = 0; i < r->cfg.nseverity; i++) {
		(*sev)[i].rule = r->cfg.severity[i].rule;
		(*sev)[i].severity = r->cfg.severity[i].severity;
	}
	lc->severity = *sev;
	lc->nseverity = r->cfg.nseverity;
	lc->types = &r->cfg.types;
	lc->o.types = lc->types;
	lc->o.no_downgrades = r->cfg.downgrades == 0;
	lc->o.stairway = r->a.stairway;
	lc->o.dialect = r->cfg.dialect != NULL ? mg_dialect_parse(r->cfg.dialect) : r->dialect;
}

/*
 * --fix and --diff: each reported file's whole fix, verified to leave the
 * same migration, then written atomically or printed as a patch. Returns
 * the number of files written.
 */
static size_t
apply_fixes(struct run *r, struct mg_edits *fixes)
{
	size_t i, written = 0;

	for (i = 0; i < r->nu; i++) {
		struct mg_lint_unit *u = &r->u[i];
		const char *why;
		char *after;
		size_t alen;

		if (!u->report || u->model == NULL || fixes[i].n == 0)
			continue;
		if (u->model->nerrors > 0) {
			mg_warnx("%s: has syntax errors; not changed", u->path);
			worsen(r, MG_EXIT_FAIL);
			continue;
		}
		after = mg_fix_apply(u->in.data, u->in.len, &fixes[i], &alen);
		if ((why = mg_fix_verify(u->model, after, alen)) != NULL) {
			mg_warnx("%s: %s; not changed", u->path, why);
			worsen(r, MG_EXIT_FAIL);
		} else if (r->a.diff) {
			struct mg_buf b = {0};
			char *root, *shown = mg_diff_patch_path(u->path, &root);

			mg_diff_edits(&b, shown, u->in.data, u->in.len, &fixes[i]);
			fwrite(b.s ? b.s : "", 1, b.len, stdout);
			mg_buf_free(&b);
			/* stdout is the patch: where to apply it goes to stderr. */
			if (root != NULL)
				mg_warnx("%s: the diff's paths are relative to %s: apply it there "
				         "(git apply, or patch -p1 -d %s)",
				         u->path, root, root);
			free(shown);
			free(root);
		} else {
			int w = mg_write_atomic(u->path, &u->in.st, u->in.data, u->in.len, after,
			                        alen, &why);
			if (w == MG_WRITE_READ_ONLY) {
				mg_warnx("%s: %s", u->path, why);
				worsen(r, MG_EXIT_FAIL);
			} else if (w != 0) {
				mg_warnx("%s: cannot write: %s; the file is unchanged", u->path,
				         why);
				worsen(r, MG_EXIT_FAIL);
			} else {
				fprintf(stderr, "migen: %s: fixed\n", u->path);
				written++;
			}
		}
		free(after);
	}
	return written;
}

static int
fails(const struct mg_lint_report *rep, int fail_on)
{
	int s;

	for (s = fail_on; s <= MG_ERROR; s++)
		if (rep->by_severity[s] > 0)
			return 1;
	return 0;
}

static void
run_free(struct run *r)
{
	bg_join(&r->sincejob.bg);
	bg_join(&r->readjob.bg);
	mg_snapshot_read_free(&r->readjob.rd);
	free(r->readjob.scope);
	mg_lint_units_free(r->u, r->nu);
	free(r->u);
	free(r->given);
	free(r->a.paths);
	free(r->a.select);
	free(r->a.ignore);
	mg_config_free(&r->cfg);
	mg_project_free(&r->proj);
	mg_since_free(&r->since);
	mg_arena_free(&r->a.arena);
}

/*
 * The dialect env.py names when alembic.ini has no URL (an env.py that
 * builds it from settings): the one database scheme its string literals
 * name ("postgresql+asyncpg://", "sqlite:///"), MG_DIALECT_UNKNOWN when
 * none or several.
 */
static enum mg_dialect
env_py_dialect(const char *script_dir)
{
	static const char *const schemes[] = {"postgresql", "postgres", "sqlite",
	                                      "mysql",      "mariadb",  "mssql"};
	enum mg_dialect found = MG_DIALECT_UNKNOWN;
	struct mg_input in;
	struct mg_buf path = {0};
	const char *why, *src;
	size_t i;

	if (script_dir == NULL)
		return MG_DIALECT_UNKNOWN;
	mg_buf_printf(&path, "%s/env.py", script_dir);
	i = mg_input_read(path.s, &in, &why) == 0;
	mg_buf_free(&path);
	if (!i)
		return MG_DIALECT_UNKNOWN;
	src = in.data;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i]);
		const char *p;
		for (p = src; (p = strstr(p, schemes[i])) != NULL; p += n) {
			enum mg_dialect d;
			if (p == src || (p[-1] != '"' && p[-1] != '\''))
				continue;
			if (p[n] != ':' && p[n] != '+')
				continue;
			d = mg_dialect_parse(p);
			if (found != MG_DIALECT_UNKNOWN && d != found) {
				mg_input_free(&in);
				return MG_DIALECT_UNKNOWN;
			}
			found = d;
		}
	}
	mg_input_free(&in);
	return found;
}

int
mg_cmd_lint(int argc, char **argv)
{
	const struct mg_command *cmd = mg_command_find("lint");
	struct run r;
	struct mg_lint_config lc;
	struct mg_lint_severity *sev = NULL;
	struct mg_lint_report rep;
	struct mg_lint_emit_opts eo;
	struct mg_edits *fixes = NULL;
	const char *why, *nc;
	char *ini = NULL;
	double t0 = now();
	struct mg_snapshot snap;
	struct mg_lint_start start;
	struct mg_lint_loader ld;
	const char *snap_scope;
	struct timespec started;
	int rc, fail_on, cache;
	size_t i;

	/* Before any file is read: what changes after this, the caches must not trust. */
	clock_gettime(CLOCK_REALTIME, &started);
	memset(&r, 0, sizeof(r));
	r.a.fail_on = -1;
	r.a.paths = mg_xcalloc((size_t)argc + 1, sizeof(*r.a.paths));
	if ((rc = parse_args(cmd, argc, argv, &r.a)) != 0) {
		run_free(&r);
		return rc < 0 ? MG_EXIT_OK : rc;
	}
	nc = getenv("MIGEN_NO_CACHE");
	cache = !r.a.no_cache && !(nc != NULL && strcmp(nc, "0") != 0);

	/* The environment: needed to audit or for --since; with files, used when found. */
	ini = mg_alembic_ini_find(r.a.config);
	if (ini == NULL && (r.a.config != NULL || r.a.npaths == 0)) {
		if (r.a.config != NULL)
			mg_warnx("%s: no such file", r.a.config);
		else
			mg_warnx("no alembic.ini here or in a parent folder (use -c FILE, or name "
			         "the migrations to lint)");
		run_free(&r);
		return MG_EXIT_INPUT;
	}
	if (ini != NULL) {
		/* start-after is in the configuration, which sits beside alembic.ini. */
		struct mg_alembic_env env;
		memset(&env, 0, sizeof(env));
		if (mg_alembic_ini_read(ini, "alembic", &env, &why) != 0) {
			mg_warnx("%s", why);
			mg_alembic_env_free(&env);
			free(ini);
			run_free(&r);
			return MG_EXIT_INPUT;
		}
		r.proj.here = mg_arena_strdup(&r.proj.arena, env.here);
		r.have_proj = 1;
		/* Where git needs to look for --since: the version folders, resolved. */
		r.sincejob.dirs = mg_arena_alloc(&r.a.arena, (env.nversions + 1) * sizeof(char *));
		for (i = 0; i < env.nversions; i++) {
			const char *d = real_of(&r.a.arena, env.versions[i]);
			if (d != NULL)
				r.sincejob.dirs[r.sincejob.ndirs++] = d;
		}
		r.dialect = mg_dialect_parse(env.url);
		if (r.dialect == MG_DIALECT_UNKNOWN)
			r.dialect = env_py_dialect(env.script_dir);
		mg_alembic_env_free(&env);
	}
	if ((rc = read_config(&r)) != 0) {
		free(ini);
		run_free(&r);
		return rc;
	}
	/* A saved snapshot, read and decoded while the project loads, when the migrations to
	 * report may start after the first (snapshot.h). */
	if (ini != NULL && cache && (r.a.since != NULL || r.a.npaths > 0 || r.cfg.start_after)) {
		r.readjob.scope = mg_xstrdup(ini);
		bg_start(&r.readjob.bg, read_thread, &r.readjob);
	}
	/* git's answer, asked while the project loads: both read the whole tree. */
	if (r.a.since != NULL) {
		r.sincejob.ref = r.a.since;
		r.sincejob.s = &r.since;
		r.sincejob.scope = cache && ini != NULL ? mg_arena_strdup(&r.a.arena, ini) : NULL;
		r.sincejob.started_ns = (int64_t)started.tv_sec * 1000000000LL + started.tv_nsec;
		bg_start(&r.sincejob.bg, since_thread, &r.sincejob);
	}
	if (ini != NULL) {
		mg_project_free(&r.proj);
		if (mg_project_load(ini, cache, r.cfg.start_after, &r.proj, &why) != 0) {
			mg_warnx("%s", why);
			free(ini);
			run_free(&r);
			return MG_EXIT_INPUT;
		}
		if (r.cfg.start_after != NULL && !r.proj.start_found) {
			mg_warnx("%s:%u: no revision '%s' in the project (start-after)", r.cfg.path,
			         (unsigned)r.cfg.start_after_line, mg_cli_shown(r.cfg.start_after));
			free(ini);
			run_free(&r);
			return MG_EXIT_USAGE;
		}
	}
	free(ini);
	if (r.a.since != NULL) {
		int s;
		bg_join(&r.sincejob.bg);
		s = r.sincejob.rc;
		why = r.sincejob.why;
		if (s != MG_SINCE_OK) {
			mg_warnx("--since %s: %s", mg_cli_shown(r.a.since), why);
			run_free(&r);
			return s == MG_SINCE_BAD_REF ? MG_EXIT_USAGE : MG_EXIT_INPUT;
		}
	}
	expand(&r);
	if (r.have_proj) {
		const char **real = project_reals(&r);

		if (r.a.since != NULL && (rc = settle_since(&r, &real)) != 0) {
			free(real);
			run_free(&r);
			return rc;
		}
		units_from_project(&r, real);
		free(real);
	} else {
		for (i = 0; i < r.ngiven; i++)
			add_unit(&r, r.given[i].shown, NULL, 1);
	}

	/* The schemas where the first reported migration starts, when saved by an earlier run of
	 * the same history: the migrations before it are then neither loaded nor replayed. */
	bg_join(&r.readjob.bg);
	snap_scope = cache && r.have_proj ? r.proj.ini : NULL;
	mg_snapshot_begin(&snap, snap_scope, r.u, r.nu, &r.cfg.types,
	                  (int64_t)started.tv_sec * 1000000000LL + started.tv_nsec, &r.readjob.rd,
	                  &start);
	mg_snapshot_read_free(&r.readjob.rd);
	if (!r.a.has_format)
		r.a.format = isatty(STDOUT_FILENO) ? MG_LINT_TEXT : MG_LINT_CONCISE;
	lint_config(&r, &lc, &sev);
	memset(&rep, 0, sizeof(rep));
	if (r.a.fix || r.a.diff)
		fixes = mg_xcalloc(r.nu + 1, sizeof(*fixes));
	/* One line a finding: no help, code or source to keep. */
	lc.lean = r.a.format == MG_LINT_CONCISE && fixes == NULL;
	/* The models of a project are cached per alembic.ini; files linted without one share a
	 * cache. */
	memset(&ld, 0, sizeof(ld));
	ld.cache_scope = !cache               ? NULL
	                 : r.proj.ini != NULL ? r.proj.ini
	                                      : "lint: files without alembic.ini";
	ld.keep = fixes != NULL;
	ld.loaded = unit_loaded;
	ld.arg = &r;
	mg_lint_walk(&lc, r.u, r.nu, &ld, &start, &rep, fixes);
	if (!mg_dialect_postgresql(&lc.o))
		mg_warnx(
		    "note: the migrations target %s: the lock rules are PostgreSQL-only and do "
		    "not run (docs/rules.md, \"Databases\")",
		    mg_dialect_name(lc.o.dialect));
	mg_snapshot_end(&snap);
	mg_snapshot_free(&snap);
	if (fixes != NULL) {
		size_t written = apply_fixes(&r, fixes);

		for (i = 0; i < r.nu; i++)
			mg_edits_free(&fixes[i]);
		free(fixes);
		/* After --fix, the report is of the files as they are now. */
		if (written > 0) {
			/* The same walk, on the caches: only the files written are analysed
			 * again, and the snapshot before them still stands. Their problems
			 * were said the first time. */
			mg_lint_report_free(&rep);
			mg_lint_units_free(r.u, r.nu);
			for (i = 0; i < r.nu; i++)
				r.u[i].skip = 0;
			mg_snapshot_read(&r.readjob.rd, snap_scope);
			mg_snapshot_begin(&snap, snap_scope, r.u, r.nu, &r.cfg.types,
			                  (int64_t)started.tv_sec * 1000000000LL + started.tv_nsec,
			                  &r.readjob.rd, &start);
			mg_snapshot_read_free(&r.readjob.rd);
			ld.keep = 0;
			ld.loaded = NULL;
			lc.lean = r.a.format == MG_LINT_CONCISE;
			mg_lint_walk(&lc, r.u, r.nu, &ld, &start, &rep, NULL);
			mg_snapshot_end(&snap);
			mg_snapshot_free(&snap);
		}
	}
	rep.seconds = now() - t0;

	memset(&eo, 0, sizeof(eo));
	{
		const char *no_color = getenv("NO_COLOR");
		if (r.a.color == COLOR_ALWAYS ||
		    (r.a.color == COLOR_AUTO && isatty(STDOUT_FILENO) &&
		     (no_color == NULL || *no_color == '\0')))
			eo.color = MG_COLOR_ALWAYS;
	}
	eo.omit_seconds = getenv("MIGEN_OMIT_SECONDS") != NULL;
	if (!r.a.diff)
		mg_emit_lint(stdout, r.a.format, &rep, &eo);
	/*
	 * The summary goes with the text report; beside a machine format or a
	 * patch, to stderr. Nothing was linted when every file given was an
	 * error: the error lines say it all.
	 */
	if (rep.nfiles == 0 && r.status == MG_EXIT_INPUT) {
		/* no summary */
	} else if (r.a.format == MG_LINT_TEXT && !r.a.diff) {
		mg_emit_lint_summary(stdout, &rep, &eo);
	} else {
		struct mg_lint_emit_opts plain = eo;
		plain.color = MG_COLOR_NEVER;
		/* Where both go to one pipe (pre-commit, CI logs): findings first. */
		fflush(stdout);
		mg_emit_lint_summary(stderr, &rep, &plain);
	}

	fail_on = r.a.fail_on >= 0 ? r.a.fail_on : r.cfg.fail_on >= 0 ? r.cfg.fail_on : MG_WARNING;
	if (fail_on <= MG_ERROR && fails(&rep, fail_on))
		worsen(&r, MG_EXIT_FAIL);
	rc = r.status;
	mg_lint_report_free(&rep);
	free(sev);
	run_free(&r);
	return rc;
}
