/*
 * What the schema codec (schemacodec.h) costs on a project: replays its
 * history as `migen schema` does (through the model cache), then encodes
 * the head schema and decodes it R times, median in milliseconds, with the
 * encoded size and what a copy (mg_schema_copy) and a replay cost beside
 * it. Checks that the decoded schema prints the same JSON.
 *
 *   schemacodec-bench ALEMBIC_INI [R [OUT]]
 *
 * OUT: also writes the encoding there (the fuzz target's seeds,
 * tests/fuzz/schemacodec/).
 *
 *   schemacodec-bench -d FILE
 *
 * What a cache hit costs in a fresh process: reads FILE (an encoding) and
 * decodes it once, each timed; a fresh process's first decode pays the
 * page faults of every byte the schema's lists take, which a warm heap
 * (the R runs above) does not.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migen/alembic_ini.h"
#include "migen/emit_schema.h"
#include "migen/history.h"
#include "migen/preload.h"
#include "migen/revgraph.h"
#include "migen/revload.h"
#include "migen/schemacodec.h"
#include "timing.h"

/* A cache hit: the file read, then decoded, once. */
static int
fresh(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct mg_buf b = {0};
	struct mg_schema *d;
	const char *why = NULL;
	char chunk[65536];
	size_t n;
	double t0, tread;

	if (f == NULL) {
		fprintf(stderr, "%s: cannot open\n", path);
		return 1;
	}
	t0 = now_ms();
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mg_buf_add(&b, chunk, n);
	fclose(f);
	tread = now_ms() - t0;
	t0 = now_ms();
	d = mg_schema_decode(b.s, b.len, &why);
	printf("%zu bytes: read %.2f ms, decode %.2f ms (fresh process)\n", b.len, tread,
	       now_ms() - t0);
	if (d == NULL)
		fprintf(stderr, "decode: %s\n", why);
	mg_schema_free(d);
	mg_buf_free(&b);
	return d == NULL;
}

int
main(int argc, char **argv)
{
	struct mg_alembic_env env;
	struct mg_revset set;
	struct mg_revload_opts lo;
	struct mg_revgraph g;
	struct mg_history_opts ho;
	struct mg_preload *pre;
	struct mg_schema *s = NULL, *d;
	struct mg_buf enc = {0}, again = {0};
	const char *why = NULL, *where = NULL, **paths;
	char *j1, *j2;
	double t0, replay, tenc, mdec, *tdec, *tcopy, *tfree;
	size_t i, ncols = 0, nstr;
	int r, runs = argc > 2 ? atoi(argv[2]) : 20;

	if (argc == 3 && strcmp(argv[1], "-d") == 0)
		return fresh(argv[2]);
	if (argc < 2 || runs < 1) {
		fprintf(stderr, "usage: schemacodec-bench ALEMBIC_INI [R [OUT]] | -d FILE\n");
		return 2;
	}
	memset(&env, 0, sizeof(env));
	memset(&set, 0, sizeof(set));
	if (mg_alembic_ini_read(argv[1], "alembic", &env, &why) != 0) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	memset(&lo, 0, sizeof(lo));
	lo.recursive = env.recursive;
	lo.cache = 1;
	if (mg_revload(env.versions, env.nversions, &lo, &set, &why, &where) != 0) {
		fprintf(stderr, "%s: %s\n", where, why);
		return 1;
	}
	mg_revgraph_build(&g, set.revs, set.n);
	paths = mg_xcalloc(set.n + 1, sizeof(*paths));
	for (i = 0; i < set.n; i++)
		paths[i] = set.revs[i].path;
	pre = mg_preload_new(paths, set.n, argv[1], MG_PRELOAD_WINDOW);
	free(paths);
	memset(&ho, 0, sizeof(ho));
	ho.load = mg_preload_load;
	ho.plan = mg_preload_plan;
	ho.arg = pre;
	t0 = now_ms();
	if (mg_history_replay(&g, &ho, &s, &why) != 0) {
		fprintf(stderr, "replay: %s\n", why);
		return 1;
	}
	replay = now_ms() - t0;
	for (i = 0; i < s->ntables; i++)
		ncols += s->tables[i].ncolumns;

	t0 = now_ms();
	mg_schema_encode(s, &enc);
	tenc = now_ms() - t0;
	/* The header: magic, version, nstrings, nbytes. */
	nstr = (size_t)(unsigned char)enc.s[8] | (size_t)(unsigned char)enc.s[9] << 8 |
	       (size_t)(unsigned char)enc.s[10] << 16 | (size_t)(unsigned char)enc.s[11] << 24;

	if (argc > 3) {
		FILE *f = fopen(argv[3], "wb");
		if (f == NULL || fwrite(enc.s, 1, enc.len, f) != enc.len || fclose(f) != 0) {
			fprintf(stderr, "%s: cannot write\n", argv[3]);
			return 1;
		}
	}
	tdec = mg_xcalloc((size_t)runs, sizeof(*tdec));
	tcopy = mg_xcalloc((size_t)runs, sizeof(*tcopy));
	tfree = mg_xcalloc((size_t)runs, sizeof(*tfree));
	for (r = 0; r < runs; r++) {
		struct mg_schema *c;
		t0 = now_ms();
		d = mg_schema_decode(enc.s, enc.len, &why);
		tdec[r] = now_ms() - t0;
		if (d == NULL) {
			fprintf(stderr, "decode: %s\n", why);
			return 1;
		}
		t0 = now_ms();
		mg_schema_free(d);
		tfree[r] = now_ms() - t0;
		t0 = now_ms();
		c = mg_schema_copy(s);
		tcopy[r] = now_ms() - t0;
		mg_schema_free(c);
	}
	d = mg_schema_decode(enc.s, enc.len, &why);
	mg_schema_encode(d, &again);
	j1 = mg_emit_schema_json(s, NULL, 0);
	j2 = mg_emit_schema_json(d, NULL, 0);
	printf("revisions %zu, tables %zu, columns %zu, replay %.1f ms\n", set.n, s->ntables, ncols,
	       replay);
	printf("encoded %zu bytes (%zu distinct strings), encode %.2f ms\n", enc.len, nstr, tenc);
	mdec = median(tdec, runs); /* sorts: tdec[0] is the fastest after it */
	printf("decode median %.2f ms (min %.2f), free %.2f ms, mg_schema_copy %.2f ms (%d runs)\n",
	       mdec, tdec[0], median(tfree, runs), median(tcopy, runs), runs);
	printf("round trip: JSON %s, re-encoded bytes %s\n",
	       strcmp(j1, j2) == 0 ? "same" : "DIFFER",
	       again.len == enc.len && memcmp(again.s, enc.s, enc.len) == 0 ? "same" : "DIFFER");
	free(j1);
	free(j2);
	free(tdec);
	free(tcopy);
	free(tfree);
	mg_buf_free(&enc);
	mg_buf_free(&again);
	mg_schema_free(d);
	mg_schema_free(s);
	mg_preload_free(pre);
	mg_revgraph_free(&g);
	mg_revset_free(&set);
	mg_alembic_env_free(&env);
	return 0;
}
