/*
 * Helpers shared by the rules (see common.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migen/ident.h"
#include "migen/sqlcheck.h"
#include "common.h"

int
mg_rc_safe(const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] == NULL || mg_ident_refusal(names[i]) != NULL)
			return 0;
	return 1;
}

const char *
mg_rc_index_name(struct mg_diags *d, const char *table, const char *const *parts, size_t n)
{
	const char **all = mg_xcalloc(n + 1, sizeof(*all));
	const char *r;
	char *name;
	int shortened;

	all[0] = table;
	memcpy(all + 1, parts, n * sizeof(*parts));
	name = mg_ident_index_name("ix", all, n + 1, &shortened);
	r = mg_arena_strdup(&d->arena, name);
	free(name);
	free(all);
	return r;
}

const char *
mg_rc_sql_name(struct mg_diags *d, const char *name)
{
	struct mg_buf b = {0};
	const char *r;

	mg_ident_sql(&b, name);
	r = mg_arena_strndup(&d->arena, b.s, b.len);
	mg_buf_free(&b);
	return r;
}

/* A name as mg_rc_sql_name() writes it: plain, or double-quoted around a safe name. */
static int
sql_name(const char *s)
{
	size_t n = strlen(s);
	char inner[MG_IDENT_MAX + 1];

	if (mg_ident_is_plain(s))
		return 1;
	if (n < 3 || n - 2 > MG_IDENT_MAX || s[0] != '"' || s[n - 1] != '"')
		return 0;
	memcpy(inner, s + 1, n - 2);
	inner[n - 2] = '\0';
	return mg_ident_refusal(inner) == NULL;
}

int
mg_rc_spec_safe(const struct mg_index_spec *ix)
{
	const char *why;
	size_t i;

	if (mg_ident_refusal(ix->name) != NULL || mg_ident_refusal(ix->table) != NULL ||
	    (ix->schema != NULL && mg_ident_refusal(ix->schema) != NULL) || ix->ncolumns == 0)
		return 0;
	if (ix->using_method != NULL && !mg_ident_is_plain(ix->using_method))
		return 0;
	/* Names migen quoted itself are safe; anything else asks the parser. */
	for (i = 0; i < ix->ncolumns; i++)
		if (ix->columns[i] == NULL || (!sql_name(ix->columns[i]) &&
		                               mg_sql_check_index_elem(ix->columns[i], &why) != 0))
			return 0;
	if (ix->options != NULL && mg_sql_text_refusal(ix->options) != NULL)
		return 0;
	return ix->where == NULL || mg_sql_check_predicate(ix->where, &why) == 0;
}

int
mg_rc_index_code(struct mg_diags *d, const struct mg_model *m, const struct mg_index_spec *ix,
                 int concurrently, struct mg_diag *g)
{
	struct mg_buf up = {0}, down = {0};
	struct mg_style st;

	if (!mg_rc_spec_safe(ix))
		return -1;
	mg_rules_style(m, &st);
	if (concurrently) {
		mg_snippet_index_concurrently(&up, ix, &st);
		mg_snippet_drop_index_concurrently(&down, ix, &st);
	} else {
		mg_snippet_index_op(&up, ix, &st);
		mg_snippet_drop_index_op(&down, ix, &st);
	}
	g->code = mg_arena_strndup(&d->arena, up.s, up.len);
	g->downgrade = mg_arena_strndup(&d->arena, down.s, down.len);
	mg_buf_free(&up);
	mg_buf_free(&down);
	return 0;
}

const char *
mg_rc_index_options(struct mg_diags *d, const struct mg_index *x, const char **why)
{
	struct mg_buf b = {0};
	const char *r = NULL;
	size_t i;

	*why = NULL;
	if (x->ninclude > 0) {
		mg_buf_puts(&b, "INCLUDE (");
		for (i = 0; i < x->ninclude; i++) {
			if (mg_ident_refusal(x->include[i]) != NULL) {
				*why = "a postgresql_include column is not a name migen writes";
				goto out;
			}
			if (i > 0)
				mg_buf_puts(&b, ", ");
			mg_ident_sql(&b, x->include[i]);
		}
		mg_buf_putc(&b, ')');
	}
	if (x->nulls_not_distinct)
		mg_buf_printf(&b, "%sNULLS NOT DISTINCT", b.len ? " " : "");
	if (x->with_sql != NULL)
		mg_buf_printf(&b, "%sWITH (%s)", b.len ? " " : "", x->with_sql);
	if (x->tablespace != NULL) {
		if (mg_ident_refusal(x->tablespace) != NULL) {
			*why = "the tablespace is not a name migen writes";
			goto out;
		}
		mg_buf_printf(&b, "%sTABLESPACE ", b.len ? " " : "");
		mg_ident_sql(&b, x->tablespace);
	}
	if (b.len > 0)
		r = mg_arena_strndup(&d->arena, b.s, b.len);
out:
	mg_buf_free(&b);
	return r;
}

