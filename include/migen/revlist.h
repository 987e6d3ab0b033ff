/*
 * The migrations in version folders, listed the way Alembic lists them and
 * sorted by path, with what the listing tells of each file (d_type, inode)
 * and a stamp of each folder read (for the record cache, revcache.h).
 *
 * Ownership: paths go into the arena the caller sets in the list (they
 * outlive it); mg_revlist_free() releases the arrays.
 */
#ifndef MIGEN_REVLIST_H
#define MIGEN_REVLIST_H

#include <stddef.h>
#include <sys/types.h>

#include "migen/revcache.h"
#include "migen/util.h"

/* A file found in a versions folder. */
struct mg_revfile {
	char *path; /* in the list's arena */
	dev_t dev;  /* the folder's device: a file's own, unless a link */
	ino_t ino;
	int regular; /* d_type said DT_REG: no fstat needed */
};

struct mg_revlist {
	struct mg_revfile *v;
	size_t n, cap;
	struct mg_arena *arena; /* where the paths go: set by the caller */
	/* The folders listed, stamped before reading them. */
	struct mg_revfolder *folders;
	size_t nfolders, capfolders;
};

/*
 * Which names in a version folder are migrations, as Alembic decides:
 * ending in ".py", not starting with "__init__" or ".#" (editor lock files).
 */
int mg_revlist_is_migration(const char *name);

/*
 * Appends the migrations of dirs[0..ndirs) (and their sub-folders when
 * recursive; folders that do not exist are skipped: the caller reports
 * them), then sorts the whole list by path. Returns 0, or -1 with *why
 * (static text) and *where (the folder) when a folder cannot be read.
 */
int mg_revlist_dirs(struct mg_revlist *l, const char *const *dirs, size_t ndirs, int recursive,
                    const char **why, const char **where);
/* Sorts the list by path (strcmp order). */
void mg_revlist_sort(struct mg_revlist *l);
void mg_revlist_free(struct mg_revlist *l);

#endif
