/*
 * Unit tests for the schema model (schema.c): lookups with PostgreSQL's
 * name rules, the names PostgreSQL gives unnamed objects, what DROP COLUMN
 * and RENAME carry with them, copies and merges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/emit_schema.h"
#include "migen/schema.h"

static struct mg_sindex *
index_on(struct mg_schema *s, struct mg_stable *t, const char *name, const char *col, int expr)
{
	struct mg_sindex *ix = mg_stable_add_index(s, t, "r1");

	ix->name = mg_schema_id(s, name);
	ix->columns = mg_arena_alloc(&s->arena, sizeof(*ix->columns));
	ix->is_expr = mg_arena_alloc(&s->arena, sizeof(*ix->is_expr));
	ix->columns[0] = col;
	ix->is_expr[0] = expr;
	ix->ncolumns = 1;
	return ix;
}

static void
test_lookup(void **state)
{
	struct mg_schema *s = mg_schema_new();
	struct mg_stable *t;

	(void)state;
	mg_schema_add_table(s, NULL, "users", "r1");
	mg_schema_add_table(s, "app", "Orders", "r1");
	assert_non_null(mg_schema_table(s, "public", "users"));
	assert_non_null(mg_schema_table(s, NULL, "users"));
	assert_null(mg_schema_table(s, "app", "users"));
	assert_non_null(mg_schema_table_named(s, "USERS")); /* folded, as PostgreSQL does */
	assert_non_null(mg_schema_table_named(s, "public.users"));
	assert_null(mg_schema_table_named(s, "\"USERS\"")); /* quoted: the case stays */
	assert_non_null(mg_schema_table_named(s, "app.\"Orders\""));
	assert_non_null(mg_schema_table_named(s, "app.Orders")); /* as written first */
	assert_null(mg_schema_table_named(s, "app.orders.x"));
	t = mg_schema_table(s, NULL, "users");
	mg_stable_add_column(s, t, "id", "r1");
	assert_non_null(mg_stable_column(t, "id"));
	assert_null(mg_stable_column(t, "ID"));
	mg_schema_free(s);
}

static void
test_index_leading(void **state)
{
	struct mg_schema *s = mg_schema_new();
	struct mg_stable *t = mg_schema_add_table(s, NULL, "t", "r1");
	struct mg_sindex *ix;

	(void)state;
	ix = index_on(s, t, "t_a_idx", "a", 0);
	ix->where = "deleted_at IS NULL";
	index_on(s, t, "t_b_idx", "lower(b)", 1);
	ix = index_on(s, t, "t_c_key", "c", 0);
	ix->kind = MG_IX_UNIQUE;
	ix = index_on(s, t, "t_d_idx", "d", 0);
	ix->valid = 0;
	assert_true(mg_stable_has_index_leading(t, "a", 0));
	assert_false(mg_stable_has_index_leading(t, "a", 1)); /* partial */
	assert_false(mg_stable_has_index_leading(t, "b", 0)); /* an expression */
	assert_true(mg_stable_has_index_leading(t, "c", 1));  /* a unique constraint counts */
	assert_false(mg_stable_has_index_leading(t, "d", 1)); /* INVALID */
	assert_true(mg_stable_has_index_leading(t, "d", 0));
	assert_false(mg_stable_has_index_leading(t, "e", 0));
	mg_schema_free(s);
}

static void
test_default_names(void **state)
{
	struct mg_schema *s = mg_schema_new();
	struct mg_stable *t = mg_schema_add_table(s, NULL, "orders", "r1");
	const char *two[] = {"tenant_id", "customer_id"};
	const char *one[] = {"tenant_id"};
	const char *expr[] = {NULL};
	char longname[80];
	const char *n;

	(void)state;
	assert_string_equal(mg_schema_default_name(s, NULL, "orders", NULL, 0, "pkey"),
	                    "orders_pkey");
	assert_string_equal(mg_schema_default_name(s, NULL, "orders", two, 2, "key"),
	                    "orders_tenant_id_customer_id_key");
	assert_string_equal(mg_schema_default_name(s, NULL, "orders", one, 1, "fkey"),
	                    "orders_tenant_id_fkey");
	assert_string_equal(mg_schema_default_name(s, NULL, "orders", expr, 1, "idx"),
	                    "orders_expr_idx");
	/* Taken: a number after the label, as ChooseRelationName does. */
	index_on(s, t, "orders_tenant_id_idx", "tenant_id", 0);
	assert_string_equal(mg_schema_default_name(s, NULL, "orders", one, 1, "idx"),
	                    "orders_tenant_id_idx1");
	index_on(s, t, "orders_tenant_id_idx1", "tenant_id", 0);
	assert_string_equal(mg_schema_default_name(s, NULL, "orders", one, 1, "idx"),
	                    "orders_tenant_id_idx2");
	/* 63 bytes: the longer part is cut first (makeObjectName). */
	memset(longname, 'a', 70);
	longname[70] = '\0';
	n = mg_schema_default_name(s, NULL, longname, one, 1, "fkey");
	assert_int_equal(strlen(n), 63);
	assert_string_equal(n + strlen(n) - 15, "_tenant_id_fkey");
	n = mg_schema_object_name(&s->arena, "t", longname, "key");
	assert_int_equal(strlen(n), 63);
	assert_memory_equal(n, "t_aaa", 5);
	/* A multi-byte character is not cut in half. */
	n = mg_schema_object_name(
	    &s->arena,
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x",
	    NULL, "pkey");
	assert_int_equal(strlen(n), 58 + 5);
	mg_schema_free(s);
}

