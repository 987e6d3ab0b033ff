/*
 * lint --since REF (src/lint/since.c): the files added or changed since the
 * merge-base of REF and HEAD, with uncommitted changes and untracked files,
 * asked of git without a shell.
 *
 * Ownership: mg_since_free() releases everything.
 */
#ifndef MIGEN_SINCE_H
#define MIGEN_SINCE_H

#include <stddef.h>

#include "migen/util.h"

struct mg_since_file {
	const char *path; /* realpath */
	const char *name; /* the path git gave, below the top of the work tree */
	int added;        /* new since the merge-base (or untracked), not only changed */
};

struct mg_since {
	struct mg_since_file *v;
	size_t n, cap;
	struct mg_arena arena;
};

enum {
	MG_SINCE_OK = 0,
	MG_SINCE_BAD_REF = 1, /* REF is not a commit, or shares no history with HEAD */
	MG_SINCE_NO_REPO = 2, /* not a git work tree, or git cannot run */
};

/*
 * Fills s; returns MG_SINCE_OK or an error above with *why (static text).
 * dirs[0..ndirs): absolute folders git looks in (the version folders) when
 * all are in the work tree; else, and with none, the whole tree.
 */
int mg_since_files(const char *ref, const char *const *dirs, size_t ndirs, struct mg_since *s,
                   const char **why);
/* The entry for a file by its realpath, or NULL. */
const struct mg_since_file *mg_since_find(const struct mg_since *s, const char *real);
void mg_since_free(struct mg_since *s);

#endif
