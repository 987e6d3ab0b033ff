/*
 * The revision graph on hand-built revisions: each check fires where it
 * should and stays silent where it should not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/revgraph.h"

/* Revisions from "path|rev|down,down|label,label|dep,dep" lines ("-": None). */
struct fixture {
	struct mg_rev revs[32];
	size_t n;
	struct mg_arena arena;
};

static void
list(struct mg_arena *a, struct mg_strlist *l, const char *s)
{
	const char *p;
	size_t n = 0;

	memset(l, 0, sizeof(*l));
	l->present = 1;
	l->known = 1;
	l->v = mg_arena_alloc(a, 8 * sizeof(*l->v));
	if (strcmp(s, "-") == 0)
		return;
	for (p = s; *p;) {
		const char *q = strchr(p, ',');
		size_t k = q ? (size_t)(q - p) : strlen(p);
		l->v[n++] = mg_arena_strndup(a, p, k);
		p += k + (q != NULL);
	}
	l->n = n;
}

static void
add(struct fixture *f, const char *spec)
{
	char *s = mg_arena_strdup(&f->arena, spec), *field[5];
	struct mg_rev *r = &f->revs[f->n++];
	int i;

	for (i = 0; i < 5; i++) {
		field[i] = s;
		s = strchr(s, '|');
		if (s)
			*s++ = '\0';
		else
			s = "";
	}
	memset(r, 0, sizeof(*r));
	r->path = field[0];
	r->revision = strcmp(field[1], "-") == 0 ? NULL : field[1];
	r->has_revision = 1;
	r->line = 10;
	r->message = "msg";
	list(&f->arena, &r->down, field[2][0] ? field[2] : "-");
	list(&f->arena, &r->labels, field[3][0] ? field[3] : "-");
	list(&f->arena, &r->deps, field[4][0] ? field[4] : "-");
}

static size_t
count_id(const struct mg_revgraph *g, const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < g->nfindings; i++)
		n += strcmp(g->findings[i].id, id) == 0;
	return n;
}

static const char *
head(const struct mg_revgraph *g, size_t i)
{
	return mg_revgraph_rev(g, g->heads[i])->revision;
}

static void
build(struct mg_revgraph *g, struct fixture *f, const char *const *specs)
{
	memset(f, 0, sizeof(*f));
	for (; *specs; specs++)
		add(f, *specs);
	mg_revgraph_build(g, f->revs, f->n);
}

static void
done(struct mg_revgraph *g, struct fixture *f)
{
	mg_revgraph_free(g);
	mg_arena_free(&f->arena);
}

static void
test_linear(void **state)
{
	static const char *const s[] = {"a.py|a|-", "b.py|b|a", "c.py|c|b", NULL};
	struct fixture f;
	struct mg_revgraph g;

	(void)state;
	build(&g, &f, s);
	assert_int_equal(g.nfindings, 0);
	assert_int_equal(g.nheads, 1);
	assert_string_equal(head(&g, 0), "c");
	assert_int_equal(g.nroots, 1);
	assert_int_equal(g.chain_len, 3);
	assert_string_equal(mg_revgraph_rev(&g, g.chain_from)->revision, "a");
	assert_null(g.merge_command);
	done(&g, &f);
}

static void
test_branch_needs_merge(void **state)
{
	static const char *const s[] = {"1.py|r1|-",  "2.py|r2|r1", "3.py|x3|r2",
	                                "4.py|y4|r2", "5.py|x5|x3", NULL};
	struct fixture f;
	struct mg_revgraph g;

	(void)state;
	build(&g, &f, s);
	assert_int_equal(g.nheads, 2);
	assert_string_equal(head(&g, 0), "x5");
	assert_string_equal(head(&g, 1), "y4");
	assert_int_equal(count_id(&g, "multiple-heads"), 1);
	assert_int_equal(g.ndiverge, 1);
	assert_string_equal(mg_revgraph_rev(&g, g.diverge[0])->revision, "r2");
	assert_string_equal(g.merge_command, "alembic merge -m \"merge heads\" x5 y4");
	assert_int_equal(g.nbranchpoints, 1);
	assert_int_equal(g.chain_len, 4);
	assert_int_equal(mg_revgraph_count(&g, MG_ERROR), 1);
	done(&g, &f);
}

