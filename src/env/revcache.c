/*
 * The doctor's record cache (see revcache.h). One file:
 *
 *   migen-revcache 3 le64 VERSION     format, byte order, migen's version
 *   sum HEX                           checksum of everything below
 *   started NS                        start of the run that wrote it
 *   folders K                         then K lines: path, stat key
 *   count N                           then N record offsets, then a newline
 *   records                           one a line, sorted by path
 *
 * A record is the path, its stat key and two numbers as a binary block
 * (64-bit, native order, named in the header), then strings as netstrings
 * (`5:hello`, `-` for none), so no byte needs escaping. Records are found by
 * binary search over the offsets and parsed only when asked for.
 */
/* dirfd(), utimensat() */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migen/input.h"
#include "migen/revcache.h"
#include "cachefile.h"

/* The format names the byte order and word size of the binary numbers. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FORMAT "migen-revcache 3 le64 " MIGEN_VERSION
#else
#define FORMAT "migen-revcache 3 be64 " MIGEN_VERSION
#endif
/* The kernel stamps files with a coarse clock: trust only older changes. */

struct mg_revcache {
	char *file;
	int64_t written_ns; /* start of the run that wrote the loaded records */
	int64_t started_ns; /* start of this run */
	char *data;         /* the file, in the arena */
	size_t len;
	size_t *off; /* where each record starts in data */
	size_t n;
	struct mg_revfolder *folders; /* the folders listed, as they were */
	size_t nfolders;
	struct mg_arena arena;
};

void
mg_statkey_from(struct mg_statkey *k, const struct stat *st)
{
	k->dev = (uint64_t)st->st_dev;
	k->ino = (uint64_t)st->st_ino;
	k->size = (uint64_t)st->st_size;
	k->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
	k->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec;
}

int
mg_statkey_racy(const struct mg_statkey *k, int64_t ns)
{
	return k->mtime_ns >= ns - MG_RACY_MARGIN_NS || k->ctime_ns >= ns - MG_RACY_MARGIN_NS;
}

char *
mg_revcache_path(const char *const *dirs, size_t ndirs, int recursive, int full)
{
	struct mg_buf scope = {0};
	char *file;
	size_t i;

	/* The folders, one a line, and how they are read. Paths in records are as shown,
	 * relative to where doctor runs: mg_cache_file() keys by the working folder too. */
	for (i = 0; i < ndirs; i++)
		mg_buf_printf(&scope, "%s\n", dirs[i]);
	mg_buf_printf(&scope, "%c%c", recursive ? 'r' : '-', full ? 'f' : '-');
	file = mg_cache_file("doctor-", scope.s);
	mg_buf_free(&scope);
	return file;
}

/*
 * A netstring at *p (or `-`); advances *p. The cache's bytes stay in its
 * arena, so the string is used in place: the separator after it (a space or
 * a newline, checked here; a NUL when the path was already terminated)
 * becomes its terminating NUL. -1 if malformed.
 */
static int
get_str(char **p, const char *end, const char **out)
{
	char *s = *p;
	size_t n = 0;

	if (s < end && *s == '-') {
		*out = NULL;
		*p = s + 1;
		return 0;
	}
	if (s >= end || *s < '0' || *s > '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9') {
		if (n > MG_INPUT_MAX)
			return -1;
		n = n * 10 + (size_t)(*s++ - '0');
	}
	if (s >= end || *s != ':' || (size_t)(end - s - 1) <= n ||
	    (s[1 + n] != ' ' && s[1 + n] != '\n' && s[1 + n] != '\0'))
		return -1;
	*out = s + 1;
	*p = s + 1 + n;
	/* The caller's sep() or end-of-record check sees the NUL as the separator. */
	**p = '\0';
	return 0;
}

/*
 * The netstring at p without writing anything: its bytes and length. Lookups
 * by path run on every thread while others parse their own records, so
 * they must not touch the bytes parsing writes (the separators).
 */
static const char *
peek_str(const char *p, const char *end, size_t *len)
{
	size_t n = 0;

	if (p >= end || *p < '0' || *p > '9')
		return NULL;
	while (p < end && *p >= '0' && *p <= '9') {
		if (n > MG_INPUT_MAX)
			return NULL;
		n = n * 10 + (size_t)(*p++ - '0');
	}
	if (p >= end || *p != ':' || (size_t)(end - p - 1) <= n)
		return NULL;
	*len = n;
	return p + 1;
}