/* The name a constraint call gives, when the model knows it. */
static const char *
constraint_name(const struct mg_model *m, const struct mg_op *op)
{
	size_t i, k = (size_t)(op - m->ops);

	if (op->object != NULL)
		return op->object;
	for (i = 0; i < m->nfkeys; i++)
		if (m->fkeys[i].op == k && m->fkeys[i].source == MG_SRC_OP)
			return m->fkeys[i].name;
	for (i = 0; i < m->nindexes; i++)
		if (m->indexes[i].op == k && m->indexes[i].source == MG_SRC_OP &&
		    m->indexes[i].kind != MG_IX_INDEX)
			return m->indexes[i].name;
	return NULL;
}

const char *
mg_rc_describe(struct mg_diags *d, const struct mg_model *m, const struct mg_op *op)
{
	/* An index is named by itself: several may share a table. */
	if (op->source == MG_SRC_OP && op->kind == MG_OP_CREATE_INDEX && op->index != (size_t)-1 &&
	    m->indexes[op->index].name != NULL)
		return mg_arena_printf(&d->arena, "op.create_index('%s', ...)",
		                       m->indexes[op->index].name);
	if (op->source == MG_SRC_SQL)
		return mg_arena_printf(&d->arena, "op.execute() (%s)", mg_op_kind_name(op->kind));
	/* A constraint call's first argument is the constraint's name, not the table. */
	if (op->kind == MG_OP_CREATE_FOREIGN_KEY || op->kind == MG_OP_CREATE_UNIQUE_CONSTRAINT ||
	    op->kind == MG_OP_CREATE_CHECK_CONSTRAINT || op->kind == MG_OP_DROP_CONSTRAINT ||
	    (op->name != NULL && strcmp(op->name, "create_primary_key") == 0)) {
		const char *name = constraint_name(m, op);

		if (op->batch)
			return mg_arena_printf(&d->arena, "batch_op.%s(%s%s%s, ...)", op->name,
			                       name ? "'" : "", name ? name : "...",
			                       name ? "'" : "");
		if (op->table != NULL)
			return mg_arena_printf(&d->arena, "op.%s(%s%s%s, '%s', ...)", op->name,
			                       name ? "'" : "", name ? name : "...",
			                       name ? "'" : "", op->table);
		return mg_arena_printf(&d->arena, "op.%s(...)", op->name);
	}
	if (op->batch && op->table != NULL)
		return mg_arena_printf(&d->arena, "batch_op.%s(...) in batch_alter_table('%s')",
		                       op->name, op->table);
	if (op->batch)
		return mg_arena_printf(&d->arena, "batch_op.%s(...)", op->name);
	if (op->table != NULL)
		return mg_arena_printf(&d->arena, "op.%s('%s', ...)", op->name, op->table);
	return mg_arena_printf(&d->arena, "op.%s(...)", op->name);
}

const char *
mg_rc_wrap_autocommit(struct mg_diags *d, const struct mg_model *m, const struct mg_op *op)
{
	struct mg_buf b = {0};
	struct mg_style st;
	const char *p, *end, *r;

	if (m->src == NULL || op->stmt.end > m->srclen || op->stmt.start >= op->stmt.end)
		return NULL;
	mg_rules_style(m, &st);
	p = m->src + op->stmt.start;
	end = m->src + op->stmt.end;
	mg_buf_printf(&b, "%swith op.get_context().autocommit_block():\n%s%s", st.indent, st.indent,
	              st.indent);
	/* Each following line of the statement gets one more level. */
	for (; p < end; p++) {
		if (*p == '\r')
			continue;
		mg_buf_putc(&b, *p);
		if (*p == '\n' && p + 1 < end)
			mg_buf_puts(&b, st.indent);
	}
	mg_buf_putc(&b, '\n');
	r = mg_arena_strndup(&d->arena, b.s, b.len);
	mg_buf_free(&b);
	return r;
}