static void
test_drop_column(void **state)
{
	struct mg_schema *s = mg_schema_new();
	struct mg_stable *t = mg_schema_add_table(s, NULL, "t", "r1");
	struct mg_sfkey *fk;
	struct mg_scheck *k;
	struct mg_ssequence *q;
	const char **cols;

	(void)state;
	mg_stable_add_column(s, t, "a", "r1");
	mg_stable_add_column(s, t, "b", "r1");
	index_on(s, t, "t_a_idx", "a", 0);
	index_on(s, t, "t_lower_a", "lower(a)", 1);
	index_on(s, t, "t_b_idx", "b", 0)->where = "a > 0";
	index_on(s, t, "t_b2_idx", "b", 0);
	fk = mg_stable_add_fkey(s, t, "r1");
	fk->name = mg_schema_id(s, "t_a_fkey");
	cols = mg_arena_alloc(&s->arena, sizeof(*cols));
	cols[0] = "a";
	fk->columns = cols;
	fk->ncolumns = 1;
	k = mg_stable_add_check(s, t, "r1");
	k->name = mg_schema_id(s, "t_a_check");
	k->expr = "a > 0 AND b_a < 3";
	q = mg_schema_add_sequence(s, NULL, "t_a_seq", "r1");
	q->owner_table = "t";
	q->owner_column = "a";
	mg_stable_drop_column(s, t, "a");
	assert_int_equal(t->ncolumns, 1);
	assert_int_equal(t->nindexes, 1);
	assert_string_equal(t->indexes[0].name, "t_b2_idx");
	assert_int_equal(t->nfkeys, 0);
	assert_int_equal(t->nchecks, 0);
	assert_int_equal(s->nsequences, 0);
	mg_schema_free(s);
}

static void
test_rename_column(void **state)
{
	struct mg_schema *s = mg_schema_new();
	struct mg_stable *t = mg_schema_add_table(s, NULL, "t", "r1");
	struct mg_stable *u = mg_schema_add_table(s, NULL, "u", "r1");
	struct mg_sfkey *fk;
	struct mg_scheck *k;
	const char **cols;

	(void)state;
	mg_stable_add_column(s, t, "a", "r1");
	index_on(s, t, "t_a_idx", "a", 0);
	index_on(s, t, "t_lower", "lower(a)", 1)->where = "a <> 'a'";
	k = mg_stable_add_check(s, t, "r1");
	k->name = "t_check";
	k->expr = "a > 0 AND aa > 0";
	fk = mg_stable_add_fkey(s, u, "r1");
	cols = mg_arena_alloc(&s->arena, sizeof(*cols));
	cols[0] = "a";
	mg_sfkey_point(s, fk, NULL, "t", cols, 1);
	mg_stable_rename_column(s, t, "a", "z");
	assert_non_null(mg_stable_column(t, "z"));
	assert_string_equal(t->indexes[0].columns[0], "z");
	assert_string_equal(t->indexes[0].name, "t_a_idx"); /* the name stays */
	assert_string_equal(t->indexes[1].columns[0], "lower(z)");
	assert_string_equal(t->indexes[1].where, "z <> 'a'");
	assert_string_equal(t->checks[0].expr, "z > 0 AND aa > 0");
	assert_string_equal(u->fkeys[0].ref_columns[0], "z");
	mg_schema_free(s);
}

