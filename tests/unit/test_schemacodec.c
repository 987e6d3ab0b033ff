/*
 * Unit tests for src/model/schemacodec.c. Every fixture project (each
 * alembic.ini under fixtures/, and the folders of migrations the goldens
 * and the schema catalog read) is replayed, and at every revision the
 * schema just before it is encoded and decoded: the decoded schema has no
 * difference from it (mg_schema_diff), prints the same JSON and text,
 * encodes to the same bytes and finds the same tables; then the revision
 * is replayed onto a copy, onto the decoded schema and onto an overlay,
 * which must agree (what default names depend on survived). The head
 * schema gets one more migration that names things by default, and every
 * truncation of its encoding is refused. Then the realistic fixture's bytes
 * are attacked further: random flips never crash, and what decodes is used.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/alembic_ini.h"
#include "migen/analyze.h"
#include "migen/emit_schema.h"
#include "migen/ident.h"
#include "migen/history.h"
#include "migen/preload.h"
#include "migen/revgraph.h"
#include "migen/revload.h"
#include "migen/schemacodec.h"

struct totals {
	size_t projects, visits, replays, synthetic;
	const char *label;
};

static char *
text_of(const struct mg_schema *s)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	mg_emit_schema_text(f, s, NULL, 0);
	fclose(f);
	return out;
}

static void
encode(const struct mg_schema *s, struct mg_buf *b)
{
	memset(b, 0, sizeof(*b));
	mg_schema_encode(s, b);
}

static void
assert_same_bytes(const struct mg_buf *a, const struct mg_buf *b, const char *what)
{
	if (a->len != b->len || memcmp(a->s, b->s, a->len) != 0)
		fail_msg("%s: the encodings differ (%zu and %zu bytes)", what, a->len, b->len);
}

static void
assert_same_json(const struct mg_schema *a, const struct mg_schema *b, const char *what)
{
	char *x = mg_emit_schema_json(a, NULL, 0), *y = mg_emit_schema_json(b, NULL, 0);

	if (strcmp(x, y) != 0)
		fail_msg("%s: the JSON differs:\n%s\n----\n%s", what, x, y);
	free(x);
	free(y);
}

/* Both schemas encode to the same bytes and print the same JSON. */
static void
assert_same(const struct mg_schema *a, const struct mg_schema *b, const char *what)
{
	struct mg_buf x, y;

	assert_same_json(a, b, what);
	encode(a, &x);
	encode(b, &y);
	assert_same_bytes(&x, &y, what);
	mg_buf_free(&x);
	mg_buf_free(&y);
}

/* Field by field, strings by content (NULL only equal to NULL). */
static void
same_str(const char *a, const char *b, const char *what, const char *field)
{
	if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0))
		fail_msg("%s: %s: '%s' and '%s'", what, field, a ? a : "(null)", b ? b : "(null)");
}

static void
same_strs(const char *const *a, size_t na, const char *const *b, size_t nb, const char *what,
          const char *field)
{
	size_t i;

	if ((a == NULL) != (b == NULL) || na != nb)
		fail_msg("%s: %s: lists differ", what, field);
	for (i = 0; i < na; i++)
		same_str(a[i], b[i], what, field);
}

static void
same_origin(struct mg_origin a, struct mg_origin b, const char *what)
{
	same_str(a.created, b.created, what, "created");
	same_str(a.changed, b.changed, what, "changed");
}

