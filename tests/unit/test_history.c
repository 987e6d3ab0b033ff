/*
 * Unit tests for src/lint/history.c: the history replayed in graph order —
 * parents first, merges from the union of their parents, depends_on first,
 * each revision once, the visitor seeing the schema just before each
 * migration, --at stopping early. Graphs are built by hand; each "file" is
 * an upgrade() body the load callback analyses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/history.h"

struct project {
	struct mg_rev revs[16];
	const char *body[16];
	size_t n;
	struct mg_arena arena;
	/* What the visitor saw. */
	char order[256];
	int stop_at; /* stop when visiting this many revisions (0: never) */
	int visits;
	int saw_users_before_b3;
};

static void
strlist(struct mg_arena *a, struct mg_strlist *l, const char *s)
{
	const char *p;

	memset(l, 0, sizeof(*l));
	l->present = 1;
	l->known = 1;
	l->v = mg_arena_alloc(a, 8 * sizeof(*l->v));
	for (p = s; p != NULL && *p;) {
		const char *q = strchr(p, ',');
		size_t k = q ? (size_t)(q - p) : strlen(p);
		l->v[l->n++] = mg_arena_strndup(a, p, k);
		p += k + (q != NULL);
	}
}

static void
rev(struct project *p, const char *id, const char *down, const char *deps, const char *body)
{
	struct mg_rev *r = &p->revs[p->n];

	memset(r, 0, sizeof(*r));
	r->path = mg_arena_printf(&p->arena, "%02zu_%s.py", p->n, id);
	r->revision = id;
	r->has_revision = 1;
	r->line = 1;
	strlist(&p->arena, &r->down, down);
	strlist(&p->arena, &r->labels, NULL);
	strlist(&p->arena, &r->deps, deps);
	p->body[p->n++] = body;
}

static struct mg_model *
load(void *arg, const char *path, const char **why)
{
	struct project *p = arg;
	size_t i;
	char src[4096];

	for (i = 0; i < p->n; i++)
		if (strcmp(p->revs[i].path, path) == 0)
			break;
	if (i == p->n) {
		*why = "no such file";
		return NULL;
	}
	snprintf(src, sizeof(src),
	         "from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n%s\n",
	         p->body[i]);
	return mg_analyze(path, src, strlen(src), MG_ANALYZE_FULL);
}

static int
visit(void *arg, size_t node, const char *revision, const struct mg_schema *before,
      const struct mg_model *m)
{
	struct project *p = arg;

	(void)node;
	assert_non_null(m);
	strcat(p->order, revision);
	strcat(p->order, " ");
	if (strcmp(revision, "b3") == 0)
		p->saw_users_before_b3 = mg_schema_table(before, NULL, "users") != NULL;
	if (++p->visits == p->stop_at)
		return 7;
	return 0;
}

static void
graph(struct project *p, struct mg_revgraph *g)
{
	mg_revgraph_build(g, p->revs, p->n);
}

/*
 *   a1 -> a2 -> m (merge of a2, b2)
 *   a1 -> b2 ---^
 *   c1 (root, depends_on a2)
 */
static void
build(struct project *p)
{
	memset(p, 0, sizeof(*p));
	rev(p, "a1", NULL, NULL,
	    "    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True), "
	    "sa.Column('tenant_id', sa.Integer()))");
	rev(p, "a2", "a1", NULL,
	    "    op.create_index('ix_users_tenant_id', 'users', ['tenant_id'])");
	rev(p, "b2", "a1", NULL, "    op.add_column('users', sa.Column('email', sa.Text()))");
	rev(p, "m", "a2,b2", NULL, "    op.alter_column('users', 'email', nullable=False)");
	rev(p, "c1", NULL, "a2",
	    "    op.create_table('reports', sa.Column('id', sa.Integer(), primary_key=True))");
}

static void
test_order_and_merge(void **state)
{
	struct project p;
	struct mg_revgraph g;
	struct mg_history_opts o;
	struct mg_schema *s = NULL;
	const char *why = NULL;
	struct mg_stable *t;

	(void)state;
	build(&p);
	graph(&p, &g);
	memset(&o, 0, sizeof(o));
	o.visit = visit;
	o.load = load;
	o.arg = &p;
	assert_int_equal(mg_history_replay(&g, &o, &s, &why), 0);
	/* Parents first, ties in file order; c1 after what it depends on. */
	assert_string_equal(p.order, "a1 a2 b2 m c1 ");
	t = mg_schema_table(s, NULL, "users");
	assert_non_null(t);
	/* The merge has both branches: the index (a2) and the column (b2), then m's change. */
	assert_true(mg_stable_has_index_leading(t, "tenant_id", 1));
	assert_int_equal(mg_stable_column(t, "email")->nullable, MG_NO);
	assert_non_null(mg_schema_table(s, NULL, "reports"));
	/* The heads. */
	assert_int_equal(s->nrevisions, 2);
	assert_string_equal(s->revisions[0], "m");
	assert_string_equal(s->revisions[1], "c1");
	mg_schema_free(s);
	mg_revgraph_free(&g);
	mg_arena_free(&p.arena);
}

