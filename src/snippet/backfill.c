/*
 * Shared pieces of batched backfills (see backfill.h): option checks, and
 * the primary keys found in the migrations beside a file.
 */
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/backfill.h"
#include "migen/input.h"
#include "migen/pyval.h"
#include "migen/revlist.h"

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

/* A NOT NULL column added or altered in upgrade(): its table's key may be walked. */
static int
needs_key(const struct mg_op *op)
{
	return op->dir == MG_UPGRADE && op->nullable == MG_NO &&
	       (op->kind == MG_OP_ADD_COLUMN || op->kind == MG_OP_ALTER_COLUMN);
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

/* Orders the folder's creations by table name (then file). */
static int
creatorcmp(const void *a, const void *b)
{
	const struct mg_backfill_creator *x = a, *y = b;
	int r = strcmp(x->table, y->table);

	return r ? r : (x->file < y->file ? -1 : x->file > y->file);
}

/*
 * Notes every `create_table(` whose first argument is a string literal in
 * file i: the files worth parsing when that table's key is asked for.
 */
static void
note_creations(struct mg_backfill_cache *c, size_t i)
{
	static const char call[] = "create_table(";
	const char *p = c->files[i].data, *end = p + c->files[i].len, *q, *name;

	while ((q = memmem(p, (size_t)(end - p), call, sizeof(call) - 1)) != NULL) {
		p = q + sizeof(call) - 1;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++;
		if (p >= end || (*p != '\'' && *p != '"'))
			continue;
		name = p + 1;
		for (q = name; q < end && *q != *p && *q != '\n' && q - name <= 256; q++)
			;
		if (q >= end || *q != *p)
			continue;
		mg_grow(&c->creators, &c->capcreators, c->ncreators + 1, sizeof(*c->creators));
		c->creators[c->ncreators].table =
		    mg_arena_strndup(&c->arena, name, (size_t)(q - name));
		c->creators[c->ncreators++].file = i;
		p = q;
	}
}

/* The folder's *.py files that have create_table, read into the cache (not parsed). */
static void
read_folder(struct mg_backfill_cache *c)
{
	struct dirent *e;
	DIR *dh;

	if ((dh = opendir(c->dir)) == NULL)
		return;
	while ((e = readdir(dh)) != NULL) {
		struct mg_buf f = {0};
		struct mg_input in;
		const char *why;

		if (!mg_revlist_is_migration(e->d_name))
			continue;
		mg_buf_printf(&f, "%s/%s", c->dir, e->d_name);
		/* mg_input_read refuses what is not a regular file, without blocking. */
		if (mg_input_read(f.s, &in, &why) == 0) {
			/* Most migrations create no table: they are never parsed. */
			if (memmem(in.data, in.len, "create_table", 12) != NULL) {
				mg_grow(&c->files, &c->capfiles, c->nfiles + 1, sizeof(*c->files));
				c->files[c->nfiles].base = mg_arena_strdup(&c->arena, e->d_name);
				c->files[c->nfiles].path = mg_buf_detach(&f);
				c->files[c->nfiles].data = mg_xmalloc(in.len + 1);
				memcpy(c->files[c->nfiles].data, in.data, in.len);
				c->files[c->nfiles].len = in.len;
				c->files[c->nfiles].parsed = 0;
				note_creations(c, c->nfiles++);
			}
			mg_input_free(&in);
		}
		mg_buf_free(&f);
	}
	closedir(dh);
	if (c->ncreators > 1)
		qsort(c->creators, c->ncreators, sizeof(*c->creators), creatorcmp);
}

/*
 * Parses, once, every file of the folder (but self) that creates table:
 * the keys of the tables it creates join c->keys.
 */
static void
search(struct mg_backfill_cache *c, const char *table, const char *self)
{
	struct mg_backfill_creator key = {table, 0};
	size_t i, lo = 0, hi = c->ncreators;

	for (i = 0; i < c->nsearched; i++)
		if (strcmp(c->searched[i], table) == 0)
			return;
	mg_grow(&c->searched, &c->capsearched, c->nsearched + 1, sizeof(*c->searched));
	c->searched[c->nsearched++] = mg_arena_strdup(&c->arena, table);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (creatorcmp(&c->creators[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < c->ncreators && strcmp(c->creators[i].table, table) == 0; i++) {
		struct mg_backfill_file *f = &c->files[c->creators[i].file];
		struct mg_model *m;

		if (f->parsed || strcmp(f->base, self) == 0)
			continue;
		if (c->parser == NULL)
			c->parser = mg_parser_new();
		f->parsed = 1;
		m = mg_analyze_with(c->parser, f->path, f->data, f->len, MG_ANALYZE_FULL);
		if (m->rev.has_revision)
			collect(m, &c->arena, &c->keys);
		mg_model_free(m);
	}
}

const struct mg_table_keys *
mg_backfill_cache_keys(struct mg_backfill_cache *c, const char *path, const struct mg_model *m)
{
	char *dir = folder(path);
	const char *self = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t i;

	if (c->dir == NULL || strcmp(c->dir, dir) != 0) {
		mg_backfill_cache_free(c);
		c->dir = dir;
		read_folder(c);
	} else {
		free(dir);
	}
	for (i = 0; i < m->nops; i++)
		if (needs_key(&m->ops[i]) && m->ops[i].table != NULL)
			search(c, m->ops[i].table, self);
	return &c->keys;
}

void
mg_backfill_cache_free(struct mg_backfill_cache *c)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++) {
		free(c->files[i].path);
		free(c->files[i].data);
	}
	free(c->files);
	free(c->creators);
	free(c->searched);
	if (c->parser != NULL)
		mg_parser_free(c->parser);
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
		if (needs_key(&m->ops[i]))
			return 1;
	return 0;
}
