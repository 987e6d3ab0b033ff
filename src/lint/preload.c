/*
 * Models analysed up front for the history replay (see preload.h). The
 * paths are kept sorted, each with its model, so that the replay's request
 * for a path is a binary search.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/analyze_many.h"
#include "migen/input.h"
#include "migen/preload.h"

struct entry {
	const char *path;
	struct mg_analyzed a;
	int taken; /* the model was handed over */
};

struct mg_preload {
	struct entry *v;
	size_t n;
	struct mg_parser *parser; /* for files asked for again; made when first needed */
};

static int
entry_cmp(const void *x, const void *y)
{
	return strcmp(((const struct entry *)x)->path, ((const struct entry *)y)->path);
}

struct mg_preload *
mg_preload_new(const char *const *paths, size_t n, const char *cache_scope)
{
	struct mg_preload *p = mg_xcalloc(1, sizeof(*p));
	struct mg_analyzed *out = mg_xcalloc(n + 1, sizeof(*out));
	unsigned char *need = mg_xcalloc(n + 1, 1); /* nobody's bytes: the replay reads models */
	struct mg_analyze_opts o;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.no_cache = cache_scope == NULL;
	o.cache_scope = cache_scope;
	o.need_src = need;
	mg_analyze_many(paths, n, &o, out, NULL);
	p->v = mg_xcalloc(n + 1, sizeof(*p->v));
	p->n = n;
	for (i = 0; i < n; i++) {
		p->v[i].path = paths[i];
		p->v[i].a = out[i];
		/* The bytes of a file analysed now are not kept: the replay does not read them. */
		if (p->v[i].a.model != NULL)
			p->v[i].a.model->src = NULL;
		free(p->v[i].a.src);
		p->v[i].a.src = NULL;
	}
	qsort(p->v, n, sizeof(*p->v), entry_cmp);
	free(need);
	free(out);
	return p;
}

struct mg_model *
mg_preload_load(void *arg, const char *path, const char **why)
{
	struct mg_preload *p = arg;
	struct entry key, *e;
	struct mg_input in;
	struct mg_model *m;

	memset(&key, 0, sizeof(key));
	key.path = path;
	e = p->n > 0 ? bsearch(&key, p->v, p->n, sizeof(*p->v), entry_cmp) : NULL;
	if (e != NULL && !e->taken) {
		e->taken = 1;
		if (e->a.model == NULL)
			*why = e->a.error ? e->a.error : "cannot be read";
		m = e->a.model;
		e->a.model = NULL;
		return m;
	}
	/* Asked for again, or not in the set: as history.c's own loader does. */
	if (mg_input_read(path, &in, why) != 0)
		return NULL;
	if (p->parser == NULL)
		p->parser = mg_parser_new();
	m = mg_analyze_with(p->parser, path, in.data, in.len, MG_ANALYZE_FULL);
	m->src = NULL;
	m->srclen = 0;
	mg_input_free(&in);
	return m;
}

void
mg_preload_free(struct mg_preload *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		mg_model_free(p->v[i].a.model);
	free(p->v);
	if (p->parser != NULL)
		mg_parser_free(p->parser);
	free(p);
}