static void
test_copy_merge(void **state)
{
	struct mg_schema *a = mg_schema_new(), *b, *c;
	struct mg_stable *t;
	struct mg_senum *e;

	(void)state;
	t = mg_schema_add_table(a, NULL, "t", "r1");
	mg_stable_add_column(a, t, "id", "r1");
	e = mg_schema_add_enum(a, NULL, "mood", "r1");
	mg_senum_add_label(a, e, "sad");
	b = mg_schema_copy(a);
	c = mg_schema_copy(a);
	/* Two branches. */
	t = mg_schema_table(b, NULL, "t");
	mg_stable_add_column(b, t, "left", "r2");
	index_on(b, t, "t_left_idx", "left", 0);
	mg_schema_add_table(b, NULL, "only_left", "r2");
	t = mg_schema_table(c, NULL, "t");
	mg_stable_add_column(c, t, "right", "r3");
	mg_senum_add_label(c, mg_schema_enum(c, NULL, "mood"), "happy");
	mg_schema_uncertain(c, t, "r3.py", 7, "something %s", "unseen");
	mg_schema_free(a); /* the copies own their strings */
	mg_schema_merge(b, c);
	t = mg_schema_table(b, NULL, "t");
	assert_int_equal(t->ncolumns, 3);
	assert_non_null(mg_stable_column(t, "left"));
	assert_non_null(mg_stable_column(t, "right"));
	assert_non_null(mg_stable_index(t, "t_left_idx"));
	assert_int_equal(t->nuncertain, 1);
	assert_string_equal(t->uncertain[0].reason, "something unseen");
	assert_non_null(mg_schema_table(b, NULL, "only_left"));
	assert_int_equal(mg_schema_enum(b, NULL, "mood")->nlabels, 2);
	mg_schema_free(c);
	mg_schema_free(b);
}

/* A copy prints as its original does, and finds (and does not find) the same indexes. */
static void
test_copy_same(void **state)
{
	struct mg_schema *a = mg_schema_new(), *b;
	char name[32], *x, *y;
	int i;

	(void)state;
	for (i = 0; i < 40; i++) {
		struct mg_stable *t;
		snprintf(name, sizeof(name), "t%d", i);
		t = mg_schema_add_table(a, i % 3 ? NULL : "app", name, "r1");
		mg_stable_add_column(a, t, "id", "r1");
		snprintf(name, sizeof(name), "ix_t%d_id", i);
		index_on(a, t, name, "id", 0);
	}
	mg_senum_add_label(a, mg_schema_add_enum(a, NULL, "mood", "r1"), "sad");
	mg_schema_add_sequence(a, NULL, "s1", "r1");
	b = mg_schema_copy(a);
	x = mg_emit_schema_json(a, NULL, 0);
	y = mg_emit_schema_json(b, NULL, 0);
	assert_string_equal(x, y);
	assert_non_null(mg_schema_index(b, NULL, "ix_t7_id", NULL));
	assert_non_null(mg_schema_index(b, "app", "ix_t9_id", NULL));
	assert_null(mg_schema_index(b, NULL, "ix_t9_id", NULL)); /* another schema's */
	assert_null(mg_schema_index(b, NULL, "never_seen", NULL));
	free(x);
	free(y);
	mg_schema_free(b);
	mg_schema_free(a);
}

/*
 * An overlay (what downgrade-mismatch replays onto): a change copies the
 * table it touches, cascades included, and never reaches the base; the
 * diff finds it; untouched tables stay borrowed; names the base holds are
 * taken in the overlay too.
 */
