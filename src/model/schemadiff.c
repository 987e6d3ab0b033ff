/*
 * How one schema differs from another (see schema.h): what downgrade-mismatch
 * reports when upgrade() then downgrade() does not give back the schema
 * before the revision. Objects are matched by name, as PostgreSQL's catalog
 * would; the revisions that made them are not compared. A table whose
 * uncertain facts grew between the two is compared for its existence only,
 * and nothing is compared once the schema-wide uncertain facts grew: migen
 * reports what it knows, never a guess.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/schema.h"

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * Source text compared as PostgreSQL would keep it: case, white space and
 * parentheses do not count (sa.text("now()") and now () are one default).
 */
static int
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	for (;;) {
		while (*a != '\0' && (isspace((unsigned char)*a) || *a == '(' || *a == ')'))
			a++;
		while (*b != '\0' && (isspace((unsigned char)*b) || *b == '(' || *b == ')'))
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		a++, b++;
	}
}

static void
add(struct mg_schema_diff *d, const char *kind, const char *object, const char *table,
    const char *what)
{
	struct mg_schema_change *c;

	mg_grow(&d->v, &d->cap, d->n + 1, sizeof(*d->v));
	c = &d->v[d->n++];
	c->kind = kind;
	c->object = mg_arena_strdup(&d->arena, object);
	c->table = table ? mg_arena_strdup(&d->arena, table) : NULL;
	c->what = mg_arena_strdup(&d->arena, what);
}

/* "what" parts joined with "; "; a NULL string argument prints as "none". */
static void part(struct mg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
part(struct mg_buf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->len > 0)
		mg_buf_puts(b, "; ");
	va_start(ap, fmt);
	mg_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

static const char *
none(const char *s)
{
	return s != NULL ? s : "none";
}

static const char *
yn(int v, const char *yes, const char *no)
{
	return v ? yes : no;
}

static void
columns(struct mg_schema_diff *d, const struct mg_stable *a, const struct mg_stable *b,
        const char *q)
{
	size_t i;

	for (i = 0; i < a->ncolumns; i++) {
		const struct mg_scolumn *x = &a->columns[i];
		const struct mg_scolumn *y = mg_stable_column(b, x->name);
		struct mg_buf w = {0};

		if (y == NULL) {
			add(d, "column", mg_arena_printf(&d->arena, "%s.%s", q, x->name), a->name,
			    "dropped and not added back");
			continue;
		}
		if (x->type != NULL && y->type != NULL && !same(x->type, y->type))
			part(&w, "type %s, was %s", y->type, x->type);
		if (x->nullable != MG_UNKNOWN && y->nullable != MG_UNKNOWN &&
		    x->nullable != y->nullable)
			part(&w, "%s, was %s", yn(y->nullable == MG_YES, "nullable", "NOT NULL"),
			     yn(x->nullable == MG_YES, "nullable", "NOT NULL"));
		if (!same_text(x->dflt, y->dflt))
			part(&w, "default %s, was %s", none(y->dflt), none(x->dflt));
		if (x->identity != y->identity)
			part(&w, "%s, was %s", yn(y->identity, "identity", "not identity"),
			     yn(x->identity, "identity", "not identity"));
		if (w.len > 0)
			add(d, "column", mg_arena_printf(&d->arena, "%s.%s", q, x->name), a->name,
			    w.s);
		mg_buf_free(&w);
	}
	for (i = 0; i < b->ncolumns; i++)
		if (mg_stable_column(a, b->columns[i].name) == NULL)
			add(d, "column", mg_arena_printf(&d->arena, "%s.%s", q, b->columns[i].name),
			    a->name, "added and not dropped");
}

static const char *
index_kind(enum mg_index_kind k)
{
	return k == MG_IX_PRIMARY_KEY ? "primary key"
	       : k == MG_IX_UNIQUE    ? "unique constraint"
	                              : "index";
}

static const char *
art(const char *word)
{
	return word[0] == 'i' ? "an" : "a";
}

static const char *
column_list(struct mg_arena *ar, const char *const *v, size_t n)
{
	struct mg_buf b = {0};
	const char *r;
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (i > 0)
			mg_buf_puts(&b, ", ");
		mg_buf_puts(&b, v[i]);
	}
	r = mg_arena_printf(ar, "(%s)", b.s ? b.s : "");
	mg_buf_free(&b);
	return r;
}