/* A decimal, maybe negative; strtoll's locale handling was a quarter of a warm run. */
static int
get_num(char **p, const char *end, long long *out)
{
	char *s = *p;
	unsigned long long v = 0;
	int neg = 0, digits = 0;

	if (s < end && *s == '-') {
		neg = 1;
		s++;
	}
	for (; s < end && *s >= '0' && *s <= '9'; s++, digits++) {
		if (digits >= 19) /* 19 digits always fit in 64 bits: ns since 1970 do */
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (digits == 0)
		return -1;
	*out = neg ? -(long long)v : (long long)v;
	*p = s;
	return 0;
}

/* One space between fields (a NUL where a string before it ended). */
static int
sep(char **p, const char *end)
{
	if (*p >= end || (**p != ' ' && **p != '\0'))
		return -1;
	(*p)++;
	return 0;
}

static int
get_list(struct mg_arena *a, char **p, const char *end, struct mg_strlist *l)
{
	long long present, known, n, i;

	if (get_num(p, end, &present) || sep(p, end) || get_num(p, end, &known) || sep(p, end) ||
	    get_num(p, end, &n) || n < 0 || n > 100000)
		return -1;
	l->present = present != 0;
	l->known = known != 0;
	l->n = (size_t)n;
	l->v = mg_arena_alloc_raw(a, (size_t)(n ? n : 1) * sizeof(*l->v));
	for (i = 0; i < n; i++)
		if (sep(p, end) || get_str(p, end, &l->v[i]) || l->v[i] == NULL)
			return -1;
	return 0;
}

/* A stat key as a binary block: decimal timestamps cost more to read than the rest. */
static int
get_key(char **p, const char *end, struct mg_statkey *k)
{
	int64_t f[5];

	if ((size_t)(end - *p) < sizeof(f))
		return -1;
	memcpy(f, *p, sizeof(f));
	*p += sizeof(f);
	k->dev = (uint64_t)f[0];
	k->ino = (uint64_t)f[1];
	k->size = (uint64_t)f[2];
	k->mtime_ns = f[3];
	k->ctime_ns = f[4];
	return 0;
}

/* One record, parsed where it lies; list arrays go to a (the caller's thread's arena). */
static int
get_record(struct mg_arena *a, char *p, const char *end, struct mg_statkey *k, struct mg_rev *r)
{
	int64_t f[2];
	long long el;

	memset(r, 0, sizeof(*r));
	if (get_str(&p, end, &r->path) || r->path == NULL || sep(&p, end) || get_key(&p, end, k) ||
	    (size_t)(end - p) < sizeof(f))
		return -1;
	memcpy(f, p, sizeof(f));
	p += sizeof(f);
	r->has_revision = f[0] != 0;
	r->line = (uint32_t)f[1];
	if (sep(&p, end) || get_str(&p, end, &r->revision) || sep(&p, end) ||
	    get_list(a, &p, end, &r->down) || sep(&p, end) || get_list(a, &p, end, &r->labels) ||
	    sep(&p, end) || get_list(a, &p, end, &r->deps) || sep(&p, end) ||
	    get_str(&p, end, &r->message) || sep(&p, end) || get_str(&p, end, &r->error) ||
	    sep(&p, end) || get_num(&p, end, &el))
		return -1;
	r->error_line = (uint32_t)el;
	if (p >= end || *p != '\n')
		return -1;
	return 0;
}

/* "name N\n" at *p. */
static int
get_count(char **p, const char *end, const char *name, long long max, long long *n)
{
	size_t len = strlen(name);

	if ((size_t)(end - *p) < len + 1 || memcmp(*p, name, len) != 0 || (*p)[len] != ' ')
		return -1;
	*p += len + 1;
	if (get_num(p, end, n) || *n < 0 || *n > max || *p >= end || **p != '\n')
		return -1;
	(*p)++;
	return 0;
}

/*
 * The header, the folders and the record offsets. Records themselves are
 * parsed when asked for, by the thread that asks: at 10,000 revisions
 * parsing them all here was most of the cache's cost, and on one core.
 */
static int
load(struct mg_revcache *c)
{
	char *p, *data;
	const char *end;
	long long n, i;
	size_t flen = strlen(FORMAT), len;

	/* In the arena: the records' strings are used where they lie (their text was
	 * checked when the migrations were first read). */
	if ((data = mg_cache_slurp(c->file, (size_t)256 * 1024 * 1024, &c->arena, &len)) == NULL)
		return -1;
	p = data;
	end = data + len;
	if ((size_t)(end - p) < flen + 1 || memcmp(p, FORMAT, flen) != 0 || p[flen] != '\n')
		goto bad;
	p += flen + 1;
	if (end - p < 21 || memcmp(p, "sum ", 4) != 0 || p[20] != '\n')
		goto bad;
	{
		uint64_t want;
		if (mg_cache_hex64(p + 4, &want) != 0)
			goto bad;
		p += 21;
		if (mg_cache_checksum(p, (size_t)(end - p)) != want)
			goto bad;
	}
	if (get_count(&p, end, "started", INT64_MAX, &n))
		goto bad;
	c->written_ns = n;
	if (get_count(&p, end, "folders", 100000, &n))
		goto bad;
	c->folders = mg_arena_alloc_raw(&c->arena, (size_t)(n ? n : 1) * sizeof(*c->folders));
	for (i = 0; i < n; i++) {
		struct mg_revfolder *f = &c->folders[i];
		if (get_str(&p, end, &f->path) || f->path == NULL || sep(&p, end) ||
		    get_key(&p, end, &f->key) || p >= end || *p++ != '\n')
			goto bad;
	}
	c->nfolders = (size_t)n;
	if (get_count(&p, end, "count", 10000000, &n) || (size_t)(end - p) < (size_t)n * 8 + 1)
		goto bad;
	c->off = mg_arena_alloc_raw(&c->arena, (size_t)(n ? n : 1) * sizeof(*c->off));
	for (i = 0; i < n; i++) {
		uint64_t o;
		memcpy(&o, p + 8 * i, 8);
		/* In the file, after the table, increasing: each record has room. */
		if (o <= (uint64_t)(p - data) + (uint64_t)n * 8 || o >= len ||
		    (i > 0 && o <= c->off[i - 1]))
			goto bad;
		c->off[i] = (size_t)o;
	}
	p += n * 8;
	if (*p != '\n' || (n > 0 && c->off[0] != (size_t)(p + 1 - data)))
		goto bad;
	c->data = data;
	c->len = len;
	c->n = (size_t)n;
	return 0;
bad:
	c->n = 0;
	c->nfolders = 0;
	return -1;
}

struct mg_revcache *
mg_revcache_open(const char *const *dirs, size_t ndirs, int recursive, int full, int64_t started_ns)
{
	struct mg_revcache *c;
	char *file = mg_revcache_path(dirs, ndirs, recursive, full);

	if (file == NULL)
		return NULL;
	c = mg_xcalloc(1, sizeof(*c));
	c->file = file;
	c->started_ns = started_ns;
	/* No cache, or a bad one: every file is read (and a new cache written).
	 * The folder is pruned then, or when the mark is renewed: once a day. */
	if (load(c) != 0 || mg_cache_mark_used(file))
		mg_cache_prune(file, "doctor-");
	return c;
}

/*
 * Where record i ends: the next one's start. Reading and parsing stay inside
 * a record's own bytes, so threads parsing different records never touch the
 * same byte, even in a damaged cache.
 */
static const char *
record_end(const struct mg_revcache *c, size_t i)
{
	return c->data + (i + 1 < c->n ? c->off[i + 1] : c->len);
}

/* Changed within the racy margin of the run that wrote the cache: not trusted. */
static int
racy(const struct mg_revcache *c, const struct mg_statkey *k)
{
	return mg_statkey_racy(k, c->written_ns);
}

static int
same_key(const struct mg_statkey *a, const struct mg_statkey *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* Whether path (len bytes) names a file in a folder the cache lists. */
static int
in_folder(const struct mg_revcache *c, const char *path, size_t len)
{
	size_t k;

	for (k = 0; k < c->nfolders; k++) {
		const char *f = c->folders[k].path;
		size_t n = strlen(f);

		if (strcmp(f, ".") == 0 || (n < len && memcmp(path, f, n) == 0 &&
		                            (path[n] == '/' || (n > 0 && f[n - 1] == '/'))))
			return 1;
	}
	return 0;
}

/* Whether a (alen bytes) sorts strictly before b, as strcmp() orders them. */
static int
before(const char *a, size_t alen, const char *b, size_t blen)
{
	int d = memcmp(a, b, alen < blen ? alen : blen);

	return d < 0 || (d == 0 && alen < blen);
}

size_t
mg_revcache_listing(struct mg_revcache *c, const char *const *dirs, size_t ndirs,
                    const char ***paths)
{
	const char **v;
	size_t i, k, plen = 0;
	const char *prev = NULL;

	if (c == NULL || (c->n == 0 && c->nfolders == 0))
		return MG_REVCACHE_NONE;
	/* Every folder asked for was listed then... */
	for (i = 0; i < ndirs; i++) {
		for (k = 0; k < c->nfolders && strcmp(c->folders[k].path, dirs[i]) != 0; k++)
			;
		if (k == c->nfolders)
			return MG_REVCACHE_NONE;
	}
	/* ...and no folder listed then has changed since, nor only just before. */
	for (k = 0; k < c->nfolders; k++) {
		struct stat st;
		struct mg_statkey now;

		if (stat(c->folders[k].path, &st) != 0 || !S_ISDIR(st.st_mode))
			return MG_REVCACHE_NONE;
		mg_statkey_from(&now, &st);
		if (!same_key(&now, &c->folders[k].key) || racy(c, &now))
			return MG_REVCACHE_NONE;
	}
	/* The records' paths, as the listing would give them: sorted, each once,
	 * each in a folder listed. */
	v = mg_arena_alloc_raw(&c->arena, (c->n ? c->n : 1) * sizeof(*v));
	for (i = 0; i < c->n; i++) {
		char *s = c->data + c->off[i];
		size_t len;
		const char *p = peek_str(s, record_end(c, i), &len);

		if (p == NULL || p[len] != ' ' || memchr(p, '\0', len) != NULL ||
		    !in_folder(c, p, len) || (prev != NULL && !before(prev, plen, p, len)))
			return MG_REVCACHE_NONE;
		/* Terminated in place; parsing the record later finds the NUL. */
		((char *)p)[len] = '\0';
		v[i] = p;
		prev = p;
		plen = len;
	}
	*paths = v;
	return c->n;
}

/* The record for path: the hint first, else a binary search. */
static size_t
find(const struct mg_revcache *c, size_t hint, const char *path)
{
	size_t lo = 0, hi = c->n, n = strlen(path);

	if (hint < c->n) {
		size_t len;
		const char *p = peek_str(c->data + c->off[hint], record_end(c, hint), &len);
		if (p == path || (p != NULL && len == n && memcmp(p, path, n) == 0))
			return hint;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, len;
		const char *p = peek_str(c->data + c->off[mid], record_end(c, mid), &len);
		int d;

		if (p == NULL)
			return MG_REVCACHE_NONE;
		d = memcmp(p, path, len < n ? len : n);
		if (d == 0)
			d = len < n ? -1 : len > n;
		if (d == 0)
			return mid;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return MG_REVCACHE_NONE;
}

int
mg_revcache_get(const struct mg_revcache *c, size_t hint, const char *path,
                const struct mg_statkey *k, struct mg_arena *a, struct mg_rev *out)
{
	struct mg_statkey was;
	struct mg_rev r;
	size_t i = find(c, hint, path);

	if (i == MG_REVCACHE_NONE ||
	    get_record(a, c->data + c->off[i], record_end(c, i), &was, &r) != 0 || was.ino == 0 ||
	    !same_key(&was, k) || racy(c, k))
		return 0;
	*out = r;
	out->path = path;
	return 1;
}

void
mg_revcache_take_arena(struct mg_revcache *c, struct mg_arena *to)
{
	*to = c->arena;
	c->arena.head = NULL;
}

/* A space (unless first) and a decimal: printf per field made a first run slow. */
static void
put_num(struct mg_buf *b, long long v, int space)
{
	char d[24], *e = d + sizeof(d);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do
		*--e = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--e = '-';
	if (space)
		mg_buf_putc(b, ' ');
	mg_buf_add(b, e, (size_t)(d + sizeof(d) - e));
}

static void
put_str(struct mg_buf *b, const char *s)
{
	size_t n;

	if (s == NULL) {
		mg_buf_putc(b, '-');
		return;
	}
	n = strlen(s);
	put_num(b, (long long)n, 0);
	mg_buf_putc(b, ':');
	mg_buf_add(b, s, n);
}

static void
put_list(struct mg_buf *b, const struct mg_strlist *l)
{
	size_t i;

	put_num(b, l->present ? 1 : 0, 0);
	put_num(b, l->known ? 1 : 0, 1);
	put_num(b, (long long)l->n, 1);
	for (i = 0; i < l->n; i++) {
		mg_buf_putc(b, ' ');
		put_str(b, l->v[i]);
	}
}

static void
put_key(struct mg_buf *b, const struct mg_statkey *k)
{
	int64_t f[5] = {(int64_t)k->dev, (int64_t)k->ino, (int64_t)k->size, k->mtime_ns,
	                k->ctime_ns};

	mg_buf_add(b, (const char *)f, sizeof(f));
}

void
mg_revcache_save(struct mg_revcache *c, const struct mg_rev *revs, const struct mg_statkey *keys,
                 size_t n, const struct mg_revfolder *folders, size_t nfolders)
{
	struct mg_buf head = {0}, b = {0}, rec = {0}, tmp = {0};
	size_t i, *off = mg_xcalloc(n ? n : 1, sizeof(*off)), base;
	int fd;

	mg_buf_printf(&b, "started %lld\nfolders %zu\n", (long long)c->started_ns, nfolders);
	for (i = 0; i < nfolders; i++) {
		put_str(&b, folders[i].path);
		mg_buf_putc(&b, ' ');
		put_key(&b, &folders[i].key);
		mg_buf_putc(&b, '\n');
	}
	mg_buf_printf(&b, "count %zu\n", n);
	/* Every file listed has a record, so the records are the listing; a
	 * file that could not be stat'ed has key 0 and is never trusted. */
	for (i = 0; i < n; i++) {
		const struct mg_rev *r = &revs[i];
		int64_t f[2] = {r->has_revision ? 1 : 0, (int64_t)r->line};

		off[i] = rec.len;
		put_str(&rec, r->path);
		mg_buf_putc(&rec, ' ');
		put_key(&rec, &keys[i]);
		mg_buf_add(&rec, (const char *)f, sizeof(f));
		mg_buf_putc(&rec, ' ');
		put_str(&rec, r->revision);
		mg_buf_putc(&rec, ' ');
		put_list(&rec, &r->down);
		mg_buf_putc(&rec, ' ');
		put_list(&rec, &r->labels);
		mg_buf_putc(&rec, ' ');
		put_list(&rec, &r->deps);
		mg_buf_putc(&rec, ' ');
		put_str(&rec, r->message);
		mg_buf_putc(&rec, ' ');
		put_str(&rec, r->error);
		put_num(&rec, (long long)r->error_line, 1);
		mg_buf_putc(&rec, '\n');
	}
	/* Offsets count from the start of the file: the format and sum lines come first. */
	base = strlen(FORMAT) + 1 + 21 + b.len + n * 8 + 1;
	for (i = 0; i < n; i++) {
		uint64_t o = (uint64_t)(base + off[i]);
		mg_buf_add(&b, (const char *)&o, sizeof(o));
	}
	mg_buf_putc(&b, '\n');
	mg_buf_add(&b, rec.s ? rec.s : "", rec.len);
	mg_buf_printf(&head, "%s\nsum %016llx\n", FORMAT,
	              (unsigned long long)mg_cache_checksum(b.s, b.len));
	if (mg_cache_make_dirs(c->file) != 0)
		goto out;
	mg_buf_printf(&tmp, "%s.XXXXXX", c->file);
	if ((fd = mkstemp(tmp.s)) < 0)
		goto out;
	/* Whole or not at all: a reader sees the old cache or the new one. */
	{
		int ok = write(fd, head.s, head.len) == (ssize_t)head.len &&
		         write(fd, b.s, b.len) == (ssize_t)b.len;
		if (close(fd) != 0)
			ok = 0;
		if (!ok || rename(tmp.s, c->file) != 0)
			unlink(tmp.s);
	}
out:
	free(off);
	mg_buf_free(&head);
	mg_buf_free(&b);
	mg_buf_free(&rec);
	mg_buf_free(&tmp);
}

size_t
mg_revcache_count(const struct mg_revcache *c)
{
	return c->n;
}

const struct mg_revfolder *
mg_revcache_folders(const struct mg_revcache *c, size_t *n)
{
	*n = c->nfolders;
	return c->folders;
}

int
mg_revcache_folders_stale(const struct mg_revcache *c, const struct mg_revfolder *folders, size_t n)
{
	size_t i;

	if (n != c->nfolders)
		return 1;
	/* A racy stamp stays racy against the run that wrote it: rewrite it. */
	for (i = 0; i < n; i++)
		if (strcmp(folders[i].path, c->folders[i].path) != 0 ||
		    !same_key(&folders[i].key, &c->folders[i].key) || racy(c, &c->folders[i].key))
			return 1;
	return 0;
}

void
mg_revcache_free(struct mg_revcache *c)
{
	if (c == NULL)
		return;
	free(c->file);
	mg_arena_free(&c->arena);
	free(c);
}
