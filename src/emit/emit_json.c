/*
 * The JSON emitter (docs/json.md), written straight to text with the
 * streaming writer (jsonw.h): keys in a fixed order, so the output is
 * byte-stable. Unknown values (not literals in the source) are null.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/emit.h"
#include "migen/jsonw.h"

static void
strlist(struct mg_jw *w, const char *key, const struct mg_strlist *l)
{
	if (l->present && !l->known)
		mg_jw_null(w, key);
	else
		mg_jw_strs(w, key, l->v, l->n);
}

static void
columns(struct mg_jw *w, const struct mg_index *ix)
{
	if (!ix->columns_known)
		mg_jw_null(w, "columns");
	else
		mg_jw_strs(w, "columns", ix->columns, ix->ncolumns);
}

static const char *
kind(enum mg_index_kind k)
{
	return k == MG_IX_PRIMARY_KEY ? "primary_key" : k == MG_IX_UNIQUE ? "unique" : "index";
}

static const char *
direction(enum mg_direction d)
{
	return d == MG_UPGRADE ? "upgrade" : "downgrade";
}

static void
table(struct mg_jw *w, const struct mg_model *m, const struct mg_table *t,
      const struct mg_options *o)
{
	size_t i;

	mg_jw_begin_object(w, NULL);
	mg_jw_str(w, "name", t->name);
	mg_jw_str(w, "schema", t->schema);
	mg_jw_int(w, "line", t->line);
	mg_jw_begin_array(w, "columns");
	for (i = 0; i < t->ncolumns; i++) {
		const struct mg_column *c = &t->columns[i];
		mg_jw_begin_object(w, NULL);
		mg_jw_str(w, "name", c->name);
		mg_jw_str(w, "type", c->type);
		mg_jw_tri(w, "nullable", c->nullable);
		mg_jw_tri(w, "primary_key", c->primary_key);
		mg_jw_str(w, "foreign_key", c->foreign_key);
		mg_jw_end(w);
	}
	mg_jw_end(w);
	mg_jw_bool(w, "tenant_id", mg_table_column(t, o->tenant_column) != NULL);
	mg_jw_bool(w, "space_id", mg_table_column(t, o->space_column) != NULL);
	mg_jw_bool(w, "soft_delete", mg_table_column(t, o->soft_delete_column) != NULL);
	mg_jw_begin_array(w, "indexes");
	for (i = mg_model_table_index(m, t->name, 0); i < m->nindexes;
	     i = mg_model_table_index(m, t->name, i + 1)) {
		const struct mg_index *ix = &m->indexes[i];
		mg_jw_begin_object(w, NULL);
		mg_jw_str(w, "name", ix->name);
		mg_jw_str(w, "kind", kind(ix->kind));
		columns(w, ix);
		mg_jw_bool(w, "unique", ix->unique);
		mg_jw_end(w);
	}
	mg_jw_end(w);
	mg_jw_end(w);
}

static void
messages(struct mg_jw *w, const char *key, const struct mg_error *v, size_t n)
{
	size_t i;

	mg_jw_begin_array(w, key);
	for (i = 0; i < n; i++) {
		mg_jw_begin_object(w, NULL);
		mg_jw_int(w, "line", v[i].line);
		mg_jw_int(w, "column", v[i].col);
		mg_jw_str(w, "message", v[i].message);
		mg_jw_end(w);
	}
	mg_jw_end(w);
}

char *
mg_emit_json(const struct mg_model *m, const struct mg_diags *d, const struct mg_options *o)
{
	const struct mg_revinfo *r = &m->rev;
	struct mg_jw w;
	size_t i;

	memset(&w, 0, sizeof(w));
	mg_jw_begin_object(&w, NULL);
	mg_jw_int(&w, "migen", 1);
	mg_jw_str(&w, "file", m->path);
	mg_jw_str(&w, "revision", r->revision);
	strlist(&w, "down_revision", &r->down_revision);
	strlist(&w, "branch_labels", &r->branch_labels);
	strlist(&w, "depends_on", &r->depends_on);
	mg_jw_str(&w, "message", r->message);

	mg_jw_begin_array(&w, "tables_created");
	for (i = 0; i < m->ntables; i++)
		if (m->ops[m->tables[i].op].dir == MG_UPGRADE)
			table(&w, m, &m->tables[i], o);
	mg_jw_end(&w);

	mg_jw_begin_array(&w, "indexes");
	for (i = 0; i < m->nindexes; i++) {
		const struct mg_index *ix = &m->indexes[i];
		mg_jw_begin_object(&w, NULL);
		mg_jw_str(&w, "name", ix->name);
		mg_jw_str(&w, "table", ix->table);
		columns(&w, ix);
		mg_jw_bool(&w, "unique", ix->unique);
		mg_jw_bool(&w, "concurrently", ix->concurrently);
		mg_jw_str(&w, "where", ix->where);
		mg_jw_int(&w, "line", ix->line);
		mg_jw_str(&w, "direction", direction(ix->dir));
		mg_jw_str(&w, "source", mg_source_name(ix->source));
		mg_jw_str(&w, "kind", kind(ix->kind));
		mg_jw_end(&w);
	}
	mg_jw_end(&w);

	mg_jw_begin_array(&w, "operations");
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		mg_jw_begin_object(&w, NULL);
		mg_jw_str(&w, "op", op->name);
		mg_jw_str(&w, "table", op->table);
		mg_jw_int(&w, "line", op->span.line);
		mg_jw_str(&w, "direction", direction(op->dir));
		mg_jw_str(&w, "source", mg_source_name(op->source));
		mg_jw_bool(&w, "autocommit", op->autocommit);
		mg_jw_end(&w);
	}
	mg_jw_end(&w);

	mg_jw_begin_array(&w, "suggestions");
	for (i = 0; d != NULL && i < d->n; i++) {
		const struct mg_diag *g = &d->v[i];
		mg_jw_begin_object(&w, NULL);
		mg_jw_str(&w, "rule", g->rule);
		mg_jw_str(&w, "severity", mg_severity_name(g->severity));
		mg_jw_str(&w, "table", g->table);
		mg_jw_int(&w, "line", g->line);
		mg_jw_int(&w, "column", g->col);
		mg_jw_str(&w, "message", g->message);
		mg_jw_str(&w, "code", g->code);
		mg_jw_str(&w, "where", g->where);
		mg_jw_str(&w, "downgrade", g->downgrade);
		mg_jw_str(&w, "downgrade_where", g->downgrade_where);
		mg_jw_str(&w, "db_column", g->column);
		mg_jw_str(&w, "note", g->note);
		mg_jw_end(&w);
	}
	mg_jw_end(&w);
	messages(&w, "errors", m->errors, m->nerrors);
	messages(&w, "notes", m->notes, m->nnotes);
	mg_jw_end(&w);
	mg_buf_putc(&w.out, '\n');
	return mg_buf_detach(&w.out);
}
