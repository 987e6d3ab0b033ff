/*
 * migen doctor: is this Alembic project safe to add a migration to? Finds
 * alembic.ini (alembic_ini.c), checks the environment's files, loads every
 * migration's revision variables (revload.c), checks the graph
 * (revgraph.c) and hands the result to one emitter. This file only wires
 * options to that flow and decides the exit status. Nothing is imported or
 * run: files are read.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "migen/alembic_ini.h"
#include "migen/cli.h"
#include "migen/doctor.h"
#include "migen/emit.h"
#include "migen/revgraph.h"
#include "migen/revload.h"

const char mg_doctor_usage[] =
    "usage: migen doctor [-c alembic.ini] [-n NAME] [--versions DIR ...] [--recursive]\n"
    "                    [--format text|json] [--graph mermaid|dot] [--no-collapse]\n"
    "                    [--full] [--no-cache] [-j N]\n"
    "\n"
    "Checks an Alembic project without importing it: the environment (alembic.ini,\n"
    "env.py, script.py.mako, version folders) and the revision graph (every file has\n"
    "a revision id; no duplicate, dangling down_revision/depends_on or cycle; one\n"
    "head, or one per labelled branch). Prints the `alembic merge` that joins\n"
    "several heads.\n"
    "\n"
    "  -c, --config FILE      alembic.ini (default: $ALEMBIC_CONFIG, else alembic.ini\n"
    "                         in this folder or the nearest parent)\n"
    "  -n, --name NAME        the ini section (default alembic)\n"
    "      --versions DIR     a version folder to check instead of the ini's\n"
    "                         (repeatable; works without an alembic.ini)\n"
    "      --recursive        descend into sub-folders of --versions folders\n"
    "      --format text|json output format (default text; JSON: docs/json-doctor.md)\n"
    "      --graph mermaid|dot  print the revision graph instead of the report\n"
    "      --no-collapse      with --graph: draw every revision (default: fold long\n"
    "                         linear runs)\n"
    "      --full             parse whole files, reporting syntax errors anywhere\n"
    "                         (default: the module header, where the revision\n"
    "                         variables are)\n"
    "      --no-cache         read every file (default: files unchanged since the\n"
    "                         last run are taken from ~/.cache/migen; also\n"
    "                         MIGEN_NO_CACHE=1)\n"
    "  -j, --jobs N           threads (default: one per core)\n"
    "  -h, --help             print this help\n"
    "\n"
    "Checks: unparsable-file, missing-revision, invalid-revision-id,\n"
    "missing-down-revision, non-literal-variable, duplicate-revision,\n"
    "duplicate-branch-label, dangling-down-revision, dangling-depends-on, cycle,\n"
    "multiple-heads, labelled-heads (note), unlabelled-head (note), multiple-roots\n"
    "(note), missing-env-py, missing-script-mako, missing-script-location,\n"
    "missing-versions-dir, bad-version-path-separator, bad-ini-value, loaded-twice\n"
    "(docs/doctor.md).\n"
    "\n"
    "Exit status: 0 healthy, 1 a check failed, 2 bad arguments, 3 no Alembic\n"
    "environment found.\n";

enum {
	OPT_VERSIONS = 256,
	OPT_FORMAT,
	OPT_GRAPH,
	OPT_NO_COLLAPSE,
	OPT_FULL,
	OPT_RECURSIVE,
	OPT_NO_CACHE,
};

const struct option mg_doctor_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"name", required_argument, NULL, 'n'},
    {"versions", required_argument, NULL, OPT_VERSIONS},
    {"recursive", no_argument, NULL, OPT_RECURSIVE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"graph", required_argument, NULL, OPT_GRAPH},
    {"no-collapse", no_argument, NULL, OPT_NO_COLLAPSE},
    {"full", no_argument, NULL, OPT_FULL},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"jobs", required_argument, NULL, 'j'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

enum graph_format { GRAPH_NONE, GRAPH_MERMAID, GRAPH_DOT };

struct args {
	const char *config, *section;
	const char **versions;
	size_t nversions;
	int recursive, json, collapse, full, jobs, no_cache;
	enum graph_format graph;
};

static int
is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* How many loaded migrations live under each folder (for the ok lines). */
static void
count_files(const struct mg_revset *set, const char *const *dirs, size_t ndirs, size_t *out)
{
	size_t i, k;

	for (k = 0; k < ndirs; k++) {
		size_t n = strlen(dirs[k]);
		int dot = strcmp(dirs[k], ".") == 0;

		out[k] = 0;
		for (i = 0; i < set->n; i++) {
			const char *p = set->revs[i].path;
			if (dot || (strncmp(p, dirs[k], n) == 0 && p[n] == '/'))
				out[k]++;
		}
	}
}

