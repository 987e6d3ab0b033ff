/*
 * volatile-default-rewrites: a column added to a table that already holds
 * rows, whose value PostgreSQL must compute row by row: a volatile
 * server_default (gen_random_uuid(), clock_timestamp(), random(),
 * uuid_generate_v4(), nextval()), a serial or identity column, a stored
 * generated column. ADD COLUMN then rewrites the whole table under an
 * ACCESS EXCLUSIVE lock: no read or write of it until the rewrite is done.
 *
 * From PostgreSQL 11 a constant or a non-volatile default (now(), 'draft',
 * CURRENT_TIMESTAMP) is stored once in the catalog: never reported. Before
 * 11 (--pg-version 10) every non-NULL default rewrites.
 *
 * Volatility comes from PostgreSQL's own catalog: pg_volatility.h is
 * generated from pg_proc (scripts/gen_pg_volatility.sh) and checked against
 * the server by tests/integration/pg_volatility.sh. A function the catalog
 * does not have (the project's own) or whose overloads differ is not
 * guessed: no finding.
 *
 * The fix for a volatile default: add the column without it (instant), set
 * the default for new rows (no rewrite), fill the existing rows in batches
 * that each commit, then NOT NULL through a validated CHECK when the column
 * was NOT NULL.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/ident.h"
#include "migen/sqlcheck.h"
#include "common.h"
#include "pg_volatility.h"

#define RULE "volatile-default-rewrites"

static int
cmp_name(const void *key, const void *e)
{
	return strcmp(key, ((const struct mg_pg_volatility *)e)->name);
}

/* 'i', 's', 'v', 'm' (overloads differ), or 0: not a function PostgreSQL has. */
static char
volatility(const char *name)
{
	const struct mg_pg_volatility *v =
	    bsearch(name, mg_pg_volatility, sizeof(mg_pg_volatility) / sizeof(mg_pg_volatility[0]),
	            sizeof(mg_pg_volatility[0]), cmp_name);
	return v != NULL ? v->volatility : 0;
}

struct scan {
	struct mg_arena *arena;
	const char *volatile_fn; /* the first volatile function called (arena copy) */
	int unknown;             /* a function migen cannot classify */
};

static void
on_call(void *ctx, const char *schema, const char *name)
{
	struct scan *s = ctx;
	char v;

	/* A function of another schema may be anything: the project's own. */
	if (schema != NULL && strcmp(schema, "pg_catalog") != 0 && strcmp(schema, "public") != 0) {
		s->unknown = 1;
		return;
	}
	v = volatility(name);
	if (v == 'v') {
		if (s->volatile_fn == NULL)
			s->volatile_fn = mg_arena_strdup(s->arena, name);
	} else if (v != 'i' && v != 's') {
		s->unknown = 1;
	}
}

/* What makes PostgreSQL compute the column per row, or NULL. */
static const char *
rewrite_reason(struct mg_diags *d, const struct mg_op *op, const char *dflt, int pg)
{
	const struct mg_column *c = op->coldef;
	struct scan s = {&d->arena, NULL, 0};

	if (c->computed)
		return "as a stored generated column, computed for every existing row";
	if (c->identity)
		return "as an identity column, numbered for every existing row";
	if (c->generated)
		return "as a serial column (default nextval()), numbered for every existing row";
	if (dflt == NULL || mg_sql_is_null(dflt))
		return NULL;
	if (pg < 11)
		return mg_arena_printf(
		    &d->arena,
		    "with a default (%s), written into every existing row before PostgreSQL 11",
		    mg_rc_shorten(d, dflt, 60));
	if (mg_sql_expr_calls(dflt, on_call, &s) != 0 || s.volatile_fn == NULL)
		return NULL; /* constant, stable or immutable, or not known: no claim */
	return mg_arena_printf(&d->arena,
	                       "with a default that calls %s() (VOLATILE in PostgreSQL's catalog), "
	                       "computed for every existing row",
	                       s.volatile_fn);
}

