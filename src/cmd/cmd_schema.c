/*
 * migen schema: the schema the migrations build, replayed from the files
 * (src/lint/history.c, src/model/replay.c) at the head or at --at REV, for
 * a person (text) or a tool (JSON). The environment is found and read as
 * doctor reads it; nothing is imported or run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migen/alembic_ini.h"
#include "migen/cli.h"
#include "migen/config.h"
#include "migen/lint.h"
#include "migen/emit_schema.h"
#include "migen/history.h"
#include "migen/revgraph.h"
#include "migen/preload.h"
#include "migen/replayed.h"
#include "migen/revload.h"

const char mg_schema_usage[] =
    "usage: migen schema [-c alembic.ini] [-n NAME] [--at REV] [--table NAME ...]\n"
    "                    [--format text|json] [--no-cache]\n"
    "\n"
    "Prints the schema the migrations build, replayed from the files in revision\n"
    "order (every op.* call and the SQL of op.execute()): tables, columns, types,\n"
    "nullability, defaults, keys, indexes, constraints, enums and sequences, and\n"
    "which revision made each. What migen cannot know is listed, never guessed.\n"
    "\n"
    "  -c, --config FILE      alembic.ini (default: $ALEMBIC_CONFIG, else alembic.ini\n"
    "                         in this folder or the nearest parent)\n"
    "  -n, --name NAME        the ini section (default alembic)\n"
    "      --at REV           the schema just after revision REV (an id, a unique\n"
    "                         prefix of at least 4 characters, or head)\n"
    "      --table NAME       print only this table (repeatable; schema.name, or a\n"
    "                         name read as PostgreSQL reads it)\n"
    "      --format text|json output format (default text; JSON: docs/json-schema.md)\n"
    "      --no-cache         read, analyse and replay every file again (also\n"
    "                         MIGEN_NO_CACHE=1)\n"
    "  -h, --help             print this help\n"
    "\n"
    "Exit status: 0 printed, 1 the revisions cannot be put in order (a cycle),\n"
    "2 bad arguments (also an unknown --at revision or --table), 3 no Alembic\n"
    "environment found or a version folder unreadable.\n";

enum { OPT_AT = 256, OPT_TABLE, OPT_FORMAT, OPT_NO_CACHE };

const struct option mg_schema_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"name", required_argument, NULL, 'n'},
    {"at", required_argument, NULL, OPT_AT},
    {"table", required_argument, NULL, OPT_TABLE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct args {
	const char *config, *section, *at;
	const char **tables;
	size_t ntables;
	int json, no_cache;
};

static int
parse_args(const struct mg_command *cmd, int argc, char **argv, struct args *a)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:n:h", mg_schema_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->config = optarg;
			break;
		case 'n':
			a->section = optarg;
			break;
		case OPT_AT:
			if (*optarg == '\0')
				return mg_usage_error(cmd, "--at: empty revision");
			a->at = optarg;
			break;
		case OPT_TABLE:
			if (*optarg == '\0')
				return mg_usage_error(cmd, "--table: empty name");
			a->tables[a->ntables++] = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				a->json = 1;
			else if (strcmp(optarg, "text") == 0)
				a->json = 0;
			else
				return mg_usage_error(cmd, "--format: '%s' is not text or json",
				                      mg_cli_shown(optarg));
			break;
		case OPT_NO_CACHE:
			a->no_cache = 1;
			break;
		case 'h':
			mg_print_usage(cmd, stdout);
			return -1;
		default:
			return mg_option_error(cmd, c, argv);
		}
	}
	if (mg_no_operands(cmd, argc, argv) != 0)
		return MG_EXIT_USAGE;
	return 0;
}

/* Loads the environment, its migrations and graph: 0, or an exit status. */
static int
load(const struct args *a, struct mg_alembic_env *env, struct mg_revset *set, char **ini)
{
	struct mg_revload_opts lo;
	const char *why = NULL, *where = NULL;

	if ((*ini = mg_alembic_ini_find(a->config)) == NULL) {
		if (a->config != NULL)
			mg_warnx("%s: no such file", a->config);
		else
			mg_warnx("no alembic.ini here or in a parent folder (use -c FILE)");
		return MG_EXIT_INPUT;
	}
	if (mg_alembic_ini_read(*ini, a->section, env, &why) != 0) {
		mg_warnx("%s", why);
		return MG_EXIT_INPUT;
	}
	memset(&lo, 0, sizeof(lo));
	lo.recursive = env->recursive;
	lo.cache = !a->no_cache;
	if (mg_revload(env->versions, env->nversions, &lo, set, &why, &where) != 0) {
		mg_warnx("%s: %s", where, why);
		return MG_EXIT_INPUT;
	}
	return 0;
}

