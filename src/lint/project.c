/*
 * A project's migrations in graph order (project.h): doctor's environment
 * reading and revision graph, then a depth-first walk that puts every
 * revision after its down_revision and depends_on targets. Revisions the
 * graph cannot place (no id, a duplicate) come last, by path. Each
 * revision appears once; a cycle is cut where the walk meets it.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "migen/alembic_ini.h"
#include "migen/project.h"
#include "migen/revgraph.h"
#include "migen/revlist.h"
#include "migen/revload.h"

enum { WHITE, GREY, BLACK };

/* Appends node and, first, everything it comes after; iterative (histories are deep). */
static void
visit(const struct mg_revgraph *g, size_t start, unsigned char *state, size_t *order, size_t *n)
{
	size_t *stack, *next, top = 0;

	if (state[start] != WHITE)
		return;
	stack = mg_xcalloc(g->nnodes + 1, sizeof(*stack));
	next =
	    mg_xcalloc(g->nnodes + 1, sizeof(*next)); /* which edge each node on the stack is at */
	stack[top++] = start;
	state[start] = GREY;
	while (top > 0) {
		size_t x = stack[top - 1];
		const struct mg_revnode *nd = &g->nodes[x];
		size_t e = next[x]++, y;

		if (e < nd->nparents + nd->ndeps) {
			y = e < nd->nparents ? nd->parents[e] : nd->deps[e - nd->nparents];
			if (y < g->nnodes && state[y] == WHITE) {
				state[y] = GREY;
				stack[top++] = y;
			}
			continue;
		}
		state[x] = BLACK;
		order[(*n)++] = x;
		top--;
	}
	free(stack);
	free(next);
}

/* Marks node and its ancestors (down_revision and depends_on) as not started. */
static void
before_start(const struct mg_revgraph *g, size_t node, unsigned char *mark)
{
	size_t *stack = mg_xcalloc(g->nnodes + 1, sizeof(*stack)), top = 0, i;

	stack[top++] = node;
	mark[node] = 1;
	while (top > 0) {
		const struct mg_revnode *nd = &g->nodes[stack[--top]];
		for (i = 0; i < nd->nparents + nd->ndeps; i++) {
			size_t y = i < nd->nparents ? nd->parents[i] : nd->deps[i - nd->nparents];
			if (y < g->nnodes && !mark[y]) {
				mark[y] = 1;
				stack[top++] = y;
			}
		}
	}
	free(stack);
}

/* The stat data the load read revs[i] with, copied; NULL without a cache or a read. */
static const struct mg_statkey *
key_of(struct mg_arena *a, const struct mg_revset *set, size_t i)
{
	struct mg_statkey *k;

	if (set->keys == NULL || set->keys[i].ino == 0)
		return NULL;
	k = mg_arena_alloc(a, sizeof(*k));
	*k = set->keys[i];
	return k;
}

