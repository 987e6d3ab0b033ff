/*
 * The analysed-model cache (see modelcache.h). One file:
 *
 *   migen-modelcache 1 le64 VERSION LAYOUT exe ID
 *                                            format, byte order, migen's version,
 *                                            hash of the model's field list, the
 *                                            executable that wrote it
 *   sum HEX                                  checksum of the lines below up to the records
 *   started NS                               start of the run that wrote it
 *   count N                                  then N record offsets (u64), then a newline
 *   records                                  sorted by path
 *
 * A record: u64 checksum of the rest of the record, the path and a NUL,
 * the stat key (5 × i64), then the model as mg_model_encode() writes it
 * (modelcodec.c).
 */
#define _DEFAULT_SOURCE /* dirfd(), utimensat() */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migen/modelcache.h"
#include "cachefile.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FORMAT "migen-modelcache 1 le64 " MIGEN_VERSION
#else
#define FORMAT "migen-modelcache 1 be64 " MIGEN_VERSION
#endif
#define RACY_MARGIN_NS 1000000000LL
#define NONE ((size_t)-1)

/* ---- the cache file ----------------------------------------------------- */

struct mg_modelcache {
	char *file;
	int64_t written_ns, started_ns;
	char *data; /* the whole file */
	size_t len;
	const uint64_t *off; /* where each record starts (in data) */
	size_t n;
};

/*
 * The format line names, beyond the format and migen's version, the field
 * list (its hash) and the executable that writes it (device, inode, size,
 * mtime of /proc/self/exe): a model is what one build's analyzer made, and
 * a rebuilt migen — a developer's, a test suite's — must not take the
 * models of the one before, though the version string is the same.
 */
static char *
format_line(void)
{
	struct mg_buf b = {0};

	mg_buf_printf(&b, "%s %016llx", FORMAT, (unsigned long long)mg_model_layout_hash());
	mg_cache_exe_id(&b);
	return mg_buf_detach(&b);
}

char *
mg_modelcache_path(const char *scope)
{
	return mg_cache_file("models-", scope);
}

/* A decimal at *p up to the newline, at most max. */
static int
get_line_num(const char **p, const char *end, const char *name, long long max, long long *out)
{
	size_t len = strlen(name);
	unsigned long long v = 0;
	const char *s = *p;
	int digits = 0;

	if ((size_t)(end - s) < len + 1 || memcmp(s, name, len) != 0 || s[len] != ' ')
		return -1;
	for (s += len + 1; s < end && *s >= '0' && *s <= '9' && digits < 19; s++, digits++)
		v = v * 10 + (unsigned)(*s - '0');
	if (digits == 0 || s >= end || *s != '\n' || v > (unsigned long long)max)
		return -1;
	*out = (long long)v;
	*p = s + 1;
	return 0;
}

static int
load(struct mg_modelcache *c)
{
	char *fmt = format_line();
	size_t flen = strlen(fmt), len, i;
	const char *p, *end, *body;
	char *data = mg_cache_slurp(c->file, &len);
	long long started, n;
	uint64_t want = 0;

	if (data == NULL) {
		free(fmt);
		return -1;
	}
	p = data;
	end = data + len;
	if ((size_t)(end - p) < flen + 1 + 21 || memcmp(p, fmt, flen) != 0 || p[flen] != '\n')
		goto bad;
	p += flen + 1;
	if (memcmp(p, "sum ", 4) != 0 || p[20] != '\n')
		goto bad;
	for (i = 4; i < 20; i++) {
		int d = p[i] >= '0' && p[i] <= '9'   ? p[i] - '0'
		        : p[i] >= 'a' && p[i] <= 'f' ? p[i] - 'a' + 10
		                                     : -1;
		if (d < 0)
			goto bad;
		want = want << 4 | (uint64_t)d;
	}
	p += 21;
	body = p;
	if (get_line_num(&p, end, "started", INT64_MAX, &started) ||
	    get_line_num(&p, end, "count", 10000000, &n))
		goto bad;
	/* The offsets are 8-aligned in the file (the writer pads before them). */
	while (p < end && *p == '\n' && ((size_t)(p - data) % 8) != 7)
		p++;
	if (p >= end || *p != '\n')
		goto bad;
	p++;
	if ((size_t)(end - p) < (size_t)n * 8 + 1 || p[n * 8] != '\n' ||
	    mg_cache_checksum(body, (size_t)(p + n * 8 + 1 - body)) != want)
		goto bad;
	c->off = (const uint64_t *)(const void *)p;
	for (i = 0; i < (size_t)n; i++) {
		/* After the table, increasing, each with room for its checksum and a path. */
		if (c->off[i] < (uint64_t)(p + n * 8 + 1 - data) || c->off[i] + 10 > len ||
		    (i > 0 && c->off[i] <= c->off[i - 1]))
			goto bad;
	}
	if (n > 0 && c->off[0] != (uint64_t)(p + n * 8 + 1 - data))
		goto bad;
	free(fmt);
	c->data = data;
	c->len = len;
	c->n = (size_t)n;
	c->written_ns = started;
	return 0;
bad:
	free(fmt);
	free(data);
	c->off = NULL;
	c->n = 0;
	return -1;
}