static void
same_uncertain(const struct mg_uncertain *a, size_t na, const struct mg_uncertain *b, size_t nb,
               const char *what)
{
	size_t i;

	assert_int_equal(na, nb);
	for (i = 0; i < na; i++) {
		same_str(a[i].reason, b[i].reason, what, "reason");
		same_str(a[i].path, b[i].path, what, "path");
		assert_int_equal(a[i].line, b[i].line);
	}
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A set of hashes of a schema (an overlay's with its bases'), sorted, each once: the
 * identifiers seen (refs 0), what foreign keys ever pointed at (refs 1). */
static uint64_t *
hash_set(const struct mg_schema *s, int refs, size_t *n)
{
	const struct mg_schema *x;
	uint64_t *v = NULL;
	size_t cap = 0, i, k;

	*n = 0;
	for (x = s; x != NULL; x = x->base) {
		const struct mg_hashes *hs = refs ? &x->refs : &x->seen;
		for (i = 0; i < hs->cap; i++)
			if (hs->v[i] != 0) {
				mg_grow(&v, &cap, *n + 1, sizeof(*v));
				v[(*n)++] = hs->v[i];
			}
	}
	if (*n > 0)
		qsort(v, *n, sizeof(*v), u64_cmp);
	for (i = k = 0; i < *n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	*n = k;
	return v;
}

static void
assert_same_fields(const struct mg_schema *a, const struct mg_schema *b, const char *what)
{
	size_t i, k, na, nb;
	uint64_t *sa, *sb;

	assert_int_equal(a->ntables, b->ntables);
	for (i = 0; i < a->ntables; i++) {
		const struct mg_stable *x = &a->tables[i], *y = &b->tables[i];
		same_str(x->schema, y->schema, what, "table schema");
		same_str(x->name, y->name, what, "table name");
		same_origin(x->rev, y->rev, what);
		assert_int_equal(x->ncolumns, y->ncolumns);
		for (k = 0; k < x->ncolumns; k++) {
			const struct mg_scolumn *p = &x->columns[k], *q = &y->columns[k];
			same_str(p->name, q->name, what, "column name");
			same_str(p->type, q->type, what, "column type");
			assert_int_equal(p->nullable, q->nullable);
			same_str(p->dflt, q->dflt, what, "column default");
			assert_int_equal(p->identity, q->identity);
			assert_int_equal(p->generated, q->generated);
			same_str(p->seq, q->seq, what, "column sequence");
			same_origin(p->rev, q->rev, what);
		}
		assert_int_equal(x->nindexes, y->nindexes);
		for (k = 0; k < x->nindexes; k++) {
			const struct mg_sindex *p = &x->indexes[k], *q = &y->indexes[k];
			size_t c;
			same_str(p->name, q->name, what, "index name");
			assert_int_equal(p->kind, q->kind);
			same_strs(p->columns, p->ncolumns, q->columns, q->ncolumns, what,
			          "index columns");
			for (c = 0; c < p->ncolumns; c++)
				assert_int_equal(p->is_expr[c] != 0, q->is_expr[c]);
			assert_int_equal(p->unique != 0, q->unique);
			same_str(p->where, q->where, what, "index where");
			same_str(p->method, q->method, what, "index method");
			assert_int_equal(p->valid != 0, q->valid);
			same_origin(p->rev, q->rev, what);
		}
		assert_int_equal(x->nfkeys, y->nfkeys);
		for (k = 0; k < x->nfkeys; k++) {
			const struct mg_sfkey *p = &x->fkeys[k], *q = &y->fkeys[k];
			same_str(p->name, q->name, what, "fkey name");
			same_strs(p->columns, p->ncolumns, q->columns, q->ncolumns, what,
			          "fkey columns");
			same_str(p->ref_schema, q->ref_schema, what, "fkey ref_schema");
			same_str(p->ref_table, q->ref_table, what, "fkey ref_table");
			same_strs(p->ref_columns, p->nref_columns, q->ref_columns, q->nref_columns,
			          what, "fkey ref_columns");
			same_str(p->on_delete, q->on_delete, what, "fkey on_delete");
			assert_int_equal(p->validated != 0, q->validated);
			same_origin(p->rev, q->rev, what);
		}
		assert_int_equal(x->nchecks, y->nchecks);
		for (k = 0; k < x->nchecks; k++) {
			const struct mg_scheck *p = &x->checks[k], *q = &y->checks[k];
			same_str(p->name, q->name, what, "check name");
			same_str(p->expr, q->expr, what, "check expr");
			assert_int_equal(p->validated != 0, q->validated);
			same_origin(p->rev, q->rev, what);
		}
		same_uncertain(x->uncertain, x->nuncertain, y->uncertain, y->nuncertain, what);
	}
	assert_int_equal(a->nenums, b->nenums);
	for (i = 0; i < a->nenums; i++) {
		const struct mg_senum *x = &a->enums[i], *y = &b->enums[i];
		same_str(x->schema, y->schema, what, "enum schema");
		same_str(x->name, y->name, what, "enum name");
		same_strs(x->labels, x->nlabels, y->labels, y->nlabels, what, "enum labels");
		assert_int_equal(x->labels_known != 0, y->labels_known);
		same_origin(x->rev, y->rev, what);
	}
	assert_int_equal(a->nsequences, b->nsequences);
	for (i = 0; i < a->nsequences; i++) {
		const struct mg_ssequence *x = &a->sequences[i], *y = &b->sequences[i];
		same_str(x->schema, y->schema, what, "sequence schema");
		same_str(x->name, y->name, what, "sequence name");
		same_str(x->owner_table, y->owner_table, what, "sequence owner_table");
		same_str(x->owner_column, y->owner_column, what, "sequence owner_column");
		same_origin(x->rev, y->rev, what);
	}
	same_uncertain(a->uncertain, a->nuncertain, b->uncertain, b->nuncertain, what);
	same_strs(a->revisions, a->nrevisions, b->revisions, b->nrevisions, what, "revisions");
	for (k = 0; k < 2; k++) {
		sa = hash_set(a, (int)k, &na);
		sb = hash_set(b, (int)k, &nb);
		if (na != nb || (na > 0 && memcmp(sa, sb, na * sizeof(*sa)) != 0))
			fail_msg("%s: the %s differ (%zu and %zu)", what,
			         k ? "foreign keys' targets" : "identifier hashes seen", na, nb);
		free(sa);
		free(sb);
	}
}

/* Lookups through the rebuilt table hash find the same places. */
static void
assert_same_lookups(const struct mg_schema *s, const struct mg_schema *d, const char *what)
{
	size_t i, k;

	assert_int_equal(s->ntables, d->ntables);
	for (i = 0; i < s->ntables; i++) {
		const struct mg_stable *t = &s->tables[i];
		const struct mg_stable *x = mg_schema_table(s, t->schema, t->name);
		const struct mg_stable *y = mg_schema_table(d, t->schema, t->name);
		if (x == NULL || y == NULL || x - s->tables != y - d->tables)
			fail_msg("%s: table %s.%s not found in the same place", what, t->schema,
			         t->name);
		for (k = 0; k < t->nindexes; k++) {
			struct mg_stable *tx = NULL, *ty = NULL;
			const char *n = t->indexes[k].name;
			const struct mg_sindex *ix = mg_schema_index(s, t->schema, n, &tx);
			const struct mg_sindex *iy = mg_schema_index(d, t->schema, n, &ty);
			assert_true((ix == NULL) == (iy == NULL));
			if (ix != NULL)
				assert_int_equal(tx - s->tables, ty - d->tables);
		}
	}
	assert_null(mg_schema_table(d, "public", "no such table, surely"));
}

/*
 * Encodes s, decodes it and checks the round trip (see the top); returns
 * the decoded schema.
 */
static struct mg_schema *
round_trip(const struct mg_schema *s, const char *what)
{
	struct mg_buf a, b;
	struct mg_schema_diff diff;
	struct mg_schema *d, *c;
	const char *why = NULL;
	char *x, *y;

	encode(s, &a);
	d = mg_schema_decode(a.s, a.len, &why);
	if (d == NULL)
		fail_msg("%s: decode: %s", what, why);
	assert_same_fields(s, d, what);
	mg_schema_diff(s, d, &diff);
	if (diff.n > 0)
		fail_msg("%s: %s %s: %s", what, diff.v[0].kind, diff.v[0].object, diff.v[0].what);
	assert_int_equal(diff.uncertain, 0);
	mg_schema_diff_free(&diff);
	mg_schema_diff(d, s, &diff);
	assert_int_equal(diff.n, 0);
	mg_schema_diff_free(&diff);
	assert_same_json(s, d, what);
	x = text_of(s);
	y = text_of(d);
	assert_string_equal(x, y);
	free(x);
	free(y);
	encode(d, &b);
	assert_same_bytes(&a, &b, what);
	mg_buf_free(&b);
	assert_same_lookups(s, d, what);
	/* A decoded schema copies like any other. */
	c = mg_schema_copy(d);
	encode(c, &b);
	assert_same_bytes(&a, &b, what);
	mg_buf_free(&b);
	mg_schema_free(c);
	mg_buf_free(&a);
	return d;
}

static int
visit(void *arg, size_t node, const char *revision, const struct mg_schema *before,
      const struct mg_model *m)
{
	struct totals *tt = arg;
	struct mg_schema *d = round_trip(before, tt->label), *c, *o;

	(void)node;
	tt->visits++;
	if (m != NULL) {
		/* The revision onto a copy, onto the decoded schema and onto an
		 * overlay (encoded with what it borrows): all three agree. */
		c = mg_schema_copy(before);
		o = mg_schema_overlay(before);
		mg_replay_model(c, m, revision, NULL);
		mg_replay_model(d, m, revision, NULL);
		mg_replay_model(o, m, revision, NULL);
		assert_same(c, d, tt->label);
		assert_same(c, o, tt->label);
		mg_schema_free(o);
		mg_schema_free(c);
		tt->replays++;
	}
	mg_schema_free(d);
	return 0;
}

/*
 * A migration that makes PostgreSQL name things (indexes, keys, checks,
 * foreign keys, a serial's sequence) on a few of s's tables, then drops
 * and renames some: its result depends on every name s holds.
 */
static char *
default_names_migration(const struct mg_schema *s)
{
	struct mg_buf b = {0};
	char last[300] = "";
	size_t i, n = 0;

	mg_buf_puts(&b, "from alembic import op\n\nrevision = 'zz_codec'\n\n\ndef upgrade():\n"
	                "    pass\n");
	for (i = 0; i < s->ntables && n < 6; i++) {
		const struct mg_stable *t = &s->tables[i];
		const char *q = t->schema, *tn = t->name, *c;
		if (t->ncolumns < 2 || !mg_ident_is_plain(q) || !mg_ident_is_plain(tn) ||
		    !mg_ident_is_plain(t->columns[0].name) ||
		    !mg_ident_is_plain(t->columns[1].name))
			continue;
		c = t->columns[0].name;
		mg_buf_printf(&b, "    op.execute('CREATE INDEX ON %s.%s (%s)')\n", q, tn, c);
		mg_buf_printf(&b, "    op.execute('CREATE INDEX ON %s.%s (%s)')\n", q, tn, c);
		mg_buf_printf(&b, "    op.execute('ALTER TABLE %s.%s ADD UNIQUE (%s)')\n", q, tn,
		              c);
		mg_buf_printf(&b,
		              "    op.execute('ALTER TABLE %s.%s ADD CHECK (%s IS NOT NULL)')\n", q,
		              tn, c);
		mg_buf_printf(&b,
		              "    op.execute('ALTER TABLE %s.%s ADD FOREIGN KEY (%s) "
		              "REFERENCES %s.%s (%s)')\n",
		              q, tn, c, q, tn, c);
		mg_buf_printf(
		    &b, "    op.execute('CREATE TABLE %s.%s_%s_seq2 (id serial PRIMARY KEY)')\n", q,
		    tn, c);
		mg_buf_printf(&b, "    op.execute('ALTER TABLE %s.%s DROP COLUMN %s')\n", q, tn, c);
		mg_buf_printf(&b, "    op.execute('CREATE INDEX ON %s.%s (%s)')\n", q, tn,
		              t->columns[1].name);
		if (*last != '\0')
			mg_buf_printf(&b, "    op.execute('DROP TABLE %s CASCADE')\n", last);
		snprintf(last, sizeof(last), "%s.%s", q, tn);
		n++;
	}
	if (*last != '\0')
		mg_buf_printf(&b, "    op.execute('ALTER TABLE %s RENAME TO zz_renamed')\n", last);
	return mg_buf_detach(&b);
}

/* Every prefix of s's encoding is refused, with a reason. */
static void
check_truncations(const struct mg_schema *s, const char *what)
{
	struct mg_buf b;
	const char *why;
	size_t n;

	encode(s, &b);
	for (n = 0; n < b.len; n++) {
		why = NULL;
		if (mg_schema_decode(b.s, n, &why) != NULL || why == NULL)
			fail_msg("%s: a prefix of %zu of %zu bytes decoded", what, n, b.len);
	}
	mg_buf_free(&b);
}

/* One more migration onto s and onto its decoded copy: the same schema after. */
static void
check_default_names(struct mg_schema *s, struct totals *tt)
{
	struct mg_schema *d = round_trip(s, tt->label);
	char *src = default_names_migration(s), *before = mg_emit_schema_json(s, NULL, 0), *after;
	struct mg_model *m = mg_analyze("zz_codec.py", src, strlen(src), MG_ANALYZE_FULL);

	mg_replay_model(s, m, "zz_codec", NULL);
	mg_replay_model(d, m, "zz_codec", NULL);
	assert_same(s, d, tt->label);
	after = mg_emit_schema_json(s, NULL, 0);
	if (strcmp(before, after) != 0)
		tt->synthetic++; /* the migration changed something */
	free(after);
	free(before);
	mg_model_free(m);
	free(src);
	mg_schema_free(d);
}

/* Replays a project (an alembic.ini, or a folder of migrations) with the checks above. */
static void
replay_project(const char *ini, const char *dir, struct totals *tt)
{
	struct mg_alembic_env env;
	struct mg_revset set;
	struct mg_revload_opts lo;
	struct mg_revgraph g;
	struct mg_history_opts ho;
	struct mg_schema *s = NULL;
	const char *why = NULL, *where = NULL, *const *dirs = &dir;
	size_t ndirs = 1;

	memset(&env, 0, sizeof(env));
	memset(&set, 0, sizeof(set));
	memset(&lo, 0, sizeof(lo));
	if (ini != NULL) {
		if (mg_alembic_ini_read(ini, "alembic", &env, &why) != 0) {
			mg_alembic_env_free(&env);
			return; /* a fixture of a broken environment */
		}
		dirs = env.versions;
		ndirs = env.nversions;
		lo.recursive = env.recursive;
	}
	tt->label = ini != NULL ? ini : dir;
	if (mg_revload(dirs, ndirs, &lo, &set, &why, &where) == 0 && set.n > 0) {
		mg_revgraph_build(&g, set.revs, set.n);
		memset(&ho, 0, sizeof(ho));
		ho.visit = visit;
		ho.arg = tt;
		if (mg_history_replay(&g, &ho, &s, &why) == 0) {
			tt->projects++;
			check_truncations(s, tt->label);
			check_default_names(s, tt);
		}
		mg_schema_free(s);
		mg_revgraph_free(&g);
	}
	mg_revset_free(&set);
	mg_alembic_env_free(&env);
}

static struct totals *walk_totals;

static int
found(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	if (type == FTW_F && strcmp(path + ftw->base, "alembic.ini") == 0)
		replay_project(path, NULL, walk_totals);
	return 0;
}

static const char *
fixtures(void)
{
	const char *fx = getenv("MIGEN_FIXTURES");

	return fx != NULL ? fx : "fixtures";
}

static void
test_fixture_projects(void **state)
{
	static const char *dirs[] = {
	    "autogen",
	    "backfill",
	    "unusual",
	    "rules",
	    "write",
	    "../tests/integration/schema_catalog/app",
	    "../tests/integration/schema_catalog/batch",
	    "../tests/integration/schema_catalog/graph",
	    "../tests/integration/schema_catalog/opaque",
	    "../tests/integration/schema_catalog/sql",
	    "../tests/integration/schema_catalog/style",
	};
	struct totals tt;
	struct mg_arena a = {0};
	size_t i;

	(void)state;
	memset(&tt, 0, sizeof(tt));
	walk_totals = &tt;
	assert_int_equal(nftw(fixtures(), found, 16, FTW_PHYS), 0);
	for (i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		replay_project(NULL, mg_arena_printf(&a, "%s/%s", fixtures(), dirs[i]), &tt);
	mg_arena_free(&a);
	print_message("%zu projects, %zu revisions visited, %zu replayed, %zu default-name "
	              "migrations that changed the schema\n",
	              tt.projects, tt.visits, tt.replays, tt.synthetic);
	/* Not a pass by skipping: the fixtures are there and were replayed. */
	assert_true(tt.projects >= 30);
	assert_true(tt.replays >= 300);
	assert_true(tt.synthetic >= 10);
}

/* The realistic fixture's head schema, encoded. */
/* One project's schema, replayed with history.c's own loader (window 0) or with the preload's
 * windows of that many files, no cache; encoded into b too. */
static struct mg_schema *
replay_with(const char *ini, size_t window, const char *at, struct mg_buf *b)
{
	struct mg_alembic_env env;
	struct mg_revset set;
	struct mg_revload_opts lo;
	struct mg_revgraph g;
	struct mg_history_opts ho;
	struct mg_preload *pre = NULL;
	struct mg_schema *s = NULL;
	const char *why = NULL, *where = NULL;
	size_t i;

	memset(&env, 0, sizeof(env));
	memset(&set, 0, sizeof(set));
	memset(&lo, 0, sizeof(lo));
	memset(&ho, 0, sizeof(ho));
	assert_int_equal(mg_alembic_ini_read(ini, "alembic", &env, &why), 0);
	assert_int_equal(mg_revload(env.versions, env.nversions, &lo, &set, &why, &where), 0);
	mg_revgraph_build(&g, set.revs, set.n);
	ho.at = at;
	if (window > 0) {
		const char **paths = calloc(set.n + 1, sizeof(*paths));
		for (i = 0; i < set.n; i++)
			paths[i] = set.revs[i].path;
		pre = mg_preload_new(paths, set.n, NULL, window);
		free(paths);
		ho.load = mg_preload_load;
		ho.plan = mg_preload_plan;
		ho.arg = pre;
	}
	assert_int_equal(mg_history_replay(&g, &ho, &s, &why), 0);
	encode(s, b);
	mg_preload_free(pre);
	mg_revgraph_free(&g);
	mg_revset_free(&set);
	mg_alembic_env_free(&env);
	return s;
}

static struct mg_schema *
realistic(struct mg_buf *b)
{
	char ini[4096];

	snprintf(ini, sizeof(ini), "%s/realistic/alembic.ini", fixtures());
	return replay_with(ini, 0, NULL, b);
}

/* Whatever a decoded schema is, everything that reads a schema can read it. */
static void
use(struct mg_schema *d)
{
	struct mg_schema *c = mg_schema_copy(d), *o = mg_schema_overlay(d);
	struct mg_schema_diff diff;
	struct mg_buf b = {0};
	char *x = mg_emit_schema_json(d, NULL, 0), *y = text_of(d), *src;
	struct mg_model *m;
	const char *cols[] = {"a", "b"};

	mg_schema_diff(d, c, &diff);
	mg_schema_diff_free(&diff);
	mg_schema_encode(d, &b);
	src = default_names_migration(d);
	m = mg_analyze("zz_codec.py", src, strlen(src), MG_ANALYZE_FULL);
	mg_replay_model(o, m, "zz_codec", NULL);
	mg_replay_model(c, m, "zz_codec", NULL);
	mg_schema_diff(d, o, &diff);
	mg_schema_diff_free(&diff);
	(void)mg_schema_default_name(c, "public", "t", cols, 2, "key");
	mg_model_free(m);
	free(src);
	mg_buf_free(&b);
	free(x);
	free(y);
	mg_schema_free(o);
	mg_schema_free(c);
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
test_flipped(void **state)
{
	struct mg_buf b;
	struct mg_schema *s = realistic(&b), *d;
	char *v = mg_xmalloc(b.len);
	const char *why;
	int i, k, decoded = 0;

	(void)state;
	for (i = 0; i < 3000; i++) {
		memcpy(v, b.s, b.len);
		for (k = (int)(next() % 4); k >= 0; k--) {
			size_t at = next() % b.len;
			/* Half the time a small change (a count or reference off by a little). */
			v[at] =
			    (char)(next() & 1 ? v[at] ^ (char)(1u << (next() % 8)) : (char)next());
		}
		why = NULL;
		d = mg_schema_decode(v, b.len, &why);
		if (d == NULL) {
			assert_non_null(why);
			continue;
		}
		decoded++;
		use(d);
		mg_schema_free(d);
	}
	print_message("%d of 3000 flipped encodings decoded (and were used)\n", decoded);
	free(v);
	mg_buf_free(&b);
	mg_schema_free(s);
}

static void
put32(char *p, uint32_t v)
{
	p[0] = (char)(v & 0xFF);
	p[1] = (char)((v >> 8) & 0xFF);
	p[2] = (char)((v >> 16) & 0xFF);
	p[3] = (char)((v >> 24) & 0xFF);
}

static void
test_hostile(void **state)
{
	/* magic, version, no strings, then counts: tables, enums, sequences, uncertain
	 * facts, revisions (NULL), seen hashes, foreign keys' targets. */
	char ok[] = "MGSC\2\0\0\0"
	            "\0\0\0\0\0\0\0\0"
	            "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	            "\xFF\xFF\xFF\xFF\0\0\0\0\0\0\0\0";
	char v[sizeof(ok)];
	const char *why = NULL;
	struct mg_schema *d;
	struct mg_buf b = {0};

	(void)state;
	d = mg_schema_decode(ok, sizeof(ok) - 1, &why);
	assert_non_null(d);
	assert_int_equal(d->ntables, 0);
	assert_null(d->revisions);
	mg_schema_encode(d, &b);
	assert_int_equal(b.len, sizeof(ok) - 1);
	assert_memory_equal(b.s, ok, b.len);
	mg_buf_free(&b);
	mg_schema_free(d);

	assert_null(mg_schema_decode(ok, sizeof(ok), &why)); /* a byte after the end */
	assert_string_equal(why, "bytes after the end of the schema");
	assert_null(mg_schema_decode("", 0, &why));
	assert_null(mg_schema_decode("MGSC", 4, &why));
	memcpy(v, ok, sizeof(ok));
	v[4] = 1;
	assert_null(mg_schema_decode(v, sizeof(ok) - 1, &why));
	assert_string_equal(why, "an encoded schema of another version");
	/* Huge counts are refused before anything is allocated for them. */
	memcpy(v, ok, sizeof(ok));
	put32(v + 8, 0xFFFFFFF0u); /* strings */
	assert_null(mg_schema_decode(v, sizeof(ok) - 1, &why));
	memcpy(v, ok, sizeof(ok));
	put32(v + 16, 0x7FFFFFFFu); /* tables */
	assert_null(mg_schema_decode(v, sizeof(ok) - 1, &why));
	assert_string_equal(why, "a count larger than the bytes left");
	memcpy(v, ok, sizeof(ok));
	put32(v + 32, 1000); /* revisions: 1000 strings in 4 bytes */
	assert_null(mg_schema_decode(v, sizeof(ok) - 1, &why));
	memcpy(v, ok, sizeof(ok));
	put32(v + 36, 1); /* one seen hash, missing */
	assert_null(mg_schema_decode(v, sizeof(ok) - 1, &why));
	memcpy(v, ok, sizeof(ok));
	put32(v + 40, 1); /* one foreign key's target, missing */
	assert_null(mg_schema_decode(v, sizeof(ok) - 1, &why));
}

/* A table with a reference past the string table, a NULL name, a bad flag. */
static void
test_bad_values(void **state)
{
	struct mg_schema *s = mg_schema_new(), *d;
	struct mg_stable *t;
	struct mg_buf b = {0};
	const char *why = NULL;
	size_t at;

	(void)state;
	t = mg_schema_add_table(s, NULL, "t", "r1");
	mg_stable_add_column(s, t, "a", "r1");
	mg_schema_encode(s, &b);
	d = mg_schema_decode(b.s, b.len, &why);
	assert_non_null(d);
	mg_schema_free(d);
	/* The strings: "public", "t", "r1", "a"; the table count then its schema ref. */
	at = 16 + strlen("public") + 1 + 2 + 3 + 2 + 4;
	assert_int_equal((unsigned char)b.s[at], 1);
	b.s[at] = 9;
	assert_null(mg_schema_decode(b.s, b.len, &why));
	assert_string_equal(why, "a string reference past the string table");
	b.s[at] = 0;
	assert_null(mg_schema_decode(b.s, b.len, &why));
	assert_string_equal(why, "a name is missing");
	b.s[at] = 1;
	/* The column's nullable flag: after the table's schema, name and origin
	 * (four references), the column count, the column's name and type. */
	at += 4 * 4 + 4 + 4 + 4;
	assert_int_equal((unsigned char)b.s[at], 1); /* MG_YES */
	b.s[at] = 2;
	assert_null(mg_schema_decode(b.s, b.len, &why));
	b.s[at] = (char)0xFF;
	d = mg_schema_decode(b.s, b.len, &why);
	assert_non_null(d);
	assert_int_equal(d->tables[0].columns[0].nullable, MG_UNKNOWN);
	mg_schema_free(d);
	mg_buf_free(&b);
	mg_schema_free(s);
}

/* NULL strings stay NULL, "" stays "", a NULL list stays NULL and an empty one empty. */
static void
test_nulls(void **state)
{
	struct mg_schema *s = mg_schema_new(), *d;
	struct mg_stable *t;
	struct mg_sfkey *f1, *f2;
	struct mg_scolumn *c;
	struct mg_buf b = {0};
	const char *why = NULL;

	(void)state;
	t = mg_schema_add_table(s, "app", "t", NULL);
	c = mg_stable_add_column(s, t, "a", "r1");
	c->dflt = mg_schema_str(s, "");
	c->nullable = MG_UNKNOWN;
	f1 = mg_stable_add_fkey(s, t, "r1");
	f1->ref_table = mg_schema_str(s, "u");
	f2 = mg_stable_add_fkey(s, t, "r1");
	f2->ref_columns = mg_arena_alloc(&s->arena, sizeof(*f2->ref_columns));
	f2->nref_columns = 0;
	mg_schema_encode(s, &b);
	d = mg_schema_decode(b.s, b.len, &why);
	assert_non_null(d);
	t = &d->tables[0];
	assert_null(t->rev.created);
	assert_null(t->columns[0].type);
	assert_string_equal(t->columns[0].dflt, "");
	assert_int_equal(t->columns[0].nullable, MG_UNKNOWN);
	assert_null(t->fkeys[0].ref_columns);
	assert_non_null(t->fkeys[1].ref_columns);
	assert_int_equal(t->fkeys[1].nref_columns, 0);
	assert_ptr_equal(mg_schema_table(d, "app", "t"), t);
	mg_schema_free(d);
	mg_buf_free(&b);
	mg_schema_free(s);
}

/* Every field away from what a replay usually leaves, and back. */
static void
test_every_field(void **state)
{
	struct mg_schema *s = mg_schema_new(), *d;
	struct mg_stable *t;
	struct mg_scolumn *c;
	struct mg_sindex *ix;
	struct mg_sfkey *fk;
	struct mg_scheck *k;
	struct mg_senum *e;
	struct mg_ssequence *q;
	struct mg_buf b = {0};
	const char *why = NULL;
	static const char *cols[] = {"a", "lower(b)"};
	static const char *refs[] = {"id"};

	(void)state;
	t = mg_schema_add_table(s, "app", "Users", "r1");
	mg_stable_touch(s, t, "r2");
	c = mg_stable_add_column(s, t, "a", "r1");
	c->type = mg_schema_str(s, "bigint");
	c->nullable = MG_NO;
	c->dflt = mg_schema_str(s, "nextval('s')");
	c->identity = 1;
	c->generated = 1;
	c->seq = mg_schema_str(s, "users_a_seq");
	c->rev.changed = mg_schema_str(s, "r3");
	ix = mg_stable_add_index(s, t, "r2");
	ix->name = mg_schema_id(s, "ix_a");
	ix->kind = MG_IX_UNIQUE;
	ix->columns = mg_arena_alloc(&s->arena, 2 * sizeof(*ix->columns));
	ix->is_expr = mg_arena_alloc(&s->arena, 2 * sizeof(*ix->is_expr));
	ix->columns[0] = cols[0];
	ix->columns[1] = cols[1];
	ix->is_expr[1] = 1;
	ix->ncolumns = 2;
	ix->unique = 1;
	ix->where = mg_schema_str(s, "a > 0");
	ix->method = mg_schema_str(s, "gin");
	ix->valid = 0;
	fk = mg_stable_add_fkey(s, t, "r2");
	fk->name = mg_schema_id(s, "fk_a");
	fk->columns = cols;
	fk->ncolumns = 1;
	fk->ref_schema = mg_schema_str(s, "other");
	fk->ref_table = mg_schema_str(s, "t2");
	fk->ref_columns = refs;
	fk->nref_columns = 1;
	fk->on_delete = mg_schema_str(s, "CASCADE");
	fk->validated = 0;
	k = mg_stable_add_check(s, t, "r2");
	k->name = mg_schema_id(s, "ck");
	k->expr = mg_schema_str(s, "a > 1");
	k->validated = 0;
	mg_schema_uncertain(s, t, "m.py", 7, "a loop");
	mg_schema_uncertain(s, NULL, NULL, 0, "a computed name");
	e = mg_schema_add_enum(s, NULL, "mood", "r1");
	mg_senum_add_label(s, e, "sad");
	mg_senum_add_label(s, e, "");
	e->labels_known = 0;
	q = mg_schema_add_sequence(s, "app", "users_a_seq", "r1");
	q->owner_table = mg_schema_str(s, "Users");
	q->owner_column = mg_schema_str(s, "a");
	mg_schema_add_revision(s, "r3");
	mg_schema_add_revision(s, "r4");
	(void)mg_schema_default_name(s, "app", "Users", cols, 1, "key");

	mg_schema_encode(s, &b);
	d = mg_schema_decode(b.s, b.len, &why);
	assert_non_null(d);
	assert_same_fields(s, d, "every field");
	assert_int_equal(d->tables[0].indexes[0].valid, 0);
	assert_int_equal(d->tables[0].indexes[0].is_expr[1], 1);
	assert_int_equal(d->enums[0].labels_known, 0);
	mg_schema_free(d);
	mg_buf_free(&b);
	/* The default name taken above is taken after the round trip too. */
	d = round_trip(s, "every field");
	assert_string_equal(mg_schema_default_name(s, "app", "Users", cols, 1, "key"),
	                    mg_schema_default_name(d, "app", "Users", cols, 1, "key"));
	mg_schema_free(d);
	mg_schema_free(s);
}

/* The preload hands the replay the models its own loader would make, whatever the window: on
 * histories with merges (whose other branches are asked for again) and with --at. */
static void
test_preload_windows(void **state)
{
	static const struct {
		const char *project, *at;
	} cases[] = {
	    {"realistic", NULL},       {"realistic", "0020"},  {"schema/branched", NULL},
	    {"lint/merge-drop", NULL}, {"lint/history", NULL}, {"revert/cascade", NULL},
	};
	static const size_t windows[] = {1, 2, 5, 128};
	size_t c, w;
	char ini[4096];

	(void)state;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct mg_buf want;

		snprintf(ini, sizeof(ini), "%s/%s/alembic.ini", fixtures(), cases[c].project);
		mg_schema_free(replay_with(ini, 0, cases[c].at, &want));
		for (w = 0; w < sizeof(windows) / sizeof(windows[0]); w++) {
			struct mg_buf got;
			char what[256];

			mg_schema_free(replay_with(ini, windows[w], cases[c].at, &got));
			snprintf(what, sizeof(what), "%s (at %s), window %zu", cases[c].project,
			         cases[c].at ? cases[c].at : "heads", windows[w]);
			assert_same_bytes(&want, &got, what);
			mg_buf_free(&got);
		}
		mg_buf_free(&want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture_projects),
	    cmocka_unit_test(test_flipped),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_nulls),
	    cmocka_unit_test(test_every_field),
	    cmocka_unit_test(test_preload_windows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
