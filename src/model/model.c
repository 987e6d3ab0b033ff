/*
 * The migration model's storage and the few queries every rule needs
 * (see model.h). Arrays grow with realloc, so code keeps indexes into them,
 * never pointers, while the analyzer is still adding.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "migen/model.h"

/* Sorted keys for the two questions rules ask for every op. */
struct mg_lookup {
	struct lkey {
		const char *table, *column;
		int partial; /* the index has a WHERE clause */
	} * leading;         /* (table, first column) of upgrade indexes */
	size_t nleading;
	const struct mg_table **created; /* tables created in upgrade(), by name */
	size_t ncreated;
	struct tpos {
		const char *table;
		size_t i;
	} * by_table; /* upgrade indexes with a table, by (table, position) */
	size_t nby_table;
	struct tpos *table_ops; /* create_table and drop_table ops, by (table, position) */
	size_t ntable_ops;
};

static int
tposcmp(const void *a, const void *b)
{
	const struct tpos *x = a, *y = b;
	int r = strcmp(x->table, y->table);

	if (r != 0)
		return r;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int
keycmp(const void *a, const void *b)
{
	const struct lkey *x = a, *y = b;
	int r = strcmp(x->table, y->table);

	return r ? r : strcmp(x->column, y->column);
}

static int
tablecmp(const void *a, const void *b)
{
	const struct mg_table *const *x = a, *const *y = b;
	int r = strcmp((*x)->name, (*y)->name);

	/* Equal names: the first created wins, as in the linear scan. */
	if (r == 0)
		r = *x < *y ? -1 : *x > *y;
	return r;
}

static int
is_upgrade_leading(const struct mg_index *ix)
{
	return ix->dir == MG_UPGRADE && ix->table != NULL && ix->ncolumns > 0 && !ix->is_expr[0] &&
	       ix->columns[0] != NULL;
}

static int
is_created(const struct mg_model *m, const struct mg_table *t)
{
	return t->name != NULL && m->ops[t->op].dir == MG_UPGRADE;
}

static int
is_table_op(const struct mg_op *op)
{
	return (op->kind == MG_OP_CREATE_TABLE || op->kind == MG_OP_DROP_TABLE) &&
	       op->table != NULL;
}

void
mg_model_finish(struct mg_model *m)
{
	struct mg_lookup *l = mg_xcalloc(1, sizeof(*l));
	size_t i;

	l->leading = mg_xcalloc(m->nindexes + 1, sizeof(*l->leading));
	for (i = 0; i < m->nindexes; i++)
		if (is_upgrade_leading(&m->indexes[i])) {
			l->leading[l->nleading].table = m->indexes[i].table;
			l->leading[l->nleading].column = m->indexes[i].columns[0];
			l->leading[l->nleading].partial = m->indexes[i].where != NULL;
			l->nleading++;
		}
	qsort(l->leading, l->nleading, sizeof(*l->leading), keycmp);
	l->created = mg_xcalloc(m->ntables + 1, sizeof(*l->created));
	for (i = 0; i < m->ntables; i++)
		if (is_created(m, &m->tables[i]))
			l->created[l->ncreated++] = &m->tables[i];
	qsort(l->created, l->ncreated, sizeof(*l->created), tablecmp);
	l->by_table = mg_xcalloc(m->nindexes + 1, sizeof(*l->by_table));
	for (i = 0; i < m->nindexes; i++)
		if (m->indexes[i].dir == MG_UPGRADE && m->indexes[i].table != NULL) {
			l->by_table[l->nby_table].table = m->indexes[i].table;
			l->by_table[l->nby_table++].i = i;
		}
	qsort(l->by_table, l->nby_table, sizeof(*l->by_table), tposcmp);
	l->table_ops = mg_xcalloc(m->nops + 1, sizeof(*l->table_ops));
	for (i = 0; i < m->nops; i++)
		if (is_table_op(&m->ops[i])) {
			l->table_ops[l->ntable_ops].table = m->ops[i].table;
			l->table_ops[l->ntable_ops++].i = i;
		}
	qsort(l->table_ops, l->ntable_ops, sizeof(*l->table_ops), tposcmp);
	m->lookup = l;
}

struct mg_model *
mg_model_new(const char *path)
{
	struct mg_model *m = mg_xcalloc(1, sizeof(*m));

	m->path = mg_arena_strdup(&m->arena, path ? path : "-");
	m->quote = '"';
	m->indent = "    ";
	m->eol = "\n";
	return m;
}

void
mg_model_free(struct mg_model *m)
{
	if (m == NULL)
		return;
	free(m->ops);
	free(m->tables);
	free(m->defined);
	free(m->helper_calls);
	free(m->indexes);
	free(m->fkeys);
	free(m->errors);
	free(m->notes);
	free(m->functions);
	free(m->imports);
	free(m->comments);
	free(m->import_targets);
	free(m->checks);
	if (m->lookup != NULL) {
		free(m->lookup->leading);
		free(m->lookup->created);
		free(m->lookup->by_table);
		free(m->lookup->table_ops);
		free(m->lookup);
	}
	mg_arena_free(&m->arena);
	free(m);
}

#define ADD(m, arr, n, cap)                                                   \
	do {                                                                  \
		mg_grow(&(m)->arr, &(m)->cap, (m)->n + 1, sizeof(*(m)->arr)); \
		memset(&(m)->arr[(m)->n], 0, sizeof(*(m)->arr));              \
		return &(m)->arr[(m)->n++];                                   \
	} while (0)

struct mg_op *
mg_model_add_op(struct mg_model *m)
{
	mg_grow(&m->ops, &m->capops, m->nops + 1, sizeof(*m->ops));
	memset(&m->ops[m->nops], 0, sizeof(*m->ops));
	m->ops[m->nops].nullable = MG_UNKNOWN;
	m->ops[m->nops].has_server_default = MG_UNKNOWN;
	m->ops[m->nops].index = (size_t)-1;
	m->ops[m->nops].table_index = (size_t)-1;
	m->ops[m->nops].parent = m->nops;
	m->ops[m->nops].whole_table = MG_UNKNOWN;
	return &m->ops[m->nops++];
}

struct mg_table *
mg_model_add_table(struct mg_model *m)
{
	ADD(m, tables, ntables, captables);
}

struct mg_index *
mg_model_add_index(struct mg_model *m)
{
	ADD(m, indexes, nindexes, capindexes);
}

struct mg_fkey *
mg_model_add_fkey(struct mg_model *m)
{
	ADD(m, fkeys, nfkeys, capfkeys);
}

struct mg_index *
mg_model_add_op_index(struct mg_model *m, size_t opi, enum mg_index_kind kind,
                      enum mg_source source)
{
	struct mg_index *ix = mg_model_add_index(m);
	const struct mg_op *op = &m->ops[opi];

	ix->table = op->table;
	ix->schema = op->schema;
	ix->kind = kind;
	ix->unique = kind != MG_IX_INDEX;
	ix->dir = op->dir;
	ix->source = source;
	ix->autocommit = op->autocommit;
	ix->op = opi;
	ix->line = op->span.line;
	ix->col = op->span.col;
	return ix;
}

struct mg_fkey *
mg_model_add_op_fkey(struct mg_model *m, size_t opi, enum mg_source source)
{
	struct mg_fkey *fk = mg_model_add_fkey(m);
	const struct mg_op *op = &m->ops[opi];

	fk->table = op->table;
	fk->schema = op->schema;
	fk->dir = op->dir;
	fk->source = source;
	fk->op = opi;
	fk->line = op->span.line;
	fk->col = op->span.col;
	return fk;
}

struct mg_check *
mg_model_add_op_check(struct mg_model *m, size_t opi, enum mg_source source)
{
	struct mg_check *k;

	mg_grow(&m->checks, &m->capchecks, m->nchecks + 1, sizeof(*m->checks));
	k = &m->checks[m->nchecks++];
	memset(k, 0, sizeof(*k));
	k->table = m->ops[opi].table;
	k->schema = m->ops[opi].schema;
	k->dir = m->ops[opi].dir;
	k->source = source;
	k->op = opi;
	k->line = m->ops[opi].span.line;
	return k;
}

static void add_message(struct mg_model *m, struct mg_error **v, size_t *n, size_t *cap, int once,
                        uint32_t line, uint32_t col, const char *fmt, va_list ap)
    __attribute__((format(printf, 8, 0)));

static void
add_message(struct mg_model *m, struct mg_error **v, size_t *n, size_t *cap, int once,
            uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
	struct mg_buf b = {0};
	struct mg_error *e;
	size_t i;

	mg_buf_vprintf(&b, fmt, ap);
	/* A note in a loop the analyzer unrolls comes once per item: once is enough. */
	for (i = *n; once && i-- > 0 && *n - i <= 64;)
		if ((*v)[i].line == line && (*v)[i].col == col &&
		    strcmp((*v)[i].message, b.s ? b.s : "") == 0) {
			mg_buf_free(&b);
			return;
		}
	mg_grow(v, cap, *n + 1, sizeof(**v));
	e = &(*v)[(*n)++];
	e->line = line;
	e->col = col;
	e->message = mg_arena_strndup(&m->arena, b.s ? b.s : "", b.len);
	mg_buf_free(&b);
}

void
mg_model_add_error(struct mg_model *m, uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_message(m, &m->errors, &m->nerrors, &m->caperrors, 0, line, col, fmt, ap);
	va_end(ap);
}

void
mg_model_add_note(struct mg_model *m, uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_message(m, &m->notes, &m->nnotes, &m->capnotes, 1, line, col, fmt, ap);
	va_end(ap);
}

const struct mg_table *
mg_model_defined_table(const struct mg_model *m, const char *name)
{
	size_t i;

	for (i = m->ndefined; name != NULL && i-- > 0;)
		if (m->defined[i].name != NULL && strcmp(m->defined[i].name, name) == 0)
			return &m->defined[i];
	return NULL;
}

const struct mg_table *
mg_model_created_table(const struct mg_model *m, const char *name)
{
	size_t i, lo, hi;

	if (name == NULL)
		return NULL;
	if (m->lookup == NULL) {
		for (i = 0; i < m->ntables; i++)
			if (is_created(m, &m->tables[i]) && strcmp(m->tables[i].name, name) == 0)
				return &m->tables[i];
		return NULL;
	}
	/* The first entry with that name. */
	lo = 0;
	hi = m->lookup->ncreated;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(m->lookup->created[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->lookup->ncreated && strcmp(m->lookup->created[lo]->name, name) == 0)
		return m->lookup->created[lo];
	return NULL;
}

const struct mg_column *
mg_table_column(const struct mg_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncolumns; i++)
		if (t->columns[i].name != NULL && strcmp(t->columns[i].name, name) == 0)
			return &t->columns[i];
	return NULL;
}

size_t
mg_model_table_index(const struct mg_model *m, const char *table, size_t from)
{
	size_t lo = 0, hi, i;

	if (table == NULL)
		return m->nindexes;
	if (m->lookup == NULL) {
		for (i = from; i < m->nindexes; i++)
			if (m->indexes[i].dir == MG_UPGRADE && m->indexes[i].table != NULL &&
			    strcmp(m->indexes[i].table, table) == 0)
				return i;
		return m->nindexes;
	}
	/* The first entry at or after (table, from). */
	hi = m->lookup->nby_table;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct tpos *t = &m->lookup->by_table[mid];
		int r = strcmp(t->table, table);
		if (r < 0 || (r == 0 && t->i < from))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->lookup->nby_table && strcmp(m->lookup->by_table[lo].table, table) == 0)
		return m->lookup->by_table[lo].i;
	return m->nindexes;
}

