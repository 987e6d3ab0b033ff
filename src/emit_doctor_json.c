/*
 * The doctor's JSON document (docs/json-doctor.md). Keys are added in a
 * fixed order and jansson keeps it, so output is byte-stable; strings read
 * from files that are not UTF-8 get U+FFFD for the bad bytes.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "migen/doctor.h"
#include "migen/pystr.h"

static json_t *
jstr(const char *s)
{
	struct mg_buf b = {0};
	json_t *j;
	size_t i, n;

	if (s == NULL)
		return json_null();
	n = strlen(s);
	if (mg_utf8_valid(s, n))
		return json_stringn(s, n);
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x80)
			mg_buf_putc(&b, s[i]);
		else
			mg_buf_puts(&b, "\xEF\xBF\xBD");
	}
	j = json_stringn(b.s, b.len);
	mg_buf_free(&b);
	return j;
}

static json_t *
jlist(const struct mg_strlist *l)
{
	json_t *a;
	size_t i;

	if (!l->present || !l->known)
		return json_null();
	a = json_array();
	for (i = 0; i < l->n; i++)
		json_array_append_new(a, jstr(l->v[i]));
	return a;
}

static json_t *
revision(const struct mg_revgraph *g, size_t node)
{
	const struct mg_rev *r = mg_revgraph_rev(g, node);
	const struct mg_revnode *v = &g->nodes[node];
	json_t *j = json_object(), *labels = json_array();
	size_t i;

	json_object_set_new(j, "revision", jstr(r->revision));
	json_object_set_new(j, "path", jstr(r->path));
	json_object_set_new(j, "line", json_integer(r->line));
	json_object_set_new(j, "message", jstr(r->message));
	json_object_set_new(j, "down_revision", jlist(&r->down));
	json_object_set_new(j, "branch_labels", jlist(&r->labels));
	json_object_set_new(j, "depends_on", jlist(&r->deps));
	/* Inherited labels are computed for heads only. */
	for (i = 0; i < v->nlabels; i++)
		json_array_append_new(labels, jstr(v->labels[i]));
	json_object_set_new(j, "branches", labels);
	return j;
}

static json_t *
nodes(const struct mg_revgraph *g, const size_t *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, revision(g, v[i]));
	return a;
}

static json_t *
ids(const struct mg_revgraph *g, const size_t *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, jstr(mg_revgraph_rev(g, v[i])->revision));
	return a;
}

static json_t *
findings(const struct mg_revgraph *g)
{
	json_t *a = json_array();
	size_t i, k;

	for (i = 0; i < g->nfindings; i++) {
		const struct mg_finding *x = &g->findings[i];
		json_t *j = json_object(), *files = json_array();

		json_object_set_new(j, "id", json_string(x->id));
		json_object_set_new(j, "severity", json_string(mg_severity_name(x->severity)));
		json_object_set_new(j, "path", jstr(x->path));
		json_object_set_new(j, "line", x->line ? json_integer(x->line) : json_null());
		json_object_set_new(j, "message", jstr(x->message));
		for (k = 0; k < x->nfiles; k++)
			json_array_append_new(files, jstr(x->files[k]));
		json_object_set_new(j, "files", files);
		json_array_append_new(a, j);
	}
	return a;
}

static json_t *
environment(const struct mg_doctor *d)
{
	json_t *j, *v = json_array();
	size_t i;

	for (i = 0; i < d->nversions; i++) {
		json_t *x = json_object();
		json_object_set_new(x, "path", jstr(d->versions[i]));
		json_object_set_new(x, "exists", json_boolean(d->version_ok[i]));
		json_object_set_new(x, "migrations", json_integer((json_int_t)d->version_files[i]));
		json_array_append_new(v, x);
	}
	j = json_object();
	json_object_set_new(j, "config", d->env ? jstr(d->env->ini) : json_null());
	json_object_set_new(j, "section", d->env ? jstr(d->section) : json_null());
	json_object_set_new(j, "script_location",
	                    d->env ? jstr(d->env->script_location) : json_null());
	json_object_set_new(j, "script_dir", d->env ? jstr(d->env->script_dir) : json_null());
	json_object_set_new(j, "env_py", d->env ? json_boolean(d->env_py_ok) : json_null());
	json_object_set_new(j, "script_py_mako", d->env ? json_boolean(d->mako_ok) : json_null());
	json_object_set_new(j, "recursive", json_boolean(d->recursive));
	json_object_set_new(j, "versions", v);
	return j;
}

char *
mg_emit_doctor_json(const struct mg_doctor *d)
{
	const struct mg_revgraph *g = d->graph;
	json_t *j = json_object(), *summary = json_object(), *chain;
	struct mg_buf b = {0};
	char *s;

	json_object_set_new(j, "migen", json_string(MIGEN_VERSION));
	json_object_set_new(j, "command", json_string("doctor"));
	json_object_set_new(j, "environment", environment(d));
	json_object_set_new(summary, "files", json_integer((json_int_t)g->nrevs));
	json_object_set_new(summary, "revisions", json_integer((json_int_t)g->nnodes));
	json_object_set_new(summary, "heads", json_integer((json_int_t)g->nheads));
	json_object_set_new(summary, "roots", json_integer((json_int_t)g->nroots));
	json_object_set_new(summary, "merges", json_integer((json_int_t)g->nmerges));
	json_object_set_new(summary, "branch_points", json_integer((json_int_t)g->nbranchpoints));
	json_object_set_new(summary, "errors",
	                    json_integer((json_int_t)mg_revgraph_count(g, MG_ERROR)));
	json_object_set_new(summary, "warnings",
	                    json_integer((json_int_t)mg_revgraph_count(g, MG_WARNING)));
	json_object_set_new(summary, "notes",
	                    json_integer((json_int_t)mg_revgraph_count(g, MG_NOTE)));
	json_object_set_new(summary, "full_parse", json_boolean(d->full));
	json_object_set_new(j, "summary", summary);
	json_object_set_new(j, "heads", nodes(g, g->heads, g->nheads));
	json_object_set_new(j, "roots", nodes(g, g->roots, g->nroots));
	json_object_set_new(j, "merges", ids(g, g->merges, g->nmerges));
	json_object_set_new(j, "branch_points", ids(g, g->branchpoints, g->nbranchpoints));
	if (g->chain_len > 0) {
		chain = json_object();
		json_object_set_new(chain, "length", json_integer((json_int_t)g->chain_len));
		json_object_set_new(chain, "from",
		                    jstr(mg_revgraph_rev(g, g->chain_from)->revision));
		json_object_set_new(chain, "to", jstr(mg_revgraph_rev(g, g->chain_to)->revision));
	} else {
		chain = json_null();
	}
	json_object_set_new(j, "longest_chain", chain);
	json_object_set_new(j, "merge_heads", ids(g, g->conflict, g->nconflict));
	json_object_set_new(j, "diverge_at", ids(g, g->diverge, g->ndiverge));
	json_object_set_new(j, "merge_command", jstr(g->merge_command));
	json_object_set_new(j, "findings", findings(g));

	s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	mg_buf_puts(&b, s ? s : "null");
	mg_buf_putc(&b, '\n');
	free(s);
	return mg_buf_detach(&b);
}
