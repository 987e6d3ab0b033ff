/*
 * The checksum and the folder housekeeping of migen's caches (see
 * cachefile.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migen/revcache.h"
#include "migen/util.h"
#include "cachefile.h"

uint64_t
mg_cache_fnv64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 29);
}

uint64_t
mg_cache_checksum(const char *p, size_t n)
{
	uint64_t h[4] = {1, 2, 3, 4}, w;
	size_t i = 0, j;

	for (; i + 32 <= n; i += 32)
		for (j = 0; j < 4; j++) {
			memcpy(&w, p + i + 8 * j, 8);
			h[j] = mix(h[j], w);
		}
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h[0] = mix(h[0], w);
	}
	w = 0;
	memcpy(&w, p + i, n - i);
	h[1] = mix(h[1], w ^ ((uint64_t)n << 56));
	return mix(mix(mix(h[0], h[1]), h[2]), h[3] ^ (uint64_t)n);
}

#define DAY_SECONDS (24LL * 60 * 60)

int
mg_cache_mark_used(const char *file)
{
	struct stat st;

	if (stat(file, &st) == 0 && st.st_mtime < time(NULL) - DAY_SECONDS) {
		(void)utimensat(AT_FDCWD, file, NULL, 0);
		return 1;
	}
	return 0;
}

void
mg_cache_prune(const char *file, const char *prefix)
{
	char *dir = mg_xstrdup(file), *slash = strrchr(dir, '/');
	time_t old = time(NULL) - MG_REVCACHE_MAX_AGE_DAYS * DAY_SECONDS;
	size_t plen = strlen(prefix);
	DIR *d;
	struct dirent *e;

	if (slash == NULL || (*slash = '\0', d = opendir(dir)) == NULL) {
		free(dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_mtime >= old)
			continue;
		(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
	free(dir);
}

int
mg_cache_make_dirs(const char *file)
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

char *
mg_cache_slurp(const char *path, size_t max, struct mg_arena *a, size_t *len)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	/* O_NONBLOCK: a FIFO put where the cache belongs is refused, not waited on. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size > max) {
		close(fd);
		return NULL;
	}
	/* 8-aligned either way, so that tables in the file can be read in place. */
	buf = a != NULL ? mg_arena_alloc_raw(a, (size_t)st.st_size + 1)
	                : mg_xmalloc((size_t)st.st_size + 1);
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

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int
mg_cache_write(const char *file, const struct mg_buf *parts, size_t n)
{
	struct mg_buf tmp = {0};
	size_t i;
	int fd, ok;

	if (mg_cache_make_dirs(file) != 0)
		return -1;
	mg_buf_printf(&tmp, "%s.XXXXXX", file);
	if ((fd = mkstemp(tmp.s)) < 0) {
		mg_buf_free(&tmp);
		return -1;
	}
	ok = 1;
	for (i = 0; ok && i < n; i++)
		ok = write_all(fd, parts[i].s ? parts[i].s : "", parts[i].len) == 0;
	if (close(fd) != 0)
		ok = 0;
	if (!ok || rename(tmp.s, file) != 0) {
		unlink(tmp.s);
		ok = 0;
	}
	mg_buf_free(&tmp);
	return ok ? 0 : -1;
}

void
mg_cache_exe_id(struct mg_buf *b)
{
	struct stat st;

	if (stat("/proc/self/exe", &st) == 0)
		mg_buf_printf(b, " exe %llx:%llx:%llx:%lld.%09ld", (unsigned long long)st.st_dev,
		              (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
		              (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
}

char *
mg_cache_file(const char *prefix, const char *scope)
{
	const char *base = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	const char *off = getenv("MIGEN_NO_CACHE");
	struct mg_buf b = {0};
	uint64_t h = 1469598103934665603ULL;
	char cwd[4096];

	if (off != NULL && strcmp(off, "0") != 0)
		return NULL;
	/* Paths in records are as given, relative to where migen runs. */
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	h = mg_cache_fnv64(h, cwd, strlen(cwd) + 1);
	h = mg_cache_fnv64(h, scope ? scope : "", strlen(scope ? scope : "") + 1);
	if (base != NULL && base[0] == '/')
		mg_buf_printf(&b, "%s/migen", base);
	else if (home != NULL && home[0] == '/')
		mg_buf_printf(&b, "%s/.cache/migen", home);
	else
		return NULL;
	mg_buf_printf(&b, "/%s%016llx", prefix, (unsigned long long)h);
	return mg_buf_detach(&b);
}

int
mg_cache_hex64(const char *p, uint64_t *out)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 16; i++) {
		int d = p[i] >= '0' && p[i] <= '9'   ? p[i] - '0'
		        : p[i] >= 'a' && p[i] <= 'f' ? p[i] - 'a' + 10
		                                     : -1;
		if (d < 0)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

int
mg_cache_line_num(const char **p, const char *end, const char *name, long long max, long long *out)
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
