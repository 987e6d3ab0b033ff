/*
 * Listing version folders as Alembic does (see revlist.h): names ending in
 * ".py", sub-folders only when recursive, never __pycache__ or a symbolic
 * link to a folder. The folder's d_type and d_ino answer most of what a
 * stat() would, and each folder is stamped for the record cache.
 */
/* d_type saves a stat per file when listing 10,000 migrations. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "migen/revlist.h"

int
mg_revlist_is_migration(const char *name)
{
	size_t n = strlen(name);

	if (n < 3 || strcmp(name + n - 3, ".py") != 0)
		return 0;
	return strncmp(name, "__init__", 8) != 0 && strncmp(name, ".#", 2) != 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* dir/name: it runs once per migration. */
static char *
join(struct mg_arena *a, const char *dir, const char *name)
{
	size_t d = strcmp(dir, ".") == 0 ? 0 : strlen(dir), n = strlen(name);
	int slash = d > 0 && dir[d - 1] != '/';
	char *s = a ? mg_arena_alloc_raw(a, d + (size_t)slash + n + 1)
	            : mg_xmalloc(d + (size_t)slash + n + 1);

	memcpy(s, dir, d);
	if (slash)
		s[d] = '/';
	memcpy(s + d + (size_t)slash, name, n + 1);
	return s;
}

static void
push(struct mg_revlist *l, char *s, dev_t dev, ino_t ino, int regular)
{
	mg_grow(&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n].path = s;
	l->v[l->n].dev = dev;
	l->v[l->n].ino = ino;
	l->v[l->n].regular = regular;
	l->n++;
}

/*
 * The migrations of one folder, and of its sub-folders when recursive
 * (never __pycache__, never through a symbolic link, as os.walk goes).
 */
static int
list_dir(const char *dir, int recursive, struct mg_revlist *files, const char **why)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct mg_revlist subs = {0};
	struct stat dst;
	size_t i;
	int rc = 0;

	if (d == NULL) {
		*why = strerror(errno);
		return -1;
	}
	/* Stamped before it is read: an entry added while listing leaves the
	 * folder newer than its stamp, so the next run lists it again. */
	if (fstat(dirfd(d), &dst) == 0) {
		struct mg_revfolder *f;

		mg_grow(&files->folders, &files->capfolders, files->nfolders + 1,
		        sizeof(*files->folders));
		f = &files->folders[files->nfolders++];
		f->path = mg_arena_strdup(files->arena, dir);
		mg_statkey_from(&f->key, &dst);
	} else {
		dst.st_dev = 0;
	}
	while ((e = readdir(d)) != NULL) {
		int isdir;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (e->d_type == DT_UNKNOWN) {
			struct stat st;
			isdir = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			        S_ISDIR(st.st_mode);
		} else {
			isdir = e->d_type == DT_DIR;
		}
		if (isdir) {
			if (recursive && strcmp(e->d_name, "__pycache__") != 0)
				push(&subs, join(NULL, dir, e->d_name), 0, 0, 0);
			continue;
		}
		if (mg_revlist_is_migration(e->d_name))
			push(files, join(files->arena, dir, e->d_name), dst.st_dev, e->d_ino,
			     e->d_type == DT_REG);
	}
	closedir(d);
	if (subs.n > 1)
		qsort(subs.v, subs.n, sizeof(*subs.v), cmp_str);
	for (i = 0; i < subs.n; i++) {
		if (rc == 0 && list_dir(subs.v[i].path, recursive, files, why) != 0)
			rc = -1;
		free(subs.v[i].path);
	}
	free(subs.v);
	return rc;
}

/*
 * Sorting 10,000 paths with qsort() and strcmp() was a tenth of a warm run:
 * a call and a pointer chase per comparison. Every path shares the folder's
 * prefix, so each entry carries the next 8 bytes as a big-endian number and
 * a radix sort orders those; strcmp() settles only the entries whose 8
 * bytes tie.
 */
struct sortkey {
	uint64_t key;
	const char *rest; /* the path after the common prefix */
	size_t i;         /* the entry */
};

static int
cmp_sortkey(const void *pa, const void *pb)
{
	const struct sortkey *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return strcmp(a->rest, b->rest);
}

/* LSD radix sort on the key, a byte a pass; passes where every key holds
 * the same byte are skipped. Stable; the result is in v. */
static void
radix_sort(struct sortkey *v, struct sortkey *tmp, size_t n)
{
	size_t count[8][256] = {{0}}, i;
	int pass;

	for (i = 0; i < n; i++)
		for (pass = 0; pass < 8; pass++)
			count[pass][(v[i].key >> (8 * pass)) & 0xff]++;
	for (pass = 0; pass < 8; pass++) {
		size_t *c = count[pass], sum = 0, b;

		if (c[(v[0].key >> (8 * pass)) & 0xff] == n)
			continue;
		for (b = 0; b < 256; b++) {
			size_t k = c[b];
			c[b] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			tmp[c[(v[i].key >> (8 * pass)) & 0xff]++] = v[i];
		memcpy(v, tmp, n * sizeof(*v));
	}
}

/* The entries in path order. */
void
mg_revlist_sort(struct mg_revlist *files)
{
	struct sortkey *k, *tmp;
	struct mg_revfile *sorted;
	size_t i, j, common;

	if (files->n < 2)
		return;
	common = strlen(files->v[0].path);
	for (i = 1; i < files->n; i++) {
		const char *p = files->v[i].path, *q = files->v[0].path;
		for (j = 0; j < common && p[j] == q[j]; j++)
			;
		common = j;
	}
	k = mg_xcalloc(files->n, sizeof(*k));
	tmp = mg_xcalloc(files->n, sizeof(*tmp));
	for (i = 0; i < files->n; i++) {
		const unsigned char *p = (const unsigned char *)files->v[i].path + common;
		uint64_t key = 0;

		/* Bytes after the NUL count as 0, so "ab" sorts before "abc" here too. */
		for (j = 0; j < 8; j++) {
			key = key << 8 | p[0];
			if (p[0] != '\0')
				p++;
		}
		k[i].key = key;
		k[i].rest = files->v[i].path + common;
		k[i].i = i;
	}
	radix_sort(k, tmp, files->n);
	/* Runs of equal keys: the paths agree on 8 more bytes; compare the rest. */
	for (i = 0; i < files->n; i = j) {
		for (j = i + 1; j < files->n && k[j].key == k[i].key; j++)
			;
		if (j - i > 1)
			qsort(k + i, j - i, sizeof(*k), cmp_sortkey);
	}
	sorted = mg_xcalloc(files->n, sizeof(*sorted));
	for (i = 0; i < files->n; i++)
		sorted[i] = files->v[k[i].i];
	free(files->v);
	files->v = sorted;
	files->cap = files->n;
	free(tmp);
	free(k);
}

int
mg_revlist_dirs(struct mg_revlist *l, const char *const *dirs, size_t ndirs, int recursive,
                const char **why, const char **where)
{
	size_t i;

	for (i = 0; i < ndirs; i++) {
		struct stat st;

		if (stat(dirs[i], &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if (list_dir(dirs[i], recursive, l, why) != 0) {
			*where = dirs[i];
			return -1;
		}
	}
	mg_revlist_sort(l);
	return 0;
}

void
mg_revlist_free(struct mg_revlist *l)
{
	free(l->v);
	free(l->folders);
	l->v = NULL;
	l->folders = NULL;
	l->n = l->cap = l->nfolders = l->capfolders = 0;
}
