/*
 * The lint engine (src/lint/check.c, src/lint/walk.c) on analysed sources: spans from the
 * model, select/ignore, configured severities, fixes as byte edits that
 * rebuild the file enhance --write would write, units in order with
 * report/replay, and the rules' view of the schema hook.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/fix.h"
#include "migen/lint.h"

static const char src[] = "revision = 'b2'\n"
                          "down_revision = 'a1'\n"
                          "\n"
                          "\n"
                          "def upgrade():\n"
                          "    op.create_index('ix_users_email', 'users', ['email'])\n"
                          "    op.add_column('users', sa.Column('s', sa.Text(), nullable=False))\n"
                          "\n"
                          "\n"
                          "def downgrade():\n"
                          "    op.drop_index('ix_users_email', table_name='users')\n";

static void
config(struct mg_lint_config *c)
{
	memset(c, 0, sizeof(*c));
	c->o.add_tenant_indexes = 1;
	c->o.use_concurrently = 1;
	c->o.tenant_column = "tenant_id";
	c->o.space_column = "space_id";
	c->o.soft_delete_column = "deleted_at";
}

static const struct mg_finding *
find(const struct mg_lint_report *r, const char *rule)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].rule, rule) == 0)
			return &r->v[i];
	return NULL;
}

static void
test_findings(void **state)
{
	struct mg_model *m = mg_analyze("b2.py", src, sizeof(src) - 1, MG_ANALYZE_FULL);
	struct mg_lint_config c;
	struct mg_lint_report r;
	const struct mg_finding *x;
	struct mg_edits e;
	size_t k;

	(void)state;
	config(&c);
	memset(&r, 0, sizeof(r));
	memset(&e, 0, sizeof(e));
	mg_lint_check(&c, m, NULL, NULL, 0, 0, &r, &e);
	x = find(&r, "require-concurrent-index");
	assert_non_null(x);
	assert_int_equal(x->severity, MG_WARNING);
	/* The span is the call: line 6, column 5, to the closing parenthesis. */
	assert_int_equal(x->line, 6);
	assert_int_equal(x->col, 5);
	assert_int_equal(x->end_line, 6);
	assert_int_equal(x->end_col,
	                 5 + strlen("op.create_index('ix_users_email', 'users', ['email'])"));
	assert_non_null(x->where);
	assert_non_null(x->code);
	/* Its fix: the call's line replaced in upgrade(), the drop in downgrade(). */
	assert_true(x->nedits >= 2);
	for (k = 0; k < x->nedits; k++) {
		assert_true(x->edits[k].start <= x->edits[k].end);
		assert_true(x->edits[k].end <= sizeof(src) - 1);
		assert_true(x->edits[k].start_line >= 1);
	}
	{
		/* Applied alone, the finding's edits build the index CONCURRENTLY. */
		struct mg_edits one;
		char *after;
		size_t alen;

		memset(&one, 0, sizeof(one));
		one.v = mg_xcalloc(x->nedits, sizeof(*one.v));
		for (k = 0; k < x->nedits; k++) {
			one.v[k].start = x->edits[k].start;
			one.v[k].end = x->edits[k].end;
			one.v[k].text = mg_xstrdup(x->edits[k].text);
			one.v[k].order = k;
		}
		one.n = one.cap = x->nedits;
		after = mg_fix_apply(src, sizeof(src) - 1, &one, &alen);
		assert_non_null(
		    strstr(after, "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_email"));
		assert_null(strstr(after, "op.create_index('ix_users_email'"));
		free(after);
		mg_edits_free(&one);
	}
	assert_non_null(find(&r, "not-null-without-backfill"));
	assert_int_equal(find(&r, "not-null-without-backfill")->severity, MG_ERROR);
	/* The whole file's fix holds the index rewrite. */
	assert_true(e.n >= 2);
	mg_edits_free(&e);
	mg_lint_report_free(&r);
	mg_model_free(m);
}

