/*
 * libFuzzer target for the core: any bytes that `migen enhance` would accept
 * as a file (no NUL byte, UTF-8, at most 16 MiB: the checks of input.c) go
 * through what it does with them: the analyzer in both modes, every rule
 * with every option on, both emitters, the fix pipeline (plan, apply,
 * verify, diff) that --write and --diff run, and the schema replay with its
 * emitters. Sanitizers do the checking.
 *
 * Any bytes at all also go through doctor's header reader (the first 8 KiB
 * of every migration, unchecked), and whatever the hand-written reader
 * settles must agree with tree-sitter on the same header: the revision
 * variables, their line and the message. A disagreement aborts.
 *
 * The analysed-model cache (modelcache.h): every model survives encoding
 * and decoding with every field equal, and any bytes at all, read as a
 * cache record, decode to nothing or to a model the rules can run on.
 *
 * With MIGEN_FUZZ_STRICT set in the environment, a fix that does not verify
 * (the edited file is no longer the same migration) aborts too: that is a
 * fix-planner bug rather than a memory error, so it is opt-in.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/emit.h"
#include "migen/emit_schema.h"
#include "migen/fix.h"
#include "migen/input.h"
#include "migen/modelcache.h"
#include "migen/pystr.h"
#include "migen/rules.h"
/* Private to the analyzer; the oracle below needs where the header ends. */
#include "../../src/parse/revhead.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *
devnull(void)
{
	static FILE *f;

	if (f == NULL && (f = fopen("/dev/null", "w")) == NULL) {
		perror("/dev/null");
		abort();
	}
	return f;
}

static void
fix(const struct mg_model *m, const char *src, size_t len, struct mg_diags *d)
{
	struct mg_edits e;
	struct mg_buf diff = {0};
	const char *why = NULL;
	char *after;
	size_t alen;

	memset(&e, 0, sizeof(e));
	mg_fix_plan(m, src, len, d, &e);
	after = mg_fix_apply(src, len, &e, &alen);
	why = mg_fix_verify(m, after, alen);
	if (why != NULL && getenv("MIGEN_FUZZ_STRICT") != NULL) {
		fprintf(stderr, "fix does not verify: %s\n", why);
		abort();
	}
	mg_diff_edits(&diff, "fuzz.py", src, len, &e);
	mg_buf_free(&diff);
	free(after);
	mg_edits_free(&e);
}

/* migen schema's path: the upgrade() replayed twice (the second run meets what the first
 * made), a copy merged back, downgrade() replayed and diffed, and both emitters;
 * then lint's: the rules against that schema, with the file's own tables as new
 * in the change. */
static void
schema(const struct mg_model *m, const struct mg_options *lo)
{
	struct mg_options o = *lo;
	struct mg_diags d;
	const char *fresh[2] = {"users", "tenant_id"};
	struct mg_schema *s = mg_schema_new(), *c;
	char *json;

	mg_replay_model(s, m, "r1", NULL);
	c = mg_schema_copy(s);
	mg_replay_model(s, m, "r2", NULL);
	mg_schema_merge(s, c);
	/* downgrade-mismatch's path: downgrade() replayed, the result diffed with the copy. */
	{
		struct mg_schema_diff d;
		mg_replay_model_dir(s, m, "r2", NULL, MG_DOWNGRADE);
		mg_schema_diff(c, s, &d);
		mg_schema_diff_free(&d);
	}
	json = mg_emit_schema_json(s, NULL, 0);
	if (json == NULL)
		abort();
	free(json);
	mg_emit_schema_text(devnull(), s, NULL, 0);
	o.schema = s;
	o.new_tables = fresh;
	o.nnew_tables = 2;
	memset(&d, 0, sizeof(d));
	mg_rules_run(m, &o, &d);
	mg_diags_free(&d);
	mg_schema_free(c);
	mg_schema_free(s);
}

static void
disagree(const char *what)
{
	fprintf(stderr, "header reader and tree-sitter disagree on %s\n", what);
	abort();
}

/*
 * doctor's path: mg_analyze_header() on raw bytes. When it settles the
 * variables, tree-sitter on the header alone must read the same.
 */
