/*
 * The replayed schema as JSON (docs/json-schema.md): tables keyed
 * "schema.name" in that order, columns in their table's order, indexes and
 * constraints by name. An index backing a primary key or a unique
 * constraint appears under those only, as in PostgreSQL's catalog. An
 * object whose name migen could not read is left out (its table's
 * uncertain list says so). Unknown values are null.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/emit_schema.h"
#include "migen/jsonw.h"

static int
by_key(const void *a, const void *b)
{
	const struct mg_stable *x = *(const struct mg_stable *const *)a;
	const struct mg_stable *y = *(const struct mg_stable *const *)b;
	int c = strcmp(x->schema, y->schema);

	return c != 0 ? c : strcmp(x->name, y->name);
}

const struct mg_stable **
mg_schema_sorted_tables(const struct mg_schema *s, size_t *n)
{
	const struct mg_stable **v = mg_xcalloc(s->ntables + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < s->ntables; i++)
		v[i] = &s->tables[i];
	qsort(v, s->ntables, sizeof(*v), by_key);
	*n = s->ntables;
	return v;
}

static int
by_place(const void *a, const void *b)
{
	const struct mg_uncertain *x = a, *y = b;
	int c = strcmp(x->path ? x->path : "", y->path ? y->path : "");

	if (c != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return strcmp(x->reason ? x->reason : "", y->reason ? y->reason : "");
}

struct mg_uncertain *
mg_schema_sorted_uncertain(const struct mg_uncertain *v, size_t n)
{
	struct mg_uncertain *c = mg_xcalloc(n + 1, sizeof(*c));

	if (n > 0)
		memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), by_place);
	return c;
}

static char *
key(const char *schema, const char *name)
{
	struct mg_buf b = {0};

	mg_buf_printf(&b, "%s.%s", schema, name);
	return mg_buf_detach(&b);
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Pointers to indexes or constraints, whose first member is the name: by name. */
static int
by_name(const void *a, const void *b)
{
	const char *const *x = *(const char *const *const *)a;
	const char *const *y = *(const char *const *const *)b;

	return strcmp(*x, *y);
}

static void
indexes(struct mg_jw *w, const struct mg_stable *t, enum mg_index_kind kind)
{
	size_t i, n = 0;
	const struct mg_sindex **v = mg_xcalloc(t->nindexes + 1, sizeof(*v));

	for (i = 0; i < t->nindexes; i++)
		if (t->indexes[i].kind == kind && t->indexes[i].name != NULL)
			v[n++] = &t->indexes[i];
	qsort(v, n, sizeof(*v), by_name);
	mg_jw_begin_object(w, kind == MG_IX_INDEX ? "indexes" : "unique_constraints");
	for (i = 0; i < n; i++) {
		mg_jw_begin_object(w, v[i]->name);
		mg_jw_strs(w, "columns", v[i]->columns, v[i]->ncolumns);
		if (kind == MG_IX_INDEX) {
			mg_jw_bool(w, "unique", v[i]->unique);
			mg_jw_str(w, "where", v[i]->where);
			mg_jw_str(w, "method", v[i]->method);
		}
		mg_jw_end(w);
	}
	mg_jw_end(w);
	free(v);
}