static int
same_list(const char *const *x, size_t nx, const char *const *y, size_t ny)
{
	size_t i;

	if (x == NULL || y == NULL)
		return 1; /* not known: not compared */
	if (nx != ny)
		return 0;
	for (i = 0; i < nx; i++)
		if (!same_text(x[i], y[i]))
			return 0;
	return 1;
}

static void
indexes(struct mg_schema_diff *d, const struct mg_stable *a, const struct mg_stable *b,
        const char *sch)
{
	size_t i;

	for (i = 0; i < a->nindexes; i++) {
		const struct mg_sindex *x = &a->indexes[i];
		const struct mg_sindex *y;
		char *obj;
		struct mg_buf w = {0};

		if (x->name == NULL)
			continue;
		if ((y = mg_stable_index(b, x->name)) == NULL) {
			obj = mg_arena_printf(&d->arena, "%s.%s", sch, x->name);
			add(d, index_kind(x->kind), obj, a->name, "dropped and not re-created");
			continue;
		}
		if (x->kind != y->kind)
			part(&w, "%s %s, was %s %s", art(index_kind(y->kind)), index_kind(y->kind),
			     art(index_kind(x->kind)), index_kind(x->kind));
		if (!same_list(x->columns, x->ncolumns, y->columns, y->ncolumns))
			part(&w, "columns %s, were %s",
			     column_list(&d->arena, y->columns, y->ncolumns),
			     column_list(&d->arena, x->columns, x->ncolumns));
		if (x->unique != y->unique)
			part(&w, "%s, was %s", yn(y->unique, "unique", "not unique"),
			     yn(x->unique, "unique", "not unique"));
		if (!same_text(x->where, y->where))
			part(&w, "WHERE %s, was %s", none(y->where), none(x->where));
		if (x->method != NULL && y->method != NULL && !same(x->method, y->method))
			part(&w, "USING %s, was %s", y->method, x->method);
		if (w.len > 0) {
			obj = mg_arena_printf(&d->arena, "%s.%s", sch, x->name);
			add(d, index_kind(x->kind), obj, a->name, w.s);
		}
		mg_buf_free(&w);
	}
	for (i = 0; i < b->nindexes; i++)
		if (b->indexes[i].name != NULL && mg_stable_index(a, b->indexes[i].name) == NULL)
			add(d, index_kind(b->indexes[i].kind),
			    mg_arena_printf(&d->arena, "%s.%s", sch, b->indexes[i].name), a->name,
			    "created and not dropped");
}

static const char *
action(const char *s)
{
	return s != NULL ? s : "NO ACTION";
}

