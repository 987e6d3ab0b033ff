/*
 * Applying suggestions to the file: planning whole-line edits from the
 * diagnostics, applying them, and proving the result is still the same
 * migration (it parses, and its revision data did not change).
 *
 * Edits are whole lines: code is inserted after the last line of a
 * statement, or replaces the lines a statement occupies, and only when that
 * statement is alone on its lines. Every byte outside an edit is kept.
 */
#ifndef MIGEN_FIX_H
#define MIGEN_FIX_H

#include <stddef.h>

#include "migen/model.h"
#include "migen/rules.h"

struct mg_edit {
	size_t start, end; /* bytes of the original replaced (start == end: insertion) */
	char *text;        /* malloc'd */
	size_t order;      /* keeps insertions at one point in diagnostic order */
};

struct mg_edits {
	struct mg_edit *v;
	size_t n, cap;
};

/*
 * Plans the edits for every diagnostic with a fix, marking each one applied
 * or giving the reason it is not (d->v[i].applied / not_applied).
 * src is the file's bytes, the ones m was analysed from.
 */
void mg_fix_plan(const struct mg_model *m, const char *src, size_t len, struct mg_diags *d,
                 struct mg_edits *out);
/*
 * Notes what a fix would do to the migration as a whole: where the code of
 * a diagnostic brings the first autocommit block into an upgrade function
 * that runs other statements before it, those statements commit on their
 * own; g->note says so and how to split the migration. Call after the rules,
 * for the report and for --write/--diff alike.
 */
void mg_fix_annotate(const struct mg_model *m, struct mg_diags *d);
/* The edits by position (ties in planning order), as a copy; free() it. */
struct mg_edit *mg_edits_in_order(const struct mg_edits *e);
/* The edited file; free() it. */
char *mg_fix_apply(const char *src, size_t len, const struct mg_edits *e, size_t *outlen);
void mg_edits_free(struct mg_edits *e);

/*
 * Checks that after is the same migration as m: it parses without errors
 * and has the same revision, down_revision, branch_labels, depends_on and
 * message. Returns NULL, or a static reason.
 */
const char *mg_fix_verify(const struct mg_model *m, const char *after, size_t len);

/*
 * The unified diff (paths a/PATH and b/PATH, three lines of context) of
 * applying e to src, appended to out: what `git apply` and `patch -p1` take.
 */
void mg_diff_edits(struct mg_buf *out, const char *path, const char *src, size_t len,
                   const struct mg_edits *e);
/*
 * The path for a diff's "--- a/PATH" lines: path itself when relative and
 * without "..", else relative to the current folder when the file is under
 * it, else relative to the root of the git work tree that holds it (*root
 * says that folder: apply the patch there), else absolute (*root "/").
 * free() the result and *root.
 */
char *mg_diff_patch_path(const char *path, char **root);

/*
 * Replaces path with data atomically: a temporary file in the same folder,
 * fsync'd, given the original's mode, owner and group, renamed over it. A
 * symbolic link is followed: its target is replaced and the link kept.
 * Refused when the file no longer matches st (size, mtime, inode: it
 * changed since it was read) or its bytes differ from orig. Returns 0, or
 * -1 with *why set; MG_WRITE_READ_ONLY (*why says so) for a file without
 * write permission, which is never replaced.
 */
#define MG_WRITE_READ_ONLY (-2)
struct stat;
int mg_write_atomic(const char *path, const struct stat *st, const char *orig, size_t origlen,
                    const char *data, size_t len, const char **why);

#endif
