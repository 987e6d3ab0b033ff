/*
 * The doctor's JSON document (docs/json-doctor.md), written with the
 * streaming writer (jsonw.h): keys in a fixed order, so the output is
 * byte-stable; bytes that are not UTF-8 become U+FFFD.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/doctor.h"
#include "migen/jsonw.h"

static void
jlist(struct mg_jw *w, const char *key, const struct mg_strlist *l)
{
	if (!l->present || !l->known)
		mg_jw_null(w, key);
	else
		mg_jw_strs(w, key, l->v, l->n);
}

static void
revision(struct mg_jw *w, const struct mg_revgraph *g, size_t node)
{
	const struct mg_rev *r = mg_revgraph_rev(g, node);
	const struct mg_revnode *v = &g->nodes[node];

	mg_jw_begin_object(w, NULL);
	mg_jw_str(w, "revision", r->revision);
	mg_jw_str(w, "path", r->path);
	mg_jw_int(w, "line", r->line);
	mg_jw_str(w, "message", r->message);
	jlist(w, "down_revision", &r->down);
	jlist(w, "branch_labels", &r->labels);
	jlist(w, "depends_on", &r->deps);
	/* Inherited labels are computed for heads only. */
	mg_jw_strs(w, "branches", v->labels, v->nlabels);
	mg_jw_end(w);
}

static void
nodes(struct mg_jw *w, const char *key, const struct mg_revgraph *g, const size_t *v, size_t n)
{
	size_t i;

	mg_jw_begin_array(w, key);
	for (i = 0; i < n; i++)
		revision(w, g, v[i]);
	mg_jw_end(w);
}

static void
ids(struct mg_jw *w, const char *key, const struct mg_revgraph *g, const size_t *v, size_t n)
{
	size_t i;

	mg_jw_begin_array(w, key);
	for (i = 0; i < n; i++)
		mg_jw_str(w, NULL, mg_revgraph_rev(g, v[i])->revision);
	mg_jw_end(w);
}

static void
findings(struct mg_jw *w, const struct mg_revgraph *g)
{
	size_t i;

	mg_jw_begin_array(w, "findings");
	for (i = 0; i < g->nfindings; i++) {
		const struct mg_graph_finding *x = &g->findings[i];

		mg_jw_begin_object(w, NULL);
		mg_jw_str(w, "id", x->id);
		mg_jw_str(w, "severity", mg_severity_name(x->severity));
		mg_jw_str(w, "path", x->path);
		if (x->line)
			mg_jw_int(w, "line", x->line);
		else
			mg_jw_null(w, "line");
		mg_jw_str(w, "message", x->message);
		mg_jw_strs(w, "files", x->files, x->nfiles);
		mg_jw_end(w);
	}
	mg_jw_end(w);
}

static void
environment(struct mg_jw *w, const struct mg_doctor *d)
{
	size_t i;

	mg_jw_begin_object(w, "environment");
	mg_jw_str(w, "config", d->env ? d->env->ini : NULL);
	mg_jw_str(w, "section", d->env ? d->section : NULL);
	mg_jw_str(w, "script_location", d->env ? d->env->script_location : NULL);
	mg_jw_str(w, "script_dir", d->env ? d->env->script_dir : NULL);
	if (d->env) {
		mg_jw_bool(w, "env_py", d->env_py_ok);
		mg_jw_bool(w, "script_py_mako", d->mako_ok);
	} else {
		mg_jw_null(w, "env_py");
		mg_jw_null(w, "script_py_mako");
	}
	mg_jw_bool(w, "recursive", d->recursive);
	mg_jw_begin_array(w, "versions");
	for (i = 0; i < d->nversions; i++) {
		mg_jw_begin_object(w, NULL);
		mg_jw_str(w, "path", d->versions[i]);
		mg_jw_bool(w, "exists", d->version_ok[i]);
		mg_jw_int(w, "migrations", (long long)d->version_files[i]);
		mg_jw_end(w);
	}
	mg_jw_end(w);
	mg_jw_end(w);
}

char *
mg_emit_doctor_json(const struct mg_doctor *d)
{
	const struct mg_revgraph *g = d->graph;
	struct mg_jw w;

	memset(&w, 0, sizeof(w));
	mg_jw_begin_object(&w, NULL);
	mg_jw_str(&w, "migen", MIGEN_VERSION);
	mg_jw_str(&w, "command", "doctor");
	environment(&w, d);
	mg_jw_begin_object(&w, "summary");
	mg_jw_int(&w, "files", (long long)g->nrevs);
	mg_jw_int(&w, "revisions", (long long)g->nnodes);
	mg_jw_int(&w, "heads", (long long)g->nheads);
	mg_jw_int(&w, "roots", (long long)g->nroots);
	mg_jw_int(&w, "merges", (long long)g->nmerges);
	mg_jw_int(&w, "branch_points", (long long)g->nbranchpoints);
	mg_jw_int(&w, "errors", (long long)mg_revgraph_count(g, MG_ERROR));
	mg_jw_int(&w, "warnings", (long long)mg_revgraph_count(g, MG_WARNING));
	mg_jw_int(&w, "notes", (long long)mg_revgraph_count(g, MG_NOTE));
	mg_jw_bool(&w, "full_parse", d->full);
	mg_jw_end(&w);
	nodes(&w, "heads", g, g->heads, g->nheads);
	nodes(&w, "roots", g, g->roots, g->nroots);
	ids(&w, "merges", g, g->merges, g->nmerges);
	ids(&w, "branch_points", g, g->branchpoints, g->nbranchpoints);
	if (g->chain_len > 0) {
		mg_jw_begin_object(&w, "longest_chain");
		mg_jw_int(&w, "length", (long long)g->chain_len);
		mg_jw_str(&w, "from", mg_revgraph_rev(g, g->chain_from)->revision);
		mg_jw_str(&w, "to", mg_revgraph_rev(g, g->chain_to)->revision);
		mg_jw_end(&w);
	} else {
		mg_jw_null(&w, "longest_chain");
	}
	/* The heads merge_command joins; those a broken revision made are listed apart. */
	ids(&w, "merge_heads", g, g->conflict,
	    g->merge_command != NULL ? g->nconflict - g->nbroken_heads : 0);
	ids(&w, "diverge_at", g, g->diverge, g->ndiverge);
	mg_jw_str(&w, "merge_command", g->merge_command);
	findings(&w, g);
	ids(&w, "broken_heads", g, g->conflict + (g->nconflict - g->nbroken_heads),
	    g->nbroken_heads);
	mg_jw_end(&w);
	mg_buf_putc(&w.out, '\n');
	return mg_buf_detach(&w.out);
}
