/*
 * The history replayed in graph order (see history.h). Kahn's algorithm
 * over parent and depends_on edges, ties broken by file order, gives each
 * revision once and after everything it stands on. A revision's starting
 * schema is its one parent's (handed over when no other child needs it,
 * copied at a branch point); a merge or a depends_on adds the revisions
 * only the other parents stand on, replayed again onto that copy.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/history.h"
#include "migen/input.h"

size_t
mg_history_find(const struct mg_revgraph *g, const char *at, const char **why)
{
	size_t i, found = (size_t)-1, n = strlen(at);

	if (strcmp(at, "head") == 0) {
		if (g->nheads == 1)
			return g->heads[0];
		*why = g->nheads == 0 ? "the project has no head revision"
		                      : "the project has several heads: name one with --at";
		return (size_t)-1;
	}
	if ((found = mg_revgraph_find(g, at)) != (size_t)-1)
		return found;
	for (i = 0; i < g->nnodes; i++)
		if (n >= 4 && strncmp(g->nodes[i].id, at, n) == 0) {
			if (found != (size_t)-1) {
				*why = "the revision prefix matches several revisions";
				return (size_t)-1;
			}
			found = i;
		}
	if (found == (size_t)-1)
		*why = "no such revision";
	return found;
}

/* The nodes at or before `at` (its ancestors through parents and depends_on). */
static void
mark_ancestors(const struct mg_revgraph *g, size_t at, unsigned char *keep)
{
	size_t *stack = mg_xcalloc(g->nnodes + 1, sizeof(*stack)), n = 0, i;

	keep[at] = 1;
	stack[n++] = at;
	while (n > 0) {
		const struct mg_revnode *v = &g->nodes[stack[--n]];
		for (i = 0; i < v->nparents + v->ndeps; i++) {
			size_t p = i < v->nparents ? v->parents[i] : v->deps[i - v->nparents];
			if (!keep[p]) {
				keep[p] = 1;
				stack[n++] = p;
			}
		}
	}
	free(stack);
}

static struct mg_model *
load_file(void *arg, const char *path, const char **why)
{
	struct mg_parser *p = arg;
	struct mg_input in;
	struct mg_model *m;

	if (mg_input_read(path, &in, why) != 0)
		return NULL;
	m = mg_analyze_with(p, path, in.data, in.len, MG_ANALYZE_FULL);
	/* The model borrows the bytes only while it is analysed. */
	m->src = NULL;
	m->srclen = 0;
	mg_input_free(&in);
	return m;
}

static size_t
edge(const struct mg_revnode *v, size_t k)
{
	return k < v->nparents ? v->parents[k] : v->deps[k - v->nparents];
}

/* Whether edge k is the first to name its target (a parent also in depends_on counts once). */
static int
first_edge(const struct mg_revnode *v, size_t k)
{
	size_t j;

	for (j = 0; j < k; j++)
		if (edge(v, j) == edge(v, k))
			return 0;
	return 1;
}

/* How many revisions stand on each one, and how many each stands on. */
static void
count_users(const struct mg_revgraph *g, const unsigned char *keep, size_t *users, size_t *indeg)
{
	size_t i, k;

	for (i = 0; i < g->nnodes; i++) {
		const struct mg_revnode *v = &g->nodes[i];
		if (!keep[i])
			continue;
		for (k = 0; k < v->nparents + v->ndeps; k++)
			if (first_edge(v, k)) {
				users[edge(v, k)]++;
				indeg[i]++;
			}
	}
}

/*
 * Marks with value every node reachable from `from` through parents and
 * depends_on that is not marked yet, appending each to list.
 */
static void
reach(const struct mg_revgraph *g, size_t from, unsigned char *mark, unsigned char value,
      size_t *stack, size_t *list, size_t *nlist)
{
	size_t n = 0, k;

	if (mark[from])
		return;
	mark[from] = value;
	stack[n++] = from;
	while (n > 0) {
		size_t v = stack[--n];
		const struct mg_revnode *x = &g->nodes[v];
		if (list != NULL)
			list[(*nlist)++] = v;
		for (k = 0; k < x->nparents + x->ndeps; k++) {
			size_t p = edge(x, k);
			if (!mark[p]) {
				mark[p] = value;
				stack[n++] = p;
			}
		}
	}
}

struct replayer {
	const struct mg_revgraph *g;
	const struct mg_history_opts *o;
	mg_history_load load;
	void *load_arg;
	size_t *seq; /* the order each node was replayed in */
	unsigned char *mark;
	size_t *stack, *list;
};

