/*
 * The checksum and the folder housekeeping of migen's caches (see
 * cachefile.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
