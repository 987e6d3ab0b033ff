/*
 * The lint engine's walk: each migration, in graph order, checked
 * (check.c) against the schema as it stands before it.
 *
 * walk() takes the units in graph order: each starts from its parents'
 * schemas (merged at a merge revision), is checked against that schema
 * (mg_lint_check), then replayed onto it for its children. New tables (the
 * ones created by migrations added since --since REF) are collected in the
 * same loop. It may start later than the first unit, from saved schemas
 * (mg_lint_start, snapshot.h), and, for the command, it loads the units
 * itself a window at a time and releases each after its last use
 * (mg_lint_walk), so that memory is a window's models, not the history's.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/analyze_many.h"
#include "migen/fix.h"
#include "migen/lint.h"

/* About the parse time of one migration against the read of a 10,000-model cache (24 MB). */
#define FEW_FILES 8
/* Units analysed at once by a walk: enough to keep both cores busy, few enough that
 * memory is a window's models, not the history's. */
#define WINDOW 128

/* An analysis session over units (the cache is read once, written once). */
struct loading {
	struct mg_analysis *s;
	const char **paths;
	unsigned char *need;
	struct mg_analyzed *out;
};

static void
loading_open(struct loading *l, size_t n, const char *cache_scope, int few)
{
	struct mg_analyze_opts o;

	memset(l, 0, sizeof(*l));
	memset(&o, 0, sizeof(o));
	o.no_cache = cache_scope == NULL;
	/* A few files beside a snapshot (lint --since): parsing them costs less than reading
	 * every model of the history to find theirs. The cache is then left as it is. */
	if (few)
		o.no_cache = 1;
	o.cache_scope = cache_scope;
	l->s = mg_analysis_open(&o);
	l->paths = mg_xcalloc(n + 1, sizeof(*l->paths));
	l->need = mg_xcalloc(n + 1, 1);
	l->out = mg_xcalloc(n + 1, sizeof(*l->out));
}

/* Analyses the units of want[0..m) (positions in u) into them, marks them done, and hands each
 * to ld->loaded in order. */
static void
loading_run(struct loading *l, struct mg_lint_unit *u, const size_t *want, size_t m,
            unsigned char *done, const struct mg_lint_loader *ld)
{
	size_t i;

	for (i = 0; i < m; i++) {
		l->paths[i] = u[want[i]].path;
		l->need[i] = (unsigned char)(u[want[i]].report != 0);
	}
	mg_analysis_run(l->s, l->paths, m, l->need, l->out);
	for (i = 0; i < m; i++) {
		struct mg_lint_unit *x = &u[want[i]];
		struct mg_analyzed *a = &l->out[i];

		x->model = a->model;
		x->error = x->model == NULL ? (a->error ? a->error : "cannot be read") : NULL;
		if (a->src != NULL) {
			x->in.data = a->src;
			x->in.len = x->model != NULL ? x->model->srclen : strlen(a->src);
			x->in.st = a->st;
		}
		if (x->model != NULL && x->shown != NULL)
			x->model->path = mg_arena_strdup(&x->model->arena, x->shown);
	}
	for (i = 0; i < m; i++) {
		done[want[i]] = 1;
		if (ld->loaded != NULL)
			ld->loaded(ld->arg, &u[want[i]]);
	}
}

/* Closes the session; the units never analysed keep their cached models in the cache. */
static void
loading_close(struct loading *l, const struct mg_lint_unit *u, size_t n, const unsigned char *done)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (!done[i])
			l->paths[k++] = u[i].path;
	mg_analysis_keep(l->s, l->paths, k);
	mg_analysis_close(l->s, NULL);
	free(l->paths);
	free(l->need);
	free(l->out);
}

void
mg_lint_units_free(struct mg_lint_unit *u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		mg_model_free(u[i].model);
		u[i].model = NULL;
		mg_input_free(&u[i].in);
	}
}

