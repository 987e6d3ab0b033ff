/*
 * Unit tests for the lint emitters (finding.h), fed hand-built reports
 * (tests/lint/lint_sample.c): exact output for the line formats (concise,
 * github, the summary), parse-level checks for the JSON ones (json, sarif,
 * gitlab) through jansson, and the text format's safety and layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_sample.h"
#include "migen/finding.h"
#include "migen/jsonw.h"
#include "unit.h"

typedef void emit_fn(FILE *, const struct mg_lint_report *, const struct mg_lint_emit_opts *);

static char *
run(emit_fn *fn, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	fn(f, r, o);
	assert_int_equal(fclose(f), 0);
	return out;
}

static json_t *
run_json(emit_fn *fn, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o)
{
	char *out = run(fn, r, o);
	json_error_t err;
	json_t *j = json_loads(out, 0, &err);

	if (j == NULL)
		fail_msg("not JSON (%s, line %d): %s", err.text, err.line, out);
	/* One document, one final newline. */
	assert_true(strlen(out) > 0 && out[strlen(out) - 1] == '\n');
	free(out);
	return j;
}

static const struct mg_lint_emit_opts plain = {MG_COLOR_NEVER, 1};

/* ---- concise ---- */

static void
concise_hostile(void **state)
{
	struct mg_lint_report r;
	char *out;

	(void)state;
	lint_sample_hostile(&r);
	out = run(mg_emit_lint_concise, &r, &plain);
	assert_string_equal(
	    out,
	    "alembic/versions/1a2b add users.py:3:2: error: NOT NULL column users.tenant_id is "
	    "added without a server_default [not-null-without-backfill]\n"
	    "alembic/versions/1a2b add users.py:4:5: warning: SQL \"UPDATE\" has "
	    "\\033[31mcontrol\\033[0m bytes\\001 and a tab\\011here [invalid-sql]\n"
	    "alembic/versions/1a2b add users.py:5:5: note: index ix: the same line twice, two "
	    "fingerprints [missing-tenant-index]\n"
	    "alembic/versions/1a2b add users.py:6:5: note: index ix: the same line twice, two "
	    "fingerprints [missing-tenant-index]\n"
	    "alembic/versions/1a2b add users.py:7:5: warning: users.name is made NOT NULL with no "
	    "backfill [not-null-without-backfill]\n"
	    "dir,with:colon/100%/\xc3\xbcn\xc3\xaf \"q\"\\b.py:1:1: error: message: with %25, "
	    "::error:: a,b \"q\" \\ \xc3\xa9 \xff and\\012newline [drop-unnamed-constraint]\n"
	    "dir,with:colon/100%/\xc3\xbcn\xc3\xaf \"q\"\\b.py:1:12: note: a rule migen does not "
	    "know [unused-ignore]\n"
	    "gone.py:3:7: warning: unknown rule id, bad span [made-up-rule]\n"
	    "gone.py:1:1: warning:  [ignore-without-reason]\n"
	    "alembic/versions/1a2b add users.py:1:1: note: a long span [invalid-sql]\n"
	    "dir,with:colon/100%/\xc3\xbcn\xc3\xaf \"q\"\\b.py:1:40: warning: huge span "
	    "[invalid-sql]\n");
	free(out);
	lint_sample_free(&r);
}

static void
concise_example(void **state)
{
	struct mg_lint_report r;
	char *out;

	(void)state;
	lint_sample_example(&r);
	out = run(mg_emit_lint_concise, &r, &plain);
	/* The suppressed finding (line 13) is not there. */
	assert_null(strstr(out, ":13:"));
	assert_non_null(strstr(out, "alembic/versions/4f1c2a9b7d30_add_orders_customer_id.py:10:5: "
	                            "error: NOT NULL column orders.customer_id"));
	free(out);
	lint_sample_free(&r);
}

/* ---- github ---- */