struct mg_modelcache *
mg_modelcache_open(const char *scope, int64_t started_ns)
{
	struct mg_modelcache *c;
	char *file = mg_modelcache_path(scope);

	if (file == NULL)
		return NULL;
	c = mg_xcalloc(1, sizeof(*c));
	c->file = file;
	c->started_ns = started_ns;
	if (load(c) != 0 || mg_cache_mark_used(file))
		mg_cache_prune(file, "models-");
	return c;
}

size_t
mg_modelcache_count(const struct mg_modelcache *c)
{
	return c ? c->n : 0;
}

static const char *
record_end(const struct mg_modelcache *c, size_t i)
{
	return c->data + (i + 1 < c->n ? c->off[i + 1] : c->len);
}

/* The record's path (after its checksum), NUL-terminated inside the record, or NULL. */
static const char *
record_path(const struct mg_modelcache *c, size_t i, size_t *len)
{
	const char *p = c->data + c->off[i] + 8, *end = record_end(c, i), *nul;

	if (p >= end || (nul = memchr(p, '\0', (size_t)(end - p))) == NULL)
		return NULL;
	*len = (size_t)(nul - p);
	return p;
}

static size_t
find(const struct mg_modelcache *c, size_t hint, const char *path)
{
	size_t lo = 0, hi = c->n, n = strlen(path), len;
	const char *p;

	if (hint < c->n && (p = record_path(c, hint, &len)) != NULL && len == n &&
	    memcmp(p, path, n) == 0)
		return hint;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d;

		if ((p = record_path(c, mid, &len)) == NULL)
			return NONE;
		d = strcmp(p, path);
		if (d == 0)
			return mid;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NONE;
}

