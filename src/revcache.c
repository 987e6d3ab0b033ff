/*
 * The doctor's record cache (see revcache.h). One file: a header line with
 * the format and migen's version, the start time of the run that wrote it,
 * then one record a line: the path, its numbers as a binary block (64-bit,
 * native order, named in the header), then strings as netstrings (`5:hello`,
 * `-` for none), so no byte needs escaping. Records are sorted by path, as the
 * loader lists files, and found by binary search.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migen/input.h"
#include "migen/revcache.h"

/* The format names the byte order and word size of the binary numbers. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FORMAT "migen-revcache 2 le64 " MIGEN_VERSION
#else
#define FORMAT "migen-revcache 2 be64 " MIGEN_VERSION
#endif
/* dev, ino, size, mtime, ctime, has_revision, line */
#define NUMS 7
/* The kernel stamps files with a coarse clock: trust only older changes. */
#define RACY_MARGIN_NS 1000000000LL

struct record {
	const char *path;
	struct mg_statkey key;
	struct mg_rev rev;
};

struct mg_revcache {
	char *file;
	int64_t written_ns; /* start of the run that wrote the loaded records */
	int64_t started_ns; /* start of this run */
	struct record *v;
	size_t n;
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

static uint64_t
fnv64(uint64_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

char *
mg_revcache_path(const char *const *dirs, size_t ndirs, int recursive, int full)
{
	const char *base = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct mg_buf b = {0};
	uint64_t h = 1469598103934665603ULL;
	char cwd[4096];
	size_t i;

	if (getenv("MIGEN_NO_CACHE") != NULL && strcmp(getenv("MIGEN_NO_CACHE"), "0") != 0)
		return NULL;
	/* Paths in records are as shown, relative to where doctor runs. */
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	h = fnv64(h, cwd, strlen(cwd) + 1);
	for (i = 0; i < ndirs; i++)
		h = fnv64(h, dirs[i], strlen(dirs[i]) + 1);
	h = fnv64(h, recursive ? "r" : "-", 1);
	h = fnv64(h, full ? "f" : "-", 1);
	if (base != NULL && base[0] == '/')
		mg_buf_printf(&b, "%s/migen", base);
	else if (home != NULL && home[0] == '/')
		mg_buf_printf(&b, "%s/.cache/migen", home);
	else
		return NULL;
	mg_buf_printf(&b, "/doctor-%016llx", (unsigned long long)h);
	return mg_buf_detach(&b);
}

/*
 * A netstring at *p (or `-`); advances *p. The cache's bytes stay in its
 * arena, so the string is used in place: the separator after it (a space or
 * a newline, checked here) becomes its terminating NUL. -1 if malformed.
 */
static int
get_str(struct mg_arena *a, char **p, const char *end, const char **out)
{
	char *s = *p;
	size_t n = 0;

	(void)a;
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
	    (s[1 + n] != ' ' && s[1 + n] != '\n'))
		return -1;
	*out = s + 1;
	*p = s + 1 + n;
	/* The caller's sep() or end-of-record check sees the NUL as the separator. */
	**p = '\0';
	return 0;
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

/*
 * The whole cache file, in the arena: the records' strings are used where
 * they lie (their text was checked when the migrations were first read).
 */
static char *
slurp(struct mg_arena *a, const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 256 * 1024 * 1024) {
		close(fd);
		return NULL;
	}
	buf = mg_arena_alloc_raw(a, (size_t)st.st_size + 1);
	while (n < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + n, (size_t)st.st_size - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
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
		if (sep(p, end) || get_str(a, p, end, &l->v[i]) || l->v[i] == NULL)
			return -1;
	return 0;
}

static int
get_record(struct mg_arena *a, char **p, const char *end, struct record *r)
{
	int64_t f[NUMS];
	long long el;

	memset(r, 0, sizeof(*r));
	if (get_str(a, p, end, &r->path) || r->path == NULL || sep(p, end))
		return -1;
	/* The numbers as a binary block: decimal timestamps cost more to read than the rest. */
	if ((size_t)(end - *p) < sizeof(f))
		return -1;
	memcpy(f, *p, sizeof(f));
	*p += sizeof(f);
	r->key.dev = (uint64_t)f[0];
	r->key.ino = (uint64_t)f[1];
	r->key.size = (uint64_t)f[2];
	r->key.mtime_ns = f[3];
	r->key.ctime_ns = f[4];
	r->rev.has_revision = f[5] != 0;
	r->rev.line = (uint32_t)f[6];
	r->rev.path = r->path;
	if (sep(p, end) || get_str(a, p, end, &r->rev.revision) || sep(p, end) ||
	    get_list(a, p, end, &r->rev.down) || sep(p, end) ||
	    get_list(a, p, end, &r->rev.labels) || sep(p, end) ||
	    get_list(a, p, end, &r->rev.deps) || sep(p, end) ||
	    get_str(a, p, end, &r->rev.message) || sep(p, end) ||
	    get_str(a, p, end, &r->rev.error) || sep(p, end) || get_num(p, end, &el))
		return -1;
	r->rev.error_line = (uint32_t)el;
	if (*p >= end || (**p != '\n' && **p != '\0'))
		return -1;
	(*p)++;
	return 0;
}

static int
load(struct mg_revcache *c)
{
	char *p, *data;
	const char *end;
	long long n, i;
	size_t flen = strlen(FORMAT), len;

	if ((data = slurp(&c->arena, c->file, &len)) == NULL)
		return -1;
	p = data;
	end = data + len;
	if ((size_t)(end - p) < flen + 1 || memcmp(p, FORMAT, flen) != 0 || p[flen] != '\n')
		goto bad;
	p += flen + 1;
	if (end - p < 8 || memcmp(p, "started ", 8) != 0)
		goto bad;
	p += 8;
	if (get_num(&p, end, &n) || p >= end || *p++ != '\n')
		goto bad;
	c->written_ns = n;
	if (end - p < 6 || memcmp(p, "count ", 6) != 0)
		goto bad;
	p += 6;
	if (get_num(&p, end, &n) || n < 0 || n > 10000000 || p >= end || *p++ != '\n')
		goto bad;
	c->v = mg_arena_alloc_raw(&c->arena, (size_t)(n ? n : 1) * sizeof(*c->v));
	for (i = 0; i < n; i++) {
		if (get_record(&c->arena, &p, end, &c->v[i]) != 0)
			goto bad;
		/* Sorted, as written: anything else is not a cache of ours. */
		if (i > 0 && strcmp(c->v[i - 1].path, c->v[i].path) >= 0)
			goto bad;
	}
	if (p != end)
		goto bad;
	c->n = (size_t)n;
	return 0;
bad:
	c->n = 0;
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
	(void)load(c); /* no cache, or a bad one: every file is read */
	return c;
}

int
mg_revcache_get(const struct mg_revcache *c, size_t hint, const char *path,
                const struct mg_statkey *k, struct mg_rev *out)
{
	const struct record *r;
	size_t lo = 0, hi = c->n;

	if (hint < c->n && strcmp(c->v[hint].path, path) == 0)
		lo = hi = hint;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(c->v[mid].path, path);
		if (d == 0) {
			lo = mid;
			break;
		}
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= c->n || strcmp(c->v[lo].path, path) != 0)
		return 0;
	r = &c->v[lo];
	if (r->key.dev != k->dev || r->key.ino != k->ino || r->key.size != k->size ||
	    r->key.mtime_ns != k->mtime_ns || r->key.ctime_ns != k->ctime_ns ||
	    k->mtime_ns >= c->written_ns - RACY_MARGIN_NS ||
	    k->ctime_ns >= c->written_ns - RACY_MARGIN_NS)
		return 0;
	*out = r->rev;
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

/* mkdir -p for the cache folder (two levels at most: .cache/migen). */
static int
make_dirs(const char *file)
{
	char *d = mg_xstrdup(file), *s;
	int rc = 0;

	for (s = d + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(d, 0700) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	free(d);
	return rc;
}

void
mg_revcache_save(struct mg_revcache *c, const struct mg_rev *revs, const struct mg_statkey *keys,
                 size_t n)
{
	struct mg_buf b = {0}, tmp = {0};
	size_t i, saved = 0;
	int fd;

	for (i = 0; i < n; i++)
		if (keys[i].ino != 0)
			saved++;
	mg_buf_printf(&b, "%s\nstarted %lld\ncount %zu\n", FORMAT, (long long)c->started_ns, saved);
	for (i = 0; i < n; i++) {
		const struct mg_rev *r = &revs[i];
		const struct mg_statkey *k = &keys[i];

		if (k->ino == 0)
			continue;
		int64_t f[NUMS] = {(int64_t)k->dev, (int64_t)k->ino, (int64_t)k->size,
		                   k->mtime_ns,     k->ctime_ns,     r->has_revision ? 1 : 0,
		                   (int64_t)r->line};

		put_str(&b, r->path);
		mg_buf_putc(&b, ' ');
		mg_buf_add(&b, (const char *)f, sizeof(f));
		mg_buf_putc(&b, ' ');
		put_str(&b, r->revision);
		mg_buf_putc(&b, ' ');
		put_list(&b, &r->down);
		mg_buf_putc(&b, ' ');
		put_list(&b, &r->labels);
		mg_buf_putc(&b, ' ');
		put_list(&b, &r->deps);
		mg_buf_putc(&b, ' ');
		put_str(&b, r->message);
		mg_buf_putc(&b, ' ');
		put_str(&b, r->error);
		put_num(&b, (long long)r->error_line, 1);
		mg_buf_putc(&b, '\n');
	}
	if (make_dirs(c->file) != 0)
		goto out;
	mg_buf_printf(&tmp, "%s.XXXXXX", c->file);
	if ((fd = mkstemp(tmp.s)) < 0)
		goto out;
	/* Whole or not at all: a reader sees the old cache or the new one. */
	{
		int ok = write(fd, b.s, b.len) == (ssize_t)b.len;
		if (close(fd) != 0)
			ok = 0;
		if (!ok || rename(tmp.s, c->file) != 0)
			unlink(tmp.s);
	}
out:
	mg_buf_free(&b);
	mg_buf_free(&tmp);
}

size_t
mg_revcache_count(const struct mg_revcache *c)
{
	return c->n;
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