static void
fkeys(struct mg_schema_diff *d, const struct mg_stable *a, const struct mg_stable *b, const char *q)
{
	size_t i;

	for (i = 0; i < a->nfkeys; i++) {
		const struct mg_sfkey *x = &a->fkeys[i];
		const struct mg_sfkey *y;
		char *obj;
		struct mg_buf w = {0};

		if (x->name == NULL)
			continue;
		if ((y = mg_stable_fkey(b, x->name)) == NULL) {
			obj = mg_arena_printf(&d->arena, "%s.%s", q, x->name);
			add(d, "foreign key", obj, a->name, "dropped and not re-created");
			continue;
		}
		if (!same_list(x->columns, x->ncolumns, y->columns, y->ncolumns))
			part(&w, "columns %s, were %s",
			     column_list(&d->arena, y->columns, y->ncolumns),
			     column_list(&d->arena, x->columns, x->ncolumns));
		if (!same(mg_schema_name(x->ref_schema), mg_schema_name(y->ref_schema)) ||
		    !same(x->ref_table, y->ref_table))
			part(&w, "references %s, was %s", none(y->ref_table), none(x->ref_table));
		else if (!same_list(x->ref_columns, x->nref_columns, y->ref_columns,
		                    y->nref_columns))
			part(&w, "references %s, was %s",
			     column_list(&d->arena, y->ref_columns, y->nref_columns),
			     column_list(&d->arena, x->ref_columns, x->nref_columns));
		if (!same(action(x->on_delete), action(y->on_delete)))
			part(&w, "ON DELETE %s, was %s", action(y->on_delete),
			     action(x->on_delete));
		if (x->validated != y->validated)
			part(&w, "%s, was %s", yn(y->validated, "validated", "NOT VALID"),
			     yn(x->validated, "validated", "NOT VALID"));
		if (w.len > 0) {
			obj = mg_arena_printf(&d->arena, "%s.%s", q, x->name);
			add(d, "foreign key", obj, a->name, w.s);
		}
		mg_buf_free(&w);
	}
	for (i = 0; i < b->nfkeys; i++)
		if (b->fkeys[i].name != NULL && mg_stable_fkey(a, b->fkeys[i].name) == NULL)
			add(d, "foreign key",
			    mg_arena_printf(&d->arena, "%s.%s", q, b->fkeys[i].name), a->name,
			    "created and not dropped");
}

static void
checks(struct mg_schema_diff *d, const struct mg_stable *a, const struct mg_stable *b,
       const char *q)
{
	size_t i;

	for (i = 0; i < a->nchecks; i++) {
		const struct mg_scheck *x = &a->checks[i];
		const struct mg_scheck *y;
		char *obj;
		struct mg_buf w = {0};

		if (x->name == NULL)
			continue;
		if ((y = mg_stable_check(b, x->name)) == NULL) {
			obj = mg_arena_printf(&d->arena, "%s.%s", q, x->name);
			add(d, "check constraint", obj, a->name, "dropped and not re-created");
			continue;
		}
		if (x->expr != NULL && y->expr != NULL && !same_text(x->expr, y->expr))
			part(&w, "CHECK %s, was %s", y->expr, x->expr);
		if (x->validated != y->validated)
			part(&w, "%s, was %s", yn(y->validated, "validated", "NOT VALID"),
			     yn(x->validated, "validated", "NOT VALID"));
		if (w.len > 0) {
			obj = mg_arena_printf(&d->arena, "%s.%s", q, x->name);
			add(d, "check constraint", obj, a->name, w.s);
		}
		mg_buf_free(&w);
	}
	for (i = 0; i < b->nchecks; i++)
		if (b->checks[i].name != NULL && mg_stable_check(a, b->checks[i].name) == NULL)
			add(d, "check constraint",
			    mg_arena_printf(&d->arena, "%s.%s", q, b->checks[i].name), a->name,
			    "created and not dropped");
}

/*
 * Whether two tables hold the same objects, field by field: the same
 * strings (a schema's copy shares them, so an object the copy did not
 * change is the same pointers) or the same values.
 */
static int
same_ptrs(const char *const *x, const char *const *y, size_t n)
{
	return x == y || (x != NULL && y != NULL && memcmp(x, y, n * sizeof(*x)) == 0);
}