int
mg_project_load(const char *config, int cache, const char *start_after, struct mg_project *p,
                const char **why)
{
	struct mg_alembic_env env;
	struct mg_revload_opts lo;
	struct mg_revset set;
	struct mg_revgraph g;
	const char *w = NULL, *where = NULL;
	char *ini;
	size_t *order, *by_id, n = 0, i;
	unsigned char *state, *placed, *early;
	size_t *pos;
	size_t start = (size_t)-1;

	memset(p, 0, sizeof(*p));
	memset(&env, 0, sizeof(env));
	*why = NULL;
	if ((ini = mg_alembic_ini_find(config)) == NULL) {
		*why = config != NULL
		           ? mg_arena_printf(&p->arena, "%s: no such file", config)
		           : "no alembic.ini here or in a parent folder (use -c FILE, or "
		             "name the migrations to lint)";
		return -1;
	}
	if (mg_alembic_ini_read(ini, "alembic", &env, &w) != 0) {
		*why = mg_arena_strdup(&p->arena, w);
		mg_alembic_env_free(&env);
		free(ini);
		return -1;
	}
	p->ini = mg_arena_strdup(&p->arena, ini);
	p->here = mg_arena_strdup(&p->arena, env.here);
	p->env_py = mg_path_join(&p->arena, env.script_dir, "env.py");
	free(ini);
	memset(&lo, 0, sizeof(lo));
	lo.recursive = env.recursive;
	lo.cache = cache;
	if (mg_revload(env.versions, env.nversions, &lo, &set, &w, &where) != 0) {
		*why = mg_arena_printf(&p->arena, "%s: %s", where, w);
		mg_alembic_env_free(&env);
		return -1;
	}
	mg_alembic_env_free(&env);
	mg_revgraph_build(&g, set.revs, set.n);

	order = mg_xcalloc(g.nnodes + 1, sizeof(*order));
	state = mg_xcalloc(g.nnodes + 1, 1);
	early = mg_xcalloc(g.nnodes + 1, 1);
	placed = mg_xcalloc(set.n + 1, 1);
	/* Roots by id first, so that the order does not depend on file names. */
	by_id = mg_revgraph_by_id(&g);
	for (i = 0; i < g.nnodes; i++)
		visit(&g, by_id[i], state, order, &n);
	free(by_id);
	if (start_after != NULL && (start = mg_revgraph_find(&g, start_after)) != (size_t)-1) {
		p->start_found = 1;
		before_start(&g, start, early);
	}
	p->v = mg_arena_alloc(&p->arena, (set.n + 1) * sizeof(*p->v));
	pos = mg_xcalloc(g.nnodes + 1, sizeof(*pos));
	for (i = 0; i < n; i++)
		pos[order[i]] = i;
	for (i = 0; i < n; i++) {
		const struct mg_rev *r = mg_revgraph_rev(&g, order[i]);
		const struct mg_revnode *nd = &g.nodes[order[i]];
		struct mg_project_rev *x = &p->v[p->n++];
		size_t e;

		x->nparents = 0;
		placed[g.nodes[order[i]].rev] = 1;
		x->path = mg_arena_strdup(&p->arena, r->path);
		x->key = key_of(&p->arena, &set, g.nodes[order[i]].rev);
		x->revision = r->revision ? mg_arena_strdup(&p->arena, r->revision) : NULL;
		x->started = !early[order[i]];
		/* A cycle is cut where the walk met it: only edges to earlier positions. */
		x->parents =
		    mg_arena_alloc(&p->arena, (nd->nparents + nd->ndeps + 1) * sizeof(size_t));
		for (e = 0; e < nd->nparents + nd->ndeps; e++) {
			size_t y = e < nd->nparents ? nd->parents[e] : nd->deps[e - nd->nparents];
			if (y < g.nnodes && state[y] == BLACK && pos[y] < i)
				x->parents[x->nparents++] = pos[y];
		}
	}
	for (i = 0; i < set.n; i++) {
		struct mg_project_rev *x;

		if (placed[i])
			continue;
		x = &p->v[p->n++];
		x->path = mg_arena_strdup(&p->arena, set.revs[i].path);
		x->key = key_of(&p->arena, &set, i);
		x->revision = NULL; /* a duplicate or no id: the graph does not place it */
		x->parents = NULL;
		x->nparents = 0;
		x->started = start == (size_t)-1;
	}
	free(order);
	free(pos);
	free(state);
	free(early);
	free(placed);
	mg_revgraph_free(&g);
	mg_revset_free(&set);
	return 0;
}

void
mg_project_free(struct mg_project *p)
{
	mg_arena_free(&p->arena);
	memset(p, 0, sizeof(*p));
}

int
mg_project_dir_files(const char *dir, struct mg_arena *a, const char ***out, size_t *n,
                     const char **why, const char **where)
{
	struct mg_revlist l;
	size_t i;
	int rc;

	memset(&l, 0, sizeof(l));
	l.arena = a;
	rc = mg_revlist_dirs(&l, &dir, 1, 0, why, where);
	*out = mg_xcalloc(l.n + 1, sizeof(**out));
	for (i = 0; i < l.n; i++)
		(*out)[i] = l.v[i].path;
	*n = l.n;
	mg_revlist_free(&l);
	return rc;
}