const char *
mg_rc_shorten(struct mg_diags *d, const char *s, size_t max)
{
	struct mg_buf b = {0};
	const char *r;
	size_t n = 0;
	int space = 0;

	/* One line, runs of white space as one space, cut on a UTF-8 boundary. */
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			space = b.len > 0;
			continue;
		}
		if (n >= max && ((unsigned char)*s & 0xC0) != 0x80) {
			mg_buf_puts(&b, "...");
			break;
		}
		if (space) {
			mg_buf_add(&b, " ", 1);
			n++;
			space = 0;
		}
		mg_buf_add(&b, s, 1);
		n++;
	}
	r = mg_arena_strndup(&d->arena, b.s ? b.s : "", b.len);
	mg_buf_free(&b);
	return r;
}

const char *
mg_rc_index_label(struct mg_diags *d, const struct mg_index *x)
{
	if (x->name != NULL)
		return x->name;
	if (x->name_expr != NULL)
		return mg_arena_printf(&d->arena, "%s (name not a literal)",
		                       mg_rc_shorten(d, x->name_expr, 40));
	return "(unnamed)";
}

const struct mg_stable *
mg_rc_schema_table(const struct mg_options *o, const char *schema, const char *table)
{
	if (o->schema == NULL || table == NULL)
		return NULL;
	return mg_schema_table(o->schema, schema, table);
}

int
mg_rc_table_new(const struct mg_model *m, const struct mg_options *o, const char *table)
{
	size_t i;

	if (table == NULL)
		return 0;
	if (mg_model_created_table(m, table) != NULL)
		return 1;
	for (i = 0; i < o->nnew_tables; i++)
		if (o->new_tables[i] != NULL && strcmp(o->new_tables[i], table) == 0)
			return 1;
	return 0;
}

int
mg_rc_schema_index_leading(const struct mg_options *o, const char *schema, const char *table,
                           const char *column, int full_only)
{
	const struct mg_stable *t = mg_rc_schema_table(o, schema, table);

	return t != NULL && column != NULL && mg_stable_has_index_leading(t, column, full_only);
}

int
mg_rc_existing(const struct mg_model *m, const struct mg_options *o, const struct mg_op *op)
{
	return op->dir == MG_UPGRADE && op->table != NULL && !mg_rc_table_new(m, o, op->table);
}

int
mg_rc_column_added(const struct mg_model *m, const char *table, const char *column, size_t before)
{
	size_t i;

	if (table == NULL || column == NULL)
		return 0;
	for (i = 0; i < before && i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		if (op->kind == MG_OP_ADD_COLUMN && op->dir == MG_UPGRADE && op->table != NULL &&
		    op->column != NULL && strcmp(op->table, table) == 0 &&
		    strcmp(op->column, column) == 0)
			return 1;
	}
	return 0;
}

struct mg_diag *
mg_rc_op_diag(struct mg_diags *d, const char *rule, enum mg_severity sev, const struct mg_model *m,
              size_t i)
{
	const struct mg_op *op = &m->ops[i];
	struct mg_diag *g = mg_diags_add(d, rule, sev);

	g->table = op->table;
	g->line = op->span.line;
	g->col = op->span.col;
	g->op = i;
	return g;
}

struct mg_diag *
mg_rc_stmt_diag(struct mg_diags *d, const char *rule, enum mg_severity sev,
                const struct mg_model *m, size_t i)
{
	struct mg_diag *g = mg_rc_op_diag(d, rule, sev, m, i);

	g->op = m->ops[i].parent;
	return g;
}

/*
 * The byte column of the first non-blank character of line (1-based), or 1,
 * counting lines from byte *at, which is on line *at_line: the column's
 * create_table, then the start of the line of its column before, where
 * the cursor is left (scanning from the file's start made big files
 * quadratic, from the create_table's start big tables). from and
 * from_line, the create_table's, start over a line before the cursor.
 */
static uint32_t
line_col(const struct mg_model *m, uint32_t from, uint32_t from_line, uint32_t *at,
         uint32_t *at_line, uint32_t line)
{
	const char *p, *end = m->src + m->srclen;
	uint32_t c = 1;

	if (*at_line > line) {
		*at = from;
		*at_line = from_line;
	}
	if (m->src == NULL || *at > m->srclen || *at_line > line)
		return 1;
	p = m->src + *at;
	for (; p < end && *at_line < line; p++)
		if (*p == '\n')
			(*at_line)++;
	*at = (uint32_t)(p - m->src);
	for (; p < end && (*p == ' ' || *p == '\t'); p++)
		c++;
	return c;
}