static void
test_merge(void **state)
{
	static const char *const s[] = {"1.py|r1|-", "2.py|a|r1", "3.py|b|r1", "4.py|m|a,b", NULL};
	struct fixture f;
	struct mg_revgraph g;

	(void)state;
	build(&g, &f, s);
	assert_int_equal(g.nfindings, 0);
	assert_int_equal(g.nheads, 1);
	assert_string_equal(head(&g, 0), "m");
	assert_int_equal(g.nmerges, 1);
	assert_int_equal(g.chain_len, 3);
	done(&g, &f);
}

static void
test_labelled_heads(void **state)
{
	/* Two bases, each labelled: heads are fine (a note). */
	static const char *const s[] = {"1.py|r1|-|main", "2.py|r2|r1", "n1.py|n1|-|networking",
	                                "n2.py|n2|n1", NULL};
	/* One of them unlabelled: fine too, but 'alembic upgrade head' fails (another note). */
	static const char *const t[] = {"1.py|r1|-", "2.py|r2|r1", "n1.py|n1|-|networking",
	                                "n2.py|n2|n1", NULL};
	struct fixture f;
	struct mg_revgraph g;

	(void)state;
	build(&g, &f, s);
	assert_int_equal(g.nheads, 2);
	assert_int_equal(count_id(&g, "labelled-heads"), 1);
	assert_int_equal(count_id(&g, "unlabelled-head"), 0);
	assert_int_equal(count_id(&g, "multiple-heads"), 0);
	assert_int_equal(count_id(&g, "multiple-roots"), 1);
	assert_int_equal(mg_revgraph_count(&g, MG_ERROR), 0);
	done(&g, &f);

	build(&g, &f, t);
	assert_int_equal(count_id(&g, "labelled-heads"), 0);
	assert_int_equal(count_id(&g, "unlabelled-head"), 1);
	assert_int_equal(count_id(&g, "multiple-heads"), 0);
	assert_int_equal(mg_revgraph_count(&g, MG_ERROR), 0);
	done(&g, &f);
}

static void
test_typo_is_not_merged(void **state)
{
	/* A mistyped down_revision: a dangling reference and an extra head. The
	 * advice is the reference, never a merge of the broken revision. */
	static const char *const s[] = {"1.py|aaaa01|-", "2.py|aaaa02|aaaa01", "3.py|aaaa03|aaaa0x",
	                                NULL};
	/* The same beside a real fork: only the sound heads are merged. */
	static const char *const t[] = {"1.py|aaaa01|-", "2.py|aaaa02|aaaa01", "3.py|aaaa03|aaaa0x",
	                                "4.py|aaaa04|aaaa01", NULL};
	struct fixture f;
	struct mg_revgraph g;
	size_t i;

	(void)state;
	build(&g, &f, s);
	assert_int_equal(count_id(&g, "dangling-down-revision"), 1);
	assert_int_equal(count_id(&g, "multiple-heads"), 1);
	assert_int_equal(g.nbroken_heads, 1);
	assert_null(g.merge_command);
	for (i = 0; i < g.nfindings; i++)
		if (strcmp(g.findings[i].id, "dangling-down-revision") == 0)
			assert_non_null(strstr(g.findings[i].message, "did you mean 'aaaa01'"));
	done(&g, &f);

	build(&g, &f, t);
	assert_int_equal(g.nbroken_heads, 1);
	assert_string_equal(g.merge_command, "alembic merge -m \"merge heads\" aaaa02 aaaa04");
	done(&g, &f);
}

static void
test_labelled_branch_forks(void **state)
{
	/* The labelled branch itself forks: its two heads share the label. */
	static const char *const s[] = {"1.py|r1|-", "n1.py|n1|-|net", "n2.py|n2|n1", "n3.py|n3|n1",
	                                NULL};
	struct fixture f;
	struct mg_revgraph g;

	(void)state;
	build(&g, &f, s);
	assert_int_equal(count_id(&g, "multiple-heads"), 1);
	assert_int_equal(g.nconflict, 2);
	assert_string_equal(g.merge_command, "alembic merge -m \"merge heads\" n2 n3");
	done(&g, &f);
}