/* The environment's files: findings for what is missing. */
static void
check_environment(struct mg_doctor *d, struct mg_revgraph *g, const struct mg_alembic_env *env,
                  unsigned char *version_ok)
{
	size_t i;

	for (i = 0; env != NULL && i < env->nproblems; i++)
		mg_revgraph_add(g, env->problems[i].severity, env->problems[i].id, env->ini,
		                env->problems[i].line, "%s", env->problems[i].message);
	if (env != NULL) {
		if (!is_dir(env->script_dir)) {
			mg_revgraph_add(
			    g, MG_ERROR, "missing-script-location", env->ini, 0,
			    "script_location '%s' is not a folder (run 'alembic init'?)",
			    env->script_dir);
		} else {
			d->env_py_ok = is_file(d->env_py);
			d->mako_ok = is_file(d->mako);
			if (!d->env_py_ok)
				mg_revgraph_add(g, MG_ERROR, "missing-env-py", d->env_py, 0,
				                "env.py is missing: 'alembic upgrade' cannot run");
			if (!d->mako_ok)
				mg_revgraph_add(
				    g, MG_ERROR, "missing-script-mako", d->mako, 0,
				    "script.py.mako is missing: 'alembic revision' cannot "
				    "write migrations");
		}
	}
	for (i = 0; i < d->nversions; i++) {
		version_ok[i] = (unsigned char)is_dir(d->versions[i]);
		if (version_ok[i])
			continue;
		/* Alembic skips configured locations that do not exist, but fails on
		 * the default one; either way a missing folder is a mistake. */
		if (env != NULL && env->versions_configured)
			mg_revgraph_add(g, MG_WARNING, "missing-versions-dir", d->versions[i], 0,
			                "version location is not a folder (Alembic skips it)");
		else
			mg_revgraph_add(g, MG_ERROR, "missing-versions-dir", d->versions[i], 0,
			                "versions folder is missing");
	}
}

static int
parse_args(const struct mg_command *cmd, int argc, char **argv, struct args *a)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:n:j:h", mg_doctor_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->config = optarg;
			break;
		case 'n':
			a->section = optarg;
			break;
		case OPT_VERSIONS:
			a->versions[a->nversions++] = optarg;
			break;
		case OPT_RECURSIVE:
			a->recursive = 1;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				a->json = 1;
			else if (strcmp(optarg, "text") == 0)
				a->json = 0;
			else
				return mg_usage_error(cmd, "--format: '%s' is not text or json",
				                      optarg);
			break;
		case OPT_GRAPH:
			if (strcmp(optarg, "mermaid") == 0)
				a->graph = GRAPH_MERMAID;
			else if (strcmp(optarg, "dot") == 0)
				a->graph = GRAPH_DOT;
			else
				return mg_usage_error(cmd, "--graph: '%s' is not mermaid or dot",
				                      optarg);
			break;
		case OPT_NO_COLLAPSE:
			a->collapse = 0;
			break;
		case OPT_NO_CACHE:
			a->no_cache = 1;
			break;
		case OPT_FULL:
			a->full = 1;
			break;
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 1 || n > 64)
				return mg_usage_error(
				    cmd, "--jobs: '%s' is not a number from 1 to 64", optarg);
			a->jobs = (int)n;
			break;
		}
		case 'h':
			mg_print_usage(cmd, stdout);
			return -1;
		default: /* ':' or '?' */
			return mg_option_error(cmd, c, argv);
		}
	}
	if (mg_no_operands(cmd, argc, argv) != 0)
		return MG_EXIT_USAGE;
	if (a->json && a->graph != GRAPH_NONE)
		return mg_usage_error(cmd, "--graph and --format json do not go together");
	/* Options that would change nothing are refused, so that nobody relies on them. */
	if (!a->collapse && a->graph == GRAPH_NONE)
		return mg_usage_error(cmd,
		                      "--no-collapse is for --graph mermaid|dot: the %s report "
		                      "lists every revision",
		                      a->json ? "JSON" : "text");
	if (a->recursive && a->nversions == 0)
		return mg_usage_error(cmd, "--recursive is for --versions folders (for the ini's, "
		                           "Alembic's recursive_version_locations = true decides)");
	return 0;
}