static void
add_file(struct mg_lint_report *r, const struct mg_lint_unit *u, int lean)
{
	struct mg_lint_file *f;

	mg_grow(&r->files, &r->capfiles, r->nfiles + 1, sizeof(*r->files));
	f = &r->files[r->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = mg_arena_strdup(&r->arena, u->shown ? u->shown : u->path);
	f->revision = u->revision ? mg_arena_strdup(&r->arena, u->revision) : NULL;
	if (u->model != NULL && u->in.data != NULL && !lean) {
		f->src = u->in.data; /* borrowed from the unit: see mg_lint_report_own */
		f->len = u->in.len;
	}
}

/* The tables a migration's upgrade() creates, appended to the new-table list (in r's arena). */
static void
collect_new(struct mg_lint_report *r, const struct mg_model *m, const char ***v, size_t *n,
            size_t *cap)
{
	size_t i;

	for (i = 0; i < m->ntables; i++) {
		const struct mg_table *t = &m->tables[i];
		if (t->name == NULL || t->op >= m->nops || m->ops[t->op].dir != MG_UPGRADE)
			continue;
		mg_grow(v, cap, *n + 1, sizeof(**v));
		(*v)[(*n)++] = mg_arena_strdup(&r->arena, t->name);
	}
}

/* The parent whose schema unit i starts from: its first parent earlier in the array, or none. */
static size_t
base_of(const struct mg_lint_unit *u, size_t i)
{
	size_t k;

	for (k = 0; k < u[i].nparents; k++)
		if (u[i].parents[k] < i)
			return u[i].parents[k];
	return (size_t)-1;
}

/* Scratch for other_side(), sized for n units and reused from merge to merge. */
struct painting {
	unsigned char *flag; /* 1: first's side reaches it, 2: another parent's; 0 after each use */
	size_t *heap; /* to visit, highest position first (a min-heap of complemented positions) */
	size_t *touched;
};

static void
painting_init(struct painting *pt, size_t n)
{
	pt->flag = mg_xcalloc(n + 1, 1);
	pt->heap = mg_xcalloc(n + 1, sizeof(*pt->heap));
	pt->touched = mg_xcalloc(n + 1, sizeof(*pt->touched));
}

static void
painting_free(struct painting *pt)
{
	free(pt->flag);
	free(pt->heap);
	free(pt->touched);
}

static int
by_position(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The units a merge at i replays onto its base parent first's schema:
 * those only its other parents stand on (their ancestors that are not
 * first's), into out, in graph order; returns how many. Painted down as
 * git finds a merge base: from the parents, highest position first, each
 * unit passes its marks to the units it comes after, until every unit left
 * to visit has first's mark. A merge costs its branches, not the history
 * below them (marking every ancestor of first cost that at each merge).
 */
static size_t
other_side(const struct mg_lint_unit *u, size_t i, size_t first, struct painting *pt, size_t *out)
{
	size_t nh = 0, nt = 0, live = 0, nout = 0, k;

	pt->flag[first] = 1;
	pt->touched[nt++] = first;
	mg_heap_push(pt->heap, &nh, ~first);
	for (k = 0; k < u[i].nparents; k++) {
		size_t p = u[i].parents[k];
		if (p >= i || pt->flag[p] != 0)
			continue;
		pt->flag[p] = 2;
		pt->touched[nt++] = p;
		mg_heap_push(pt->heap, &nh, ~p);
		live++;
	}
	/* live: the units to visit that first's side has not reached. */
	while (live > 0) {
		size_t x = ~mg_heap_pop(pt->heap, &nh);
		unsigned char f = pt->flag[x];

		if (f == 2) {
			live--;
			out[nout++] = x;
		}
		for (k = 0; k < u[x].nparents; k++) {
			size_t p = u[x].parents[k];
			unsigned char g;

			if (p >= x || (pt->flag[p] | f) == pt->flag[p])
				continue;
			g = pt->flag[p];
			if (g == 0) {
				pt->touched[nt++] = p;
				mg_heap_push(pt->heap, &nh, ~p);
				live += f == 2;
			} else if (g == 2) {
				live--; /* queued as the other side's, now first's too */
			}
			pt->flag[p] = (unsigned char)(g | f);
		}
	}
	for (k = 0; k < nt; k++)
		pt->flag[pt->touched[k]] = 0;
	qsort(out, nout, sizeof(*out), by_position);
	return nout;
}

/*
 * What each merge from unit lo on that is needed replays onto its base
 * parent's schema (other_side()), worked out once for the walk:
 * v[off[i]..off[i + 1]) for unit i, empty for the others.
 */
struct sides {
	size_t *off; /* [n + 1] */
	size_t *v;
};

static void
sides_make(const struct mg_lint_unit *u, size_t n, size_t lo, const unsigned char *needed,
           struct sides *sd)
{
	size_t *side = mg_xcalloc(n + 1, sizeof(*side)), i, k, nside, nv = 0, capv = 0, first;
	struct painting pt;

	sd->off = mg_xcalloc(n + 1, sizeof(*sd->off));
	sd->v = NULL;
	painting_init(&pt, n);
	for (i = 0; i < n; i++) {
		sd->off[i] = nv;
		if (i < lo || !needed[i] || u[i].nparents < 2 ||
		    (first = base_of(u, i)) == (size_t)-1)
			continue;
		nside = other_side(u, i, first, &pt, side);
		mg_grow(&sd->v, &capv, nv + nside + 1, sizeof(*sd->v));
		for (k = 0; k < nside; k++)
			sd->v[nv++] = side[k];
	}
	sd->off[n] = nv;
	painting_free(&pt);
	free(side);
}

static void
sides_free(struct sides *sd)
{
	free(sd->off);
	free(sd->v);
}

/*
 * The schema just before unit i. A root starts empty; its base parent
 * hands its schema over (to its last child that needs it; the others get a
 * copy, so a linear history never copies). A merge is what `alembic
 * upgrade` leaves: the base parent's schema, then every migration that only
 * the other parents stand on replayed onto it in graph order — not a union
 * of the parents' schemas, which would bring back a column one branch
 * dropped.
 */
static struct mg_schema *
schema_before(const struct mg_lint_config *c, const struct mg_lint_unit *u, size_t i,
              struct mg_schema **after, size_t *left, const struct sides *sd)
{
	struct mg_schema *s = NULL;
	size_t k, first = base_of(u, i);

	if (first == (size_t)-1 || after[first] == NULL)
		return mg_schema_new();
	if (--left[first] == 0) {
		s = after[first];
		after[first] = NULL;
	} else {
		s = mg_schema_copy(after[first]);
	}
	for (k = sd->off[i]; k < sd->off[i + 1]; k++) {
		const struct mg_lint_unit *x = &u[sd->v[k]];
		if (x->model != NULL)
			mg_replay_model(s, x->model, x->revision, c->types);
	}
	return s;
}

size_t
mg_lint_first_reported(const struct mg_lint_unit *u, size_t n)
{
	size_t i;

	for (i = 0; i < n && !u[i].report; i++)
		;
	return i;
}

/*
 * Whose schema is needed, from unit lo on: a reported unit's, and its base
 * parent's, and so on up (units before lo included). Other schemas are
 * never looked at (a merge replays the other branches' migrations onto its
 * base's schema): a branch that is only replayed is not replayed twice, and
 * not copied at its fork. Each unit's schema is the same as when every one
 * is made. known: whether a unit's model is known to be missing (after the
 * analysis), so that it needs nothing.
 */
static void
mark_needed(const struct mg_lint_unit *u, size_t n, size_t lo, int known, unsigned char *needed)
{
	size_t i, k;

	for (i = n; i-- > lo;)
		if (u[i].report && (!known || u[i].model != NULL))
			needed[i] = 1;
	for (i = n; i-- > lo;)
		if (needed[i] && (k = base_of(u, i)) != (size_t)-1)
			needed[k] = 1;
}

void
mg_lint_prefix_needs(const struct mg_lint_unit *u, size_t n, size_t at, unsigned char *live,
                     unsigned char *replayed)
{
	unsigned char *needed = mg_xcalloc(n + 1, 1);
	struct sides sd;
	size_t k;

	memset(live, 0, at);
	memset(replayed, 0, at);
	mark_needed(u, n, at, 0, needed);
	for (k = 0; k < at; k++)
		live[k] = needed[k];
	/* What schema_before replays at a merge from at on. */
	sides_make(u, n, at, needed, &sd);
	for (k = 0; k < sd.off[n]; k++)
		if (sd.v[k] < at)
			replayed[sd.v[k]] = 1;
	sides_free(&sd);
	free(needed);
}

/*
 * For a walk that loads the units itself: which units' models are used
 * (use: checked, replayed, collected as new, or replayed at a merge) and
 * the last position each is used at (a merge replays the other branches'
 * migrations long after their own turn).
 */
static void
uses(const struct mg_lint_unit *u, size_t n, size_t lo, const unsigned char *needed,
     const struct sides *sd, unsigned char *use, size_t *last)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		use[i] = !u[i].skip && i >= lo && (needed[i] || u[i].report || u[i].added);
		last[i] = i;
	}
	for (i = lo; i < n; i++)
		for (k = sd->off[i]; k < sd->off[i + 1]; k++)
			if (!u[sd->v[k]].skip) {
				use[sd->v[k]] = 1;
				last[sd->v[k]] = i;
			}
}

/* Unit x is not used again: its model goes, and its bytes unless the report shows them
 * (lean: it shows no source). */
static void
release(struct mg_lint_unit *x, int keep, int lean)
{
	if (keep && x->report)
		return;
	mg_model_free(x->model);
	x->model = NULL;
	if (!x->report || lean)
		mg_input_free(&x->in);
}

/*
 * The walk. With a loader, the units are analysed a window at a time as
 * the walk reaches them, and each is released after its last use: memory
 * holds a window of models and the schemas kept at forks, not the history.
 */
static void
walk(const struct mg_lint_config *c, struct mg_lint_unit *u, size_t n,
     const struct mg_lint_loader *ld, struct mg_lint_start *start, struct mg_lint_report *r,
     struct mg_edits *fixes)
{
	struct mg_schema **after = mg_xcalloc(n + 1, sizeof(*after));
	size_t *left = mg_xcalloc(n + 1, sizeof(*left));
	unsigned char *needed = mg_xcalloc(n + 1, 1);
	unsigned char *use = NULL, *done = NULL;
	size_t *last = NULL, *frees = NULL, *nfree = NULL, *want = NULL, upto = 0;
	const char **fresh = NULL;
	size_t i, nfresh = 0, capfresh = 0, k, m;
	struct loading l;
	struct sides sd;
	/* Given the schemas at start->at, the units before it are not looked at. */
	int given = start != NULL && start->after != NULL && start->at <= n;
	size_t lo = given ? start->at : 0;

	/* Before a loader's analysis, a reported unit is taken to have a model. */
	mark_needed(u, n, lo, ld == NULL, needed);
	sides_make(u, n, lo, needed, &sd);
	/* How many needed units start from each unit's schema. */
	for (i = lo; i < n; i++)
		if (needed[i] && (k = base_of(u, i)) != (size_t)-1)
			left[k]++;
	for (k = 0; given && k < lo; k++) {
		after[k] = start->after[k];
		start->after[k] = NULL;
		if (left[k] == 0) {
			mg_schema_free(after[k]);
			after[k] = NULL;
		}
	}
	if (ld != NULL) {
		use = mg_xcalloc(n + 1, 1);
		done = mg_xcalloc(n + 1, 1);
		last = mg_xcalloc(n + 1, sizeof(*last));
		want = mg_xcalloc(n + 1, sizeof(*want));
		uses(u, n, lo, needed, &sd, use, last);
		/* frees[nfree[i-1]..nfree[i]): the units last used at i (bucketed by last). */
		nfree = mg_xcalloc(n + 2, sizeof(*nfree));
		frees = mg_xcalloc(n + 1, sizeof(*frees));
		for (i = 0, m = 0; i < n; i++) {
			m += use[i];
			if (use[i])
				nfree[last[i] + 1]++;
		}
		for (i = 0; i < n; i++)
			nfree[i + 1] += nfree[i];
		{
			size_t *fill = mg_xcalloc(n + 1, sizeof(*fill));
			for (i = 0; i < n; i++)
				if (use[i])
					frees[nfree[last[i]] + fill[last[i]]++] = i;
			free(fill);
		}
		loading_open(&l, n, ld->cache_scope, lo > 0 && m <= FEW_FILES);
		/* Before the start: only what merges from it on replay. */
		for (i = 0, m = 0; i < lo; i++)
			if (use[i])
				want[m++] = i;
		loading_run(&l, u, want, m, done, ld);
		upto = lo;
	}
	for (i = lo; i < n; i++) {
		struct mg_schema *s;

		if (ld != NULL && i >= upto) {
			for (m = 0, k = i; k < n && m < WINDOW; k++)
				if (use[k])
					want[m++] = k;
			upto = k;
			loading_run(&l, u, want, m, done, ld);
		}
		if (start != NULL && !given && i == start->at && start->made != NULL)
			start->made(start->arg, after, i);
		if (needed[i]) {
			s = schema_before(c, u, i, after, left, &sd);
			if (u[i].model != NULL && u[i].report) {
				size_t file = r->nfiles;
				add_file(r, &u[i], c->lean);
				mg_lint_check(c, u[i].model, s, fresh, nfresh, file, r,
				              fixes ? &fixes[i] : NULL);
			}
			if (u[i].model != NULL && left[i] > 0)
				mg_replay_model(s, u[i].model, u[i].revision, c->types);
		} else {
			s = NULL;
		}
		/* The tables it creates are new for the units after it (names copied: its
		 * model may be released). */
		if (u[i].model != NULL && u[i].added)
			collect_new(r, u[i].model, &fresh, &nfresh, &capfresh);
		/* Kept only while a later unit starts from it. */
		if (left[i] > 0)
			after[i] = s;
		else
			mg_schema_free(s);
		for (k = nfree != NULL ? nfree[i] : 0; nfree != NULL && k < nfree[i + 1]; k++)
			release(&u[frees[k]], ld->keep, c->lean);
	}
	if (ld != NULL)
		loading_close(&l, u, n, done);
	sides_free(&sd);
	for (i = 0; i < n; i++)
		mg_schema_free(after[i]);
	free(after);
	free(left);
	free(needed);
	free(fresh);
	free(use);
	free(done);
	free(last);
	free(frees);
	free(nfree);
	free(want);
	mg_lint_once(r);
	for (k = 0; k < r->n; k++) {
		if (r->v[k].suppressed)
			r->suppressed++;
		else
			r->by_severity[r->v[k].severity]++;
	}
}

void
mg_lint_run(const struct mg_lint_config *c, const struct mg_lint_unit *u, size_t n,
            struct mg_lint_report *r, struct mg_edits *fixes)
{
	walk(c, (struct mg_lint_unit *)u, n, NULL, NULL, r, fixes);
}

void
mg_lint_walk(const struct mg_lint_config *c, struct mg_lint_unit *u, size_t n,
             const struct mg_lint_loader *ld, struct mg_lint_start *start, struct mg_lint_report *r,
             struct mg_edits *fixes)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&u[i].in, 0, sizeof(u[i].in));
		u[i].model = NULL;
		u[i].error = NULL;
	}
	walk(c, u, n, ld, start, r, fixes);
}