static void
test_duplicate_and_dangling(void **state)
{
	static const char *const s[] = {"1.py|a|-",  "2.py|b|a",          "3.py|b|a",
	                                "4.py|c|zz", "5.py|d|b|lbl|nope", "6.py|e|d||lbl",
	                                NULL};
	struct fixture f;
	struct mg_revgraph g;
	size_t i;

	(void)state;
	build(&g, &f, s);
	assert_int_equal(count_id(&g, "duplicate-revision"), 1);
	assert_int_equal(count_id(&g, "dangling-down-revision"), 1);
	/* "lbl" is a branch label: a valid depends_on. */
	assert_int_equal(count_id(&g, "dangling-depends-on"), 1);
	for (i = 0; i < g.nfindings; i++)
		if (strcmp(g.findings[i].id, "duplicate-revision") == 0) {
			assert_string_equal(g.findings[i].path, "3.py");
			assert_int_equal(g.findings[i].nfiles, 1);
			assert_string_equal(g.findings[i].files[0], "2.py");
		}
	done(&g, &f);
}

static void
test_cycles(void **state)
{
	static const char *const s[] = {"1.py|a|-", "2.py|b|a,d", "3.py|c|b",
	                                "4.py|d|c", "5.py|s|s",   NULL};
	struct fixture f;
	struct mg_revgraph g;

	(void)state;
	build(&g, &f, s);
	assert_int_equal(count_id(&g, "cycle"), 2);
	assert_true(g.cyclic);
	assert_int_equal(g.chain_len, 0);
	done(&g, &f);
}

static void
test_depends_cycle(void **state)
{
	static const char *const s[] = {"1.py|a|-||b", "2.py|b|a", NULL};
	struct fixture f;
	struct mg_revgraph g;

	(void)state;
	build(&g, &f, s);
	assert_int_equal(count_id(&g, "cycle"), 1);
	done(&g, &f);
}

static void
test_missing_and_invalid(void **state)
{
	static const char *const s[] = {"1.py|a|-", "2.py|-|a", "3.py|x-y|a", NULL};
	struct fixture f;
	struct mg_revgraph g;

	(void)state;
	build(&g, &f, s);
	assert_int_equal(count_id(&g, "missing-revision"), 1);
	assert_int_equal(count_id(&g, "invalid-revision-id"), 1);
	assert_int_equal(g.nnodes, 1);
	done(&g, &f);
}

static void
test_label_clash(void **state)
{
	static const char *const s[] = {"1.py|a|-|x", "2.py|b|a|x", "3.py|c|b|a", NULL};
	struct fixture f;
	struct mg_revgraph g;

	(void)state;
	build(&g, &f, s);
	assert_int_equal(count_id(&g, "duplicate-branch-label"), 2);
	done(&g, &f);
}

static void
test_empty(void **state)
{
	struct mg_revgraph g;

	(void)state;
	mg_revgraph_build(&g, NULL, 0);
	assert_int_equal(g.nfindings, 0);
	assert_int_equal(g.nheads, 0);
	mg_revgraph_free(&g);
}

static void
test_long_chain(void **state)
{
	/* Deep enough that recursion would hurt; the walks are iterative. */
	size_t n = 50000, i;
	struct mg_rev *r = calloc(n, sizeof(*r));
	char(*ids)[16] = calloc(n, sizeof(*ids));
	const char **downs = calloc(n, sizeof(*downs));
	struct mg_revgraph g;

	(void)state;
	for (i = 0; i < n; i++) {
		snprintf(ids[i], sizeof(ids[i]), "r%06zu", i);
		r[i].path = ids[i];
		r[i].revision = ids[i];
		r[i].has_revision = 1;
		r[i].down.present = r[i].down.known = 1;
		r[i].labels.present = r[i].labels.known = 1;
		r[i].deps.present = r[i].deps.known = 1;
		if (i > 0) {
			downs[i] = ids[i - 1];
			r[i].down.v = &downs[i];
			r[i].down.n = 1;
		}
	}
	mg_revgraph_build(&g, r, n);
	assert_int_equal(g.nfindings, 0);
	assert_int_equal(g.chain_len, n);
	assert_int_equal(g.nheads, 1);
	mg_revgraph_free(&g);
	free(r);
	free(ids);
	free(downs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_linear),
	    cmocka_unit_test(test_branch_needs_merge),
	    cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_labelled_heads),
	    cmocka_unit_test(test_labelled_branch_forks),
	    cmocka_unit_test(test_typo_is_not_merged),
	    cmocka_unit_test(test_duplicate_and_dangling),
	    cmocka_unit_test(test_cycles),
	    cmocka_unit_test(test_depends_cycle),
	    cmocka_unit_test(test_missing_and_invalid),
	    cmocka_unit_test(test_label_clash),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_long_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