int
mg_cmd_schema(int argc, char **argv)
{
	const struct mg_command *cmd = mg_command_find("schema");
	struct args a;
	struct mg_alembic_env env;
	struct mg_revset set;
	struct mg_revgraph g;
	struct mg_history_opts ho;
	struct mg_schema *s = NULL;
	struct mg_preload *pre = NULL;
	struct mg_config cfg;
	char *cfgpath;
	const struct mg_stable **shown = NULL;
	const char *why = NULL;
	char *ini = NULL;
	uint64_t key[2];
	int64_t started_ns;
	struct timespec started;
	size_t i;
	int rc, keyed;

	/* Before any file is read: what changes after this, the cache must not trust. */
	clock_gettime(CLOCK_REALTIME, &started);
	started_ns = (int64_t)started.tv_sec * 1000000000LL + started.tv_nsec;
	memset(&a, 0, sizeof(a));
	a.section = "alembic";
	a.tables = mg_xcalloc((size_t)argc + 1, sizeof(*a.tables));
	if ((rc = parse_args(cmd, argc, argv, &a)) != 0) {
		free(a.tables);
		return rc < 0 ? MG_EXIT_OK : rc;
	}
	memset(&env, 0, sizeof(env));
	memset(&set, 0, sizeof(set));
	if ((rc = load(&a, &env, &set, &ini)) != 0) {
		mg_revset_free(&set);
		mg_alembic_env_free(&env);
		free(ini);
		free(a.tables);
		return rc;
	}
	/* The project's own types ([tool.migen.types]), read as lint reads them. */
	memset(&cfg, 0, sizeof(cfg));
	if ((cfgpath = mg_config_find(env.here)) != NULL &&
	    mg_config_read(cfgpath, mg_lint_rule_known, &cfg, &why) != 0) {
		mg_warnx("%s", why);
		mg_config_free(&cfg);
		free(cfgpath);
		mg_revset_free(&set);
		mg_alembic_env_free(&env);
		free(ini);
		free(a.tables);
		return MG_EXIT_USAGE;
	}
	free(cfgpath);
	mg_revgraph_build(&g, set.revs, set.n);
	memset(&ho, 0, sizeof(ho));
	ho.at = a.at;
	ho.map = &cfg.types;
	/* The schema an earlier run replayed from these same files (replayed.h). */
	keyed = mg_replayed_key(&set, a.at, &cfg.types, key) == 0;
	if (mg_revgraph_count(&g, MG_ERROR) > 0)
		mg_warnx("warning: the revision graph has %zu error%s ('migen doctor' lists them): "
		         "the schema may be wrong",
		         mg_revgraph_count(&g, MG_ERROR),
		         mg_revgraph_count(&g, MG_ERROR) == 1 ? "" : "s");
	if (a.at != NULL && mg_history_find(&g, a.at, &why) == (size_t)-1) {
		mg_warnx("--at: '%s': %s", mg_cli_shown(a.at), why);
		rc = MG_EXIT_USAGE;
	} else if (!keyed || (s = mg_replayed_read(ini, key, &set)) == NULL) {
		/* Every migration's model up front, on every core, through the model cache (as
		 * lint). */
		const char **paths = mg_xcalloc(set.n + 1, sizeof(*paths));
		for (i = 0; i < set.n; i++)
			paths[i] = set.revs[i].path;
		pre = mg_preload_new(paths, set.n, a.no_cache ? NULL : ini, MG_PRELOAD_WINDOW);
		free(paths);
		ho.load = mg_preload_load;
		ho.plan = mg_preload_plan;
		ho.arg = pre;
		if (mg_history_replay(&g, &ho, &s, &why) != 0) {
			mg_warnx("%s: %s", ini, why);
			rc = MG_EXIT_FAIL;
		} else if (keyed) {
			mg_replayed_save(ini, key, started_ns, &set, s);
		}
	}
	if (rc == 0 && a.ntables > 0) {
		shown = mg_xcalloc(a.ntables + 1, sizeof(*shown));
		for (i = 0; i < a.ntables && rc == 0; i++)
			if ((shown[i] = mg_schema_table_named(s, a.tables[i])) == NULL) {
				mg_warnx("--table: '%s': no such table in the schema%s%s",
				         mg_cli_shown(a.tables[i]), a.at ? " at " : "",
				         a.at ? mg_cli_shown(a.at) : "");
				rc = MG_EXIT_USAGE;
			}
	}
	if (rc == 0) {
		if (a.json) {
			char *out = mg_emit_schema_json(s, shown, a.ntables);
			fputs(out, stdout);
			free(out);
		} else {
			mg_emit_schema_text(stdout, s, shown, a.ntables);
		}
		if (fflush(stdout) != 0 || ferror(stdout)) {
			mg_warnx("stdout: write error");
			rc = MG_EXIT_FAIL;
		}
	}
	free(shown);
	mg_preload_free(pre);
	mg_schema_free(s);
	mg_config_free(&cfg);
	mg_revgraph_free(&g);
	mg_revset_free(&set);
	mg_alembic_env_free(&env);
	free(ini);
	free(a.tables);
	return rc;
}
