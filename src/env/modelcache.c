/*
 * The analysed-model cache (see modelcache.h). One file:
 *
 *   migen-modelcache 2 le64 VERSION LAYOUT exe ID
 *                                            format, byte order, migen's version,
 *                                            hash of the model's field list, the
 *                                            executable that wrote it
 *   sum HEX                                  checksum of the head below (up to the records)
 *   started NS                               start of the run that wrote it
 *   count N                                  then, as u64: N + 1 record offsets (the
 *                                            last one the file's end), N path
 *                                            offsets, the paths' length; the paths
 *                                            (sorted, each NUL-terminated); a newline
 *   records                                  in the paths' order
 *
 * A record: u64 checksum of the rest of the record, the path and a NUL,
 * the stat key (5 × i64), then the model as mg_model_encode() writes it
 * (modelcodec.c).
 *
 * Only the head is read when the cache is opened; a record is read (pread)
 * when its model is asked for. A run that needs a few models of 10,000
 * reads those few, and the records are never all in memory at once.
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
#define FORMAT "migen-modelcache 2 le64 " MIGEN_VERSION
#else
#define FORMAT "migen-modelcache 2 be64 " MIGEN_VERSION
#endif
#define NONE ((size_t)-1)

/* ---- the cache file ----------------------------------------------------- */

