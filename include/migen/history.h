/*
 * The whole history replayed in revision-graph order (doctor's graph):
 * parents before children, a merge starting from everything its parents
 * stand on (one parent's schema, then the revisions only the other
 * branches have, in the order they were replayed: a drop on one branch
 * stays a drop), depends_on ordering (and bringing in) what it names, each
 * revision once in the walk. A visitor sees each migration with the schema as it
 * stood just before it, which is what the lint engine checks it against.
 */
#ifndef MIGEN_HISTORY_H
#define MIGEN_HISTORY_H

#include <stddef.h>

#include "migen/model.h"
#include "migen/revgraph.h"
#include "migen/schema.h"

/*
 * Called once per revision, parents first: node is its graph node, before
 * the schema just before it (read-only; valid during the call), m its
 * analysed file (NULL when the file could not be read). Returns 0 to go
 * on, anything else to stop the walk (mg_history_replay then returns it).
 */
typedef int (*mg_history_visit)(void *arg, size_t node, const char *revision,
                                const struct mg_schema *before, const struct mg_model *m);

/*
 * A model for a file (a cache may serve it); NULL and *why when it cannot
 * be read. The history owns what it returns (mg_model_free() after use),
 * and may ask for the same file again (a merge replays the other branch).
 */
typedef struct mg_model *(*mg_history_load)(void *arg, const char *path, const char **why);

/*
 * Told, before the first load, the files in the order the walk first asks
 * for them (paths[0..n), valid during the call): a loader can then analyse
 * them a window at a time instead of all at once.
 */
typedef void (*mg_history_plan)(void *arg, const char *const *paths, size_t n);

struct mg_history_opts {
	const char *at;               /* stop after this revision (and its ancestors); NULL: all */
	const struct mg_typemap *map; /* the project's own types, or NULL */
	mg_history_visit visit;       /* or NULL */
	mg_history_load load;         /* or NULL: read and analyse each file */
	mg_history_plan plan;         /* or NULL */
	void *arg;                    /* passed to visit, load and plan */
};

/*
 * Replays g's revisions. On success returns 0 and, if out is not NULL, the
 * schema at --at (or the union of every head's) in *out (mg_schema_free()
 * it). Returns -1 with *why when --at names no revision (or names several)
 * or the graph has a cycle; a visitor's non-zero value otherwise.
 */
int mg_history_replay(const struct mg_revgraph *g, const struct mg_history_opts *o,
                      struct mg_schema **out, const char **why);

/*
 * The node --at names: a revision id or a unique prefix of one (as Alembic
 * accepts), "head" when there is one head; (size_t)-1 and *why otherwise.
 */
size_t mg_history_find(const struct mg_revgraph *g, const char *at, const char **why);

#endif