/* Add without the default, set it for new rows, fill in batches, NOT NULL. */
static void
fix(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d, struct mg_diag *g,
    const struct mg_op *op, const char *dflt, const char *key)
{
	const struct mg_column *c = op->coldef;
	struct mg_backfill_spec bf;
	struct mg_style st;
	struct mg_buf b = {0};
	const char *r;

	if (c->computed || c->identity || c->generated) {
		g->note = "no code given: add a plain nullable column, fill it in batches, then "
		          "attach the sequence or expression (a trigger keeps new rows filled)";
		return;
	}
	if (c->type == NULL || strstr(c->type, "\"\"\"") != NULL ||
	    strstr(c->type, "'''") != NULL) {
		g->note = "no code given: the column's type is not known";
		return;
	}
	if (key == NULL) {
		g->note = "no code given: the table's single-column primary key is not known "
		          "(give --key)";
		return;
	}
	if ((r = mg_ident_refusal(op->table)) != NULL ||
	    (op->schema != NULL && (r = mg_ident_refusal(op->schema)) != NULL) ||
	    (r = mg_ident_refusal(c->name)) != NULL || (r = mg_ident_refusal(key)) != NULL ||
	    mg_sql_check_expr(dflt, &r) != 0) {
		g->note = mg_arena_printf(&d->arena, "no code given: %s", r);
		return;
	}
	memset(&bf, 0, sizeof(bf));
	bf.table = op->table;
	bf.schema = op->schema;
	bf.column = c->name;
	bf.key = key;
	bf.value_sql = dflt;
	bf.type_python = c->type;
	bf.batch_size = o->batch_size > 0 ? o->batch_size : 5000;
	bf.sleep = o->sleep ? o->sleep : "0.01";
	bf.steps = c->nullable == MG_NO ? 4 : 3;
	mg_rules_style(m, &st);
	bf.step = 1;
	mg_snippet_add_nullable_column(&b, &bf, &st);
	bf.step = 2;
	mg_snippet_set_default_sql(&b, &bf, dflt, &st);
	bf.step = 3;
	mg_buf_putc(&b, '\n');
	mg_snippet_backfill(&b, &bf, &st);
	if (c->nullable == MG_NO) {
		bf.step = 4;
		mg_buf_putc(&b, '\n');
		mg_snippet_set_not_null(&b, &bf, &st);
	}
	g->code = mg_arena_strndup(&d->arena, b.s, b.len);
	mg_buf_free(&b);
	g->where =
	    mg_arena_printf(&d->arena, "%s(), instead of %s",
	                    op->function ? op->function : "upgrade", mg_rc_describe(d, m, op));
	g->note = "the backfill commits in batches in an autocommit block: the migration is no "
	          "longer atomic";
	g->not_applied = "the add_column is replaced by hand (the steps commit on their own)";
	g->fix = MG_FIX_NONE;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	int pg = mg_rc_pg_version(o);
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const struct mg_column *c = op->coldef;
		const char *dflt = NULL, *why;
		struct mg_diag *g;

		if (op->kind != MG_OP_ADD_COLUMN || op->dir != MG_UPGRADE || c == NULL ||
		    op->table == NULL || c->name == NULL || mg_rc_table_new(m, o, op->table))
			continue;
		if (c->server_default != NULL)
			dflt = op->source == MG_SRC_SQL
			           ? c->server_default
			           : mg_type_default_sql(&d->arena, c->server_default);
		if ((why = rewrite_reason(d, op, dflt, pg)) == NULL)
			continue;
		g = mg_diags_add(d, RULE, MG_WARNING);
		g->table = op->table;
		g->column = c->name;
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = op->source == MG_SRC_SQL ? op->parent : i;
		g->message = mg_arena_printf(&d->arena,
		                             "column %s.%s is added to existing table '%s' %s: "
		                             "PostgreSQL rewrites the table "
		                             "under an ACCESS EXCLUSIVE lock, blocking every read "
		                             "and write of it until done",
		                             op->table, c->name, op->table, why);
		if (op->source == MG_SRC_SQL) {
			g->note =
			    "no code given: the column is added by SQL inside op.execute(): add it "
			    "without the default, SET DEFAULT, then fill existing rows in batches";
			continue;
		}
		if (pg >= 11)
			fix(m, o, d, g, op, dflt, mg_rc_walk_key(m, o, op));
	}
}

const struct mg_rule mg_rule_volatile_default_rewrites = {
    RULE,
    "a column added to a table with rows with a volatile default, as serial, identity or stored "
    "generated: the table is rewritten",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