static int
identical(const struct mg_stable *x, const struct mg_stable *y)
{
	size_t i;

	if (x->ncolumns != y->ncolumns || x->nindexes != y->nindexes || x->nfkeys != y->nfkeys ||
	    x->nchecks != y->nchecks || x->nuncertain != y->nuncertain)
		return 0;
	for (i = 0; i < x->ncolumns; i++) {
		const struct mg_scolumn *p = &x->columns[i], *r = &y->columns[i];
		if (p->name != r->name || p->type != r->type || p->nullable != r->nullable ||
		    p->dflt != r->dflt || p->identity != r->identity)
			return 0;
	}
	for (i = 0; i < x->nindexes; i++) {
		const struct mg_sindex *p = &x->indexes[i], *r = &y->indexes[i];
		if (p->name != r->name || p->kind != r->kind || p->ncolumns != r->ncolumns ||
		    p->unique != r->unique || p->where != r->where || p->method != r->method ||
		    !same_ptrs(p->columns, r->columns, p->ncolumns))
			return 0;
	}
	for (i = 0; i < x->nfkeys; i++) {
		const struct mg_sfkey *p = &x->fkeys[i], *r = &y->fkeys[i];
		if (p->name != r->name || p->ncolumns != r->ncolumns ||
		    p->nref_columns != r->nref_columns || p->ref_schema != r->ref_schema ||
		    p->ref_table != r->ref_table || p->on_delete != r->on_delete ||
		    p->validated != r->validated ||
		    !same_ptrs(p->columns, r->columns, p->ncolumns) ||
		    !same_ptrs(p->ref_columns, r->ref_columns, p->nref_columns))
			return 0;
	}
	for (i = 0; i < x->nchecks; i++) {
		const struct mg_scheck *p = &x->checks[i], *r = &y->checks[i];
		if (p->name != r->name || p->expr != r->expr || p->validated != r->validated)
			return 0;
	}
	return 1;
}

/*
 * Whether two of n objects of size sz may have one name (the name first in
 * each): the same first 60 bytes, as names PostgreSQL cuts at 63 bytes
 * (less a cut character) may compare equal past them.
 */
static int
names_repeat(const void *v, size_t n, size_t sz)
{
	const char *p = v;
	size_t i, k;

	for (i = 0; i < n; i++) {
		const char *a = *(const char *const *)(const void *)(p + i * sz);
		for (k = 0; a != NULL && k < i; k++) {
			const char *b = *(const char *const *)(const void *)(p + k * sz);
			if (b != NULL && a[0] == b[0] && strncmp(a, b, 60) == 0)
				return 1;
		}
	}
	return 0;
}

/*
 * A table the same as before has nothing to report, unless two of its
 * objects share a name (the comparison by name then pairs an object with
 * its namesake): those take the long way, whose output is the reference.
 */
static int
unchanged(const struct mg_stable *x, const struct mg_stable *y)
{
	return identical(x, y) && !names_repeat(x->columns, x->ncolumns, sizeof(*x->columns)) &&
	       !names_repeat(x->indexes, x->nindexes, sizeof(*x->indexes)) &&
	       !names_repeat(x->fkeys, x->nfkeys, sizeof(*x->fkeys)) &&
	       !names_repeat(x->checks, x->nchecks, sizeof(*x->checks));
}

/*
 * Whether y, b's table found for a's table x, is x as it was: b is an
 * overlay of a and y still borrows x's lists (any change, an uncertain
 * fact too, would have copied them: mg_schema_own), so there is nothing to
 * compare.
 */
static int
borrowed_as_is(const struct mg_schema *a, const struct mg_schema *b, const struct mg_stable *x,
               const struct mg_stable *y)
{
	return b->base == a && y->borrowed && y->columns == x->columns &&
	       y->indexes == x->indexes && y->fkeys == x->fkeys && y->checks == x->checks &&
	       y->uncertain == x->uncertain;
}

/* a's table x against y, its namesake in b (NULL: none). */
static void
table_pair(struct mg_schema_diff *d, const struct mg_schema *a, const struct mg_schema *b,
           const struct mg_stable *x, const struct mg_stable *y)
{
	const char *sch = mg_schema_name(x->schema);
	char *q;

	if (y != NULL && borrowed_as_is(a, b, x, y))
		return;
	if (y != NULL && y->nuncertain < MG_SCHEMA_MAX_UNCERTAIN && unchanged(x, y))
		return;
	q = mg_arena_printf(&d->arena, "%s.%s", sch, x->name);
	if (y == NULL) {
		add(d, "table", q, x->name, "dropped and not re-created");
		return;
	}
	/* Grown, or at the cap where growth no longer shows. */
	if (y->nuncertain > x->nuncertain || y->nuncertain >= MG_SCHEMA_MAX_UNCERTAIN) {
		d->uncertain = 1;
		return;
	}
	columns(d, x, y, q);
	indexes(d, x, y, sch);
	fkeys(d, x, y, q);
	checks(d, x, y, q);
}

