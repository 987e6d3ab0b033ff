/*
 * The JSON emitter (docs/json.md). Keys are added in a fixed order and
 * jansson keeps insertion order, so the output is byte-stable. Unknown
 * values (not literals in the source) are null.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "migen/emit.h"
#include "migen/pystr.h"

/* Decoded literals may hold any bytes (b"\xff"): JSON gets U+FFFD for bad ones. */
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
jtri(int v)
{
	return v == MG_UNKNOWN ? json_null() : json_boolean(v == MG_YES);
}

static json_t *
strlist(const struct mg_strlist *l)
{
	json_t *a;
	size_t i;

	if (l->present && !l->known)
		return json_null();
	a = json_array();
	for (i = 0; i < l->n; i++)
		json_array_append_new(a, jstr(l->v[i]));
	return a;
}

static json_t *
columns(const struct mg_index *ix)
{
	json_t *a;
	size_t i;

	if (!ix->columns_known)
		return json_null();
	a = json_array();
	for (i = 0; i < ix->ncolumns; i++)
		json_array_append_new(a, jstr(ix->columns[i]));
	return a;
}

static const char *
kind(enum mg_index_kind k)
{
	return k == MG_IX_PRIMARY_KEY ? "primary_key" : k == MG_IX_UNIQUE ? "unique" : "index";
}

static json_t *
table(const struct mg_model *m, const struct mg_table *t, const struct mg_options *o)
{
	json_t *j = json_object(), *cols = json_array(), *ixs = json_array();
	size_t i;

	json_object_set_new(j, "name", jstr(t->name));
	json_object_set_new(j, "schema", jstr(t->schema));
	json_object_set_new(j, "line", json_integer(t->line));
	for (i = 0; i < t->ncolumns; i++) {
		const struct mg_column *c = &t->columns[i];
		json_t *jc = json_object();
		json_object_set_new(jc, "name", jstr(c->name));
		json_object_set_new(jc, "type", jstr(c->type));
		json_object_set_new(jc, "nullable", jtri(c->nullable));
		json_object_set_new(jc, "primary_key", jtri(c->primary_key));
		json_object_set_new(jc, "foreign_key", jstr(c->foreign_key));
		json_array_append_new(cols, jc);
	}
	json_object_set_new(j, "columns", cols);
	json_object_set_new(j, "tenant_id",
	                    json_boolean(mg_table_column(t, o->tenant_column) != NULL));
	json_object_set_new(j, "space_id",
	                    json_boolean(mg_table_column(t, o->space_column) != NULL));
	json_object_set_new(j, "soft_delete",
	                    json_boolean(mg_table_column(t, o->soft_delete_column) != NULL));
	for (i = 0; i < m->nindexes; i++) {
		const struct mg_index *ix = &m->indexes[i];
		json_t *jx;
		if (ix->dir != MG_UPGRADE || ix->table == NULL || t->name == NULL ||
		    strcmp(ix->table, t->name) != 0)
			continue;
		jx = json_object();
		json_object_set_new(jx, "name", jstr(ix->name));
		json_object_set_new(jx, "kind", json_string(kind(ix->kind)));
		json_object_set_new(jx, "columns", columns(ix));
		json_object_set_new(jx, "unique", json_boolean(ix->unique));
		json_array_append_new(ixs, jx);
	}
	json_object_set_new(j, "indexes", ixs);
	return j;
}

static json_t *
messages(const struct mg_error *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "line", json_integer(v[i].line));
		json_object_set_new(e, "column", json_integer(v[i].col));
		json_object_set_new(e, "message", jstr(v[i].message));
		json_array_append_new(a, e);
	}
	return a;
}

static const char *
severity(enum mg_severity s)
{
	return s == MG_ERROR ? "error" : s == MG_WARNING ? "warning" : "note";
}

char *
mg_emit_json(const struct mg_model *m, const struct mg_diags *d, const struct mg_options *o)
{
	json_t *j = json_object(), *a;
	const struct mg_revinfo *r = &m->rev;
	struct mg_buf b = {0};
	char *s;
	size_t i;

	json_object_set_new(j, "migen", json_integer(1));
	json_object_set_new(j, "file", jstr(m->path));
	json_object_set_new(j, "revision", jstr(r->revision));
	json_object_set_new(j, "down_revision", strlist(&r->down_revision));
	json_object_set_new(j, "branch_labels", strlist(&r->branch_labels));
	json_object_set_new(j, "depends_on", strlist(&r->depends_on));
	json_object_set_new(j, "message", jstr(r->message));

	a = json_array();
	for (i = 0; i < m->ntables; i++)
		if (m->ops[m->tables[i].op].dir == MG_UPGRADE)
			json_array_append_new(a, table(m, &m->tables[i], o));
	json_object_set_new(j, "tables_created", a);

	a = json_array();
	for (i = 0; i < m->nindexes; i++) {
		const struct mg_index *ix = &m->indexes[i];
		json_t *e = json_object();
		json_object_set_new(e, "name", jstr(ix->name));
		json_object_set_new(e, "table", jstr(ix->table));
		json_object_set_new(e, "columns", columns(ix));
		json_object_set_new(e, "unique", json_boolean(ix->unique));
		json_object_set_new(e, "concurrently", json_boolean(ix->concurrently));
		json_object_set_new(e, "where", jstr(ix->where));
		json_object_set_new(e, "line", json_integer(ix->line));
		json_object_set_new(e, "direction",
		                    json_string(ix->dir == MG_UPGRADE ? "upgrade" : "downgrade"));
		json_object_set_new(e, "source", json_string(mg_source_name(ix->source)));
		json_object_set_new(e, "kind", json_string(kind(ix->kind)));
		json_array_append_new(a, e);
	}
	json_object_set_new(j, "indexes", a);

	a = json_array();
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		json_t *e = json_object();
		json_object_set_new(e, "op", jstr(op->name));
		json_object_set_new(e, "table", jstr(op->table));
		json_object_set_new(e, "line", json_integer(op->span.line));
		json_object_set_new(e, "direction",
		                    json_string(op->dir == MG_UPGRADE ? "upgrade" : "downgrade"));
		json_object_set_new(e, "source", json_string(mg_source_name(op->source)));
		json_object_set_new(e, "autocommit", json_boolean(op->autocommit));
		json_array_append_new(a, e);
	}
	json_object_set_new(j, "operations", a);

	a = json_array();
	for (i = 0; d != NULL && i < d->n; i++) {
		const struct mg_diag *g = &d->v[i];
		json_t *e = json_object();
		json_object_set_new(e, "rule", json_string(g->rule));
		json_object_set_new(e, "severity", json_string(severity(g->severity)));
		json_object_set_new(e, "table", jstr(g->table));
		json_object_set_new(e, "line", json_integer(g->line));
		json_object_set_new(e, "column", json_integer(g->col));
		json_object_set_new(e, "message", jstr(g->message));
		json_object_set_new(e, "code", jstr(g->code));
		json_object_set_new(e, "where", jstr(g->where));
		json_object_set_new(e, "downgrade", jstr(g->downgrade));
		json_object_set_new(e, "downgrade_where", jstr(g->downgrade_where));
		json_object_set_new(e, "db_column", jstr(g->column));
		json_array_append_new(a, e);
	}
	json_object_set_new(j, "suggestions", a);
	json_object_set_new(j, "errors", messages(m->errors, m->nerrors));
	json_object_set_new(j, "notes", messages(m->notes, m->nnotes));

	s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	mg_buf_puts(&b, s ? s : "null");
	mg_buf_putc(&b, '\n');
	free(s);
	return mg_buf_detach(&b);
}