static void
test_select_ignore_severity(void **state)
{
	struct mg_model *m = mg_analyze("b2.py", src, sizeof(src) - 1, MG_ANALYZE_FULL);
	struct mg_lint_config c;
	struct mg_lint_report r;
	static const char *const sel[] = {"require-concurrent-index", "not-null-without-backfill"};
	static const char *const ign[] = {"not-null-without-backfill"};
	static const struct mg_lint_severity sev[] = {{"require-concurrent-index", MG_NOTE}};

	(void)state;
	config(&c);
	c.select = sel;
	c.nselect = 2;
	c.ignore = ign;
	c.nignore = 1;
	c.severity = sev;
	c.nseverity = 1;
	memset(&r, 0, sizeof(r));
	mg_lint_check(&c, m, NULL, NULL, 0, 0, &r, NULL);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].rule, "require-concurrent-index");
	assert_int_equal(r.v[0].severity, MG_NOTE);
	mg_lint_report_free(&r);
	mg_model_free(m);
}

static void
test_run_units(void **state)
{
	struct mg_lint_unit u[2];
	struct mg_lint_config c;
	struct mg_lint_report r;

	(void)state;
	config(&c);
	memset(u, 0, sizeof(u));
	u[0].path = "a1.py";
	u[0].revision = "a1";
	u[0].report = 0; /* replayed only */
	u[0].model = mg_analyze("a1.py", src, sizeof(src) - 1, MG_ANALYZE_FULL);
	u[1].path = "b2.py";
	u[1].shown = "versions/b2.py";
	u[1].revision = "b2";
	u[1].report = 1;
	u[1].model = mg_analyze("b2.py", src, sizeof(src) - 1, MG_ANALYZE_FULL);
	memset(&r, 0, sizeof(r));
	mg_lint_run(&c, u, 2, &r, NULL);
	assert_int_equal(r.nfiles, 1);
	assert_string_equal(r.files[0].path, "versions/b2.py");
	assert_string_equal(r.files[0].revision, "b2");
	assert_true(r.n > 0);
	assert_int_equal(r.v[0].file, 0);
	assert_int_equal(r.by_severity[MG_ERROR], 1);
	assert_int_equal(r.suppressed, 0);
	mg_lint_report_free(&r);
	mg_model_free(u[0].model);
	mg_model_free(u[1].model);
}

/* missing-lock-timeout once a run: the first names the others; suppressed ones stay. */
static void
test_once(void **state)
{
	struct mg_lint_report r;
	static const char *const paths[] = {"a.py", "b.py", "c.py", "d.py"};
	size_t i;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.files = calloc(4, sizeof(*r.files));
	r.nfiles = r.capfiles = 4;
	for (i = 0; i < 4; i++)
		r.files[i].path = paths[i];
	r.v = calloc(6, sizeof(*r.v));
	r.n = r.cap = 6;
	for (i = 0; i < 4; i++) {
		r.v[i].rule = "missing-lock-timeout";
		r.v[i].file = i;
		r.v[i].message = "no lock_timeout";
	}
	r.v[2].suppressed = 1;
	r.v[4].rule = "drop-table";
	r.v[4].file = 1;
	r.v[4].message = "drops";
	r.v[5].rule = "missing-lock-timeout";
	r.v[5].file = 3; /* a second one in d.py: d.py is named once */
	r.v[5].message = "no lock_timeout";
	mg_lint_once(&r);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.v[0].rule, "missing-lock-timeout");
	assert_int_equal(r.v[0].file, 0);
	assert_string_equal(r.v[0].message,
	                    "no lock_timeout; the same in 2 more migrations of this run (b.py, "
	                    "d.py): one setting in env.py covers them all");
	assert_true(r.v[1].suppressed);
	assert_string_equal(r.v[2].rule, "drop-table");
	free(r.files);
	free(r.v);
	mg_arena_free(&r.arena);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_findings),
	    cmocka_unit_test(test_select_ignore_severity),
	    cmocka_unit_test(test_run_units),
	    cmocka_unit_test(test_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