/* b's table y, when a has none of its name. */
static void
table_created(struct mg_schema_diff *d, const struct mg_schema *a, const struct mg_schema *b,
              const struct mg_stable *y)
{
	if (b->base == a && y->borrowed)
		return;
	if (mg_schema_table(a, y->schema, y->name) == NULL)
		add(d, "table",
		    mg_arena_printf(&d->arena, "%s.%s", mg_schema_name(y->schema), y->name),
		    y->name, "created and not dropped");
}

static void
tables(struct mg_schema_diff *d, const struct mg_schema *a, const struct mg_schema *b)
{
	size_t i, j = 0;

	for (i = 0; i < a->ntables; i++) {
		const struct mg_stable *x = &a->tables[i];
		const struct mg_stable *y;

		/* b a copy of a, tables dropped or added but never moved: walking both
		 * lists finds x's table in b by its (shared) name, without a lookup. */
		if (j < b->ntables && x->name != NULL && b->tables[j].name == x->name &&
		    b->tables[j].schema == x->schema) {
			y = &b->tables[j++];
		} else {
			y = mg_schema_table(b, x->schema, x->name);
			if (y != NULL && (size_t)(y - b->tables) >= j)
				j = (size_t)(y - b->tables) + 1;
		}
		table_pair(d, a, b, x, y);
	}
	for (i = 0; i < b->ntables; i++) {
		const struct mg_stable *y = &b->tables[i];
		/* In a at the same place (b a copy of a): no lookup. */
		if (i < a->ntables && a->tables[i].name == y->name &&
		    a->tables[i].schema == y->schema && y->name != NULL)
			continue;
		table_created(d, a, b, y);
	}
}

static int
cmp_pos(const void *p, const void *q)
{
	size_t x = *(const size_t *)p, y = *(const size_t *)q;

	return x < y ? -1 : x > y;
}

/* The positions in s of the tables overlay b changed (b->changed), ascending, once each. */
static size_t *
changed_in(const struct mg_schema *s, const struct mg_schema *b, size_t *n)
{
	size_t *v = mg_xcalloc(b->nchanged / 2 + 1, sizeof(*v)), i, k = 0;

	for (i = 0; i + 1 < b->nchanged; i += 2) {
		const struct mg_stable *t = mg_schema_table(s, b->changed[i], b->changed[i + 1]);
		if (t != NULL)
			v[k++] = (size_t)(t - s->tables);
	}
	qsort(v, k, sizeof(*v), cmp_pos);
	for (i = *n = 0; i < k; i++)
		if (*n == 0 || v[*n - 1] != v[i])
			v[(*n)++] = v[i];
	return v;
}

/*
 * tables() for b an overlay of a, looking only at what b changed: every
 * other table of a is in b under its name, borrowed as it was, which
 * tables() passes over (the one table of each name: the replay never
 * makes two).
 */
static void
tables_changed(struct mg_schema_diff *d, const struct mg_schema *a, const struct mg_schema *b)
{
	size_t n, i, *pos = changed_in(a, b, &n);

	for (i = 0; i < n; i++) {
		const struct mg_stable *x = &a->tables[pos[i]];
		table_pair(d, a, b, x, mg_schema_table(b, x->schema, x->name));
	}
	free(pos);
	pos = changed_in(b, b, &n);
	for (i = 0; i < n; i++)
		table_created(d, a, b, &b->tables[pos[i]]);
	free(pos);
}