static void
test_overlay(void **state)
{
	struct mg_schema *a = mg_schema_new(), *o;
	struct mg_stable *users, *orders, *t;
	struct mg_sfkey *fk;
	struct mg_schema_diff d;
	char name[32], *before, *after;
	const char *col = "id";
	size_t i;

	(void)state;
	users = mg_schema_add_table(a, NULL, "users", "r1");
	mg_stable_add_column(a, users, "id", "r1");
	index_on(a, users, "users_pkey", "id", 0)->kind = MG_IX_PRIMARY_KEY;
	orders = mg_schema_add_table(a, NULL, "orders", "r1");
	mg_stable_add_column(a, orders, "user_id", "r1");
	fk = mg_stable_add_fkey(a, orders, "r1");
	fk->name = mg_schema_id(a, "fk_orders_user");
	mg_sfkey_point(a, fk, NULL, "users", NULL, 0);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "t%zu", i);
		t = mg_schema_add_table(a, NULL, name, "r1");
		mg_stable_add_column(a, t, "id", "r1");
		snprintf(name, sizeof(name), "t%zu_id_idx", i);
		index_on(a, t, name, "id", 0);
	}
	before = mg_emit_schema_json(a, NULL, 0);

	o = mg_schema_overlay(a);
	/* DROP TABLE users (CASCADE): orders, named by no operation, loses its key. */
	mg_schema_drop_table(o, mg_schema_table(o, NULL, "users"));
	t = mg_schema_table(o, NULL, "orders");
	assert_int_equal(t->nfkeys, 0);
	assert_false(t->borrowed);
	assert_true(mg_schema_table(o, NULL, "t3")->borrowed);
	/* A name the base holds is taken in the overlay. */
	assert_string_equal(mg_schema_default_name(o, NULL, "t0", &col, 1, "idx"), "t0_id_idx1");
	mg_stable_add_column(o, mg_schema_table(o, NULL, "t5"), "x", "r2");
	assert_false(mg_schema_table(o, NULL, "t5")->borrowed);

	mg_schema_diff(a, o, &d);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.v[0].object, "public.users");
	assert_string_equal(d.v[1].object, "public.orders.fk_orders_user");
	assert_string_equal(d.v[1].what, "dropped and not re-created");
	assert_string_equal(d.v[2].object, "public.t5.x");
	mg_schema_diff_free(&d);
	mg_schema_free(o);

	after = mg_emit_schema_json(a, NULL, 0);
	assert_string_equal(before, after); /* the base never changed */
	assert_int_equal(mg_schema_table(a, NULL, "orders")->nfkeys, 1);
	free(before);
	free(after);
	mg_schema_free(a);
}

/* A foreign key from table `from` to to.col, named name. */
static void
fkey_to(struct mg_schema *s, const char *from, const char *name, const char *to, const char *col)
{
	struct mg_sfkey *fk = mg_stable_add_fkey(s, mg_schema_table(s, NULL, from), "r1");

	fk->name = mg_schema_id(s, name);
	mg_sfkey_point(s, fk, NULL, to, &col, 1);
}

static size_t
nfkeys(const struct mg_schema *s, const char *table)
{
	return mg_schema_table(s, NULL, table)->nfkeys;
}

/*
 * The cascades find every foreign key pointing at what is dropped, through
 * refs (what foreign keys ever pointed at), after renames of the table and
 * the column, in copies, overlays and merges; a drop nothing points at
 * takes none.
 */
static void
test_cascade_refs(void **state)
{
	struct mg_schema *a = mg_schema_new(), *b, *o;
	struct mg_stable *t;
	const char *id = "id";

	(void)state;
	t = mg_schema_add_table(a, NULL, "users", "r1");
	mg_stable_add_column(a, t, "id", "r1");
	mg_stable_add_column(a, t, "email", "r1");
	mg_stable_add_column(a, t, "code", "r1");
	index_on(a, t, "users_pkey", "id", 0)->kind = MG_IX_PRIMARY_KEY;
	mg_schema_add_table(a, NULL, "orders", "r1");
	mg_schema_add_table(a, NULL, "notes", "r1");
	fkey_to(a, "orders", "orders_user_fkey", "users", "id");
	fkey_to(a, "notes", "notes_code_fkey", "users", "code");

	/* Nothing points at email: no key goes. */
	mg_stable_drop_column(a, mg_schema_table(a, NULL, "users"), "email");
	assert_int_equal(nfkeys(a, "orders"), 1);
	assert_int_equal(nfkeys(a, "notes"), 1);

	/* Renamed table and column: the keys follow, and go with the column. */
	mg_schema_rename_table(a, mg_schema_table(a, NULL, "users"), "people");
	assert_string_equal(mg_schema_table(a, NULL, "orders")->fkeys[0].ref_table, "people");
	mg_stable_rename_column(a, mg_schema_table(a, NULL, "people"), "code", "ref");
	b = mg_schema_copy(a);

	/* An overlay, whose refs are partly its base's (which must not change meanwhile). */
	o = mg_schema_overlay(a);
	mg_schema_drop_table(o, mg_schema_table(o, NULL, "people"));
	assert_int_equal(nfkeys(o, "orders"), 0);
	assert_int_equal(nfkeys(o, "notes"), 0);
	mg_schema_free(o);

	mg_stable_drop_column(a, mg_schema_table(a, NULL, "people"), "ref");
	assert_int_equal(nfkeys(a, "notes"), 0);
	assert_int_equal(nfkeys(a, "orders"), 1);

	/* A copy. */
	mg_stable_drop_column(b, mg_schema_table(b, NULL, "people"), "ref");
	assert_int_equal(nfkeys(b, "notes"), 0);
	mg_stable_drop_constraint(b, mg_schema_table(b, NULL, "people"), "users_pkey");
	assert_int_equal(nfkeys(b, "orders"), 0);

	/* A key a merge brings in. */
	mg_schema_free(b);
	b = mg_schema_new();
	t = mg_schema_add_table(b, NULL, "items", "r2");
	mg_stable_add_column(b, t, "people_nick", "r2");
	fkey_to(b, "items", "items_people_fkey", "people", "nick");
	mg_stable_add_column(a, mg_schema_table(a, NULL, "people"), "nick", "r2");
	mg_schema_merge(a, b);
	mg_schema_free(b);
	assert_int_equal(nfkeys(a, "items"), 1);
	mg_stable_drop_column(a, mg_schema_table(a, NULL, "people"), "nick");
	assert_int_equal(nfkeys(a, "items"), 0);
	assert_int_equal(nfkeys(a, "orders"), 1);
	mg_stable_drop_column(a, mg_schema_table(a, NULL, "people"), "id");
	assert_int_equal(nfkeys(a, "orders"), 0);

	/* DROP TABLE takes the keys pointing at it, and only those. */
	t = mg_schema_add_table(a, NULL, "t", "r3");
	mg_stable_add_column(a, t, "id", "r3");
	mg_schema_add_table(a, NULL, "u", "r3");
	fkey_to(a, "u", "u_t_fkey", "t", id);
	mg_stable_drop_column(a, mg_schema_table(a, NULL, "people"), "id"); /* another table's id */
	assert_int_equal(nfkeys(a, "u"), 1);
	mg_schema_drop_table(a, mg_schema_table(a, NULL, "t"));
	assert_int_equal(nfkeys(a, "u"), 0);
	mg_schema_free(a);
}

