/*
 * The revision graph (see revgraph.h). The checks follow Alembic 1.8's
 * RevisionMap: a revision id may not repeat, may not hold '@', '-' or '+';
 * every down_revision must exist, every depends_on must name a revision or
 * a branch label; a branch label may be used once; there is no cycle. Heads
 * are the revisions no down_revision names (depends_on does not count), as
 * `alembic heads` prints them.
 *
 * Lookups go through one array of nodes sorted by id and bsearch: simple,
 * deterministic, and fast enough for tens of thousands of revisions.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "migen/revgraph.h"

#define NONE ((size_t)-1)

const struct mg_rev *
mg_revgraph_rev(const struct mg_revgraph *g, size_t node)
{
	return &g->revs[g->nodes[node].rev];
}

static const char *
idof(const struct mg_revgraph *g, size_t node)
{
	return g->nodes[node].id;
}
struct mg_graph_finding *
mg_revgraph_add(struct mg_revgraph *g, enum mg_severity s, const char *id, const char *path,
                uint32_t line, const char *fmt, ...)
{
	struct mg_graph_finding *f;
	struct mg_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	mg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	mg_grow(&g->findings, &g->capfindings, g->nfindings + 1, sizeof(*g->findings));
	f = &g->findings[g->nfindings++];
	memset(f, 0, sizeof(*f));
	f->severity = s;
	f->id = id;
	f->path = path ? mg_arena_strdup(&g->arena, path) : NULL;
	f->line = line;
	f->message = mg_arena_strndup(&g->arena, b.s ? b.s : "", b.len);
	mg_buf_free(&b);
	return f;
}

/* Adds a file to a finding's "files involved". */
static void
involve(struct mg_revgraph *g, struct mg_graph_finding *f, const char *path)
{
	const char **v = mg_arena_alloc(&g->arena, (f->nfiles + 1) * sizeof(*v));

	if (f->nfiles)
		memcpy(v, f->files, f->nfiles * sizeof(*v));
	v[f->nfiles++] = mg_arena_strdup(&g->arena, path);
	f->files = v;
}

