/*
 * missing-lock-timeout: upgrade() takes an ACCESS EXCLUSIVE or SHARE ROW
 * EXCLUSIVE lock on a table that already holds rows, and nothing sets
 * lock_timeout: neither the migration (SET [LOCAL] lock_timeout) nor the
 * environment (env.py or alembic.ini, read by lint). Such a lock waits
 * behind any open transaction that touched the table, and while it waits
 * every later query on the table queues behind it: a long report query
 * turns a millisecond ALTER into an outage. With lock_timeout the ALTER gives
 * up instead, and the deploy can retry.
 *
 * Once per migration, at its first such statement (and once per run: see
 * src/lint/once.c). Only under lint, which
 * reads the environment: enhance sees one file and says nothing. The fix is
 * one place for every migration: env.py, before context.run_migrations().
 */
#include <string.h>

#include "common.h"

#define RULE "missing-lock-timeout"

/* A SET lock_timeout in the migration (either direction: it is the same file). */
static int
sets_lock_timeout(const struct mg_model *m)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		if (op->kind == MG_OP_OTHER && op->source == MG_SRC_SQL && op->name != NULL &&
		    strcmp(op->name, "set") == 0 && op->object != NULL &&
		    strcmp(op->object, "lock_timeout") == 0 && op->dir == MG_UPGRADE)
			return 1;
		/* SQL migen could not read may well be it. */
		if (op->kind == MG_OP_EXECUTE && op->dir == MG_UPGRADE &&
		    ((op->sql != NULL && strstr(op->sql, "lock_timeout") != NULL) ||
		     (op->sql == NULL && !op->sql_error &&
		      (i + 1 >= m->nops || m->ops[i + 1].parent != i))))
			return 1;
	}
	/* A helper that runs SQL: it may set it. */
	for (i = 0; i < m->nhelper_calls; i++)
		if (m->helper_calls[i].dir == MG_UPGRADE)
			return 1;
	return 0;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;
	struct mg_diag *g;
	struct mg_buf b = {0};
	struct mg_style st;

	if (o->env_py == NULL || o->env_lock_timeout != 0 || sets_lock_timeout(m))
		return;
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const char *table = op->table;
		enum mg_rc_lock l;
		size_t f;

		if (op->dir != MG_UPGRADE || op->autocommit)
			continue;
		l = mg_rc_op_lock(op);
		if (table == NULL || l < MG_LOCK_SHARE_ROW_EXCLUSIVE || l == MG_LOCK_EXCLUSIVE ||
		    mg_rc_table_new(m, o, table)) {
			/* A foreign key it makes (create_table too) locks the table it refers to.
			 */
			l = MG_LOCK_NONE;
			for (f = 0; f < m->nfkeys && l == MG_LOCK_NONE; f++)
				if (m->fkeys[f].op == i && m->fkeys[f].ref_table != NULL &&
				    !mg_rc_table_new(m, o, m->fkeys[f].ref_table)) {
					table = m->fkeys[f].ref_table;
					l = MG_LOCK_SHARE_ROW_EXCLUSIVE;
				}
			if (l == MG_LOCK_NONE)
				continue;
		}
		g = mg_diags_add(d, RULE, MG_WARNING);
		g->table = table;
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = op->source == MG_SRC_SQL ? op->parent : i;
		g->message = mg_arena_printf(
		    &d->arena,
		    "%s takes %s on existing table '%s' and no lock_timeout is set (not in this "
		    "migration, not in %s): while it waits for a transaction that touched '%s', "
		    "every query on '%s' queues behind it",
		    mg_rc_describe_stmt(d, m, op), mg_rc_lock_name(l), table, o->env_py, table,
		    table);
		mg_rules_style(m, &st);
		{
			const char *in = st.indent;
			mg_buf_printf(&b, "%swith context.begin_transaction():\n", in);
			mg_buf_printf(&b,
			              "%s%s# Give up on a lock after 5 s (the deploy can retry) "
			              "instead of\n",
			              in, in);
			mg_buf_printf(&b,
			              "%s%s# queueing every query on the table behind the waiting "
			              "ALTER.\n",
			              in, in);
			mg_buf_printf(&b, "%s%scontext.execute(\"SET lock_timeout = '5s'\")\n", in,
			              in);
			mg_buf_printf(&b, "%s%scontext.run_migrations()\n", in, in);
		}
		g->code = mg_arena_strndup(&d->arena, b.s, b.len);
		mg_buf_free(&b);
		g->where = mg_arena_printf(
		    &d->arena,
		    "%s, in run_migrations_online() (do_run_migrations() in an async env.py) and "
		    "run_migrations_offline(): instead of their `with "
		    "context.begin_transaction():` "
		    "block",
		    o->env_py);
		g->note = "one setting for every migration; a migration that needs longer sets its "
		          "own: op.execute(\"SET lock_timeout = '30s'\")";
		g->fix = MG_FIX_NONE;
		return; /* once per migration */
	}
}

const struct mg_rule mg_rule_missing_lock_timeout = {
    RULE,
    "an ACCESS EXCLUSIVE or SHARE ROW EXCLUSIVE lock on a table with rows, and no lock_timeout",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