static void
github_hostile(void **state)
{
	struct mg_lint_report r;
	char *out;

	(void)state;
	lint_sample_hostile(&r);
	out = run(mg_emit_lint_github, &r, &plain);
	assert_string_equal(
	    out,
	    "::error file=alembic/versions/1a2b add users.py,line=3,col=2,endLine=3,endColumn=78,"
	    "title=not-null-without-backfill::NOT NULL column users.tenant_id is added without a "
	    "server_default%0Ahelp: add it nullable, backfill, then SET NOT NULL\n"
	    "::warning file=alembic/versions/1a2b add users.py,line=4,col=5,endLine=4,endColumn=44,"
	    "title=invalid-sql::SQL \"UPDATE\" has \x1b[31mcontrol\x1b[0m bytes\x01 and a "
	    "tab\there%0Ahelp: line one%0Aline two%0D%0Aline three\n"
	    "::notice file=alembic/versions/1a2b add users.py,line=5,col=5,endLine=5,endColumn=39,"
	    "title=missing-tenant-index::index ix: the same line twice, two fingerprints\n"
	    "::notice file=alembic/versions/1a2b add users.py,line=6,col=5,endLine=6,endColumn=39,"
	    "title=missing-tenant-index::index ix: the same line twice, two fingerprints\n"
	    /* A span ending at column 1 of line 9 ends with line 8. */
	    "::warning file=alembic/versions/1a2b add users.py,line=7,col=5,endLine=8,endColumn=36,"
	    "title=not-null-without-backfill::users.name is made NOT NULL with no backfill\n"
	    /* Properties escape % CR LF : and ,; the message only % CR LF. */
	    "::error file=dir%2Cwith%3Acolon/100%25/\xc3\xbcn\xc3\xaf \"q\"\\b.py,line=1,col=1,"
	    "endLine=1,endColumn=46,title=drop-unnamed-constraint::message: with %2525, ::error:: "
	    "a,b \"q\" \\ \xc3\xa9 \xff and%0Anewline%0Ahelp: help: 50%25 :: ,\n"
	    /* Columns count code points: byte 12 is code point 12 before the é. */
	    "::notice file=dir%2Cwith%3Acolon/100%25/\xc3\xbcn\xc3\xaf \"q\"\\b.py,line=1,col=12,"
	    "endLine=1,endColumn=13,title=unused-ignore::a rule migen does not know\n"
	    "::warning file=gone.py,line=3,col=7,endLine=3,endColumn=8,title=made-up-rule::unknown "
	    "rule id, bad span\n"
	    "::warning file=gone.py,line=1,col=1,endLine=1,endColumn=2,"
	    "title=ignore-without-reason::\n"
	    "::notice file=alembic/versions/1a2b add users.py,line=1,col=1,endLine=8,endColumn=36,"
	    "title=invalid-sql::a long span\n"
	    "::warning file=dir%2Cwith%3Acolon/100%25/\xc3\xbcn\xc3\xaf \"q\"\\b.py,line=1,"
	    "col=39,endLine=4294967295,endColumn=4294967295,title=invalid-sql::huge span\n");
	free(out);
	lint_sample_free(&r);
}

static void
github_code_points(void **state)
{
	struct mg_lint_report r;
	char *out;

	(void)state;
	lint_sample_hostile(&r);
	/* The drop-unnamed-constraint finding spans bytes 1..47 of a line with
	 * é (2 bytes) and \xff (1 byte, counted as one): 46 code points. */
	out = run(mg_emit_lint_github, &r, &plain);
	assert_non_null(strstr(out, "line=1,col=1,endLine=1,endColumn=46,title=drop"));
	free(out);
	lint_sample_free(&r);
}

/* ---- json ---- */