static const char *
tcol_type(const struct mg_model *m, struct mg_diags *d, const char *pg, const char *expr)
{
	if (pg != NULL)
		return pg;
	return expr != NULL ? mg_type_pg(&d->arena, expr, m, NULL, NULL) : NULL;
}

size_t
mg_rc_typed_columns(const struct mg_model *m, struct mg_diags *d, const struct mg_rc_tcol **out)
{
	struct mg_rc_tcol *v;
	size_t i, k, n = 0, cap = 0;

	/* Seven type rules ask for the same list: mapping every type is not cheap. */
	if (d->memo_model == m) {
		*out = d->memo_typed;
		return d->memo_ntyped;
	}
	/* At most one entry per op, or per column of the table a create_table makes. */
	for (i = 0; i < m->nops; i++)
		cap += m->ops[i].kind == MG_OP_CREATE_TABLE && m->ops[i].table_index < m->ntables
		           ? m->tables[m->ops[i].table_index].ncolumns
		           : 1;
	v = mg_arena_alloc(&d->arena, (cap + 1) * sizeof(*v));
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];

		if (op->dir != MG_UPGRADE || op->table == NULL)
			continue;
		if (op->kind == MG_OP_CREATE_TABLE && op->table_index < m->ntables) {
			const struct mg_table *t = &m->tables[op->table_index];
			uint32_t at = op->span.start, at_line = op->span.line;
			for (k = 0; k < t->ncolumns; k++) {
				const struct mg_column *c = &t->columns[k];
				if (c->name == NULL)
					continue;
				v[n].table = op->table;
				v[n].schema = op->schema;
				v[n].name = c->name;
				v[n].def = c;
				v[n].pg = tcol_type(m, d, c->pg_type,
				                    c->type_expr != NULL ? c->type_expr : c->type);
				v[n].op = i;
				v[n].line = c->line != 0 ? c->line : op->span.line;
				v[n].col = c->line != 0 && c->line != op->span.line
				               ? line_col(m, op->span.start, op->span.line, &at,
				                          &at_line, c->line)
				               : op->span.col;
				n++;
			}
		} else if (op->kind == MG_OP_ADD_COLUMN && op->coldef != NULL &&
		           op->column != NULL) {
			const struct mg_column *c = op->coldef;
			v[n].table = op->table;
			v[n].schema = op->schema;
			v[n].name = op->column;
			v[n].def = c;
			v[n].pg = tcol_type(m, d, c->pg_type,
			                    c->type_expr != NULL ? c->type_expr : c->type);
			v[n].op = i;
			v[n].line = op->span.line;
			v[n].col = op->span.col;
			n++;
		} else if (op->kind == MG_OP_ALTER_COLUMN && op->column != NULL &&
		           (op->pg_type != NULL || op->type_expr != NULL)) {
			v[n].table = op->table;
			v[n].schema = op->schema;
			v[n].name = op->new_name != NULL ? op->new_name : op->column;
			v[n].def = NULL;
			v[n].pg = tcol_type(m, d, op->pg_type, op->type_expr);
			v[n].op = i;
			v[n].line = op->span.line;
			v[n].col = op->span.col;
			n++;
		}
	}
	d->memo_model = m;
	d->memo_typed = v;
	d->memo_ntyped = n;
	*out = v;
	return n;
}

struct mg_diag *
mg_rc_col_diag(struct mg_diags *d, const char *rule, enum mg_severity sev,
               const struct mg_rc_tcol *c)
{
	struct mg_diag *g = mg_diags_add(d, rule, sev);

	g->table = c->table;
	g->column = c->name;
	g->line = c->line;
	g->col = c->col;
	g->op = c->op;
	return g;
}

int
mg_rc_single_pk(const struct mg_model *m, const struct mg_rc_tcol *c)
{
	const struct mg_op *op = &m->ops[c->op];
	const struct mg_table *t;
	size_t i, n = 0;
	int named = 0;

	if (c->def == NULL || op->kind != MG_OP_CREATE_TABLE || op->table_index >= m->ntables)
		return 0;
	t = &m->tables[op->table_index];
	for (i = 0; i < t->ncolumns; i++)
		if (t->columns[i].primary_key == MG_YES) {
			n++;
			named |=
			    t->columns[i].name != NULL && strcmp(t->columns[i].name, c->name) == 0;
		}
	return n == 1 && named;
}

