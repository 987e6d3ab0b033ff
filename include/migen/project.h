/*
 * An Alembic project's migrations in graph order, for lint: the environment
 * read like `migen doctor` reads it (alembic.ini, version folders, every
 * migration's revision variables, the revision graph), then ordered
 * parents (down_revision and depends_on) before children. Plain data: no
 * graph types leak out, so callers need not include revgraph.h.
 *
 * Ownership: everything is in the project's arena (mg_project_free).
 */
#ifndef MIGEN_PROJECT_H
#define MIGEN_PROJECT_H

#include <stddef.h>

#include "migen/revcache.h"
#include "migen/util.h"

struct mg_project_rev {
	const char *path;     /* as loaded (relative to the working folder when below it) */
	const char *revision; /* NULL: no literal revision id */
	int started;          /* 0: at or before start-after (replayed, not reported) */
	/* The revisions it comes after (down_revision and depends_on), as positions in
	 * mg_project.v, all earlier than its own; none for a root or an unplaced file. */
	size_t *parents;
	size_t nparents;
	/* The file's stat data as the load read it (cache on), telling later
	 * readers whether it is unchanged; NULL without. */
	const struct mg_statkey *key;
};

struct mg_project {
	const char *ini;          /* the alembic.ini read */
	const char *here;         /* its folder */
	const char *env_py;       /* the environment's env.py (script_location/env.py) */
	struct mg_project_rev *v; /* graph order */
	size_t n;
	int start_found; /* start-after named a revision of the graph */
	struct mg_arena arena;
};

/*
 * Finds and reads the environment (config: -c FILE, or NULL to look for
 * alembic.ini as doctor does), loads every migration and orders them.
 * start_after: a revision whose ancestors and itself are marked not
 * started, or NULL. Returns 0; -1 with *why (in p's arena) when there is
 * no environment or a version folder cannot be read.
 */
int mg_project_load(const char *config, int cache, const char *start_after, struct mg_project *p,
                    const char **why);
void mg_project_free(struct mg_project *p);

/*
 * The migrations in folder dir as Alembic lists them (its *.py files,
 * sorted by path), their paths in arena a, into a new array *out (free()
 * it). Returns 0, or -1 with *why (static) and *where when it cannot be read.
 */
int mg_project_dir_files(const char *dir, struct mg_arena *a, const char ***out, size_t *n,
                         const char **why, const char **where);

#endif