static void
json_hostile(void **state)
{
	struct mg_lint_report r;
	struct mg_lint_emit_opts timed = {MG_COLOR_NEVER, 0};
	json_t *j, *v, *fd, *e;
	size_t i;

	(void)state;
	lint_sample_hostile(&r);
	j = run_json(mg_emit_lint_json, &r, &plain);
	assert_int_equal(json_integer_value(json_object_get(j, "migen")), 1);
	v = json_object_get(j, "findings");
	assert_int_equal(json_array_size(v), r.n);
	for (i = 0; i < r.n; i++) {
		fd = json_array_get(v, i);
		assert_string_equal(json_string_value(json_object_get(fd, "rule")), r.v[i].rule);
		assert_int_equal(json_integer_value(json_object_get(fd, "line")), r.v[i].line);
		assert_int_equal(json_integer_value(json_object_get(fd, "end_column")),
		                 r.v[i].end_col);
		assert_int_equal(json_is_true(json_object_get(fd, "suppressed")),
		                 r.v[i].suppressed);
	}
	/* Strings come back decoded, exactly (newlines, quotes, control bytes). */
	fd = json_array_get(v, 1);
	assert_string_equal(json_string_value(json_object_get(fd, "message")), r.v[1].message);
	assert_string_equal(json_string_value(json_object_get(fd, "help")), r.v[1].help);
	assert_string_equal(json_string_value(json_object_get(fd, "code")), r.v[1].code);
	assert_string_equal(json_string_value(json_object_get(fd, "path")),
	                    "alembic/versions/1a2b add users.py");
	assert_string_equal(json_string_value(json_object_get(fd, "revision")), "1a2b3c4d5e6f");
	e = json_object_get(json_object_get(fd, "fix"), "edits");
	assert_int_equal(json_array_size(e), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(e, 0), "start")), 64);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(e, 0), "end")), 66);
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "text")),
	                    "\t\"quoted\" \\ back\n");
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 1), "text")), "");
	/* No fix: null; the suppressed finding keeps its reason. */
	assert_true(json_is_null(json_object_get(json_array_get(v, 0), "fix")));
	fd = json_array_get(v, 4);
	assert_true(json_is_true(json_object_get(fd, "suppressed")));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(fd, "suppression"), "reason")),
	    "reason with \"quotes\", a:colon, 100% and\na newline");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(fd, "suppression"), "line")), 4);
	/* A byte that is not UTF-8 becomes U+FFFD; the path keeps its bytes. */
	fd = json_array_get(v, 6);
	assert_non_null(strstr(json_string_value(json_object_get(fd, "message")), "\xef\xbf\xbd"));
	assert_true(json_is_null(json_object_get(fd, "revision")));
	/* files and summary */
	assert_int_equal(json_array_size(json_object_get(j, "files")), 3);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(j, "files"), 2), "revision")),
	                    "dead\nbeef");
	v = json_object_get(j, "summary");
	assert_int_equal(json_integer_value(json_object_get(v, "files")), 3);
	assert_int_equal(json_integer_value(json_object_get(v, "errors")), 2);
	assert_int_equal(json_integer_value(json_object_get(v, "warnings")), 5);
	assert_int_equal(json_integer_value(json_object_get(v, "notes")), 4);
	assert_int_equal(json_integer_value(json_object_get(v, "suppressed")), 1);
	assert_null(json_object_get(v, "seconds"));
	json_decref(j);
	j = run_json(mg_emit_lint_json, &r, &timed);
	assert_true(json_real_value(json_object_get(json_object_get(j, "summary"), "seconds")) ==
	            1.5);
	json_decref(j);
	lint_sample_free(&r);
}

static void
json_empty(void **state)
{
	struct mg_lint_report r;
	char *out;

	(void)state;
	memset(&r, 0, sizeof(r));
	out = run(mg_emit_lint_json, &r, &plain);
	assert_string_equal(out, "{\n"
	                         "  \"migen\": 1,\n"
	                         "  \"findings\": [],\n"
	                         "  \"files\": [],\n"
	                         "  \"summary\": {\n"
	                         "    \"files\": 0,\n"
	                         "    \"errors\": 0,\n"
	                         "    \"warnings\": 0,\n"
	                         "    \"notes\": 0,\n"
	                         "    \"suppressed\": 0\n"
	                         "  }\n"
	                         "}\n");
	free(out);
}

/* ---- sarif ---- */

static json_t *
path(json_t *j, const char *const *keys)
{
	for (; *keys != NULL && j != NULL; keys++) {
		if (json_is_array(j))
			j = json_array_get(j, (size_t)atoi(*keys));
		else
			j = json_object_get(j, *keys);
	}
	return j;
}

#define AT(j, ...) path((j), (const char *const[]){__VA_ARGS__, NULL})