int
mg_rc_serial(const struct mg_model *m, const struct mg_rc_tcol *c)
{
	const struct mg_column *d = c->def;

	if (d == NULL || d->identity || d->computed || c->pg == NULL ||
	    (strcmp(c->pg, "integer") != 0 && strcmp(c->pg, "bigint") != 0 &&
	     strcmp(c->pg, "smallint") != 0))
		return 0;
	/* SQL: the serial types. SQLAlchemy: only a single-column integer key. */
	if (m->ops[c->op].source == MG_SRC_SQL)
		return d->generated;
	return d->autoincrement != MG_NO && d->has_server_default != MG_YES && !d->has_sequence &&
	       mg_rc_single_pk(m, c);
}

int
mg_rc_pg_version(const struct mg_options *o)
{
	return o != NULL && o->pg_version > 0 ? o->pg_version : MG_PG_VERSION_DEFAULT;
}

const char *
mg_rc_lock_name(enum mg_rc_lock l)
{
	static const char *const names[] = {
	    "no lock",
	    "ACCESS SHARE",
	    "ROW SHARE",
	    "ROW EXCLUSIVE",
	    "SHARE UPDATE EXCLUSIVE",
	    "SHARE",
	    "SHARE ROW EXCLUSIVE",
	    "EXCLUSIVE",
	    "ACCESS EXCLUSIVE",
	};
	return (unsigned)l < sizeof(names) / sizeof(names[0]) ? names[l] : "?";
}

enum mg_rc_lock
mg_rc_op_lock(const struct mg_op *op)
{
	switch (op->kind) {
	case MG_OP_ADD_COLUMN:
	case MG_OP_DROP_COLUMN:
	case MG_OP_ALTER_COLUMN:
	case MG_OP_RENAME_TABLE:
	case MG_OP_RENAME_COLUMN:
	case MG_OP_DROP_TABLE:
	case MG_OP_CREATE_UNIQUE_CONSTRAINT:
	case MG_OP_CREATE_CHECK_CONSTRAINT:
	case MG_OP_DROP_CONSTRAINT:
		return MG_LOCK_ACCESS_EXCLUSIVE;
	case MG_OP_CREATE_FOREIGN_KEY:
		return MG_LOCK_SHARE_ROW_EXCLUSIVE;
	case MG_OP_DROP_INDEX:
		return op->concurrently ? MG_LOCK_SHARE_UPDATE_EXCLUSIVE : MG_LOCK_ACCESS_EXCLUSIVE;
	case MG_OP_CREATE_INDEX:
		return op->concurrently ? MG_LOCK_SHARE_UPDATE_EXCLUSIVE : MG_LOCK_SHARE;
	case MG_OP_VALIDATE_CONSTRAINT:
		return MG_LOCK_SHARE_UPDATE_EXCLUSIVE;
	case MG_OP_OTHER:
		/* ADD CONSTRAINT ... EXCLUDE (SQL, op.create_exclude_constraint). */
		if (op->object_type != NULL && strcmp(op->object_type, "exclude") == 0)
			return MG_LOCK_ACCESS_EXCLUSIVE;
		if (op->source != MG_SRC_SQL || op->name == NULL)
			return MG_LOCK_NONE;
		if (strcmp(op->name, "detach_partition") == 0)
			return op->concurrently ? MG_LOCK_SHARE_UPDATE_EXCLUSIVE
			                        : MG_LOCK_ACCESS_EXCLUSIVE;
		if (strcmp(op->name, "vacuum_full") == 0 || strcmp(op->name, "cluster") == 0)
			return MG_LOCK_ACCESS_EXCLUSIVE;
		if (strcmp(op->name, "refresh_matview") == 0)
			return op->concurrently ? MG_LOCK_EXCLUSIVE : MG_LOCK_ACCESS_EXCLUSIVE;
		if (strcmp(op->name, "reindex") == 0)
			return op->concurrently ? MG_LOCK_SHARE_UPDATE_EXCLUSIVE : MG_LOCK_SHARE;
		if (strcmp(op->name, "vacuum") == 0 || strcmp(op->name, "analyze") == 0)
			return MG_LOCK_SHARE_UPDATE_EXCLUSIVE;
		if (strcmp(op->name, "lock") == 0 && op->object_type != NULL) {
			int mode = atoi(op->object_type);
			return mode >= 1 && mode <= 8 ? (enum mg_rc_lock)mode
			                              : MG_LOCK_ACCESS_EXCLUSIVE;
		}
		return MG_LOCK_NONE;
	default:
		return MG_LOCK_NONE;
	}
}