static int
strcmp_null_last(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

static int
cmp_finding(const void *pa, const void *pb)
{
	const struct mg_graph_finding *a = pa, *b = pb;
	int c;

	if ((c = strcmp_null_last(a->path, b->path)) != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if ((c = strcmp(a->id, b->id)) != 0)
		return c;
	return strcmp(a->message, b->message);
}

void
mg_revgraph_sort_findings(struct mg_revgraph *g)
{
	if (g->nfindings > 1)
		qsort(g->findings, g->nfindings, sizeof(*g->findings), cmp_finding);
}

size_t
mg_revgraph_count(const struct mg_revgraph *g, enum mg_severity s)
{
	size_t i, n = 0;

	for (i = 0; i < g->nfindings; i++)
		n += g->findings[i].severity == s;
	return n;
}

/* qsort has no context argument: the graph being sorted, per thread. */
static _Thread_local const struct mg_revgraph *sorting;

static int
cmp_node_id(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = strcmp(idof(sorting, a), idof(sorting, b));

	/* Ids are unique among nodes; the index keeps the order total anyway. */
	if (c == 0)
		return a < b ? -1 : a > b;
	return c;
}

static void
sort_by_id(const struct mg_revgraph *g, size_t *v, size_t n)
{
	if (n < 2)
		return;
	sorting = g;
	qsort(v, n, sizeof(*v), cmp_node_id);
	sorting = NULL;
}

size_t *
mg_revgraph_by_id(const struct mg_revgraph *g)
{
	size_t i, *v = mg_xcalloc(g->nnodes ? g->nnodes : 1, sizeof(*v));

	for (i = 0; i < g->nnodes; i++)
		v[i] = i;
	sort_by_id(g, v, g->nnodes);
	return v;
}

/*
 * The id index: open addressing with linear probing, each slot a node and
 * its id's hash, so a probe compares strings only when the hashes agree.
 * Sorting 10,000 ids to search them took longer than the rest of the graph.
 */
static uint32_t
hash_id(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot holding id, or the empty slot where it would go. */
static struct mg_revslot *
probe(const struct mg_revgraph *g, const char *id, uint32_t h)
{
	size_t i = h & g->mask;

	for (;; i = (i + 1) & g->mask) {
		struct mg_revslot *s = &g->index[i];

		if (s->node == MG_REVSLOT_EMPTY ||
		    (s->hash == h && strcmp(g->nodes[s->node].id, id) == 0))
			return s;
	}
}

size_t
mg_revgraph_find(const struct mg_revgraph *g, const char *id)
{
	const struct mg_revslot *s;

	if (g->index == NULL)
		return NONE;
	s = probe(g, id, hash_id(id));
	return s->node == MG_REVSLOT_EMPTY ? NONE : s->node;
}

/* A branch label and the node that declares it, for depends_on lookups. */
struct label {
	const char *name;
	size_t node;
};

static int
cmp_label(const void *pa, const void *pb)
{
	const struct label *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (c == 0)
		return a->node < b->node ? -1 : a->node > b->node;
	return c;
}

static size_t
find_label(const struct label *v, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].name, name);

		if (c == 0)
			return v[mid].node;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NONE;
}

/* Node arrays are filled by their users: no zeroing, no page touched early. */
static size_t *
arena_nodes(struct mg_revgraph *g, size_t n)
{
	return mg_arena_alloc_raw(&g->arena, (n ? n : 1) * sizeof(size_t));
}

/*
 * Files first: what each one says on its own. Every file with a literal,
 * well-formed revision id becomes a node unless an earlier file (by path)
 * already holds that id.
 */
static void
check_files(struct mg_revgraph *g)
{
	size_t i, n = 0, cap = 16;

	/* Node numbers are 32-bit in the index: 4 billion mg_rev records would
	 * take terabytes, so this cannot be reached from real folders. */
	if (g->nrevs >= MG_REVSLOT_EMPTY)
		abort();
	while (cap < g->nrevs + g->nrevs / 2)
		cap *= 2;
	g->mask = cap - 1;
	g->index = mg_arena_alloc_raw(&g->arena, cap * sizeof(*g->index));
	memset(g->index, 0xff, cap * sizeof(*g->index));
	g->nodes = mg_arena_alloc(&g->arena, (g->nrevs ? g->nrevs : 1) * sizeof(*g->nodes));
	for (i = 0; i < g->nrevs; i++) {
		const struct mg_rev *r = &g->revs[i];
		struct mg_revslot *slot;
		uint32_t h;

		int broken = r->error != NULL;

		if (r->error != NULL) {
			mg_revgraph_add(g, MG_ERROR, "unparsable-file", r->path, r->error_line,
			                "%s", r->error);
			/* Its revision, when readable, still joins the graph: otherwise
			 * its children would be reported as dangling too. */
			if (r->revision == NULL)
				continue;
		}
		if (r->revision == NULL) {
			mg_revgraph_add(
			    g, MG_ERROR, "missing-revision", r->path, r->line, "%s",
			    r->has_revision
			        ? "the revision id is not a literal string: migen reads "
			          "files without running them"
			        : "no revision variable (Alembic cannot load this file)");
			continue;
		}
		if (strpbrk(r->revision, "@-+") != NULL || r->revision[0] == '\0') {
			mg_revgraph_add(g, MG_ERROR, "invalid-revision-id", r->path, r->line,
			                "revision id '%s' is empty or holds '@', '-' or '+'",
			                r->revision);
			continue;
		}
		broken |= !r->down.present || !r->down.known ||
		          (r->labels.present && !r->labels.known) ||
		          (r->deps.present && !r->deps.known);
		if (!r->down.present) {
			mg_revgraph_add(g, MG_ERROR, "missing-down-revision", r->path, r->line,
			                "revision '%s' has no down_revision variable (use None for "
			                "a first revision)",
			                r->revision);
		} else if (!r->down.known) {
			mg_revgraph_add(g, MG_ERROR, "non-literal-variable", r->path, r->line,
			                "down_revision of '%s' is not a literal: migen reads files "
			                "without running them",
			                r->revision);
		}
		if (r->labels.present && !r->labels.known)
			mg_revgraph_add(g, MG_ERROR, "non-literal-variable", r->path, r->line,
			                "branch_labels of '%s' is not a literal", r->revision);
		if (r->deps.present && !r->deps.known)
			mg_revgraph_add(g, MG_ERROR, "non-literal-variable", r->path, r->line,
			                "depends_on of '%s' is not a literal", r->revision);
		h = hash_id(r->revision);
		slot = probe(g, r->revision, h);
		if (slot->node != MG_REVSLOT_EMPTY) {
			/* Files come in path order: the first one keeps the id. */
			const struct mg_rev *first = mg_revgraph_rev(g, slot->node);
			struct mg_graph_finding *f;

			f = mg_revgraph_add(g, MG_ERROR, "duplicate-revision", r->path, r->line,
			                    "duplicate revision '%s' (also in %s)", r->revision,
			                    first->path);
			involve(g, f, first->path);
			continue;
		}
		g->nodes[n].rev = i;
		g->nodes[n].id = r->revision;
		g->nodes[n].broken = broken;
		slot->node = (uint32_t)n;
		slot->hash = h;
		n++;
	}
	g->nnodes = n;
}

/* Branch labels: each used once, and never the same as a revision id. */
static struct label *
collect_labels(struct mg_revgraph *g, size_t *nout)
{
	size_t i, j, n = 0, cap = 0;
	struct label *v = NULL;

	for (i = 0; i < g->nnodes; i++) {
		const struct mg_rev *r = mg_revgraph_rev(g, i);

		for (j = 0; j < r->labels.n; j++) {
			mg_grow(&v, &cap, n + 1, sizeof(*v));
			v[n].name = r->labels.v[j];
			v[n].node = i;
			n++;
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_label);
	for (i = 0; i < n; i++) {
		const struct mg_rev *r = mg_revgraph_rev(g, v[i].node);
		size_t other;
		struct mg_graph_finding *f;

		if (i > 0 && strcmp(v[i].name, v[i - 1].name) == 0) {
			const struct mg_rev *o = mg_revgraph_rev(g, v[i - 1].node);
			f = mg_revgraph_add(g, MG_ERROR, "duplicate-branch-label", r->path, r->line,
			                    "branch label '%s' of '%s' is already used by '%s'",
			                    v[i].name, r->revision, o->revision);
			involve(g, f, o->path);
		} else if ((other = mg_revgraph_find(g, v[i].name)) != NONE) {
			const struct mg_rev *o = mg_revgraph_rev(g, other);
			f = mg_revgraph_add(g, MG_ERROR, "duplicate-branch-label", r->path, r->line,
			                    "branch label '%s' of '%s' is also a revision id",
			                    v[i].name, r->revision);
			if (o != r)
				involve(g, f, o->path);
		}
	}
	*nout = n;
	return v;
}

/*
 * A down_revision that names no revision. A mistyped id also cuts the
 * revision off its parent, making it a root and a head of its own: the
 * message says so and names the closest existing id, so that the advice is
 * to fix the reference, never to merge the extra head.
 */
static void
dangling(struct mg_revgraph *g, const struct mg_rev *r, const char *ref)
{
	const char *best = NULL;
	size_t i, bestd = (size_t)-1, len = strlen(ref);
	size_t limit = len / 3 > 2 ? len / 3 : 2;

	for (i = 0; i < g->nnodes; i++) {
		size_t d = mg_edit_distance(ref, g->nodes[i].id);
		if (d < bestd || (d == bestd && best != NULL && strcmp(g->nodes[i].id, best) < 0)) {
			bestd = d;
			best = g->nodes[i].id;
		}
	}
	if (best != NULL && bestd <= limit)
		mg_revgraph_add(
		    g, MG_ERROR, "dangling-down-revision", r->path, r->line,
		    "down_revision '%s' of '%s' does not exist (did you mean '%s'?): "
		    "fix the reference; until then '%s' is a root and a head of its own",
		    ref, r->revision, best, r->revision);
	else
		mg_revgraph_add(g, MG_ERROR, "dangling-down-revision", r->path, r->line,
		                "down_revision '%s' of '%s' does not exist: fix the reference; "
		                "until then '%s' is a root and a head of its own",
		                ref, r->revision, r->revision);
}

/*
 * Resolves down_revision and depends_on into edges; reports what is dangling.
 * Each kind of edge lives in one array the nodes point into: three
 * allocations for the whole graph instead of three per node.
 */
static void
link(struct mg_revgraph *g, const struct label *labels, size_t nlabels)
{
	size_t i, j, ndown = 0, ndeps = 0, nedges = 0;
	size_t *down, *deps, *kids;

	for (i = 0; i < g->nnodes; i++) {
		ndown += mg_revgraph_rev(g, i)->down.n;
		ndeps += mg_revgraph_rev(g, i)->deps.n;
	}
	down = arena_nodes(g, ndown);
	deps = arena_nodes(g, ndeps);
	for (i = 0; i < g->nnodes; i++) {
		struct mg_revnode *v = &g->nodes[i];
		const struct mg_rev *r = mg_revgraph_rev(g, i);

		v->parents = down;
		for (j = 0; j < r->down.n; j++) {
			size_t p = mg_revgraph_find(g, r->down.v[j]), k;

			if (p == NONE) {
				dangling(g, r, r->down.v[j]);
				v->broken = 1;
				continue;
			}
			/* A repeated parent is one edge, as Alembic's tuple handling makes it. */
			for (k = 0; k < v->nparents && v->parents[k] != p; k++)
				;
			if (k < v->nparents)
				continue;
			v->parents[v->nparents++] = p;
			g->nodes[p].nchildren++;
		}
		down += v->nparents;
		nedges += v->nparents;
		v->deps = deps;
		for (j = 0; j < r->deps.n; j++) {
			size_t p = mg_revgraph_find(g, r->deps.v[j]);

			if (p == NONE)
				p = find_label(labels, nlabels, r->deps.v[j]);
			if (p == NONE) {
				v->broken = 1;
				mg_revgraph_add(
				    g, MG_ERROR, "dangling-depends-on", r->path, r->line,
				    "depends_on '%s' of '%s' is neither a revision nor a "
				    "branch label",
				    r->deps.v[j], r->revision);
				continue;
			}
			v->deps[v->ndeps++] = p;
		}
		deps += v->ndeps;
	}
	/* Children: each node's slice is sized by the count taken above, then filled. */
	kids = arena_nodes(g, nedges);
	for (i = 0; i < g->nnodes; i++) {
		g->nodes[i].children = kids;
		kids += g->nodes[i].nchildren;
		g->nodes[i].nchildren = 0;
	}
	for (i = 0; i < g->nnodes; i++) {
		for (j = 0; j < g->nodes[i].nparents; j++) {
			struct mg_revnode *p = &g->nodes[g->nodes[i].parents[j]];
			p->children[p->nchildren++] = i;
		}
	}
}

/*
 * Cycles through down_revision and depends_on: Tarjan's strongly connected
 * components, iterative so that a 100,000-revision chain cannot overflow the
 * stack. Every component of more than one node, or a node that names
 * itself, is one cycle finding. order receives the nodes as they close.
 */
struct tarjan_frame {
	size_t node, edge;
};

static size_t
edge_count(const struct mg_revnode *v)
{
	return v->nparents + v->ndeps;
}

static size_t
edge_at(const struct mg_revnode *v, size_t e)
{
	return e < v->nparents ? v->parents[e] : v->deps[e - v->nparents];
}

static int
self_loop(const struct mg_revnode *v, size_t self)
{
	size_t e;

	for (e = 0; e < edge_count(v); e++)
		if (edge_at(v, e) == self)
			return 1;
	return 0;
}

static void
report_cycle(struct mg_revgraph *g, size_t *members, size_t n)
{
	struct mg_buf b = {0};
	struct mg_graph_finding *f;
	size_t i;

	sort_by_id(g, members, n);
	for (i = 0; i < n; i++)
		mg_buf_printf(&b, "%s'%s'", i ? ", " : "", idof(g, members[i]));
	f = mg_revgraph_add(g, MG_ERROR, "cycle", mg_revgraph_rev(g, members[0])->path,
	                    mg_revgraph_rev(g, members[0])->line,
	                    n == 1 ? "revision %s names itself as its own ancestor"
	                           : "revisions %s form a cycle",
	                    b.s);
	for (i = 1; i < n; i++)
		involve(g, f, mg_revgraph_rev(g, members[i])->path);
	mg_buf_free(&b);
	g->cyclic = 1;
}

static void
find_cycles(struct mg_revgraph *g, size_t *order)
{
	size_t n = g->nnodes, counter = 0, sp = 0, fp = 0, i, done = 0;
	size_t *index, *low, *stack;
	unsigned char *on;
	struct tarjan_frame *frames;

	if (n == 0)
		return;
	index = mg_xcalloc(n, sizeof(*index));
	low = mg_xcalloc(n, sizeof(*low));
	stack = mg_xcalloc(n, sizeof(*stack));
	on = mg_xcalloc(n, 1);
	frames = mg_xcalloc(n, sizeof(*frames));
	for (i = 0; i < n; i++)
		index[i] = NONE;
	for (i = 0; i < n; i++) {
		if (index[i] != NONE)
			continue;
		frames[fp].node = i;
		frames[fp].edge = 0;
		fp++;
		index[i] = low[i] = counter++;
		stack[sp++] = i;
		on[i] = 1;
		while (fp > 0) {
			struct tarjan_frame *t = &frames[fp - 1];
			const struct mg_revnode *v = &g->nodes[t->node];

			if (t->edge < edge_count(v)) {
				size_t w = edge_at(v, t->edge++);

				if (index[w] == NONE) {
					frames[fp].node = w;
					frames[fp].edge = 0;
					fp++;
					index[w] = low[w] = counter++;
					stack[sp++] = w;
					on[w] = 1;
				} else if (on[w] && index[w] < low[t->node]) {
					low[t->node] = index[w];
				}
				continue;
			}
			if (low[t->node] == index[t->node]) {
				size_t start = sp;

				do {
					start--;
					on[stack[start]] = 0;
					order[done++] = stack[start];
				} while (stack[start] != t->node);
				if (sp - start > 1 || self_loop(v, t->node))
					report_cycle(g, stack + start, sp - start);
				sp = start;
			}
			fp--;
			if (fp > 0) {
				size_t parent = frames[fp - 1].node;
				if (low[t->node] < low[parent])
					low[parent] = low[t->node];
			}
		}
	}
	free(index);
	free(low);
	free(stack);
	free(on);
	free(frames);
}

/*
 * Branch labels as Alembic spreads them: a revision carries the labels of
 * every labelled ancestor (through down_revision). Only heads need them.
 */
static void
head_labels(struct mg_revgraph *g, size_t h)
{
	size_t n = g->nnodes, sp = 0, nl = 0, cap = 0, i, j;
	size_t *stack = mg_xcalloc(n, sizeof(*stack));
	unsigned char *seen = mg_xcalloc(n, 1);
	const char **v = NULL;

	stack[sp++] = h;
	seen[h] = 1;
	while (sp > 0) {
		size_t x = stack[--sp];
		const struct mg_rev *r = mg_revgraph_rev(g, x);

		for (i = 0; i < r->labels.n; i++) {
			for (j = 0; j < nl && strcmp(v[j], r->labels.v[i]) != 0; j++)
				;
			if (j == nl) {
				mg_grow(&v, &cap, nl + 1, sizeof(*v));
				v[nl++] = r->labels.v[i];
			}
		}
		for (i = 0; i < g->nodes[x].nparents; i++) {
			size_t p = g->nodes[x].parents[i];
			if (!seen[p]) {
				seen[p] = 1;
				stack[sp++] = p;
			}
		}
	}
	g->nodes[h].labels = mg_arena_alloc(&g->arena, (nl ? nl : 1) * sizeof(*v));
	if (nl)
		memcpy(g->nodes[h].labels, v, nl * sizeof(*v));
	g->nodes[h].nlabels = nl;
	free(v);
	free(seen);
	free(stack);
}

static int
share_label(const struct mg_revnode *a, const struct mg_revnode *b)
{
	size_t i, j;

	for (i = 0; i < a->nlabels; i++)
		for (j = 0; j < b->nlabels; j++)
			if (strcmp(a->labels[i], b->labels[j]) == 0)
				return 1;
	return 0;
}

/*
 * The latest revisions that every conflicting head descends from: each
 * head's ancestors are counted, and a common ancestor none of whose
 * children is also common is where the heads part.
 */
static void
divergence(struct mg_revgraph *g)
{
	size_t n = g->nnodes, i, k, nd = 0;
	size_t *count = mg_xcalloc(n, sizeof(*count)), *stack = mg_xcalloc(n, sizeof(*stack));
	size_t *stamp = mg_xcalloc(n, sizeof(*stamp));

	for (k = 0; k < g->nconflict; k++) {
		size_t sp = 0;

		stack[sp++] = g->conflict[k];
		stamp[g->conflict[k]] = k + 1;
		while (sp > 0) {
			size_t x = stack[--sp];

			count[x]++;
			for (i = 0; i < g->nodes[x].nparents; i++) {
				size_t p = g->nodes[x].parents[i];
				if (stamp[p] != k + 1) {
					stamp[p] = k + 1;
					stack[sp++] = p;
				}
			}
		}
	}
	g->diverge = arena_nodes(g, n);
	for (i = 0; i < n; i++) {
		int latest = count[i] == g->nconflict;

		for (k = 0; latest && k < g->nodes[i].nchildren; k++)
			if (count[g->nodes[i].children[k]] == g->nconflict)
				latest = 0;
		if (latest)
			g->diverge[nd++] = i;
	}
	g->ndiverge = nd;
	sort_by_id(g, g->diverge, nd);
	free(count);
	free(stack);
	free(stamp);
}

/*
 * Orders the conflicting heads: those whose line of descent is sound first,
 * then those with a broken revision (an error in its file, a dangling
 * reference) on the way to their root. Counts the latter.
 */
static void
sound_heads_first(struct mg_revgraph *g)
{
	size_t n = g->nnodes, k, sp, nsound = 0, nbad = 0;
	size_t *stack = mg_xcalloc(n ? n : 1, sizeof(*stack));
	size_t *bad = mg_xcalloc(g->nconflict ? g->nconflict : 1, sizeof(*bad));
	unsigned char *seen = mg_xcalloc(n ? n : 1, 1);

	for (k = 0; k < g->nconflict; k++) {
		size_t h = g->conflict[k], i;
		int broken = 0;

		memset(seen, 0, n);
		sp = 0;
		stack[sp++] = h;
		seen[h] = 1;
		while (sp > 0 && !broken) {
			size_t x = stack[--sp];

			broken = g->nodes[x].broken;
			for (i = 0; i < g->nodes[x].nparents; i++) {
				size_t p = g->nodes[x].parents[i];
				if (!seen[p]) {
					seen[p] = 1;
					stack[sp++] = p;
				}
			}
		}
		if (broken)
			bad[nbad++] = h;
		else
			g->conflict[nsound++] = h;
	}
	memcpy(g->conflict + nsound, bad, nbad * sizeof(*bad));
	g->nbroken_heads = nbad;
	free(stack);
	free(bad);
	free(seen);
}

static void
heads(struct mg_revgraph *g)
{
	size_t i, j, nunlabelled = 0;
	struct mg_buf b = {0};

	g->heads = arena_nodes(g, g->nnodes);
	g->roots = arena_nodes(g, g->nnodes);
	g->merges = arena_nodes(g, g->nnodes);
	g->branchpoints = arena_nodes(g, g->nnodes);
	for (i = 0; i < g->nnodes; i++) {
		const struct mg_revnode *v = &g->nodes[i];

		if (v->nchildren == 0)
			g->heads[g->nheads++] = i;
		if (mg_revgraph_rev(g, i)->down.n == 0)
			g->roots[g->nroots++] = i;
		if (v->nparents > 1)
			g->merges[g->nmerges++] = i;
		if (v->nchildren > 1)
			g->branchpoints[g->nbranchpoints++] = i;
	}
	sort_by_id(g, g->heads, g->nheads);
	sort_by_id(g, g->roots, g->nroots);
	sort_by_id(g, g->merges, g->nmerges);
	sort_by_id(g, g->branchpoints, g->nbranchpoints);

	if (g->nroots > 1)
		mg_revgraph_add(g, MG_NOTE, "multiple-roots", NULL, 0,
		                "%zu root revisions (down_revision = None)", g->nroots);
	if (g->nheads < 2)
		return;

	/*
	 * Several heads are fine when each sits on its own labelled branch
	 * (`alembic upgrade heads`, `alembic upgrade label@head`). They need a
	 * merge when two have no label or share one.
	 */
	for (i = 0; i < g->nheads; i++)
		head_labels(g, g->heads[i]);
	g->conflict = arena_nodes(g, g->nheads);
	for (i = 0; i < g->nheads; i++)
		nunlabelled += g->nodes[g->heads[i]].nlabels == 0;
	for (i = 0; i < g->nheads; i++) {
		const struct mg_revnode *h = &g->nodes[g->heads[i]];
		int clash = h->nlabels == 0 && nunlabelled > 1;

		for (j = 0; !clash && j < g->nheads; j++)
			if (j != i && share_label(h, &g->nodes[g->heads[j]]))
				clash = 1;
		if (clash)
			g->conflict[g->nconflict++] = g->heads[i];
	}
	if (g->nconflict == 0) {
		if (nunlabelled == 0)
			mg_revgraph_add(g, MG_NOTE, "labelled-heads", NULL, 0,
			                "%zu heads, each on its own labelled branch: upgrade with "
			                "'alembic upgrade heads' or LABEL@head",
			                g->nheads);
		else
			for (i = 0; i < g->nheads; i++)
				if (g->nodes[g->heads[i]].nlabels == 0)
					mg_revgraph_add(g, MG_NOTE, "unlabelled-head", NULL, 0,
					                "%zu heads, and '%s' has no branch label: "
					                "'alembic upgrade "
					                "head' fails; upgrade with 'alembic "
					                "upgrade heads', or give "
					                "its branch a label",
					                g->nheads, idof(g, g->heads[i]));
		return;
	}
	sound_heads_first(g);
	{
		size_t sound = g->nconflict - g->nbroken_heads, all = g->nconflict;
		struct mg_graph_finding *f;

		/* Where the heads to merge part; the broken ones are fixed, not merged. */
		if (sound >= 2) {
			g->nconflict = sound;
			divergence(g);
			g->nconflict = all;
		}

		/* Merging a head that a broken revision made would record the mistake. */
		if (sound >= 2) {
			mg_buf_puts(&b, "alembic merge -m \"merge heads\"");
			for (i = 0; i < sound; i++)
				mg_buf_printf(&b, " %s", idof(g, g->conflict[i]));
			g->merge_command = mg_arena_strdup(&g->arena, b.s);
			mg_buf_free(&b);
		}
		if (g->nbroken_heads == 0)
			f = mg_revgraph_add(g, MG_ERROR, "multiple-heads", NULL, 0,
			                    "%zu heads need a merge, expected 1", g->nconflict);
		else
			f = mg_revgraph_add(g, MG_ERROR, "multiple-heads", NULL, 0,
			                    "%zu heads, expected 1; %zu of them %s from revisions "
			                    "with errors: fix those first, do not merge them",
			                    g->nconflict, g->nbroken_heads,
			                    g->nbroken_heads == 1 ? "comes" : "come");
		for (i = 0; i < g->nconflict; i++)
			involve(g, f, mg_revgraph_rev(g, g->conflict[i])->path);
	}
}

/*
 * The longest run of revisions from a root to a head through down_revision,
 * over order: parents before children.
 */
static void
longest_chain(struct mg_revgraph *g, const size_t *order)
{
	size_t n = g->nnodes, i, k, best = NONE;
	size_t *len, *from;

	if (n == 0 || g->cyclic)
		return;
	len = mg_xcalloc(n, sizeof(*len));
	from = mg_xcalloc(n, sizeof(*from));
	for (i = 0; i < n; i++) {
		size_t x = order[i];
		const struct mg_revnode *v = &g->nodes[x];

		len[x] = 1;
		from[x] = x;
		/* Ties go to the smaller root id, so the answer is byte-stable. */
		for (k = 0; k < v->nparents; k++) {
			size_t p = v->parents[k];
			if (len[p] + 1 > len[x] ||
			    (len[p] + 1 == len[x] &&
			     strcmp(idof(g, from[p]), idof(g, from[x])) < 0)) {
				len[x] = len[p] + 1;
				from[x] = from[p];
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (g->nodes[i].nchildren != 0)
			continue;
		if (best == NONE || len[i] > len[best] ||
		    (len[i] == len[best] && strcmp(idof(g, i), idof(g, best)) < 0))
			best = i;
	}
	if (best != NONE) {
		g->chain_len = len[best];
		g->chain_from = from[best];
		g->chain_to = best;
	}
	free(len);
	free(from);
}

void
mg_revgraph_build(struct mg_revgraph *g, const struct mg_rev *revs, size_t n)
{
	struct label *labels;
	size_t nlabels, *order;

	memset(g, 0, sizeof(*g));
	g->revs = revs;
	g->nrevs = n;
	check_files(g);
	labels = collect_labels(g, &nlabels);
	link(g, labels, nlabels);
	free(labels);
	/* Tarjan's algorithm closes every node after all those it names: with no
	 * cycle, the order it closes them in has parents first. */
	order = mg_xcalloc(g->nnodes ? g->nnodes : 1, sizeof(*order));
	find_cycles(g, order);
	heads(g);
	longest_chain(g, order);
	free(order);
	mg_revgraph_sort_findings(g);
}

void
mg_revgraph_free(struct mg_revgraph *g)
{
	free(g->findings);
	mg_arena_free(&g->arena);
	memset(g, 0, sizeof(*g));
}