/*
 * The diff of an overlay looks only at the tables it changed: renamed,
 * created, dropped and created again, made unsure; the others are its
 * base's. (Debug builds compare it with the walk of every table.)
 */
static void
test_overlay_diff(void **state)
{
	struct mg_schema *a = mg_schema_new(), *o;
	struct mg_schema_diff d;
	struct mg_stable *t;
	char name[32];
	size_t i;

	(void)state;
	for (i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "t%zu", i);
		t = mg_schema_add_table(a, NULL, name, "r1");
		mg_stable_add_column(a, t, "id", "r1");
	}
	o = mg_schema_overlay(a);
	mg_schema_rename_table(o, mg_schema_table(o, NULL, "t3"), "t3_old");
	mg_schema_add_table(o, NULL, "fresh", "r2");
	mg_schema_drop_table(o, mg_schema_table(o, NULL, "t7"));
	t = mg_schema_add_table(o, NULL, "t7", "r2"); /* again, without its column */
	mg_stable_add_column(o, t, "other", "r2");
	mg_schema_drop_table(o, mg_schema_table(o, NULL, "t29"));
	mg_schema_uncertain(o, mg_schema_table(o, NULL, "t12"), "r2.py", 3, "unseen");
	mg_stable_touch(o, mg_schema_table(o, NULL, "t20"), "r2"); /* revisions are not compared */
	mg_schema_diff(a, o, &d);
	assert_int_equal(d.n, 6);
	assert_true(d.uncertain); /* t12 */
	assert_string_equal(d.v[0].object, "public.t3");
	assert_string_equal(d.v[0].what, "dropped and not re-created");
	assert_string_equal(d.v[1].object, "public.t7.id");
	assert_string_equal(d.v[1].what, "dropped and not added back");
	assert_string_equal(d.v[2].object, "public.t7.other");
	assert_string_equal(d.v[2].what, "added and not dropped");
	assert_string_equal(d.v[3].object, "public.t29");
	assert_string_equal(d.v[4].object, "public.t3_old");
	assert_string_equal(d.v[4].what, "created and not dropped");
	assert_string_equal(d.v[5].object, "public.fresh"); /* t7 is compared above */
	mg_schema_diff_free(&d);
	mg_schema_free(o);
	mg_schema_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookup),        cmocka_unit_test(test_index_leading),
	    cmocka_unit_test(test_default_names), cmocka_unit_test(test_drop_column),
	    cmocka_unit_test(test_rename_column), cmocka_unit_test(test_copy_merge),
	    cmocka_unit_test(test_copy_same),     cmocka_unit_test(test_overlay),
	    cmocka_unit_test(test_cascade_refs),  cmocka_unit_test(test_overlay_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
