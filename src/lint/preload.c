/*
 * Models for the history replay, a window at a time (see preload.h). The
 * replay's plan gives the order the files are asked for; each window of
 * that order is analysed at once (on every core, through the model cache)
 * when its first file is asked for, and each model is handed over as it
 * is asked for.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/analyze_many.h"
#include "migen/input.h"
#include "migen/preload.h"

struct mg_preload {
	const char **paths; /* the project's files (copies) */
	size_t npaths;
	struct mg_analysis *session;
	const char **order; /* the plan: paths in the order the replay asks for them */
	size_t norder;
	size_t next; /* the first of order not analysed yet */
	size_t window;
	struct mg_analyzed *win;  /* [window] */
	size_t at, nwin;          /* win holds order[at..at+nwin) */
	unsigned char *taken;     /* [window] */
	unsigned char *none;      /* [window], zero: nobody's bytes, the replay reads models */
	struct mg_parser *parser; /* for files asked for again; made when first needed */
};

struct mg_preload *
mg_preload_new(const char *const *paths, size_t n, const char *cache_scope, size_t window)
{
	struct mg_preload *p = mg_xcalloc(1, sizeof(*p));
	struct mg_analyze_opts o;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.no_cache = cache_scope == NULL;
	o.cache_scope = cache_scope;
	p->session = mg_analysis_open(&o);
	p->paths = mg_xcalloc(n + 1, sizeof(*p->paths));
	for (i = 0; i < n; i++)
		p->paths[i] = mg_xstrdup(paths[i]);
	p->npaths = n;
	p->window = window > 0 ? window : 1;
	p->win = mg_xcalloc(p->window, sizeof(*p->win));
	p->taken = mg_xcalloc(p->window, 1);
	p->none = mg_xcalloc(p->window, 1);
	return p;
}

static int
strpcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
mg_preload_plan(void *arg, const char *const *paths, size_t n)
{
	struct mg_preload *p = arg;
	const char **sorted = mg_xcalloc(n + 1, sizeof(*sorted));
	const char **rest = mg_xcalloc(p->npaths + 1, sizeof(*rest));
	size_t i, nrest = 0;

	p->order = mg_xcalloc(n + 1, sizeof(*p->order));
	for (i = 0; i < n; i++)
		p->order[i] = sorted[i] = mg_xstrdup(paths[i]);
	p->norder = n;
	/* The project's files the replay will not ask for (--at): their cached models are kept
	 * as they are for the next run, not dropped. */
	qsort(sorted, n, sizeof(*sorted), strpcmp);
	for (i = 0; i < p->npaths; i++)
		if (bsearch(&p->paths[i], sorted, n, sizeof(*sorted), strpcmp) == NULL)
			rest[nrest++] = p->paths[i];
	mg_analysis_keep(p->session, rest, nrest);
	free(rest);
	free(sorted);
}

/* The window from order[next] on, analysed; what the last one did not hand over is freed. */
static void
next_window(struct mg_preload *p)
{
	size_t k;

	mg_analyzed_free(p->win, p->nwin);
	p->at = p->next;
	p->nwin = p->norder - p->next < p->window ? p->norder - p->next : p->window;
	memset(p->taken, 0, p->window);
	mg_analysis_run(p->session, p->order + p->at, p->nwin, p->none, p->win);
	for (k = 0; k < p->nwin; k++) {
		/* The bytes of a file analysed now are not kept: the replay does not read them. */
		if (p->win[k].model != NULL)
			p->win[k].model->src = NULL;
		free(p->win[k].src);
		p->win[k].src = NULL;
	}
	p->next += p->nwin;
}

struct mg_model *
mg_preload_load(void *arg, const char *path, const char **why)
{
	struct mg_preload *p = arg;
	struct mg_input in;
	struct mg_model *m;
	size_t k;

	/* The next file of the plan: the replay asks for the plan's files in its order, so the
	 * window before has been handed over; this one's is analysed. */
	if (p->next < p->norder && strcmp(p->order[p->next], path) == 0)
		next_window(p);
	for (k = 0; k < p->nwin; k++)
		if (!p->taken[k] && strcmp(p->order[p->at + k], path) == 0) {
			p->taken[k] = 1;
			if (p->win[k].model == NULL)
				*why = p->win[k].error ? p->win[k].error : "cannot be read";
			m = p->win[k].model;
			p->win[k].model = NULL;
			return m;
		}
	/* Asked for again (a merge replays another branch), or not in the plan: from the model
	 * cache, else as history.c's own loader does. */
	if ((m = mg_analysis_cached(p->session, path)) != NULL)
		return m;
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
	mg_analyzed_free(p->win, p->nwin);
	free(p->win);
	free(p->taken);
	free(p->none);
	/* Writes the model cache: every window's files and the ones kept. */
	mg_analysis_close(p->session, NULL);
	for (i = 0; i < p->npaths; i++)
		free((char *)p->paths[i]);
	free(p->paths);
	for (i = 0; i < p->norder; i++)
		free((char *)p->order[i]);
	free(p->order);
	if (p->parser != NULL)
		mg_parser_free(p->parser);
	free(p);
}