const char *
mg_rc_describe_stmt(struct mg_diags *d, const struct mg_model *m, const struct mg_op *op)
{
	char *s, *p;

	if (op->kind != MG_OP_OTHER || op->source != MG_SRC_SQL || op->name == NULL)
		return mg_rc_describe(d, m, op);
	s = mg_arena_printf(&d->arena, "%s in op.execute()", op->name);
	/* "vacuum_full" -> "VACUUM FULL", up to the " in". */
	for (p = s; *p != '\0' && strncmp(p, " in op.", 7) != 0; p++)
		*p = *p == '_' ? ' ' : (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	return s;
}

const char *
mg_rc_function(const struct mg_model *m, const struct mg_op *op)
{
	(void)m;
	if (op->function != NULL)
		return op->function;
	return op->dir == MG_UPGRADE ? "upgrade" : "downgrade";
}

/* Whether the function holding op creates table before op or drops it after op. */
static int
created_or_dropped_around(const struct mg_model *m, size_t at, const char *table)
{
	const struct mg_op *op = &m->ops[at];
	size_t i;

	/* Only the create/drop-table ops on table: this runs for many ops of big files. */
	for (i = mg_model_table_op(m, table, 0); i < m->nops;
	     i = mg_model_table_op(m, table, i + 1)) {
		const struct mg_op *x = &m->ops[i];
		if (((x->kind == MG_OP_CREATE_TABLE && i < at) ||
		     (x->kind == MG_OP_DROP_TABLE && i > at)) &&
		    x->dir == op->dir && mg_str_same(x->function, op->function))
			return 1;
	}
	return 0;
}

int
mg_rc_table_existing(const struct mg_model *m, const struct mg_options *o, size_t op,
                     const char *schema, const char *table)
{
	if (table == NULL || op >= m->nops)
		return 0;
	if (mg_rc_table_new(m, o, table) || created_or_dropped_around(m, op, table))
		return 0;
	if (o->schema != NULL && mg_rc_schema_table(o, schema, table) == NULL)
		return 0;
	return 1;
}

const char *
mg_rc_execute_code(struct mg_diags *d, const struct mg_model *m, const char *prefix,
                   const char *sql, int autocommit)
{
	struct mg_buf b = {0};
	struct mg_style st;
	const char *r;

	mg_rules_style(m, &st);
	if (prefix != NULL)
		mg_buf_puts(&b, prefix);
	if (autocommit)
		mg_buf_printf(&b, "%swith op.get_context().autocommit_block():\n%s", st.indent,
		              st.indent);
	mg_buf_printf(&b, "%sop.execute(", st.indent);
	mg_snippet_pystr(&b, sql, st.quote);
	mg_buf_puts(&b, ")\n");
	r = mg_arena_strndup(&d->arena, b.s, b.len);
	mg_buf_free(&b);
	return r;
}

const char *
mg_rc_validate_code(struct mg_diags *d, const struct mg_model *m, const char *schema,
                    const char *table, const char *name)
{
	struct mg_buf sql = {0};
	const char *r;

	if (name == NULL || table == NULL || mg_ident_refusal(name) != NULL ||
	    mg_ident_refusal(table) != NULL || (schema != NULL && mg_ident_refusal(schema) != NULL))
		return NULL;
	mg_buf_puts(&sql, "ALTER TABLE ");
	mg_ident_sql_qualified(&sql, schema, table);
	mg_buf_puts(&sql, " VALIDATE CONSTRAINT ");
	mg_ident_sql(&sql, name);
	r = mg_rc_execute_code(d, m, NULL, sql.s, 1);
	mg_buf_free(&sql);
	return r;
}

const char *
mg_rc_call_not_valid(struct mg_diags *d, const struct mg_model *m, const struct mg_op *op)
{
	const char *call, *close, *p;
	struct mg_buf b = {0};
	struct mg_style st;
	const char *r;

	if (m->src == NULL || op->span.end > m->srclen || op->span.start >= op->span.end ||
	    op->stmt.start > op->span.start || op->stmt.end < op->span.end)
		return NULL;
	call = m->src + op->span.start;
	close = m->src + op->span.end - 1;
	if (*close != ')' || memchr(call, '#', (size_t)(close - call)) != NULL)
		return NULL;
	/* A trailing comma after the last argument takes no second one. */
	for (p = close;
	     p > call && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n' || p[-1] == '\r'); p--)
		;
	mg_rules_style(m, &st);
	mg_buf_puts(&b, st.indent);
	/* The statement from its first line's start: the call keeps its own indentation. */
	for (call = m->src + op->stmt.start; call < p; call++)
		if (*call != '\r')
			mg_buf_putc(&b, *call);
	if (b.len > 0 && b.s[b.len - 1] == ',')
		mg_buf_puts(&b, " postgresql_not_valid=True");
	else if (p > m->src + op->span.start && p[-1] == '(')
		mg_buf_puts(&b, "postgresql_not_valid=True");
	else
		mg_buf_puts(&b, ", postgresql_not_valid=True");
	for (call = p; call < m->src + op->stmt.end; call++)
		if (*call != '\r')
			mg_buf_putc(&b, *call);
	mg_buf_putc(&b, '\n');
	r = mg_arena_strndup(&d->arena, b.s, b.len);
	mg_buf_free(&b);
	return r;
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Skips spaces and balanced leading '(' of s; the count of '(' in *open. */
static const char *
skip_open(const char *s, int *open)
{
	*open = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (*s != '(')
			return s;
		(*open)++;
		s++;
	}
}

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* Whether s starts with the keyword kw (any case), not followed by a name character. */
static const char *
keyword(const char *s, const char *kw)
{
	size_t n = strlen(kw);

	if (strncasecmp(s, kw, n) != 0 || isalnum((unsigned char)s[n]) || s[n] == '_')
		return NULL;
	return s + n;
}

int
mg_rc_is_not_null_expr(const char *expr, const char *column)
{
	const char *s, *end;
	size_t n;
	int open, close = 0;

	if (expr == NULL || column == NULL)
		return 0;
	s = skip_open(expr, &open);
	if (*s == '"') {
		/* A quoted name is the column's name exactly ("" is one quote). */
		const char *c = column;

		for (s++; *s != '\0'; s++, c++) {
			if (*s == '"' && s[1] != '"')
				break;
			if (*s == '"')
				s++;
			if (*c != *s)
				return 0;
		}
		if (*s != '"' || *c != '\0')
			return 0;
		s++;
	} else {
		/* Unquoted, PostgreSQL folds it to lower case. */
		for (end = s; isalnum((unsigned char)*end) || *end == '_'; end++)
			;
		n = (size_t)(end - s);
		if (n == 0 || n != strlen(column))
			return 0;
		for (size_t i = 0; i < n; i++)
			if (column[i] != tolower((unsigned char)s[i]))
				return 0;
		s = end;
	}
	s = skip_space(s);
	if ((s = keyword(s, "IS")) == NULL || (s = keyword(skip_space(s), "NOT")) == NULL ||
	    (s = keyword(skip_space(s), "NULL")) == NULL)
		return 0;
	for (s = skip_space(s); *s == ')'; s = skip_space(s + 1))
		close++;
	return *s == '\0' && close == open;
}

int
mg_rc_not_null_proven(const struct mg_model *m, const struct mg_options *o, size_t upto,
                      const char *schema, const char *table, const char *column)
{
	const struct mg_stable *t = mg_rc_schema_table(o, schema, table);
	size_t i, j;

	for (i = 0; t != NULL && i < t->nchecks; i++)
		if (t->checks[i].validated && mg_rc_is_not_null_expr(t->checks[i].expr, column))
			return 1;
	for (i = 0; i < m->nchecks; i++) {
		const struct mg_check *c = &m->checks[i];

		if (c->dir != MG_UPGRADE || c->op >= upto || c->table == NULL ||
		    strcmp(c->table, table) != 0 || !mg_rc_is_not_null_expr(c->expr, column))
			continue;
		if (!c->not_valid)
			return 1;
		/* Added NOT VALID: proven once VALIDATE CONSTRAINT ran before upto. */
		for (j = c->op + 1; c->name != NULL && j < upto; j++)
			if (m->ops[j].kind == MG_OP_VALIDATE_CONSTRAINT &&
			    m->ops[j].object != NULL && strcmp(m->ops[j].object, c->name) == 0)
				return 1;
	}
	return 0;
}

/*
 * Where word=... is in s[0..n) as a keyword argument; the offset after the
 * `=` and its spaces, or (size_t)-1. Counts the matches in *count.
 */
size_t
mg_rc_kwarg_at(const char *s, size_t n, const char *word, int *count)
{
	size_t wl = strlen(word), i, at = (size_t)-1;

	*count = 0;
	for (i = 0; i + wl <= n; i++) {
		size_t j = i + wl;
		if (memcmp(s + i, word, wl) != 0 || (i > 0 && name_char(s[i - 1])))
			continue;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j >= n || s[j] != '=' || (j + 1 < n && s[j + 1] == '='))
			continue;
		j++;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		(*count)++;
		at = j;
	}
	return at;
}

/* What else an alter_column changes besides nullable: replacing it would lose that. */
const char *
mg_rc_alter_changes_more(const struct mg_model *m, const struct mg_op *op)
{
	static const char *const kw[] = {"type_",   "server_default", "new_column_name",
	                                 "comment", "autoincrement",  NULL};
	size_t i;
	int count;

	if (m->src == NULL || op->source != MG_SRC_OP || op->span.end > m->srclen)
		return NULL;
	for (i = 0; kw[i] != NULL; i++) {
		mg_rc_kwarg_at(m->src + op->span.start, op->span.end - op->span.start, kw[i],
		               &count);
		if (count > 0)
			return kw[i];
	}
	return NULL;
}

void
mg_rc_alter_replace(struct mg_diags *d, const struct mg_model *m, struct mg_diag *g,
                    const struct mg_op *op)
{
	const char *more;

	if ((more = mg_rc_alter_changes_more(m, op)) != NULL)
		g->not_applied = mg_arena_printf(
		    &d->arena, "op.alter_column also sets %s=: edit it by hand", more);
	else if (op->batch)
		g->not_applied = "the statement is inside op.batch_alter_table(), whose operations "
		                 "run when the block ends: move it out of the block, then apply";
	else if (op->source != MG_SRC_OP)
		g->not_applied = "the statement is SQL inside op.execute(): edit it by hand";
	else if (op->in_loop)
		g->not_applied = "the statement is in a loop or nested function";
	else
		g->fix = MG_FIX_REPLACE;
}

void
mg_rc_not_valid_code(struct mg_diags *d, const struct mg_model *m, struct mg_diag *g,
                     const struct mg_op *op, const char *fn, const char *validate)
{
	const char *call = mg_rc_call_not_valid(d, m, op);

	if (call == NULL) {
		g->code = validate;
		g->not_applied = "postgresql_not_valid=True is added by hand first";
		g->where = mg_arena_printf(
		    &d->arena, "%s(), after %s with postgresql_not_valid=True added to it", fn,
		    mg_rc_describe(d, m, op));
		return;
	}
	g->code = mg_arena_printf(&d->arena, "%s%s", call, validate);
	g->where = mg_arena_printf(&d->arena, "%s(), instead of %s", fn, mg_rc_describe(d, m, op));
	if (op->in_loop)
		g->not_applied = "the statement is in a loop or nested function";
	else if (op->autocommit)
		g->not_applied = "the statement is inside an autocommit block";
	g->fix = g->not_applied == NULL ? MG_FIX_REPLACE : MG_FIX_NONE;
}

int
mg_rc_sql_alone(const struct mg_model *m, size_t parent, size_t self)
{
	size_t i;

	/* A statement of an op.execute() comes after it in the ops. */
	for (i = parent + 1; i < m->nops; i++)
		if (i != self && m->ops[i].parent == parent)
			return 0;
	return m->ops[parent].sql != NULL;
}

const char *
mg_rc_walk_key(const struct mg_model *m, const struct mg_options *o, const struct mg_op *op)
{
	const struct mg_table *t;
	const struct mg_stable *st;
	const struct mg_sindex *pk;
	const char *key = NULL;
	size_t i, n = 0;

	if (o->backfill_key != NULL)
		return o->backfill_key;
	if ((t = mg_model_defined_table(m, op->table)) != NULL) {
		for (i = 0; i < t->ncolumns; i++)
			if (t->columns[i].primary_key == MG_YES && t->columns[i].name != NULL)
				key = t->columns[i].name, n++;
		if (n == 1)
			return key;
		if (n > 1)
			return NULL;
	}
	if ((st = mg_rc_schema_table(o, op->schema, op->table)) != NULL &&
	    (pk = mg_stable_pkey(st)) != NULL)
		return pk->ncolumns == 1 && !pk->is_expr[0] ? pk->columns[0] : NULL;
	for (i = 0; o->history_keys != NULL && i < o->history_keys->n; i++) {
		const struct mg_table_key *h = &o->history_keys->v[i];
		if (strcmp(h->table, op->table) == 0 &&
		    (op->schema == NULL || h->schema == NULL || strcmp(op->schema, h->schema) == 0))
			return h->ncolumns == 1 ? h->columns[0] : NULL;
	}
	return NULL;
}