static void
header(const uint8_t *data, size_t size)
{
	static struct mg_parser *p;
	size_t base = size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, end;
	struct mg_model *h, *t;
	char *buf = malloc(size + 1);

	if (buf == NULL)
		return;
	if (p == NULL)
		p = mg_parser_new();
	if (size > 0)
		memcpy(buf, data, size);
	buf[size] = '\0';
	h = mg_analyze_header(p, "fuzz.py", buf, size);
	end = mg_revhead_end(buf + base, size - base);
	if (h == NULL || end == (size_t)-1) {
		mg_model_free(h);
		free(buf);
		return;
	}
	t = mg_analyze_with(p, "fuzz.py", buf, base + end, MG_ANALYZE_REVISION);
	if (t->nerrors == 0) {
		if (!mg_str_same(h->rev.revision, t->rev.revision) ||
		    h->rev.has_revision != t->rev.has_revision)
			disagree("revision");
		if (h->rev.revision != NULL &&
		    h->rev.revision_span.line != t->rev.revision_span.line)
			disagree("the revision's line");
		if (!mg_strlist_same(&h->rev.down_revision, &t->rev.down_revision))
			disagree("down_revision");
		if (!mg_strlist_same(&h->rev.branch_labels, &t->rev.branch_labels))
			disagree("branch_labels");
		if (!mg_strlist_same(&h->rev.depends_on, &t->rev.depends_on))
			disagree("depends_on");
		if (!mg_str_same(h->rev.message, t->rev.message))
			disagree("the message");
	}
	mg_model_free(t);
	mg_model_free(h);
	free(buf);
}

/* A model through the cache's encoding comes back whole. */
static void
roundtrip(const struct mg_model *m)
{
	struct mg_buf b = {0};
	struct mg_model *back;
	char where[256];

	mg_model_encode(m, &b);
	back = mg_model_decode(b.s, b.len, m->path);
	if (back == NULL || !mg_model_same_deep(m, back, where, sizeof(where))) {
		fprintf(stderr, "model cache round trip: %s\n", back ? where : "not decoded");
		abort();
	}
	mg_model_free(back);
	mg_buf_free(&b);
}

/* Hostile cache bytes: refused, or a model whose indexes and spans hold. */
static void
hostile_record(const uint8_t *data, size_t size)
{
	struct mg_model *m = mg_model_decode((const char *)data, size, "fuzz.py");
	struct mg_options o;
	struct mg_diags d;

	if (m == NULL)
		return;
	mg_model_finish(m);
	memset(&o, 0, sizeof(o));
	o.add_tenant_indexes = 1;
	o.use_concurrently = 1;
	o.tenant_column = "tenant_id";
	memset(&d, 0, sizeof(d));
	mg_rules_run(m, &o, &d);
	mg_diags_free(&d);
	mg_model_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_options o;
	struct mg_diags d;
	struct mg_model *m;
	char *buf, *json;

	header(data, size);
	hostile_record(data, size);
	/* What mg_input_read() refuses never reaches the analyzer. */
	if (size > MG_INPUT_MAX || (size > 0 && memchr(data, '\0', size) != NULL) ||
	    !mg_utf8_valid((const char *)data, size))
		return 0;
	/* NUL-terminated, as mg_input_read() hands it over. */
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	if (size > 0)
		memcpy(buf, data, size);
	buf[size] = '\0';

	m = mg_analyze("fuzz.py", buf, size, MG_ANALYZE_REVISION);
	mg_model_free(m);

	m = mg_analyze("fuzz.py", buf, size, MG_ANALYZE_FULL);
	roundtrip(m);
	memset(&o, 0, sizeof(o));
	o.add_tenant_indexes = 1;
	o.use_concurrently = 1;
	o.tenant_column = "tenant_id";
	o.space_column = "space_id";
	o.soft_delete_column = "deleted_at";
	memset(&d, 0, sizeof(d));
	mg_rules_run(m, &o, &d);
	json = mg_emit_json(m, &d, &o);
	if (json == NULL)
		abort();
	free(json);
	mg_emit_text(devnull(), m, &d, &o);
	mg_emit_errors(devnull(), m);
	mg_diags_free(&d);

	/* --write / --diff with --default: every fix has its code. */
	if (m->nerrors == 0) {
		o.backfill_python = "0";
		memset(&d, 0, sizeof(d));
		mg_rules_run(m, &o, &d);
		fix(m, buf, size, &d);
		mg_diags_free(&d);
	}

	schema(m, &o);
	mg_model_free(m);
	free(buf);
	return 0;
}