static void
sarif_hostile(void **state)
{
	struct mg_lint_report r;
	json_t *j, *rules, *results, *res;
	size_t i, k;

	(void)state;
	lint_sample_hostile(&r);
	j = run_json(mg_emit_lint_sarif, &r, &plain);
	assert_string_equal(json_string_value(AT(j, "version")), "2.1.0");
	assert_string_equal(json_string_value(AT(j, "runs", "0", "tool", "driver", "version")),
	                    MIGEN_VERSION);
	rules = AT(j, "runs", "0", "tool", "driver", "rules");
	/* Every rule of mg_rules[] and the two meta-rules, each with a help link. */
	assert_true(json_array_size(rules) >= 9);
	assert_string_equal(json_string_value(AT(rules, "0", "id")), "missing-tenant-index");
	assert_non_null(
	    strstr(json_string_value(AT(rules, "0", "helpUri")), "/rules.md#missing-tenant-index"));
	assert_string_equal(json_string_value(AT(rules, "0", "defaultConfiguration", "level")),
	                    "warning");
	results = AT(j, "runs", "0", "results");
	assert_int_equal(json_array_size(results), r.n);
	for (i = 0; i < r.n; i++) {
		json_t *ix;

		res = json_array_get(results, i);
		ix = json_object_get(res, "ruleIndex");
		if (strcmp(r.v[i].rule, "made-up-rule") == 0) {
			assert_null(ix);
		} else {
			assert_non_null(ix);
			assert_string_equal(
			    json_string_value(json_object_get(
			        json_array_get(rules, (size_t)json_integer_value(ix)), "id")),
			    r.v[i].rule);
		}
		/* Regions are well formed even for a bad span. */
		assert_true(json_integer_value(AT(res, "locations", "0", "physicalLocation",
		                                  "region", "startLine")) >= 1);
		assert_true(json_integer_value(AT(res, "locations", "0", "physicalLocation",
		                                  "region", "endLine")) >=
		            json_integer_value(AT(res, "locations", "0", "physicalLocation",
		                                  "region", "startLine")));
		/* Fingerprints differ, also for the two findings on identical lines. */
		for (k = 0; k < i; k++)
			assert_string_not_equal(
			    json_string_value(
			        AT(res, "partialFingerprints", "migenFingerprint/v1")),
			    json_string_value(AT(json_array_get(results, k), "partialFingerprints",
			                         "migenFingerprint/v1")));
	}
	res = json_array_get(results, 1);
	assert_string_equal(json_string_value(AT(res, "locations", "0", "physicalLocation",
	                                         "artifactLocation", "uri")),
	                    "alembic/versions/1a2b%20add%20users.py");
	assert_int_equal(json_integer_value(AT(res, "fixes", "0", "artifactChanges", "0",
	                                       "replacements", "0", "deletedRegion", "byteOffset")),
	                 64);
	assert_int_equal(json_integer_value(AT(res, "fixes", "0", "artifactChanges", "0",
	                                       "replacements", "0", "deletedRegion", "byteLength")),
	                 2);
	assert_string_equal(json_string_value(AT(res, "fixes", "0", "artifactChanges", "0",
	                                         "replacements", "0", "insertedContent", "text")),
	                    "\t\"quoted\" \\ back\n");
	/* Suppressed: kept, with the reason. */
	res = json_array_get(results, 4);
	assert_string_equal(json_string_value(AT(res, "suppressions", "0", "kind")), "inSource");
	assert_string_equal(json_string_value(AT(res, "suppressions", "0", "justification")),
	                    "reason with \"quotes\", a:colon, 100% and\na newline");
	assert_null(json_object_get(json_array_get(results, 0), "suppressions"));
	res = json_array_get(results, 6);
	assert_string_equal(json_string_value(AT(res, "locations", "0", "physicalLocation",
	                                         "artifactLocation", "uri")),
	                    "dir%2Cwith%3Acolon/100%25/%C3%BCn%C3%AF%20%22q%22%5Cb.py");
	json_decref(j);
	lint_sample_free(&r);
}

static void
fingerprints_stable(void **state)
{
	struct mg_lint_report a, b;
	json_t *ja, *jb;
	size_t i;

	(void)state;
	lint_sample_example(&a);
	lint_sample_example(&b);
	lint_sample_shift(&b, 3);
	ja = run_json(mg_emit_lint_sarif, &a, &plain);
	jb = run_json(mg_emit_lint_sarif, &b, &plain);
	for (i = 0; i < a.n; i++) {
		json_t *ra = AT(ja, "runs", "0", "results"), *rb = AT(jb, "runs", "0", "results");

		assert_string_equal(
		    json_string_value(
		        AT(json_array_get(ra, i), "partialFingerprints", "migenFingerprint/v1")),
		    json_string_value(
		        AT(json_array_get(rb, i), "partialFingerprints", "migenFingerprint/v1")));
		assert_int_equal(json_integer_value(AT(json_array_get(rb, i), "locations", "0",
		                                       "physicalLocation", "region", "startLine")),
		                 a.v[i].line + 3);
	}
	json_decref(ja);
	json_decref(jb);
	lint_sample_free(&a);
	lint_sample_free(&b);
}

/* ---- gitlab ---- */