static int
same_key(const struct mg_statkey *a, const struct mg_statkey *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

struct mg_model *
mg_modelcache_get(const struct mg_modelcache *c, size_t hint, const char *path,
                  const struct mg_statkey *k)
{
	const char *rec, *end, *p;
	struct mg_statkey was;
	int64_t f[5];
	uint64_t sum;
	size_t i, len;
	struct mg_model *m;

	if (c == NULL || c->n == 0 || (i = find(c, hint, path)) == NONE)
		return NULL;
	/* Changed within the racy margin of the run that wrote the cache: not trusted. */
	if (k->ino == 0 || k->mtime_ns >= c->written_ns - RACY_MARGIN_NS ||
	    k->ctime_ns >= c->written_ns - RACY_MARGIN_NS)
		return NULL;
	rec = c->data + c->off[i];
	end = record_end(c, i);
	if (record_path(c, i, &len) == NULL)
		return NULL;
	p = rec + 8 + len + 1;
	if ((size_t)(end - p) < sizeof(f))
		return NULL;
	memcpy(f, p, sizeof(f));
	was.dev = (uint64_t)f[0];
	was.ino = (uint64_t)f[1];
	was.size = (uint64_t)f[2];
	was.mtime_ns = f[3];
	was.ctime_ns = f[4];
	if (!same_key(&was, k))
		return NULL;
	memcpy(&sum, rec, 8);
	if (mg_cache_checksum(rec + 8, (size_t)(end - rec - 8)) != sum)
		return NULL;
	p += sizeof(f);
	m = mg_model_decode(p, (size_t)(end - p), path);
	/* A model for a file of another size cannot be this file's. */
	if (m != NULL && m->srclen != k->size) {
		mg_model_free(m);
		return NULL;
	}
	return m;
}

struct rec {
	const char *path;
	const char *bytes; /* a whole record (reused) */
	size_t len;
	size_t i; /* the caller's index */
};

static int
reccmp(const void *a, const void *b)
{
	return strcmp(((const struct rec *)a)->path, ((const struct rec *)b)->path);
}

void
mg_modelcache_save(struct mg_modelcache *c, const char *const *paths, const struct mg_statkey *keys,
                   const struct mg_buf *enc, const unsigned char *reuse, size_t n)
{
	struct rec *r = mg_xcalloc(n ? n : 1, sizeof(*r));
	struct mg_buf head = {0}, b = {0}, recs = {0};
	size_t i, k = 0, base, *off;
	char *fmt;

	if (c == NULL) {
		free(r);
		return;
	}
	for (i = 0; i < n; i++) {
		size_t j = NONE;
		if (reuse != NULL && reuse[i] && c->n > 0)
			j = find(c, i, paths[i]);
		if (j != NONE) {
			r[k].bytes = c->data + c->off[j];
			r[k].len = (size_t)(record_end(c, j) - r[k].bytes);
		} else if (enc[i].s == NULL || keys[i].ino == 0) {
			continue;
		}
		r[k].path = paths[i];
		r[k++].i = i;
	}
	qsort(r, k, sizeof(*r), reccmp);
	off = mg_xcalloc(k ? k : 1, sizeof(*off));
	for (i = 0; i < k; i++) {
		/* The same path twice (overlapping folders): once is enough. */
		if (i > 0 && strcmp(r[i].path, r[i - 1].path) == 0) {
			off[i] = NONE;
			continue;
		}
		off[i] = recs.len;
		if (r[i].bytes != NULL) {
			mg_buf_add(&recs, r[i].bytes, r[i].len);
		} else {
			const struct mg_statkey *kk = &keys[r[i].i];
			int64_t f[5] = {(int64_t)kk->dev, (int64_t)kk->ino, (int64_t)kk->size,
			                kk->mtime_ns, kk->ctime_ns};
			size_t start = recs.len;
			uint64_t sum;

			mg_buf_add(&recs, "\0\0\0\0\0\0\0\0", 8);
			mg_buf_add(&recs, r[i].path, strlen(r[i].path) + 1);
			mg_buf_add(&recs, (const char *)f, sizeof(f));
			mg_buf_add(&recs, enc[r[i].i].s, enc[r[i].i].len);
			sum = mg_cache_checksum(recs.s + start + 8, recs.len - start - 8);
			memcpy(recs.s + start, &sum, 8);
		}
	}
	{
		size_t nrec = 0;
		for (i = 0; i < k; i++)
			nrec += off[i] != NONE;
		fmt = format_line();
		mg_buf_printf(&b, "started %lld\ncount %zu\n", (long long)c->started_ns, nrec);
		/* Pad so that the offset table starts 8-aligned in the file. */
		base = strlen(fmt) + 1 + 21;
		while ((base + b.len + 1) % 8 != 0)
			mg_buf_putc(&b, '\n');
		mg_buf_putc(&b, '\n');
		base += b.len + nrec * 8 + 1;
		for (i = 0; i < k; i++)
			if (off[i] != NONE) {
				uint64_t o = (uint64_t)(base + off[i]);
				mg_buf_add(&b, (const char *)&o, 8);
			}
		mg_buf_putc(&b, '\n');
	}
	mg_buf_printf(&head, "%s\nsum %016llx\n", fmt,
	              (unsigned long long)mg_cache_checksum(b.s, b.len));
	free(fmt);
	{
		struct mg_buf parts[3];
		parts[0] = head;
		parts[1] = b;
		parts[2] = recs;
		mg_cache_write(c->file, parts, 3);
	}
	free(off);
	free(r);
	mg_buf_free(&head);
	mg_buf_free(&b);
	mg_buf_free(&recs);
}

void
mg_modelcache_free(struct mg_modelcache *c)
{
	if (c == NULL)
		return;
	free(c->file);
	free(c->data);
	free(c);
}
