/*
 * The header-only revision reader must agree with the full tree-sitter
 * parse: on every fixture, and on header shapes built to trip it (escapes,
 * annotations, tuples, comments, CRLF, BOM, f-strings, chained assignment).
 * Whenever the fast reader or mg_analyze_header() answers, the answer must
 * equal mg_analyze(MG_ANALYZE_REVISION) on the whole file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/input.h"
#include "../../src/parse/revhead.h"

static int
same_rev(const struct mg_revinfo *a, const struct mg_revinfo *b)
{
	return mg_revinfo_same(a, b) && a->has_revision == b->has_revision &&
	       (!a->has_revision || (a->revision_span.start == b->revision_span.start &&
	                             a->revision_span.end == b->revision_span.end &&
	                             a->revision_span.line == b->revision_span.line &&
	                             a->revision_span.col == b->revision_span.col));
}

static struct mg_parser *parser;
static int fast_hits, header_hits;

/* Checks one source; returns whether the fast reader handled it. */
static int
check(const char *name, const char *src, size_t len)
{
	struct mg_model *full = mg_analyze(name, src, len, MG_ANALYZE_REVISION);
	struct mg_model *head = mg_analyze_header(parser, name, src, len);
	int fast = 0;

	if (head != NULL) {
		header_hits++;
		if (!same_rev(&full->rev, &head->rev))
			fail_msg("%s: header read differs from the full parse", name);
		mg_model_free(head);
	}
	{
		/* The scanner alone, on the header. */
		size_t base = (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
		size_t end = mg_revhead_end(src + base, len - base);
		struct mg_model *m = mg_model_new(name);

		if (end != (size_t)-1 && mg_revhead_scan(m, src + base, end, (uint32_t)base)) {
			fast = 1;
			fast_hits++;
			/* Variables the header lacks are absent in both only if not
			 * assigned later: compare the ones it found. */
			if (m->rev.has_revision && full->rev.has_revision &&
			    !mg_str_same(m->rev.revision, full->rev.revision))
				fail_msg("%s: fast revision differs", name);
			if (m->rev.down_revision.present &&
			    !mg_strlist_same(&m->rev.down_revision, &full->rev.down_revision))
				fail_msg("%s: fast down_revision differs", name);
			if (!mg_str_same(m->rev.message, full->rev.message))
				fail_msg("%s: fast message '%s' vs '%s'", name,
				         m->rev.message ? m->rev.message : "(null)",
				         full->rev.message ? full->rev.message : "(null)");
		}
		mg_model_free(m);
	}
	mg_model_free(full);
	return fast;
}

static void
fixture_dir(const char *sub, int expect_fast)
{
	const char *top = getenv("MIGEN_FIXTURES");
	char dir[2048], path[4096];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.1000s/%.100s", top ? top : "fixtures", sub);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		struct mg_input in;
		const char *why;
		size_t n = strlen(e->d_name);
		int fast;

		if (n < 3 || strcmp(e->d_name + n - 3, ".py") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (mg_input_read(path, &in, &why) != 0)
			continue;
		fast = check(path, in.data, in.len);
		if (expect_fast && !fast)
			fail_msg("%s: an Alembic template header should take the fast path", path);
		mg_input_free(&in);
	}
	closedir(d);
}

static void
test_autogen(void **state)
{
	(void)state;
	fixture_dir("autogen", 1);
}

static void
test_unusual(void **state)
{
	(void)state;
	fixture_dir("unusual", 0);
}

/* Header shapes: each is followed by the same body. */
static const char *const headers[] = {
    "\"\"\"add x\n\nRevision ID: a1\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n"
    "revision = 'a1'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n",
    "\"\"\"  spaced message\t \n\"\"\"\nrevision: str = \"a1\"\n"
    "down_revision: Union[str, None] = 'z9'\n"
    "branch_labels: Union[str, Sequence[str], None] = ('one',)\n"
    "depends_on: Union[str, Sequence[str], None] = ['d1', 'd2']\n",
    "'''esc\\x41ped \\u00e9'''\nrevision = 'a\\x31'\ndown_revision = ('b', 'c')\n"
    "branch_labels = None\ndepends_on = None\n",
    "\"\"\"crlf\"\"\"\r\nrevision = 'a1'\r\ndown_revision = None\r\nbranch_labels = None\r\n"
    "depends_on = None\r\n",
    "\xEF\xBB\xBF\"\"\"bom\"\"\"\nrevision = 'a1'\ndown_revision = None\nbranch_labels = None\n"
    "depends_on = None\n",
    "\"\"\"f\"\"\"\nrevision = f'a{1}'\ndown_revision = None\nbranch_labels = None\n"
    "depends_on = None\n",
    "\"\"\"chain\"\"\"\nrevision = down_revision = 'a1'\nbranch_labels = None\ndepends_on = None\n",
    "\"\"\"semi\"\"\"\nrevision = 'a1'; down_revision = None\nbranch_labels = None\n"
    "depends_on = None\n",
    "\"\"\"concat\"\"\"\nrevision = 'a' 'b'\ndown_revision = None\nbranch_labels = None\n"
    "depends_on = None\n",
    "\"\"\"paren\"\"\"\nrevision = ('a1')\ndown_revision = ('b1')\nbranch_labels = (\n"
    "    'x',  # a comment\n    'y',\n)\ndepends_on = []\n",
    "\"\"\"twice\"\"\"\nrevision = 'a1'\nrevision = 'a2'\ndown_revision = None\n"
    "branch_labels = None\ndepends_on = None\n",
    "# comment first\n\"\"\"doc after comment\"\"\"\nrevision = 'a1'  # trailing\n"
    "down_revision = None\nbranch_labels = None\ndepends_on = None\n",
    "import os\n\"\"\"not a docstring\"\"\"\nrevision = 'a1'\ndown_revision = None\n"
    "branch_labels = None\ndepends_on = None\n",
    "\"\"\"tuple none\"\"\"\nrevision = 'a1'\ndown_revision = (None,)\nbranch_labels = None\n"
    "depends_on = None\n",
    "\"\"\"bare tuple\"\"\"\nrevision = 'a1'\ndown_revision = 'b', 'c'\nbranch_labels = None\n"
    "depends_on = None\n",
    "\"\"\"def in doc\ndef upgrade():\n\"\"\"\nrevision = 'a1'\ndown_revision = None\n"
    "branch_labels = None\ndepends_on = None\n",
    "\"\"\"none rev\"\"\"\nrevision = None\ndown_revision = None\nbranch_labels = None\n"
    "depends_on = None\n",
    "\"\"\"from paren\"\"\"\nfrom typing import (\n    Sequence,  # why\n    Union,\n)\n"
    "revision = u'a1'\ndown_revision = r'b\\1'\nbranch_labels = None\ndepends_on = None\n",
    "\"\"\"missing\"\"\"\nrevision = 'a1'\ndown_revision = None\n",
    "\"\"\"other var\"\"\"\nX = 1\nrevision = 'a1'\ndown_revision = None\nbranch_labels = None\n"
    "depends_on = None\n",
    "\"\"\"if\"\"\"\nif True:\n    revision = 'zz'\nrevision = 'a1'\ndown_revision = None\n"
    "branch_labels = None\ndepends_on = None\n",
    "\"\"\"bytes\"\"\"\nrevision = b'a1'\ndown_revision = None\nbranch_labels = None\n"
    "depends_on = None\n",
    "\"\"\"unterminated\nrevision = 'a1'\ndown_revision = None\nbranch_labels = None\n"
    "depends_on = None\n",
    "\"\"\"annot only\"\"\"\nrevision: str\ndown_revision = None\nbranch_labels = None\n"
    "depends_on = None\n",
    "\"\"\"eq\"\"\"\nrevision == 'a1'\ndown_revision = None\nbranch_labels = None\n"
    "depends_on = None\n",
    "\"\"\"\\\nbackslash newline\"\"\"\nrevision = 'a1'\ndown_revision = None\n"
    "branch_labels = None\ndepends_on = None\n",
    "\"\"\"\"\"\"\nrevision = 'a1'\ndown_revision = None\nbranch_labels = None\ndepends_on = "
    "None\n",
    "'single quoted doc'\nrevision = \"a'1\"\ndown_revision = ['x'  ,  'y',]\n"
    "branch_labels = 'lbl'\ndepends_on = ('a1',)\n",
};

static void
test_shapes(void **state)
{
	static const char body[] = "\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n";
	size_t i;
	int before = fast_hits;

	(void)state;
	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		char name[32];
		size_t n = strlen(headers[i]);
		char *src = malloc(n + sizeof(body));

		memcpy(src, headers[i], n);
		memcpy(src + n, body, sizeof(body));
		snprintf(name, sizeof(name), "shape%zu.py", i);
		check(name, src, n + sizeof(body) - 1);
		free(src);
	}
	/* The template shapes must not all have fallen back. */
	assert_true(fast_hits - before >= 8);
}