static void
gitlab_hostile(void **state)
{
	struct mg_lint_report r;
	json_t *j, *it;
	size_t i, k, n = 0;

	(void)state;
	lint_sample_hostile(&r);
	j = run_json(mg_emit_lint_gitlab, &r, &plain);
	assert_true(json_is_array(j));
	assert_int_equal(json_array_size(j), r.n - r.suppressed);
	for (i = 0; i < r.n; i++) {
		const char *sev;

		if (r.v[i].suppressed)
			continue;
		it = json_array_get(j, n++);
		assert_string_equal(json_string_value(json_object_get(it, "check_name")),
		                    r.v[i].rule);
		assert_int_equal(json_integer_value(AT(it, "location", "lines", "begin")),
		                 r.v[i].line);
		sev = json_string_value(json_object_get(it, "severity"));
		assert_string_equal(sev, r.v[i].severity == MG_ERROR     ? "critical"
		                         : r.v[i].severity == MG_WARNING ? "major"
		                                                         : "info");
		assert_int_equal(strlen(json_string_value(json_object_get(it, "fingerprint"))), 32);
		for (k = 0; k + 1 < n; k++)
			assert_string_not_equal(
			    json_string_value(json_object_get(it, "fingerprint")),
			    json_string_value(
			        json_object_get(json_array_get(j, k), "fingerprint")));
	}
	/* The span that ends at column 1 of line 9 ends on line 8. */
	assert_int_equal(json_integer_value(AT(json_array_get(j, 4), "location", "lines", "end")),
	                 8);
	json_decref(j);
	lint_sample_free(&r);
}

/* ---- text ---- */

static void
text_example(void **state)
{
	struct mg_lint_report r;
	char *out;

	(void)state;
	lint_sample_example(&r);
	out = run(mg_emit_lint_text, &r, &plain);
	assert_non_null(strstr(
	    out,
	    "warning[missing-fk-index]: unnamed foreign key on line 11 (orders.customer_id -> "
	    "customers) has no index leading with customer_id: deletes and key updates on "
	    "'customers', and joins from it, scan 'orders'\n"
	    "  --> alembic/versions/4f1c2a9b7d30_add_orders_customer_id.py:11:5\n"
	    "   |\n"
	    "11 |     op.create_foreign_key(None, \"orders\", \"customers\", [\"customer_id\"], "
	    "[\"id\"])\n"
	    "   |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
	    "   |\n"
	    "   = help: create an index leading with customer_id\n"
	    "   = help: in upgrade(), after line 11:\n"
	    "           op.create_index(\"ix_orders_customer_id\", \"orders\", [\"customer_id\"])\n"
	    "\n"));
	assert_null(strstr(out, "warning[require-concurrent-index]"));
	assert_null(strchr(out, '\033'));
	free(out);
	lint_sample_free(&r);
}

static void
text_hostile(void **state)
{
	struct mg_lint_report r;
	struct mg_lint_emit_opts color = {MG_COLOR_ALWAYS, 1};
	char *out;

	(void)state;
	lint_sample_hostile(&r);
	out = run(mg_emit_lint_text, &r, &plain);
	/* No byte of the input reaches the terminal raw: no ESC, no C0 but \n. */
	for (const char *p = out; *p; p++)
		assert_true((unsigned char)*p >= 0x20 || *p == '\n');
	assert_null(strstr(out, "\xff"));
	/* A tab is four spaces and the underline stays under the span. */
	assert_non_null(strstr(out, "3 |     op.add_column(\"users\""));
	assert_non_null(strstr(out, "  |     ^^^^"));
	/* Control bytes in a source line count four columns for the underline. */
	assert_non_null(strstr(out, "4 |     op.execute(\"UPDATE t SET a = '\\033[31mred'\")\n"
	                            "  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"));
	/* Both lines of a two-line span are underlined. */
	assert_non_null(strstr(out, "8 |                     nullable=False)\n"
	                            "  |                     ^^^^^^^^^^^^^^^\n"));
	/* Suppressed findings are not shown; a file without bytes shows no lines. */
	assert_null(strstr(out, "never in text"));
	/* A long span shows its first two and last two lines; a huge one ends. */
	assert_non_null(strstr(out, "  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
	                            "8 |                     nullable=False)\n"
	                            "  |                     ^^^^^^^^^^^^^^^\n\n"
	                            "warning[invalid-sql]: huge span\n"));
	assert_non_null(strstr(out, "2 | def upgrade():\n"
	                            "  | ^^^^^^^^^^^^^^\n"
	                            "...\n"
	                            "7 |     op.alter_column("));
	assert_non_null(strstr(out, "warning[made-up-rule]: unknown rule id, bad span\n"
	                            " --> gone.py:3:7\n\n"));
	free(out);
	out = run(mg_emit_lint_text, &r, &color);
	assert_non_null(strstr(out, "\033[1;31merror[not-null-without-backfill]\033[0m"));
	assert_non_null(strstr(out, "\033[1;32mnote[missing-tenant-index]"));
	free(out);
	lint_sample_free(&r);
}

