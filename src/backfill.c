/*
 * Shared pieces of batched backfills (see backfill.h): option checks, and
 * the primary keys found in the migrations beside a file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "migen/analyze.h"
#include "migen/backfill.h"
#include "migen/input.h"
#include "migen/pyval.h"

int
mg_backfill_parse_batch(const char *s, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > MG_BATCH_MAX)
		return -1;
	*out = v;
	return 0;
}

int
mg_backfill_check_sleep(const char *s)
{
	if (*s == '-' || strcmp(s, "True") == 0 || strcmp(s, "False") == 0 || !mg_pyval_is_plain(s))
		return -1;
	return strtod(s, NULL) <= MG_SLEEP_MAX ? 0 : -1;
}

/* The folder of path ("." when it has none), malloc'd. */
static char *
folder(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return mg_xstrdup(".");
	if (slash == path)
		return mg_xstrdup("/");
	{
		char *d = mg_xmalloc((size_t)(slash - path) + 1);
		memcpy(d, path, (size_t)(slash - path));
		d[slash - path] = '\0';
		return d;
	}
}

static void
add_key(struct mg_arena *a, struct mg_table_keys *out, const struct mg_table *t, const char **cols,
        size_t n)
{
	struct mg_table_key *k;
	size_t i, j;

	for (i = 0; i < out->n; i++) {
		k = &out->v[i];
		if (strcmp(k->table, t->name) != 0 ||
		    !((k->schema == NULL && t->schema == NULL) ||
		      (k->schema && t->schema && strcmp(k->schema, t->schema) == 0)))
			continue;
		/* Created twice with different keys: which one stands is not known here. */
		if (k->ncolumns != n)
			k->ncolumns = 0;
		for (j = 0; k->ncolumns > 0 && j < n; j++)
			if (strcmp(k->columns[j], cols[j]) != 0)
				k->ncolumns = 0;
		return;
	}
	mg_grow(&out->v, &out->cap, out->n + 1, sizeof(*out->v));
	k = &out->v[out->n++];
	k->table = mg_arena_strdup(a, t->name);
	k->schema = t->schema ? mg_arena_strdup(a, t->schema) : NULL;
	k->columns = mg_arena_alloc(a, (n ? n : 1) * sizeof(*k->columns));
	for (i = 0; i < n; i++)
		k->columns[i] = mg_arena_strdup(a, cols[i]);
	k->ncolumns = n;
}

/* Every table the model's upgrade() creates, with its primary key. */
static void
collect(const struct mg_model *m, struct mg_arena *a, struct mg_table_keys *out)
{
	size_t i, j;

	for (i = 0; i < m->ntables; i++) {
		const struct mg_table *t = &m->tables[i];
		const struct mg_index *pk = NULL;
		const char *cols[64];
		size_t n = 0;

		if (t->name == NULL || t->op >= m->nops || m->ops[t->op].dir != MG_UPGRADE)
			continue;
		for (j = 0; j < m->nindexes; j++)
			if (m->indexes[j].kind == MG_IX_PRIMARY_KEY && m->indexes[j].op == t->op &&
			    m->indexes[j].columns_known)
				pk = &m->indexes[j];
		if (pk == NULL || pk->ncolumns == 0 || pk->ncolumns > 64)
			continue;
		for (j = 0; j < pk->ncolumns; j++) {
			if (pk->columns[j] == NULL || pk->is_expr[j])
				break;
			cols[n++] = pk->columns[j];
		}
		if (n == pk->ncolumns)
			add_key(a, out, t, cols, n);
	}
}

void
mg_backfill_history_keys(const char *path, struct mg_arena *a, struct mg_table_keys *out)
{
	char *dir = folder(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct mg_parser *p;
	struct dirent *e;
	DIR *dh;

	memset(out, 0, sizeof(*out));
	if ((dh = opendir(dir)) == NULL) {
		free(dir);
		return;
	}
	p = mg_parser_new();
	while ((e = readdir(dh)) != NULL) {
		size_t len = strlen(e->d_name);
		struct mg_buf f = {0};
		struct mg_input in;
		struct mg_model *m;
		const char *why;
		struct stat st;

		if (len < 4 || strcmp(e->d_name + len - 3, ".py") != 0 ||
		    strcmp(e->d_name, base) == 0 || strcmp(e->d_name, "env.py") == 0)
			continue;
		mg_buf_printf(&f, "%s/%s", dir, e->d_name);
		/* Only regular files: opening a FIFO named *.py would block. */
		if (stat(f.s, &st) == 0 && S_ISREG(st.st_mode) &&
		    mg_input_read(f.s, &in, &why) == 0) {
			m = mg_analyze_with(p, f.s, in.data, in.len, MG_ANALYZE_FULL);
			if (m->rev.has_revision)
				collect(m, a, out);
			mg_model_free(m);
			mg_input_free(&in);
		}
		mg_buf_free(&f);
	}
	closedir(dh);
	mg_parser_free(p);
	free(dir);
}

const struct mg_table_keys *
mg_backfill_cache_keys(struct mg_backfill_cache *c, const char *path)
{
	char *dir = folder(path);

	if (c->dir != NULL && strcmp(c->dir, dir) == 0) {
		free(dir);
		return &c->keys;
	}
	mg_backfill_cache_free(c);
	c->dir = dir;
	mg_backfill_history_keys(path, &c->arena, &c->keys);
	return &c->keys;
}

void
mg_backfill_cache_free(struct mg_backfill_cache *c)
{
	free(c->dir);
	free(c->keys.v);
	mg_arena_free(&c->arena);
	memset(c, 0, sizeof(*c));
}

int
mg_backfill_needs_keys(const struct mg_model *m)
{
	size_t i;

	for (i = 0; i < m->nops; i++)
		if (m->ops[i].dir == MG_UPGRADE && m->ops[i].nullable == MG_NO &&
		    (m->ops[i].kind == MG_OP_ADD_COLUMN || m->ops[i].kind == MG_OP_ALTER_COLUMN))
			return 1;
	return 0;
}