struct mg_modelcache {
	char *file;
	int fd; /* the cache file, open while the cache is: records are read from it */
	int64_t written_ns, started_ns;
	char *head;     /* the head, from "started" to the records */
	uint64_t *off;  /* [n + 1]: where each record starts in the file, then its end */
	uint64_t *poff; /* [n]: each record's path in paths */
	const char *paths;
	size_t npaths; /* bytes */
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

/* Reads n bytes at off; 0, or -1 when the file has fewer. */
static int
read_at(int fd, char *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, buf + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

static uint64_t
u64_at(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* The largest head read (10,000,000 records at most, as before). */
#define MAX_HEAD (1024u * 1024 * 1024)

static int
load(struct mg_modelcache *c)
{
	char *fmt = format_line(), *buf = NULL;
	size_t flen = strlen(fmt), first, len, tables, i;
	const char *p, *end, *body;
	long long started, n;
	uint64_t want, npaths;
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO put where the cache belongs is refused, not waited on. */
	if ((fd = open(c->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		goto bad;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0)
		goto bad;
	len = (size_t)st.st_size;
	/* The lines, then the tables: read the start, then the rest of the head. */
	first = len < 4096 ? len : 4096;
	buf = mg_xmalloc(first + 1);
	if (read_at(fd, buf, first, 0) != 0)
		goto bad;
	p = buf;
	end = buf + first;
	if ((size_t)(end - p) < flen + 1 + 21 || memcmp(p, fmt, flen) != 0 || p[flen] != '\n')
		goto bad;
	p += flen + 1;
	if (memcmp(p, "sum ", 4) != 0 || p[20] != '\n')
		goto bad;
	if (mg_cache_hex64(p + 4, &want) != 0)
		goto bad;
	p += 21;
	body = p;
	if (mg_cache_line_num(&p, end, "started", INT64_MAX, &started) ||
	    mg_cache_line_num(&p, end, "count", 10000000, &n))
		goto bad;
	/* The tables and the paths' length after them: then the whole head is known. */
	tables = ((size_t)n + 1 + (size_t)n) * 8;
	{
		size_t at = (size_t)(p - buf), need = at + tables + 8;
		char lenb[8];

		if (need > len || read_at(fd, lenb, 8, at + tables) != 0)
			goto bad;
		npaths = u64_at(lenb);
		if (npaths > MAX_HEAD || need + npaths + 1 > len)
			goto bad;
		need += (size_t)npaths + 1;
		c->head = mg_xmalloc(need - (size_t)(body - buf) + 1);
		if (read_at(fd, c->head, need - (size_t)(body - buf), (uint64_t)(body - buf)) != 0)
			goto bad;
		if (mg_cache_checksum(c->head, need - (size_t)(body - buf)) != want ||
		    c->head[need - (size_t)(body - buf) - 1] != '\n')
			goto bad;
		{
			const char *t = c->head + (at - (size_t)(body - buf));
			c->off = mg_xcalloc((size_t)n + 1, sizeof(*c->off));
			c->poff = mg_xcalloc((size_t)n + 1, sizeof(*c->poff));
			for (i = 0; i <= (size_t)n; i++)
				c->off[i] = u64_at(t + 8 * i);
			for (i = 0; i < (size_t)n; i++)
				c->poff[i] = u64_at(t + 8 * ((size_t)n + 1 + i));
			c->paths = t + tables + 8;
			c->npaths = (size_t)npaths;
		}
		/* Records after the head, in order, each with room for its checksum and a
		 * path; the last offset is the file's end; paths inside their block. */
		if (c->off[0] != (uint64_t)need || c->off[n] != (uint64_t)len)
			goto bad;
		for (i = 0; i < (size_t)n; i++)
			if (c->off[i + 1] < c->off[i] + 10 || c->poff[i] >= npaths ||
			    memchr(c->paths + c->poff[i], '\0', (size_t)(npaths - c->poff[i])) ==
			        NULL)
				goto bad;
	}
	free(fmt);
	free(buf);
	c->fd = fd;
	c->n = (size_t)n;
	c->written_ns = started;
	return 0;
bad:
	free(fmt);
	free(buf);
	free(c->head);
	free(c->off);
	free(c->poff);
	c->head = NULL;
	c->off = c->poff = NULL;
	c->paths = NULL;
	c->n = 0;
	if (fd >= 0)
		close(fd);
	c->fd = -1;
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
	c->fd = -1;
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
path_of(const struct mg_modelcache *c, size_t i)
{
	return c->paths + c->poff[i];
}

static size_t
find(const struct mg_modelcache *c, size_t hint, const char *path)
{
	size_t lo = 0, hi = c->n;

	if (hint < c->n && strcmp(path_of(c, hint), path) == 0)
		return hint;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(path_of(c, mid), path);

		if (d == 0)
			return mid;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NONE;
}

/* Record i, read whole (malloc'd, *len bytes), or NULL. */
static char *
record(const struct mg_modelcache *c, size_t i, size_t *len)
{
	uint64_t n = c->off[i + 1] - c->off[i];
	char *buf;

	if (n > MAX_HEAD)
		return NULL;
	buf = mg_xmalloc((size_t)n + 1);
	if (read_at(c->fd, buf, (size_t)n, c->off[i]) != 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
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
	struct mg_statkey was;
	struct mg_model *m = NULL;
	const char *p, *end;
	char *rec;
	int64_t f[5];
	uint64_t sum;
	size_t i, len, plen = strlen(path);

	if (c == NULL || c->n == 0 || (i = find(c, hint, path)) == NONE)
		return NULL;
	/* Changed within the racy margin of the run that wrote the cache: not trusted. */
	if (k->ino == 0 || mg_statkey_racy(k, c->written_ns))
		return NULL;
	if ((rec = record(c, i, &len)) == NULL)
		return NULL;
	end = rec + len;
	/* The record's own path, the one the head names. */
	if (len < 8 + plen + 1 + sizeof(f) || memcmp(rec + 8, path, plen + 1) != 0)
		goto out;
	p = rec + 8 + plen + 1;
	memcpy(f, p, sizeof(f));
	was.dev = (uint64_t)f[0];
	was.ino = (uint64_t)f[1];
	was.size = (uint64_t)f[2];
	was.mtime_ns = f[3];
	was.ctime_ns = f[4];
	if (!same_key(&was, k))
		goto out;
	memcpy(&sum, rec, 8);
	if (mg_cache_checksum(rec + 8, len - 8) != sum)
		goto out;
	p += sizeof(f);
	m = mg_model_decode(p, (size_t)(end - p), path);
	/* A model for a file of another size cannot be this file's. */
	if (m != NULL && m->srclen != k->size) {
		mg_model_free(m);
		m = NULL;
	}
out:
	free(rec);
	return m;
}

struct rec {
	const char *path;
	char *bytes; /* a whole record read from the old cache (reused), malloc'd */
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
	struct mg_buf head = {0}, b = {0}, recs = {0}, names = {0};
	size_t i, k = 0, nrec = 0, base, *off;
	char *fmt;

	if (c == NULL) {
		free(r);
		return;
	}
	for (i = 0; i < n; i++) {
		size_t j = NONE;
		if (reuse != NULL && reuse[i] && c->n > 0)
			j = find(c, i, paths[i]);
		if (j != NONE && (r[k].bytes = record(c, j, &r[k].len)) != NULL) {
			/* copied as it is */
		} else if (enc[i].s == NULL || keys[i].ino == 0) {
			continue;
		}
		r[k].path = paths[i];
		r[k++].i = i;
	}
	qsort(r, k, sizeof(*r), reccmp);
	off = mg_xcalloc(k + 1, sizeof(*off));
	for (i = 0; i < k; i++) {
		/* The same path twice (overlapping folders): once is enough. */
		if (i > 0 && strcmp(r[i].path, r[i - 1].path) == 0) {
			off[i] = NONE;
			continue;
		}
		off[i] = recs.len;
		nrec++;
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
	/* The head: the lines, the record offsets (and the end), the path offsets, the paths. */
	fmt = format_line();
	mg_buf_printf(&b, "started %lld\ncount %zu\n", (long long)c->started_ns, nrec);
	for (i = 0; i < k; i++)
		if (off[i] != NONE)
			mg_buf_add(&names, r[i].path, strlen(r[i].path) + 1);
	base = strlen(fmt) + 1 + 21 + b.len + (2 * nrec + 1) * 8 + 8 + names.len + 1;
	for (i = 0; i < k; i++)
		if (off[i] != NONE) {
			uint64_t o = (uint64_t)(base + off[i]);
			mg_buf_add(&b, (const char *)&o, 8);
		}
	{
		uint64_t o = (uint64_t)(base + recs.len), at = 0;
		mg_buf_add(&b, (const char *)&o, 8);
		for (i = 0; i < k; i++)
			if (off[i] != NONE) {
				mg_buf_add(&b, (const char *)&at, 8);
				at += strlen(r[i].path) + 1;
			}
		o = (uint64_t)names.len;
		mg_buf_add(&b, (const char *)&o, 8);
	}
	mg_buf_add(&b, names.s ? names.s : "", names.len);
	mg_buf_putc(&b, '\n');
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
	for (i = 0; i < k; i++)
		free(r[i].bytes);
	free(off);
	free(r);
	mg_buf_free(&head);
	mg_buf_free(&b);
	mg_buf_free(&recs);
	mg_buf_free(&names);
}

void
mg_modelcache_free(struct mg_modelcache *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->file);
	free(c->head);
	free(c->off);
	free(c->poff);
	free(c);
}
