/*
 * not-null-without-backfill: a column made NOT NULL on a table that already
 * has rows, with nothing filling it first.
 *  - add_column(nullable=False) without server_default fails on the first
 *    existing row ("column contains null values");
 *  - alter_column(nullable=False) with no backfill before it fails if any
 *    NULL is left, and scans the table under an ACCESS EXCLUSIVE lock.
 * The fix is the three-step pattern: add nullable, backfill in batches,
 * then NOT NULL through a validated CHECK. migen cannot know the value
 * existing rows should get, so the code asks for it.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* Whether an UPDATE sets column (an UPDATE whose SET list is unknown counts). */
static int
sets(const struct mg_op *p, const char *column)
{
	size_t i;

	if (p->nset == 0)
		return 1;
	for (i = 0; i < p->nset; i++)
		if (strcmp(p->set_columns[i], column) == 0)
			return 1;
	return 0;
}

static int
same_table(const struct mg_op *p, const char *table)
{
	return p->table == NULL || strcmp(p->table, table) == 0;
}

enum fill {
	FILL_NONE,      /* nothing fills the column */
	FILL_UNBATCHED, /* one whole-table UPDATE in the migration's transaction */
	FILL_OK,        /* a backfill: batched, partial, opaque or a bulk insert */
};

/*
 * What the rule asks of the ops before a NOT NULL, found once per file
 * rather than by a scan per finding (generated files hold thousands):
 * emptied tables and NOT NULL columns sorted by (table, column, position),
 * and the positions of the ops that may fill a column.
 */
struct tk {
	const char *table, *column;
	size_t i;
};

struct seen {
	struct tk *empties, *notnulls;
	size_t nempties, nnotnulls;
	size_t *fills;
	size_t nfills;
};