static const size_t *sort_seq;

static int
by_seq(const void *a, const void *b)
{
	size_t x = sort_seq[*(const size_t *)a], y = sort_seq[*(const size_t *)b];

	return x < y ? -1 : x > y;
}

/* One revision's upgrade() onto s. */
static void
replay_one(struct replayer *rp, struct mg_schema *s, size_t node, struct mg_model *m,
           const char *why)
{
	const struct mg_rev *r = mg_revgraph_rev(rp->g, node);

	if (m != NULL)
		mg_replay_model(s, m, rp->g->nodes[node].id, rp->o->map);
	else
		mg_schema_uncertain_all(
		    s, r->path, 0,
		    mg_arena_printf(&s->arena, "the file could not be read: %s", why ? why : "?"));
}

/*
 * What a merge (or several heads) adds to one parent's schema: onto s, the
 * schema after base, the revisions the others stand on (themselves
 * included) that base does not, in the order they were replayed first. The
 * result is the schema after every one of them, as `alembic upgrade` leaves
 * it: a column one branch dropped stays dropped, a type another changed
 * stays changed (a union of the schemas would bring both back).
 */
static void
catch_up(struct replayer *rp, struct mg_schema *s, size_t base, const size_t *others,
         size_t nothers, int fresh)
{
	size_t n = rp->g->nnodes, nlist = 0, i;

	/* fresh: only base's history is in s; else also what earlier calls added. */
	if (fresh) {
		memset(rp->mark, 0, n);
		reach(rp->g, base, rp->mark, 1, rp->stack, NULL, NULL);
	}
	for (i = 0; i < nothers; i++)
		reach(rp->g, others[i], rp->mark, 2, rp->stack, rp->list, &nlist);
	sort_seq = rp->seq;
	qsort(rp->list, nlist, sizeof(*rp->list), by_seq);
	for (i = 0; i < nlist; i++) {
		const char *why = NULL;
		size_t v = rp->list[i];
		struct mg_model *m = rp->load(rp->load_arg, mg_revgraph_rev(rp->g, v)->path, &why);
		replay_one(rp, s, v, m, why);
		mg_model_free(m);
	}
}

int
mg_history_replay(const struct mg_revgraph *g, const struct mg_history_opts *o,
                  struct mg_schema **out, const char **why)
{
	size_t n = g->nnodes, i, k, at = (size_t)-1, done = 0;
	unsigned char *keep = mg_xcalloc(n + 1, 1);
	size_t *users = mg_xcalloc(n + 1, sizeof(*users));
	size_t *indeg = mg_xcalloc(n + 1, sizeof(*indeg));
	struct mg_schema **after = mg_xcalloc(n + 1, sizeof(*after));
	size_t *start = NULL, *dependents = NULL, *fill = NULL, *heap = NULL, nheap = 0;
	size_t *order = NULL, norder = 0;
	struct mg_parser *parser = NULL;
	struct replayer rp;
	size_t *others = NULL, nothers = 0, base = 0;
	mg_history_load load = o->load;
	void *load_arg = o->arg;
	int rc = 0;