/* ---- every format on an empty report; the summary; the format names ---- */

static void
empty_report(void **state)
{
	struct mg_lint_report r;
	char *out;

	(void)state;
	memset(&r, 0, sizeof(r));
	out = run(mg_emit_lint_text, &r, &plain);
	assert_string_equal(out, "");
	free(out);
	out = run(mg_emit_lint_concise, &r, &plain);
	assert_string_equal(out, "");
	free(out);
	out = run(mg_emit_lint_github, &r, &plain);
	assert_string_equal(out, "");
	free(out);
	out = run(mg_emit_lint_gitlab, &r, &plain);
	assert_string_equal(out, "[]\n");
	free(out);
	json_decref(run_json(mg_emit_lint_sarif, &r, &plain));
}

static void
summary_line(void **state)
{
	struct mg_lint_report r;
	struct mg_lint_emit_opts timed = {MG_COLOR_NEVER, 0};
	char *out;

	(void)state;
	lint_sample_example(&r);
	out = run(mg_emit_lint_summary, &r, &timed);
	assert_string_equal(
	    out, "migen: 2 files, 1 error, 2 warnings, 1 note, 1 suppressed in 0.012 s\n");
	free(out);
	out = run(mg_emit_lint_summary, &r, &plain);
	assert_string_equal(out, "migen: 2 files, 1 error, 2 warnings, 1 note, 1 suppressed\n");
	free(out);
	lint_sample_free(&r);
}

static void
format_names(void **state)
{
	enum mg_lint_format f = MG_LINT_TEXT;

	(void)state;
	assert_int_equal(mg_lint_format_parse("sarif", &f), 0);
	assert_int_equal(f, MG_LINT_SARIF);
	assert_int_equal(mg_lint_format_parse("gitlab", &f), 0);
	assert_int_equal(f, MG_LINT_GITLAB);
	assert_int_equal(mg_lint_format_parse("SARIF", &f), -1);
	assert_int_equal(mg_lint_format_parse("", &f), -1);
	assert_int_equal(mg_lint_format_parse(NULL, &f), -1);
	assert_string_equal(mg_lint_format_names, "text, concise, json, sarif, github, gitlab");
}

/* The writer's bytes: escapes, a string with a byte that is not UTF-8, numbers, layout. */
static void
jsonw_bytes(void **state)
{
	struct mg_jw w = {0};

	(void)state;
	mg_jw_begin_object(&w, NULL);
	mg_jw_str(&w, "a", "x\"\\\n\t\r\b\f\x01\x1f y");
	mg_jw_str(&w, "u", "caf\xc3\xa9");
	mg_jw_str(&w, "bad", "ok \xff\xc3\xa9 \"");
	mg_jw_begin_array(&w, "n");
	mg_jw_int(&w, NULL, 0);
	mg_jw_int(&w, NULL, -42);
	mg_jw_int(&w, NULL, 9223372036854775807LL);
	mg_jw_int(&w, NULL, -9223372036854775807LL - 1);
	mg_jw_end(&w);
	mg_jw_begin_array(&w, "e");
	mg_jw_end(&w);
	mg_jw_end(&w);
	assert_string_equal(w.out.s,
	                    "{\n"
	                    "  \"a\": \"x\\\"\\\\\\n\\t\\r\\b\\f\\u0001\\u001F y\",\n"
	                    "  \"u\": \"caf\xc3\xa9\",\n"
	                    "  \"bad\": \"ok \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \\\"\",\n"
	                    "  \"n\": [\n"
	                    "    0,\n"
	                    "    -42,\n"
	                    "    9223372036854775807,\n"
	                    "    -9223372036854775808\n"
	                    "  ],\n"
	                    "  \"e\": []\n"
	                    "}");
	mg_buf_free(&w.out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(concise_hostile),     cmocka_unit_test(concise_example),
	    cmocka_unit_test(github_hostile),      cmocka_unit_test(github_code_points),
	    cmocka_unit_test(json_hostile),        cmocka_unit_test(json_empty),
	    cmocka_unit_test(jsonw_bytes),         cmocka_unit_test(sarif_hostile),
	    cmocka_unit_test(fingerprints_stable), cmocka_unit_test(gitlab_hostile),
	    cmocka_unit_test(text_example),        cmocka_unit_test(text_hostile),
	    cmocka_unit_test(empty_report),        cmocka_unit_test(summary_line),
	    cmocka_unit_test(format_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