static int
tkcmp(const void *a, const void *b)
{
	const struct tk *x = a, *y = b;
	int r;

	if ((r = strcmp(x->table, y->table)) != 0 || (r = strcmp(x->column, y->column)) != 0)
		return r;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Whether v (sorted) has (table, column) at a position before upto. */
static int
first_before(const struct tk *v, size_t n, const char *table, const char *column, size_t upto)
{
	struct tk key = {table, column, 0};
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tkcmp(&v[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(v[lo].table, table) == 0 && strcmp(v[lo].column, column) == 0 &&
	       v[lo].i < upto;
}

static void
seen_build(const struct mg_model *m, struct seen *sn)
{
	size_t i;

	memset(sn, 0, sizeof(*sn));
	sn->empties = mg_xcalloc(m->nops + 1, sizeof(*sn->empties));
	sn->notnulls = mg_xcalloc(m->nops + 1, sizeof(*sn->notnulls));
	sn->fills = mg_xcalloc(m->nops + 1, sizeof(*sn->fills));
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *p = &m->ops[i];
		if (p->dir != MG_UPGRADE)
			continue;
		if (p->kind == MG_OP_EMPTY_TABLE && p->table != NULL)
			sn->empties[sn->nempties++] = (struct tk){p->table, "", i};
		if (p->nullable == MG_NO && p->table != NULL && p->column != NULL &&
		    (p->kind == MG_OP_ADD_COLUMN || p->kind == MG_OP_ALTER_COLUMN))
			sn->notnulls[sn->nnotnulls++] = (struct tk){p->table, p->column, i};
		if (p->kind == MG_OP_EXECUTE || p->kind == MG_OP_BULK_INSERT ||
		    p->kind == MG_OP_UPDATE)
			sn->fills[sn->nfills++] = i;
	}
	qsort(sn->empties, sn->nempties, sizeof(*sn->empties), tkcmp);
	qsort(sn->notnulls, sn->nnotnulls, sizeof(*sn->notnulls), tkcmp);
}

static void
seen_free(struct seen *sn)
{
	free(sn->empties);
	free(sn->notnulls);
	free(sn->fills);
}

/*
 * What fills column before op upto (upgrade only). A whole-table UPDATE
 * outside a loop and outside an autocommit block is the hazard, not its
 * cure: it locks every row until the migration commits.
 */
static enum fill
backfilled_before(const struct mg_model *m, const struct seen *sn, size_t upto, const char *table,
                  const char *column, size_t *unbatched)
{
	enum fill f = FILL_NONE;
	size_t i, r;

	/* A helper that runs SQL or ORM work, called before: it may well be the backfill. */
	for (i = 0; i < m->nhelper_calls; i++)
		if (m->helper_calls[i].dir == MG_UPGRADE &&
		    m->helper_calls[i].span.start < m->ops[upto].span.start)
			return FILL_OK;

	for (r = 0; r < sn->nfills && sn->fills[r] < upto; r++) {
		const struct mg_op *p = &m->ops[i = sn->fills[r]];
		if (p->kind == MG_OP_EXECUTE && p->sql == NULL && !p->sql_error &&
		    (i + 1 >= m->nops || m->ops[i + 1].parent != i))
			return FILL_OK; /* opaque: it may well be the backfill */
		if (p->kind == MG_OP_BULK_INSERT && same_table(p, table))
			return FILL_OK;
		if (p->kind == MG_OP_UPDATE && same_table(p, table) && sets(p, column)) {
			if (p->in_loop || p->autocommit || p->whole_table != MG_YES)
				return FILL_OK;
			f = FILL_UNBATCHED;
			*unbatched = i;
		}
	}
	return f;
}

/* DELETE FROM t (no WHERE) or TRUNCATE t before op upto: no rows to fill. */
static int
emptied_before(const struct seen *sn, size_t upto, const char *table)
{
	return first_before(sn->empties, sn->nempties, table, "", upto);
}

/* The column was already made NOT NULL earlier in upgrade(): this alter changes nothing. */
static int
not_null_before(const struct seen *sn, size_t upto, const char *table, const char *column)
{
	return first_before(sn->notnulls, sn->nnotnulls, table, column, upto);
}

/* An earlier migration left the column NOT NULL already: the alter changes nothing. */
static int
not_null_in_schema(const struct mg_options *o, const struct mg_op *op)
{
	const struct mg_stable *t = mg_rc_schema_table(o, op->schema, op->table);
	const struct mg_scolumn *c = t != NULL ? mg_stable_column(t, op->column) : NULL;

	return c != NULL && c->nullable == MG_NO;
}

/* The key a batched backfill walks, and where it was found. */
struct key {
	const char *const *cols;
	size_t n; /* 0: not known */
	const char *from;
};

static void
pk_of(const struct mg_table *t, struct mg_diags *d, struct key *k)
{
	const char **v = mg_arena_alloc(&d->arena, (t->ncolumns ? t->ncolumns : 1) * sizeof(*v));
	size_t i;

	k->n = 0;
	for (i = 0; i < t->ncolumns; i++)
		if (t->columns[i].primary_key == MG_YES && t->columns[i].name != NULL)
			v[k->n++] = t->columns[i].name;
	k->cols = v;
}

/*
 * --key, else the table's primary key from this file, else from the schema
 * replayed before this migration (lint), else from the project's history.
 */
static void
find_key(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d,
         const struct mg_op *op, struct key *k)
{
	const struct mg_table *t;
	const struct mg_stable *st;
	const struct mg_sindex *pk;
	size_t i;

	memset(k, 0, sizeof(*k));
	if (o->backfill_key != NULL) {
		k->cols = &o->backfill_key;
		k->n = 1;
		k->from = "--key";
		return;
	}
	if ((t = mg_model_defined_table(m, op->table)) != NULL) {
		pk_of(t, d, k);
		if (k->n > 0) {
			k->from = "this file";
			return;
		}
	}
	if ((st = mg_rc_schema_table(o, op->schema, op->table)) != NULL &&
	    (pk = mg_stable_pkey(st)) != NULL && pk->ncolumns > 0) {
		for (i = 0; i < pk->ncolumns && !pk->is_expr[i] && pk->columns[i] != NULL; i++)
			;
		if (i == pk->ncolumns) {
			k->cols = pk->columns;
			k->n = pk->ncolumns;
			k->from = "the schema the earlier migrations build";
			return;
		}
	}
	for (i = 0; o->history_keys != NULL && i < o->history_keys->n; i++) {
		const struct mg_table_key *h = &o->history_keys->v[i];
		if (strcmp(h->table, op->table) == 0 && (op->schema == NULL || h->schema == NULL ||
		                                         strcmp(op->schema, h->schema) == 0)) {
			k->cols = h->columns;
			k->n = h->ncolumns;
			k->from = "the migration that created the table";
			return;
		}
	}
	k->n = 0;
}

static const char *
key_list(struct mg_diags *d, const struct key *k)
{
	struct mg_buf b = {0};
	const char *s;
	size_t i;

	for (i = 0; i < k->n; i++)
		mg_buf_printf(&b, "%s%s", i ? ", " : "", k->cols[i]);
	s = mg_arena_strndup(&d->arena, b.s ? b.s : "", b.len);
	mg_buf_free(&b);
	return s;
}

static int
ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/*
 * The first argument of the call s[0..n): from after the first `(` to the
 * first comma outside brackets and quotes (or the closing `)`). 0 when it
 * cannot be cut that simply.
 */
static int
first_arg(const char *s, size_t n, size_t *from, size_t *len)
{
	const char *open = memchr(s, '(', n);
	size_t i, depth = 0;
	char q = 0;

	if (open == NULL)
		return 0;
	*from = (size_t)(open - s) + 1;
	for (i = *from; i < n; i++) {
		char c = s[i];
		if (q != 0) {
			if (c == '\\')
				i++;
			else if (c == q)
				q = 0;
		} else if (c == '\'' || c == '"') {
			q = c;
		} else if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if (c == ')' || c == ']' || c == '}') {
			if (depth == 0)
				break;
			depth--;
		} else if (c == ',' && depth == 0) {
			break;
		}
	}
	while (*from < i && (s[*from] == ' ' || s[*from] == '\n' || s[*from] == '\t'))
		(*from)++;
	*len = i - *from;
	while (*len > 0 && (s[*from + *len - 1] == ' ' || s[*from + *len - 1] == '\n' ||
	                    s[*from + *len - 1] == '\t'))
		(*len)--;
	return i<n && * len> 0;
}

/*
 * Step 1 for an add_column: the user's own call with the False of
 * nullable=False replaced by repl ("True", or "False, server_default=..."),
 * so its type, keys, defaults and comments stay as written. In a batch block the column goes to
 * op.add_column(): batch_op operations run only when the block ends, after the backfill. NULL when
 * that cannot be done by that one change.
 */
static const char *
nullable_call(struct mg_diags *d, const struct mg_model *m, const struct mg_op *op, char quote,
              const char *repl)
{
	const char *s, *r;
	size_t n, at, from = 0, len;
	int count;

	if (m->src == NULL || op->source != MG_SRC_OP || op->span.end > m->srclen ||
	    op->coldef == NULL || op->coldef->primary_key == MG_YES)
		return NULL;
	s = m->src + op->span.start;
	n = op->span.end - op->span.start;
	if (op->batch) {
		if (!first_arg(s, n, &from, &len))
			return NULL;
		s += from;
		n = len;
	}
	at = mg_rc_kwarg_at(s, n, "nullable", &count);
	if (count != 1 || at + 5 > n || memcmp(s + at, "False", 5) != 0 ||
	    (at + 5 < n && ident_char(s[at + 5])))
		return NULL;
	r = mg_arena_printf(&d->arena, "%.*s%s%.*s", (int)at, s, repl, (int)(n - at - 5),
	                    s + at + 5);
	if (op->batch) {
		struct mg_buf b = {0};
		mg_buf_puts(&b, "op.add_column(");
		mg_snippet_pystr(&b, op->table, quote);
		mg_buf_printf(&b, ", %s", r);
		if (op->schema != NULL) {
			mg_buf_puts(&b, ", schema=");
			mg_snippet_pystr(&b, op->schema, quote);
		}
		mg_buf_putc(&b, ')');
		r = mg_arena_strndup(&d->arena, b.s, b.len);
		mg_buf_free(&b);
	}
	return r;
}

/* add_column(sa.Column(..., autoincrement=True)) without primary_key=True: as
 * autogenerate writes it, and PostgreSQL gets no SERIAL from it. */
static int
autoincrement_only(const struct mg_model *m, const struct mg_op *op)
{
	size_t at;
	int count;

	if (m->src == NULL || op->source != MG_SRC_OP || op->span.end > m->srclen ||
	    op->coldef == NULL || op->coldef->primary_key == MG_YES)
		return 0;
	at = mg_rc_kwarg_at(m->src + op->span.start, op->span.end - op->span.start, "autoincrement",
	                    &count);
	return count == 1 && op->span.end - op->span.start >= at + 4 &&
	       memcmp(m->src + op->span.start + at, "True", 4) == 0;
}

/*
 * The one-statement form for a constant (PostgreSQL 11+): the user's call
 * with server_default= beside nullable=False; existing rows read the value
 * from the catalog, so nothing is rewritten or backfilled. The model has no
 * server default, so it is dropped again at once: the rows keep their value
 * (it is stored with the column), new rows must carry one. NULL when the
 * call cannot be changed that way.
 */
static const char *
server_default_form(struct mg_diags *d, const struct mg_model *m, const struct mg_op *op,
                    const struct mg_style *st, const char *value, struct mg_buf *b)
{
	struct mg_buf v = {0}, call = {0};
	const char *r;

	mg_buf_puts(&v, "False, server_default=");
	mg_snippet_server_default(&v, value, st->quote);
	/* A fix never chooses a type: a column without one gets no code here. */
	r = op->batch || op->coldef == NULL || op->coldef->type == NULL
	        ? NULL
	        : nullable_call(d, m, op, st->quote, v.s);
	mg_buf_free(&v);
	if (r == NULL)
		return NULL;
	mg_buf_printf(b,
	              "%s# Step 1 of 2: a constant for every existing row, PostgreSQL 11+: one\n"
	              "%s# statement, no table rewrite and no backfill (the rows read the\n"
	              "%s# default from the catalog), NOT NULL at once.\n",
	              st->indent, st->indent, st->indent);
	mg_buf_printf(b, "%s%s\n", st->indent, r);
	mg_buf_printf(b,
	              "%s# Step 2 of 2: the model has no server default: drop it again. The\n"
	              "%s# existing rows keep their value; new rows must carry one.\n",
	              st->indent, st->indent);
	mg_buf_printf(&call, "%sop.alter_column(", st->indent);
	mg_snippet_pystr(&call, op->table, st->quote);
	mg_buf_puts(&call, ", ");
	mg_snippet_pystr(&call, op->column, st->quote);
	mg_buf_puts(&call, ", server_default=None");
	if (op->schema != NULL) {
		mg_buf_puts(&call, ", schema=");
		mg_snippet_pystr(&call, op->schema, st->quote);
	}
	mg_buf_printf(b, "%s)\n", call.s);
	mg_buf_free(&call);
	return r;
}

/*
 * alter_column(nullable=False) with nothing filling the column here: the
 * "validate only" form (CHECK NOT VALID, VALIDATE, SET NOT NULL), which
 * fails as the original would if a NULL is left, without holding ACCESS
 * EXCLUSIVE through the scan. The batched backfill is one option away.
 */
static void
validate_only_form(struct mg_diags *d, const struct mg_model *m, const struct mg_options *o,
                   struct mg_diag *g, const struct mg_op *op, const struct mg_style *st,
                   struct mg_buf *b)
{
	struct mg_backfill_spec bf;

	(void)o;
	memset(&bf, 0, sizeof(bf));
	bf.table = op->table;
	bf.schema = op->schema;
	bf.column = op->column;
	mg_buf_printf(b,
	              "%s# If rows may still be NULL, fill them first: enhance --default VALUE\n"
	              "%s# (or --default-sql EXPR) prints a batched backfill before this.\n",
	              st->indent, st->indent);
	mg_snippet_set_not_null(b, &bf, st);
	g->code = mg_arena_strndup(&d->arena, b->s, b->len);
	g->where = mg_arena_printf(&d->arena, "upgrade(), instead of %s", mg_rc_describe(d, m, op));
	mg_rc_alter_replace(d, m, g, op);
}

static void
code(struct mg_diags *d, const struct mg_model *m, const struct mg_options *o, struct mg_diag *g,
     const struct mg_op *op, int add, const struct key *k, const struct mg_op *unbatched)
{
	struct mg_backfill_spec bf;
	struct mg_style st;
	struct mg_buf b = {0};
	const char *key = k->n == 1 ? k->cols[0] : "id";
	const char *names[3] = {op->table, op->column, key};
	const char *step1 = NULL, *why = NULL, *more;
	/* A walk needs one key column, and never the column being filled. */
	int loop = k->n <= 1 && strcmp(key, op->column) != 0;

	if (!mg_rc_safe(names, 3) || (op->schema && !mg_rc_safe(&op->schema, 1)))
		return;
	memset(&bf, 0, sizeof(bf));
	bf.table = op->table;
	bf.schema = op->schema;
	bf.column = op->column;
	bf.key = key;
	bf.value_python = o->backfill_python ? o->backfill_python : "backfill_value";
	bf.value_sql = o->backfill_sql;
	if (o->backfill_sql != NULL && o->backfill_python == NULL)
		bf.value_python = NULL;
	bf.batch_size = o->batch_size > 0 ? o->batch_size : 5000;
	bf.sleep = o->sleep != NULL ? o->sleep : "0.01";
	mg_rules_style(m, &st);
	/* A constant for a new column: one statement on PostgreSQL 11+, no backfill. */
	if (add && unbatched == NULL && o->backfill_python != NULL && o->backfill_sql == NULL &&
	    (step1 = server_default_form(d, m, op, &st, o->backfill_python, &b)) != NULL) {
		g->code = mg_arena_strndup(&d->arena, b.s, b.len);
		g->where = mg_arena_printf(&d->arena, "upgrade(), instead of %s",
		                           mg_rc_describe(d, m, op));
		if (op->in_loop)
			g->not_applied = "the statement is in a loop or nested function";
		else if (op->batch)
			g->not_applied =
			    "the statement is inside op.batch_alter_table(): move it out "
			    "of the block, then apply";
		else
			g->fix = MG_FIX_REPLACE;
		mg_buf_free(&b);
		return;
	}
	/* No value and no UPDATE: most often the column was filled by an earlier
	 * revision or by the application; NOT NULL alone, without the long lock. */
	if (!add && unbatched == NULL && o->backfill_python == NULL && o->backfill_sql == NULL) {
		validate_only_form(d, m, o, g, op, &st, &b);
		mg_buf_free(&b);
		return;
	}
	bf.steps = add ? 3 : 2;
	bf.step = 1;
	if (add) {
		step1 = nullable_call(d, m, op, st.quote, "True");
		if (step1 != NULL) {
			mg_buf_printf(&b,
			              "%s# Step 1 of 3: add the column as nullable: instant, no "
			              "table rewrite.\n",
			              st.indent);
			mg_buf_printf(&b, "%s%s\n", st.indent, step1);
		} else if (op->source == MG_SRC_SQL) {
			mg_buf_printf(
			    &b,
			    "%s# Step 1 of 3: the same ADD COLUMN without NOT NULL: instant, no "
			    "table rewrite.\n",
			    st.indent);
		} else {
			mg_buf_printf(&b,
			              "%s# Step 1 of 3: add %s as nullable (the same op.add_column "
			              "with nullable=True).\n",
			              st.indent, op->column);
		}
		bf.step++;
	}
	if (!loop) {
		/* No single column to walk: a loop would be wrong, so none is printed. */
		if (k->n > 1)
			mg_buf_printf(
			    &b,
			    "%s# Next step: the primary key of %s is (%s): a batched walk needs "
			    "one\n%s# unique, ordered column. Fill %s in batches on such a "
			    "column\n%s# (enhance --key COLUMN prints the loop).\n",
			    st.indent, op->table, key_list(d, k), st.indent, op->column, st.indent);
		else if (k->n == 1)
			mg_buf_printf(
			    &b,
			    "%s# Next step: the key of %s is %s, the column being filled: a "
			    "batched walk\n%s# needs another unique, ordered column "
			    "(enhance --key COLUMN).\n",
			    st.indent, op->table, key, st.indent);
		else
			mg_buf_printf(
			    &b,
			    "%s# Next step: migen did not find a key of %s to walk in batches "
			    "(%s is the\n%s# column being filled): give a unique, ordered "
			    "column with enhance --key COLUMN.\n",
			    st.indent, op->table, op->column, st.indent);
	} else {
		if (k->n == 0) {
			mg_buf_printf(
			    &b,
			    "%s# CHECK THE KEY: migen did not find the primary key of %s and "
			    "ASSUMES `%s`.\n",
			    st.indent, op->table, key);
			mg_buf_printf(
			    &b,
			    "%s# If %s has no unique, ordered `%s` column, replace every `%s` "
			    "below with\n%s# one (or run enhance with --key COLUMN).\n",
			    st.indent, op->table, key, key, st.indent);
		}
		if (o->backfill_python == NULL && o->backfill_sql == NULL) {
			mg_buf_printf(
			    &b,
			    "%s# The value existing rows get: migen cannot know it. Left as ... it "
			    "fails\n",
			    st.indent);
			mg_buf_printf(&b,
			              "%s# loudly until set (or run enhance with --default / "
			              "--default-sql).\n",
			              st.indent);
			mg_buf_printf(&b, "%sbackfill_value = ...\n", st.indent);
		}
		mg_snippet_backfill(&b, &bf, &st);
	}
	bf.step++;
	mg_snippet_set_not_null(&b, &bf, &st);
	g->code = mg_arena_strndup(&d->arena, b.s, b.len);
	if (unbatched != NULL)
		g->where =
		    mg_arena_printf(&d->arena, "upgrade(), instead of the UPDATE at line %u and %s",
		                    (unsigned)unbatched->span.line, mg_rc_describe(d, m, op));
	else
		g->where = mg_arena_printf(&d->arena, "upgrade(), instead of %s",
		                           mg_rc_describe(d, m, op));
	/* Applied only when every part is known, and only to an op.* call of its own. */
	if (unbatched != NULL)
		why = mg_arena_printf(&d->arena,
		                      "the UPDATE at line %u is the backfill: replace it with the "
		                      "batched form by hand",
		                      (unsigned)unbatched->span.line);
	else if (add && op->coldef != NULL && op->coldef->type == NULL)
		why = "the column has no type: give it one (a fix never chooses a type)";
	else if (add && step1 == NULL)
		why = "the column cannot become nullable by changing nullable=False alone: edit it "
		      "by hand";
	else if (!add && (more = mg_rc_alter_changes_more(m, op)) != NULL)
		why = mg_arena_printf(&d->arena, "op.alter_column also sets %s=: edit it by hand",
		                      more);
	else if (op->batch)
		why = "the statement is inside op.batch_alter_table(), whose operations run when "
		      "the block ends: move it out of the block, then apply";
	else if (k->n == 0 && !loop)
		why = mg_arena_printf(
		    &d->arena, "the primary key of %s is not known: give --key COLUMN", op->table);
	else if (k->n == 0)
		why = mg_arena_printf(&d->arena,
		                      "the primary key of %s is not known (the code assumes %s): "
		                      "check it, or give --key COLUMN",
		                      op->table, key);
	else if (!loop)
		why = k->n > 1
		          ? mg_arena_printf(&d->arena,
		                            "composite primary key (%s): no batched walk; give "
		                            "--key COLUMN",
		                            key_list(d, k))
		          : "the key is the column being filled: give --key COLUMN";
	else if (o->backfill_python == NULL && o->backfill_sql == NULL)
		why = "needs the value for existing rows: --default VALUE or --default-sql EXPR";
	else if (op->source != MG_SRC_OP)
		why = "the statement is SQL inside op.execute(): edit it by hand";
	else if (op->in_loop)
		why = "the statement is in a loop or nested function";
	if (why != NULL)
		g->not_applied = why;
	else
		g->fix = MG_FIX_REPLACE;
	mg_buf_free(&b);
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	struct seen sn;
	size_t i;

	seen_build(m, &sn);
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const struct mg_op *unbatched = NULL;
		struct mg_diag *g;
		struct key k;
		size_t at = 0;
		int add;

		if (op->dir != MG_UPGRADE || op->nullable != MG_NO || op->table == NULL ||
		    op->column == NULL || mg_rc_table_new(m, o, op->table) ||
		    emptied_before(&sn, i, op->table))
			continue;
		find_key(m, o, d, op, &k);
		if (op->kind == MG_OP_ADD_COLUMN) {
			/* A default, serial, identity or sequence fills the existing rows. */
			if (op->has_server_default != MG_NO ||
			    (op->coldef != NULL && op->coldef->generated))
				continue;
			add = 1;
		} else if (op->kind == MG_OP_ALTER_COLUMN) {
			enum fill f;
			/* Already NOT NULL: made so earlier, or the table's primary key. */
			if (not_null_before(&sn, i, op->table, op->column) ||
			    not_null_in_schema(o, op) ||
			    /* A validated CHECK (col IS NOT NULL) proved there is no NULL left. */
			    mg_rc_not_null_proven(m, o, i, op->schema, op->table, op->column) ||
			    (k.n == 1 && o->backfill_key == NULL &&
			     strcmp(k.cols[0], op->column) == 0))
				continue;
			f = backfilled_before(m, &sn, i, op->table, op->column, &at);
			if (f == FILL_OK)
				continue;
			if (f == FILL_UNBATCHED)
				unbatched = &m->ops[at];
			add = 0;
		} else {
			continue;
		}
		g = mg_diags_add(d, "not-null-without-backfill", add ? MG_ERROR : MG_WARNING);
		g->table = op->table;
		g->column = op->column;
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = i;
		if (add)
			g->message =
			    mg_arena_printf(&d->arena,
			                    "NOT NULL column %s.%s is added without a "
			                    "server_default: it fails on a "
			                    "table that has rows%s",
			                    op->table, op->column,
			                    autoincrement_only(m, op)
			                        ? " (autoincrement=True gives no default to a "
			                          "column that is not the primary key: "
			                          "sa.Identity() would number the rows)"
			                        : "");
		else if (unbatched != NULL)
			g->message = mg_arena_printf(
			    &d->arena,
			    "%s.%s is filled by one UPDATE of the whole table (line %u) in the "
			    "migration's transaction, then made NOT NULL: every row stays locked "
			    "until the migration commits, and SET NOT NULL still scans the table "
			    "under an ACCESS EXCLUSIVE lock; fill it in batches that each commit "
			    "(an autocommit block walking the key), then NOT NULL through a "
			    "validated CHECK",
			    op->table, op->column, (unsigned)unbatched->span.line);
		else
			g->message = mg_arena_printf(
			    &d->arena,
			    "%s.%s is made NOT NULL with no backfill earlier in this migration: it "
			    "fails if a NULL is left, and scans the table under an ACCESS "
			    "EXCLUSIVE lock",
			    op->table, op->column);
		code(d, m, o, g, op, add, &k, unbatched);
	}
	seen_free(&sn);
}

const struct mg_rule mg_rule_not_null_without_backfill = {
    "not-null-without-backfill",
    "a column becomes NOT NULL on an existing table without a backfill",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