static void
report(const struct mg_doctor *d, const struct args *a)
{
	const struct mg_revgraph *g = d->graph;
	size_t i;

	if (a->graph != GRAPH_NONE) {
		if (a->graph == GRAPH_MERMAID)
			mg_emit_graph_mermaid(stdout, g, a->collapse);
		else
			mg_emit_graph_dot(stdout, g, a->collapse);
		/* The picture owns stdout; what is wrong still gets said. */
		for (i = 0; i < g->nfindings; i++) {
			const struct mg_graph_finding *x = &g->findings[i];
			if (x->severity == MG_NOTE)
				continue;
			if (x->path != NULL) {
				mg_emit_line_safe(stderr, x->path);
				fputs(": ", stderr);
			}
			fprintf(stderr, "%s: ", mg_severity_name(x->severity));
			mg_emit_line_safe(stderr, x->message);
			fprintf(stderr, " [%s]\n", x->id);
			if (strcmp(x->id, "multiple-heads") == 0)
				mg_emit_fix_line(stderr, g);
		}
	} else if (a->json) {
		char *s = mg_emit_doctor_json(d);
		fputs(s, stdout);
		free(s);
	} else {
		mg_emit_doctor_text(stdout, d);
	}
}

int
mg_cmd_doctor(int argc, char **argv)
{
	const struct mg_command *cmd = mg_command_find("doctor");
	struct args a;
	struct mg_alembic_env env;
	struct mg_revload_opts lo;
	struct mg_revset set;
	struct mg_revgraph g;
	struct mg_doctor d;
	const char *why = NULL, *where = NULL;
	unsigned char *version_ok = NULL;
	size_t *version_files = NULL, i;
	char *ini = NULL;
	int rc, have_env = 0, status;

	memset(&a, 0, sizeof(a));
	a.section = "alembic";
	a.collapse = 1;
	a.versions = mg_xcalloc((size_t)argc + 1, sizeof(*a.versions));
	if ((rc = parse_args(cmd, argc, argv, &a)) != 0) {
		free(a.versions);
		return rc < 0 ? MG_EXIT_OK : rc;
	}
	memset(&env, 0, sizeof(env));
	memset(&d, 0, sizeof(d));
	memset(&set, 0, sizeof(set));

	/* With --versions alone there is nothing to look for: the folders are the project. */
	if (a.config != NULL || a.nversions == 0) {
		if ((ini = mg_alembic_ini_find(a.config)) == NULL) {
			if (a.config != NULL)
				mg_warnx("%s: no such file", a.config);
			else
				mg_warnx(
				    "no alembic.ini here or in a parent folder (use -c FILE or "
				    "--versions DIR)");
			free(a.versions);
			return MG_EXIT_INPUT;
		}
		if (mg_alembic_ini_read(ini, a.section, &env, &why) != 0) {
			mg_warnx("%s", why);
			mg_alembic_env_free(&env);
			free(ini);
			free(a.versions);
			return MG_EXIT_INPUT;
		}
		have_env = 1;
		d.env = &env;
		d.section = a.section;
		d.env_py = mg_path_join(&env.arena, env.script_dir, "env.py");
		d.mako = mg_path_join(&env.arena, env.script_dir, "script.py.mako");
	}
	if (a.nversions > 0) {
		d.versions = a.versions;
		d.nversions = a.nversions;
		d.recursive = a.recursive;
		for (i = 0; i < a.nversions && !is_dir(a.versions[i]); i++)
			;
		if (!have_env && i == a.nversions) {
			mg_warnx("%s: not a folder", a.versions[0]);
			free(a.versions);
			return MG_EXIT_INPUT;
		}
	} else {
		d.versions = env.versions;
		d.nversions = env.nversions;
		d.recursive = env.recursive;
	}
	d.full = a.full;

	lo.recursive = d.recursive;
	lo.full = a.full;
	lo.cache = !a.no_cache;
	lo.jobs = a.jobs;
	if (mg_revload(d.versions, d.nversions, &lo, &set, &why, &where) != 0) {
		mg_warnx("%s: %s", where, why);
		mg_alembic_env_free(&env);
		free(ini);
		free(a.versions);
		return MG_EXIT_INPUT;
	}
	mg_revgraph_build(&g, set.revs, set.n);
	version_ok = mg_xcalloc(d.nversions + 1, 1);
	version_files = mg_xcalloc(d.nversions + 1, sizeof(*version_files));
	check_environment(&d, &g, have_env ? &env : NULL, version_ok);
	count_files(&set, d.versions, d.nversions, version_files);
	for (i = 0; i < set.ntwice; i++)
		mg_revgraph_add(&g, MG_WARNING, "loaded-twice", set.twice[i], 0,
		                "reached through two version folders; read once");
	mg_revgraph_sort_findings(&g);
	d.version_ok = version_ok;
	d.version_files = version_files;
	d.set = &set;
	d.graph = &g;

	report(&d, &a);
	status = mg_revgraph_count(&g, MG_ERROR) > 0 ? MG_EXIT_FAIL : MG_EXIT_OK;

	mg_revgraph_free(&g);
	mg_revset_free(&set);
	mg_alembic_env_free(&env);
	free(version_ok);
	free(version_files);
	free(ini);
	free(a.versions);
	return status;
}