size_t
mg_model_table_op(const struct mg_model *m, const char *table, size_t from)
{
	size_t lo = 0, hi, i;

	if (table == NULL)
		return m->nops;
	if (m->lookup == NULL) {
		for (i = from; i < m->nops; i++)
			if (is_table_op(&m->ops[i]) && strcmp(m->ops[i].table, table) == 0)
				return i;
		return m->nops;
	}
	/* The first entry at or after (table, from). */
	hi = m->lookup->ntable_ops;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct tpos *t = &m->lookup->table_ops[mid];
		int r = strcmp(t->table, table);
		if (r < 0 || (r == 0 && t->i < from))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->lookup->ntable_ops && strcmp(m->lookup->table_ops[lo].table, table) == 0)
		return m->lookup->table_ops[lo].i;
	return m->nops;
}

/* Whether an upgrade() index on table leads with column (full_only: one without a WHERE). */
static int
leading(const struct mg_model *m, const char *table, const char *column, int full_only)
{
	struct lkey key = {table, column, 0};
	size_t i, lo = 0, hi;

	if (m->lookup == NULL) {
		for (i = 0; i < m->nindexes; i++) {
			const struct mg_index *ix = &m->indexes[i];
			if (is_upgrade_leading(ix) && (!full_only || ix->where == NULL) &&
			    strcmp(ix->table, table) == 0 && strcmp(ix->columns[0], column) == 0)
				return 1;
		}
		return 0;
	}
	/* The first key equal to (table, column), then each one equal to it. */
	hi = m->lookup->nleading;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (keycmp(&m->lookup->leading[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < m->lookup->nleading && keycmp(&m->lookup->leading[i], &key) == 0; i++)
		if (!full_only || !m->lookup->leading[i].partial)
			return 1;
	return 0;
}

int
mg_model_has_index_leading(const struct mg_model *m, const char *table, const char *column)
{
	return leading(m, table, column, 0);
}

int
mg_model_has_full_index_leading(const struct mg_model *m, const char *table, const char *column)
{
	return leading(m, table, column, 1);
}

const char *
mg_op_kind_name(enum mg_op_kind k)
{
	static const char *const names[] = {
	    "other",
	    "create_table",
	    "drop_table",
	    "rename_table",
	    "create_index",
	    "drop_index",
	    "add_column",
	    "drop_column",
	    "alter_column",
	    "create_foreign_key",
	    "create_unique_constraint",
	    "create_check_constraint",
	    "drop_constraint",
	    "execute",
	    "bulk_insert",
	    "update",
	    "empty_table",
	    "rename_column",
	    "rename_index",
	    "rename_constraint",
	    "validate_constraint",
	    "create_enum",
	    "add_enum_value",
	    "drop_enum",
	    "create_sequence",
	    "drop_sequence",
	    "rename_sequence",
	    "rename_enum",
	    "rename_enum_value",
	};
	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "other";
}

int
mg_str_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
mg_strlist_same(const struct mg_strlist *a, const struct mg_strlist *b)
{
	size_t i;

	if (a->present != b->present || a->known != b->known || a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!mg_str_same(a->v[i], b->v[i]))
			return 0;
	return 1;
}

int
mg_revinfo_same(const struct mg_revinfo *a, const struct mg_revinfo *b)
{
	return mg_str_same(a->revision, b->revision) &&
	       mg_strlist_same(&a->down_revision, &b->down_revision) &&
	       mg_strlist_same(&a->branch_labels, &b->branch_labels) &&
	       mg_strlist_same(&a->depends_on, &b->depends_on) &&
	       mg_str_same(a->message, b->message);
}

const char *
mg_severity_name(enum mg_severity s)
{
	return s == MG_ERROR ? "error" : s == MG_WARNING ? "warning" : "note";
}

const char *
mg_source_name(enum mg_source s)
{
	return s == MG_SRC_SQL ? "sql" : s == MG_SRC_TABLE ? "table" : "op";
}
