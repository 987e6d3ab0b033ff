/*
 * lint --since REF (src/lint/since.c): the files added or changed since the
 * merge-base of REF and HEAD, with uncommitted changes and untracked files,
 * asked of git without a shell, or the answer an earlier run kept while
 * nothing it depends on has changed (since.c says what that is).
 *
 * Ownership: mg_since_free() releases everything.
 */
#ifndef MIGEN_SINCE_H
#define MIGEN_SINCE_H

#include <stddef.h>
#include <stdint.h>

#include "migen/project.h"
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
	int saved; /* v is the answer an earlier run saved: mg_since_confirm() decides */
	int asked; /* v is git's answer in this run: mg_since_save() may keep it */
	/* What asking again and saving need. */
	const char *top, *base, *scope;
	const char *const *dirs;
	size_t ndirs;
	const char *state[3]; /* the index, info/exclude and config git reads */
	size_t nstate;
	int64_t started_ns;
	uint64_t print[2]; /* the project's print the saved answer holds for */
};

enum {
	MG_SINCE_OK = 0,
	MG_SINCE_BAD_REF = 1, /* REF is not a commit, or shares no history with HEAD */
	MG_SINCE_NO_REPO = 2, /* not a git work tree, or git cannot run */
};

/*
 * Fills s; returns MG_SINCE_OK or an error above with *why (static text).
 * dirs[0..ndirs): absolute folders git looks in (the version folders) when
 * all are in the work tree; else, and with none, the whole tree; they must
 * outlive s. scope: what a saved answer belongs to (the alembic.ini), or
 * NULL for none; started_ns: the run's start (realtime), for the racy
 * rule. With a saved answer whose key holds (s->saved), git diff is not
 * run: the answer stands once mg_since_confirm() has compared the
 * project's print.
 */
int mg_since_files(const char *ref, const char *const *dirs, size_t ndirs, const char *scope,
                   int64_t started_ns, struct mg_since *s, const char **why);
/*
 * The print of the project's files under the answer in s: in the project's
 * order, each one's path and, unless the answer calls it added, its stat
 * data. real[i]: p->v[i]'s realpath when it may be a file of the answer,
 * else NULL. *racy: a file's stat data is within the racy margin of the
 * run (the print must not be saved). 0, or -1 when a file has no stat data.
 */
int mg_since_print(const struct mg_since *s, const struct mg_project *p, const char *const *real,
                   uint64_t print[2], int *racy);
/*
 * A saved answer stands when print (NULL: none) is the one it was saved
 * with; else git is asked now. MG_SINCE_OK or an error, as mg_since_files().
 */
int mg_since_confirm(struct mg_since *s, const uint64_t print[2], const char **why);
/* Keeps git's answer of this run, with the project's print, for the next run. */
void mg_since_save(struct mg_since *s, const uint64_t print[2]);
/* The entry for a file by its realpath, or NULL. */
const struct mg_since_file *mg_since_find(const struct mg_since *s, const char *real);
void mg_since_free(struct mg_since *s);

#endif