#ifndef NDEBUG
/* Debug builds: tables_changed() says what the walk of every table says. */
static void
tables_check(const struct mg_schema_diff *d, const struct mg_schema *a, const struct mg_schema *b)
{
	struct mg_schema_diff e;
	size_t i;
	int ok;

	memset(&e, 0, sizeof(e));
	tables(&e, a, b);
	ok = e.n == d->n && e.uncertain == d->uncertain;
	for (i = 0; ok && i < e.n; i++) {
		const struct mg_schema_change *x = &e.v[i], *y = &d->v[i];
		ok = strcmp(x->kind, y->kind) == 0 && strcmp(x->object, y->object) == 0 &&
		     (x->table == NULL ? y->table == NULL
		                       : y->table != NULL && strcmp(x->table, y->table) == 0) &&
		     strcmp(x->what, y->what) == 0;
	}
	mg_schema_diff_free(&e);
	if (!ok) {
		fputs("migen: internal error: an overlay's changed tables missed a difference\n",
		      stderr);
		abort();
	}
}
#endif

static const char *
labels(struct mg_arena *ar, const struct mg_senum *e)
{
	return column_list(ar, e->labels, e->nlabels);
}

static void
enums(struct mg_schema_diff *d, const struct mg_schema *a, const struct mg_schema *b)
{
	size_t i;

	for (i = 0; i < a->nenums; i++) {
		const struct mg_senum *x = &a->enums[i];
		const struct mg_senum *y = mg_schema_enum(b, x->schema, x->name);
		char *q = mg_arena_printf(&d->arena, "%s.%s", mg_schema_name(x->schema), x->name);
		struct mg_buf w = {0};

		if (y == NULL) {
			add(d, "type", q, NULL, "dropped and not re-created");
			continue;
		}
		if (x->labels_known && y->labels_known &&
		    !same_list(x->labels, x->nlabels, y->labels, y->nlabels))
			part(&w, "labels %s, were %s", labels(&d->arena, y), labels(&d->arena, x));
		if (w.len > 0)
			add(d, "type", q, NULL, w.s);
		mg_buf_free(&w);
	}
	for (i = 0; i < b->nenums; i++) {
		const struct mg_senum *y = &b->enums[i];
		if (mg_schema_enum(a, y->schema, y->name) == NULL)
			add(d, "type",
			    mg_arena_printf(&d->arena, "%s.%s", mg_schema_name(y->schema), y->name),
			    NULL, "created and not dropped");
	}
}

static void
sequences(struct mg_schema_diff *d, const struct mg_schema *a, const struct mg_schema *b)
{
	size_t i;

	for (i = 0; i < a->nsequences; i++) {
		const struct mg_ssequence *x = &a->sequences[i];
		if (mg_schema_sequence(b, x->schema, x->name) == NULL)
			add(d, "sequence",
			    mg_arena_printf(&d->arena, "%s.%s", mg_schema_name(x->schema), x->name),
			    x->owner_table, "dropped and not re-created");
	}
	for (i = 0; i < b->nsequences; i++) {
		const struct mg_ssequence *y = &b->sequences[i];
		if (mg_schema_sequence(a, y->schema, y->name) == NULL)
			add(d, "sequence",
			    mg_arena_printf(&d->arena, "%s.%s", mg_schema_name(y->schema), y->name),
			    y->owner_table, "created and not dropped");
	}
}

void
mg_schema_diff(const struct mg_schema *a, const struct mg_schema *b, struct mg_schema_diff *d)
{
	memset(d, 0, sizeof(*d));
	if (b->nuncertain > a->nuncertain || b->nuncertain >= MG_SCHEMA_MAX_UNCERTAIN) {
		d->uncertain = 1;
		return;
	}
	if (b->base == a) {
		tables_changed(d, a, b);
#ifndef NDEBUG
		tables_check(d, a, b);
#endif
	} else {
		tables(d, a, b);
	}
	enums(d, a, b);
	sequences(d, a, b);
}

void
mg_schema_diff_free(struct mg_schema_diff *d)
{
	free(d->v);
	mg_arena_free(&d->arena);
	memset(d, 0, sizeof(*d));
}