	memset(&rp, 0, sizeof(rp));
	rp.g = g;
	rp.o = o;
	rp.seq = mg_xcalloc(n + 1, sizeof(*rp.seq));
	rp.mark = mg_xcalloc(n + 1, 1);
	rp.stack = mg_xcalloc(n + 1, sizeof(*rp.stack));
	rp.list = mg_xcalloc(n + 1, sizeof(*rp.list));
	others = mg_xcalloc(n + 1, sizeof(*others));
	if (out != NULL)
		*out = NULL;
	if (o->at != NULL && (at = mg_history_find(g, o->at, why)) == (size_t)-1) {
		rc = -1;
		goto end;
	}
	if (at != (size_t)-1)
		mark_ancestors(g, at, keep);
	else
		memset(keep, 1, n);
	count_users(g, keep, users, indeg);
	if (load == NULL) {
		parser = mg_parser_new();
		load = load_file;
		load_arg = parser;
	}
	rp.load = load;
	rp.load_arg = load_arg;
	/* Who stands on each revision: a flat list per node (CSR). */
	start = mg_xcalloc(n + 2, sizeof(*start));
	for (i = 0; i < n; i++)
		if (keep[i])
			for (k = 0; k < g->nodes[i].nparents + g->nodes[i].ndeps; k++)
				if (first_edge(&g->nodes[i], k))
					start[edge(&g->nodes[i], k) + 1]++;
	for (i = 0; i < n; i++)
		start[i + 1] += start[i];
	dependents = mg_xcalloc(start[n] + 1, sizeof(*dependents));
	fill = mg_xcalloc(n + 1, sizeof(*fill));
	for (i = 0; i < n; i++)
		if (keep[i])
			for (k = 0; k < g->nodes[i].nparents + g->nodes[i].ndeps; k++)
				if (first_edge(&g->nodes[i], k)) {
					size_t p = edge(&g->nodes[i], k);
					dependents[start[p] + fill[p]++] = i;
				}
	/* The order first (Kahn's algorithm; the ready revision first in file order, a stable
	 * order for equal output), so that the loader can be told it. */
	heap = mg_xcalloc(n + 1, sizeof(*heap));
	order = mg_xcalloc(n + 1, sizeof(*order));
	for (i = 0; i < n; i++)
		if (keep[i] && indeg[i] == 0)
			mg_heap_push(heap, &nheap, i);
	while (nheap > 0) {
		size_t first = mg_heap_pop(heap, &nheap);

		order[norder++] = first;
		for (k = start[first]; k < start[first + 1]; k++)
			if (--indeg[dependents[k]] == 0)
				mg_heap_push(heap, &nheap, dependents[k]);
	}
	if (o->plan != NULL) {
		const char **paths = mg_xcalloc(norder + 1, sizeof(*paths));
		for (i = 0; i < norder; i++)
			paths[i] = mg_revgraph_rev(g, order[i])->path;
		o->plan(o->arg, paths, norder);
		free(paths);
	}
	for (done = 0; done < norder;) {
		const struct mg_revnode *v;
		const struct mg_rev *r;
		struct mg_schema *s = NULL;
		struct mg_model *m;
		const char *rwhy = NULL;
		size_t first = order[done];

		v = &g->nodes[first];
		r = mg_revgraph_rev(g, first);
		/* Start from one parent's schema, then what the others add (a merge,
		 * depends_on). */
		for (k = 0, nothers = 0; k < v->nparents + v->ndeps; k++) {
			size_t p = edge(v, k);
			if (!first_edge(v, k))
				continue;
			if (s == NULL && after[p] != NULL) {
				base = p;
				s = users[p] == 1 ? after[p] : mg_schema_copy(after[p]);
				if (users[p] == 1)
					after[p] =
					    NULL; /* no other revision needs it: handed over */
			} else {
				others[nothers++] = p;
			}
			if (--users[p] == 0 && after[p] != NULL) {
				mg_schema_free(after[p]);
				after[p] = NULL;
			}
		}
		if (s == NULL)
			s = mg_schema_new();
		else if (nothers > 0)
			catch_up(&rp, s, base, others, nothers, 1);
		m = load(load_arg, r->path, &rwhy);
		if (o->visit != NULL && (rc = o->visit(o->arg, first, v->id, s, m)) != 0) {
			mg_model_free(m);
			mg_schema_free(s);
			goto end;
		}
		replay_one(&rp, s, first, m, rwhy);
		mg_model_free(m);
		rp.seq[first] = done;
		s->revisions = mg_arena_alloc(&s->arena, sizeof(*s->revisions));
		s->revisions[0] = mg_schema_str(s, v->id);
		s->nrevisions = 1;
		after[first] = s;
		done++;
	}
	for (i = 0, k = 0; i < n; i++)
		k += keep[i];
	if (done < k) {
		*why = "the revision graph has a cycle: its revisions cannot be put in order";
		rc = -1;
		goto end;
	}
	if (out != NULL) {
		struct mg_schema *s = NULL;
		size_t nheads = 0;
		/* The schema at --at, or after every head (what nothing else stands on). */
		for (i = 0; i < n; i++) {
			if (after[i] == NULL || (at != (size_t)-1 && i != at))
				continue;
			if (s == NULL) {
				s = after[i];
				after[i] = NULL;
				base = i;
			} else {
				others[0] = i;
				catch_up(&rp, s, base, others, 1, nheads == 1);
				mg_schema_add_revision(s, g->nodes[i].id);
			}
			nheads++;
		}
		*out = s != NULL ? s : mg_schema_new();
	}
end:
	for (i = 0; i < n; i++)
		mg_schema_free(after[i]);
	if (parser != NULL)
		mg_parser_free(parser);
	free(after);
	free(keep);
	free(users);
	free(indeg);
	free(start);
	free(dependents);
	free(fill);
	free(heap);
	free(order);
	free(rp.seq);
	free(rp.mark);
	free(rp.stack);
	free(rp.list);
	free(others);
	return rc;
}