static void
test_at(void **state)
{
	struct project p;
	struct mg_revgraph g;
	struct mg_history_opts o;
	struct mg_schema *s = NULL;
	const char *why = NULL;

	(void)state;
	build(&p);
	graph(&p, &g);
	memset(&o, 0, sizeof(o));
	o.visit = visit;
	o.load = load;
	o.arg = &p;
	o.at = "b2";
	assert_int_equal(mg_history_replay(&g, &o, &s, &why), 0);
	assert_string_equal(p.order, "a1 b2 ");
	assert_null(mg_stable_index(mg_schema_table(s, NULL, "users"), "ix_users_tenant_id"));
	assert_non_null(mg_stable_column(mg_schema_table(s, NULL, "users"), "email"));
	assert_string_equal(s->revisions[0], "b2");
	mg_schema_free(s);
	/* c1 brings what it depends on. */
	p.order[0] = '\0';
	o.at = "c1";
	assert_int_equal(mg_history_replay(&g, &o, &s, &why), 0);
	assert_string_equal(p.order, "a1 a2 c1 ");
	assert_non_null(mg_schema_table(s, NULL, "users"));
	mg_schema_free(s);
	/* Unknown, ambiguous. */
	o.at = "zz";
	assert_int_equal(mg_history_replay(&g, &o, &s, &why), -1);
	assert_string_equal(why, "no such revision");
	assert_int_equal(mg_history_find(&g, "head", &why), (size_t)-1);
	mg_revgraph_free(&g);
	mg_arena_free(&p.arena);
}

static void
test_stop_and_cycle(void **state)
{
	struct project p;
	struct mg_revgraph g;
	struct mg_history_opts o;
	struct mg_schema *s = NULL;
	const char *why = NULL;

	(void)state;
	build(&p);
	p.stop_at = 2;
	graph(&p, &g);
	memset(&o, 0, sizeof(o));
	o.visit = visit;
	o.load = load;
	o.arg = &p;
	assert_int_equal(mg_history_replay(&g, &o, &s, &why), 7);
	assert_null(s);
	mg_revgraph_free(&g);
	mg_arena_free(&p.arena);

	memset(&p, 0, sizeof(p));
	rev(&p, "x", "y", NULL, "    pass");
	rev(&p, "y", "x", NULL, "    pass");
	graph(&p, &g);
	o.arg = &p;
	assert_int_equal(mg_history_replay(&g, &o, &s, &why), -1);
	assert_non_null(strstr(why, "cycle"));
	mg_revgraph_free(&g);
	mg_arena_free(&p.arena);
}

/* A linear chain hands each schema on without copying; the visitor sees the one before. */
static void
test_before(void **state)
{
	struct project p;
	struct mg_revgraph g;
	struct mg_history_opts o;
	const char *why = NULL;

	(void)state;
	memset(&p, 0, sizeof(p));
	rev(&p, "b1", NULL, NULL, "    op.create_table('users', sa.Column('id', sa.Integer()))");
	rev(&p, "b2", "b1", NULL, "    op.drop_table('users')");
	rev(&p, "b3", "b2", NULL, "    pass");
	graph(&p, &g);
	memset(&o, 0, sizeof(o));
	o.visit = visit;
	o.load = load;
	o.arg = &p;
	p.saw_users_before_b3 = -1;
	assert_int_equal(mg_history_replay(&g, &o, NULL, &why), 0);
	assert_int_equal(p.saw_users_before_b3, 0);
	mg_revgraph_free(&g);
	mg_arena_free(&p.arena);
}

/* A merge is what `alembic upgrade` leaves: one branch's drop and the other's change both hold. */
static void
test_merge_drops(void **state)
{
	struct project p;
	struct mg_revgraph g;
	struct mg_history_opts o;
	struct mg_schema *s = NULL;
	const char *why = NULL;
	struct mg_stable *t;

	(void)state;
	memset(&p, 0, sizeof(p));
	rev(&p, "g1", NULL, NULL,
	    "    op.create_table('users', sa.Column('id', sa.Integer()), sa.Column('legacy', "
	    "sa.Text()), sa.Column('nick', sa.Text()))\n"
	    "    op.create_index('ix_users_legacy', 'users', ['legacy'])");
	rev(&p, "g2a", "g1", NULL, "    op.alter_column('users', 'nick', type_=sa.String(50))");
	rev(&p, "g2b", "g1", NULL, "    op.drop_column('users', 'legacy')");
	rev(&p, "g3", "g2a,g2b", NULL, "    pass");
	rev(&p, "h1", "g2b", NULL, "    op.add_column('users', sa.Column('h', sa.Text()))");
	graph(&p, &g);
	memset(&o, 0, sizeof(o));
	o.load = load;
	o.arg = &p;
	o.at = "g3";
	assert_int_equal(mg_history_replay(&g, &o, &s, &why), 0);
	t = mg_schema_table(s, NULL, "users");
	assert_null(mg_stable_column(t, "legacy"));
	assert_null(mg_stable_index(t, "ix_users_legacy"));
	assert_string_equal(mg_stable_column(t, "nick")->type, "character varying(50)");
	assert_int_equal(t->nuncertain, 0);
	mg_schema_free(s);
	/* Two heads (g3, h1): after both, each revision once. */
	o.at = NULL;
	assert_int_equal(mg_history_replay(&g, &o, &s, &why), 0);
	t = mg_schema_table(s, NULL, "users");
	assert_null(mg_stable_column(t, "legacy"));
	assert_non_null(mg_stable_column(t, "h"));
	assert_string_equal(mg_stable_column(t, "nick")->type, "character varying(50)");
	assert_int_equal(t->nuncertain, 0);
	assert_int_equal(s->nrevisions, 2);
	mg_schema_free(s);
	mg_revgraph_free(&g);
	mg_arena_free(&p.arena);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_merge), cmocka_unit_test(test_at),
	    cmocka_unit_test(test_stop_and_cycle),  cmocka_unit_test(test_before),
	    cmocka_unit_test(test_merge_drops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