/*
 * Import lines: the fast reader takes every form Python accepts that
 * templates write, and refuses every form Python refuses (each list was
 * checked with Python's compile()). A loose reader once took
 * "import sqy Alembic." and vouched for a file Alembic cannot load.
 */
static int
fast_with(const char *imp, const char *revision)
{
	char src[512];
	size_t end;
	struct mg_model *m = mg_model_new("imp.py");
	int fast;

	snprintf(src, sizeof(src),
	         "\"\"\"doc\"\"\"\n%s\n%s\ndown_revision = None\n"
	         "branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n",
	         imp, revision);
	end = mg_revhead_end(src, strlen(src));
	assert_true(end != (size_t)-1);
	fast = mg_revhead_scan(m, src, end, 0);
	mg_model_free(m);
	/* Whatever the fast reader says must match the full parse. */
	check("imp.py", src, strlen(src));
	return fast;
}

static int
fast_with_import(const char *imp)
{
	return fast_with(imp, "revision = 'a1'");
}

static void
test_imports(void **state)
{
	static const char *const good[] = {
	    "import os",
	    "import sqlalchemy as sa",
	    "import a.b.c as d, e",
	    "from alembic import op",
	    "from typing import Sequence, Union",
	    "from . import x",
	    "from .import x",
	    "from ..pkg.mod import (a as b,\n    c,  # why\n)",
	    "from x import *",
	    "from x import(y)",
	    "from x import (a)",
	    "import os  # comment",
	};
	static const char *const bad[] = {
	    "import sqy Alembic.",
	    "import a.",
	    "import",
	    "from . import",
	    "from x import ()",
	    "from x import a,",
	    "import a as",
	    "import None",
	    "from x import (a",
	    "from x import a as b as c",
	    "import a,",
	    "from import x",
	    "import a.b as c.d",
	    "from x import (a,,)",
	    "from x import *, a",
	    "import a b",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!fast_with_import(good[i]))
			fail_msg("fast reader refused: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (fast_with_import(bad[i]))
			fail_msg("fast reader took what Python refuses: %s", bad[i]);
}

/* Annotations, likewise: by Python's grammar, each list checked with compile(). */
static void
test_annotations(void **state)
{
	static const char *const good[] = {
	    "revision: str = 'a1'",
	    "revision: Union[str, None] = 'a1'",
	    "revision: Union[str, Sequence[str], None] = 'a1'",
	    "revision: str | None = 'a1'",
	    "revision: typing.Optional[str] = 'a1'",
	    "revision: tuple[str, ...] = 'a1'",
	    "revision: Union[str, None,] = 'a1'",
	    "revision:str='a1'",
	};
	static const char *const bad[] = {
	    "revision: str str = 'a1'",   "revision: = 'a1'",
	    "revision: Union[str = 'a1'", "revision: str] = 'a1'",
	    "revision: Union[] = 'a1'",   "revision: str | = 'a1'",
	    "revision: str, = 'a1'",      "revision: Union[str,,] = 'a1'",
	    "revision: None. = 'a1'",     "revision: def = 'a1'",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!fast_with("import os", good[i]))
			fail_msg("fast reader refused: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (fast_with("import os", bad[i]))
			fail_msg("fast reader took what Python refuses: %s", bad[i]);
}

/* A variable assigned only after the first def is found by the fallback. */
static void
test_after_def(void **state)
{
	static const char src[] = "\"\"\"late\"\"\"\nrevision = 'a1'\ndown_revision = None\n\n"
	                          "def upgrade():\n    pass\n\nbranch_labels = ('late',)\n"
	                          "depends_on = None\n";
	struct mg_model *m;

	(void)state;
	m = mg_analyze_header(parser, "late.py", src, sizeof(src) - 1);
	assert_null(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_autogen),     cmocka_unit_test(test_unusual),
	    cmocka_unit_test(test_shapes),      cmocka_unit_test(test_imports),
	    cmocka_unit_test(test_annotations), cmocka_unit_test(test_after_def),
	};
	int rc;

	parser = mg_parser_new();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	mg_parser_free(parser);
	return rc;
}
