/*
 * libFuzzer target for the schema codec (schemacodec.h): any bytes as an
 * encoded schema, as a cache file would hand them over. Decoding must fail
 * with a reason or give a schema that everything reading a schema can
 * read: both printers, the diff, a copy and an overlay, a replay naming
 * things by default, dropping and renaming; its encoding decodes again to
 * the same bytes. Sanitizers do the rest.
 *
 *   CC=clang cmake -S . -B build-fuzz -DMIGEN_FUZZ=ON -DMIGEN_SANITIZE=ON -DMIGEN_TESTS=OFF
 *   cmake --build build-fuzz --target migen-fuzz-schemacodec
 *   tests/fuzz/run.sh build-fuzz 300 migen-fuzz-schemacodec
 *
 * Seeds: tests/fuzz/schemacodec/ (fixture projects' head schemas, written
 * by `schemacodec-bench INI 1 OUT`).
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/emit_schema.h"
#include "migen/ident.h"
#include "migen/schemacodec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A migration on the first two tables with plain names: default names, drops, a rename. */
static char *
migration(const struct mg_schema *s)
{
	struct mg_buf b = {0};
	size_t i, n = 0;

	mg_buf_puts(&b, "from alembic import op\n\n\ndef upgrade():\n    pass\n");
	for (i = 0; i < s->ntables && n < 2; i++) {
		const struct mg_stable *t = &s->tables[i];
		const char *q = t->schema, *tn = t->name, *c;
		if (t->ncolumns < 1 || !mg_ident_is_plain(q) || !mg_ident_is_plain(tn) ||
		    !mg_ident_is_plain(t->columns[0].name))
			continue;
		c = t->columns[0].name;
		mg_buf_printf(&b, "    op.execute('CREATE INDEX ON %s.%s (%s)')\n", q, tn, c);
		mg_buf_printf(&b, "    op.execute('ALTER TABLE %s.%s ADD UNIQUE (%s)')\n", q, tn,
		              c);
		mg_buf_printf(&b,
		              "    op.execute('ALTER TABLE %s.%s ADD FOREIGN KEY (%s) "
		              "REFERENCES %s.%s (%s)')\n",
		              q, tn, c, q, tn, c);
		mg_buf_printf(&b, "    op.execute('ALTER TABLE %s.%s RENAME COLUMN %s TO zz')\n", q,
		              tn, c);
		mg_buf_printf(&b, "    op.execute('ALTER TABLE %s.%s DROP COLUMN zz')\n", q, tn);
		mg_buf_printf(&b, "    op.execute('ALTER TABLE %s.%s RENAME TO zz_%zu')\n", q, tn,
		              n);
		mg_buf_printf(&b, "    op.execute('DROP TABLE %s.zz_%zu CASCADE')\n", q, n);
		n++;
	}
	return mg_buf_detach(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL, *cols[] = {"a", NULL};
	struct mg_schema *d, *c, *o, *d2;
	struct mg_schema_diff diff;
	struct mg_buf e1 = {0}, e2 = {0};
	struct mg_model *m;
	char *json, *text = NULL, *src;
	size_t ntext = 0;
	FILE *f;

	d = mg_schema_decode(data, size, &why);
	if (d == NULL) {
		if (why == NULL)
			abort();
		return 0;
	}
	json = mg_emit_schema_json(d, NULL, 0);
	if ((f = open_memstream(&text, &ntext)) != NULL) {
		mg_emit_schema_text(f, d, NULL, 0);
		fclose(f);
	}
	free(text);
	free(json);

	/* What it encodes to decodes again, to the same bytes. */
	mg_schema_encode(d, &e1);
	if ((d2 = mg_schema_decode(e1.s, e1.len, &why)) == NULL)
		abort();
	mg_schema_encode(d2, &e2);
	if (e1.len != e2.len || memcmp(e1.s, e2.s, e1.len) != 0)
		abort();
	/* Only run: hostile bytes may give two columns of one name, which the
	 * diff, looking objects up by name, reports as changed. */
	mg_schema_diff(d, d2, &diff);
	mg_schema_diff_free(&diff);
	mg_buf_free(&e1);
	mg_buf_free(&e2);
	mg_schema_free(d2);

	/* A replay onto a copy and onto an overlay, then lookups and names. */
	c = mg_schema_copy(d);
	o = mg_schema_overlay(d);
	src = migration(d);
	m = mg_analyze("zz.py", src, strlen(src), MG_ANALYZE_FULL);
	mg_replay_model(c, m, "zz", NULL);
	mg_replay_model(o, m, "zz", NULL);
	mg_schema_diff(c, o, &diff);
	mg_schema_diff_free(&diff);
	(void)mg_schema_default_name(c, "public", "t", cols, 2, "key");
	(void)mg_schema_table_named(d, "public.t");
	(void)mg_schema_index(d, "public", "ix", NULL);
	if (d->ntables > 0)
		(void)mg_stable_has_index_leading(&d->tables[0], "a", 1);
	mg_model_free(m);
	free(src);
	mg_schema_free(o);
	mg_schema_free(c);
	mg_schema_free(d);
	return 0;
}