static void
table(struct mg_jw *w, const struct mg_stable *t)
{
	const struct mg_sindex *pk = mg_stable_pkey(t);
	const void **v = mg_xcalloc(t->nfkeys + t->nchecks + 1, sizeof(*v));
	char *k = key(t->schema, t->name);
	struct mg_uncertain *u;
	size_t i, n;

	mg_jw_begin_object(w, k);
	free(k);
	mg_jw_begin_object(w, "columns");
	for (i = 0; i < t->ncolumns; i++) {
		mg_jw_begin_object(w, t->columns[i].name);
		mg_jw_str(w, "type", t->columns[i].type);
		mg_jw_tri(w, "nullable", t->columns[i].nullable);
		mg_jw_str(w, "default", t->columns[i].dflt);
		mg_jw_end(w);
	}
	mg_jw_end(w);
	if (pk != NULL)
		mg_jw_strs(w, "primary_key", pk->columns, pk->ncolumns);
	else
		mg_jw_strs(w, "primary_key", NULL, 0);
	indexes(w, t, MG_IX_INDEX);
	indexes(w, t, MG_IX_UNIQUE);
	for (i = n = 0; i < t->nfkeys; i++)
		if (t->fkeys[i].name != NULL)
			v[n++] = &t->fkeys[i];
	qsort(v, n, sizeof(*v), by_name);
	mg_jw_begin_object(w, "foreign_keys");
	for (i = 0; i < n; i++) {
		const struct mg_sfkey *fk = v[i];
		char *rt = fk->ref_table
		               ? key(fk->ref_schema ? fk->ref_schema : "public", fk->ref_table)
		               : NULL;
		mg_jw_begin_object(w, fk->name);
		mg_jw_strs(w, "columns", fk->columns, fk->ncolumns);
		mg_jw_str(w, "ref_table", rt);
		if (fk->ref_columns != NULL)
			mg_jw_strs(w, "ref_columns", fk->ref_columns, fk->nref_columns);
		else
			mg_jw_null(w, "ref_columns");
		mg_jw_str(w, "on_delete", fk->on_delete);
		mg_jw_bool(w, "validated", fk->validated);
		mg_jw_end(w);
		free(rt);
	}
	mg_jw_end(w);
	for (i = n = 0; i < t->nchecks; i++)
		if (t->checks[i].name != NULL)
			v[n++] = &t->checks[i];
	qsort(v, n, sizeof(*v), by_name);
	mg_jw_begin_object(w, "check_constraints");
	for (i = 0; i < n; i++) {
		const struct mg_scheck *ck = v[i];
		mg_jw_begin_object(w, ck->name);
		mg_jw_str(w, "expr", ck->expr);
		mg_jw_bool(w, "validated", ck->validated);
		mg_jw_end(w);
	}
	mg_jw_end(w);
	mg_jw_begin_array(w, "uncertain");
	u = mg_schema_sorted_uncertain(t->uncertain, t->nuncertain);
	for (i = 0; i < t->nuncertain; i++) {
		mg_jw_begin_object(w, NULL);
		mg_jw_str(w, "reason", u[i].reason);
		mg_jw_str(w, "path", u[i].path);
		if (u[i].line > 0)
			mg_jw_int(w, "line", u[i].line);
		else
			mg_jw_null(w, "line");
		mg_jw_end(w);
	}
	mg_jw_end(w);
	free(u);
	mg_jw_end(w);
	free(v);
}

char *
mg_emit_schema_json(const struct mg_schema *s, const struct mg_stable *const *tables,
                    size_t ntables)
{
	struct mg_jw w;
	const struct mg_stable **all = NULL;
	char **keys;
	size_t i, n;

	memset(&w, 0, sizeof(w));
	if (tables == NULL) {
		all = mg_schema_sorted_tables(s, &ntables);
		tables = all;
	}
	mg_jw_begin_object(&w, NULL);
	mg_jw_int(&w, "migen", 1);
	mg_jw_strs(&w, "revision", s->revisions, s->nrevisions);
	mg_jw_begin_object(&w, "tables");
	for (i = 0; i < ntables; i++)
		table(&w, tables[i]);
	mg_jw_end(&w);

	keys = mg_xcalloc(s->nenums + s->nsequences + 1, sizeof(*keys));
	for (i = 0; i < s->nenums; i++)
		keys[i] = key(s->enums[i].schema, s->enums[i].name);
	mg_jw_begin_object(&w, "enums");
	for (n = 0; n < s->nenums; n++) {
		/* In key order: the smallest not yet written. */
		size_t best = (size_t)-1;
		for (i = 0; i < s->nenums; i++)
			if (keys[i] != NULL &&
			    (best == (size_t)-1 || strcmp(keys[i], keys[best]) < 0))
				best = i;
		if (s->enums[best].labels_known)
			mg_jw_strs(&w, keys[best], s->enums[best].labels, s->enums[best].nlabels);
		else
			mg_jw_null(&w, keys[best]);
		free(keys[best]);
		keys[best] = NULL;
	}
	mg_jw_end(&w);
	for (i = 0; i < s->nsequences; i++)
		keys[i] = key(s->sequences[i].schema, s->sequences[i].name);
	qsort(keys, s->nsequences, sizeof(*keys), by_str);
	mg_jw_strs(&w, "sequences", (const char *const *)keys, s->nsequences);
	for (i = 0; i < s->nsequences; i++)
		free(keys[i]);
	free(keys);
	mg_jw_end(&w);
	mg_buf_putc(&w.out, '\n');
	free(all);
	return mg_buf_detach(&w.out);
}
