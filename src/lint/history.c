/*
 * The history replayed in graph order (see history.h). Kahn's algorithm
 * over parent and depends_on edges, ties broken by file order, gives each
 * revision once and after everything it stands on. A revision's starting
 * schema is its one parent's (handed over when no other child needs it,
 * copied at a branch point) or the union of its parents' and dependencies'.
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

/* A binary min-heap of node indexes. */
static void
heap_push(size_t *h, size_t *n, size_t v)
{
	size_t i = (*n)++;

	while (i > 0 && h[(i - 1) / 2] > v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

static size_t
heap_pop(size_t *h, size_t *n)
{
	size_t top = h[0], v = h[--(*n)], i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (h[c] >= v)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n > 0)
		h[i] = v;
	return top;
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
	struct mg_parser *parser = NULL;
	mg_history_load load = o->load;
	void *load_arg = o->arg;
	int rc = 0;

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
	heap = mg_xcalloc(n + 1, sizeof(*heap));
	for (i = 0; i < n; i++)
		if (keep[i] && indeg[i] == 0)
			heap_push(heap, &nheap, i);
	while (nheap > 0) {
		const struct mg_revnode *v;
		const struct mg_rev *r;
		struct mg_schema *s = NULL;
		struct mg_model *m;
		const char *rwhy = NULL;
		/* The ready revision first in file order: a stable order for equal output. */
		size_t first = heap_pop(heap, &nheap);

		v = &g->nodes[first];
		r = mg_revgraph_rev(g, first);
		/* Start from the parents (and what it depends on). */
		for (k = 0; k < v->nparents + v->ndeps; k++) {
			size_t p = edge(v, k);
			if (!first_edge(v, k) || after[p] == NULL)
				continue;
			if (s == NULL && users[p] == 1) {
				s = after[p]; /* no other revision needs it: handed over */
				after[p] = NULL;
			} else if (s == NULL) {
				s = mg_schema_copy(after[p]);
			} else {
				mg_schema_merge(s, after[p]);
			}
			if (--users[p] == 0 && after[p] != NULL) {
				mg_schema_free(after[p]);
				after[p] = NULL;
			}
		}
		if (s == NULL)
			s = mg_schema_new();
		m = load(load_arg, r->path, &rwhy);
		if (o->visit != NULL && (rc = o->visit(o->arg, first, v->id, s, m)) != 0) {
			mg_model_free(m);
			mg_schema_free(s);
			goto end;
		}
		if (m != NULL)
			mg_replay_model(s, m, v->id, o->map);
		else
			mg_schema_uncertain_all(s, r->path, 0,
			                        mg_arena_printf(&s->arena,
			                                        "the file could not be read: %s",
			                                        rwhy ? rwhy : "?"));
		mg_model_free(m);
		s->revisions = mg_arena_alloc(&s->arena, sizeof(*s->revisions));
		s->revisions[0] = mg_schema_str(s, v->id);
		s->nrevisions = 1;
		after[first] = s;
		done++;
		for (k = start[first]; k < start[first + 1]; k++)
			if (--indeg[dependents[k]] == 0)
				heap_push(heap, &nheap, dependents[k]);
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
		/* The schema at --at, or the union of what nothing else needs (the heads). */
		for (i = 0; i < n; i++) {
			if (after[i] == NULL || (at != (size_t)-1 && i != at))
				continue;
			if (s == NULL) {
				s = after[i];
				after[i] = NULL;
			} else {
				mg_schema_merge(s, after[i]);
			}
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
	return rc;
}
