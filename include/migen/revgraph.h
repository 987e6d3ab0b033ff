/*
 * The revision graph of an Alembic project, checked the way Alembic's
 * RevisionMap would check it but without importing anything: duplicate ids,
 * dangling down_revision / depends_on, cycles, heads (branch labels
 * honoured), roots, merges and the longest chain.
 *
 * Pure functions over plain structs: the caller fills an array of struct
 * mg_rev (one per migration file, sorted by path), mg_revgraph_build()
 * computes everything else. Nothing here reads files, so unit tests build
 * graphs by hand.
 *
 * Ownership: the graph borrows the mg_rev array (it must outlive the graph);
 * everything the graph computes lives in its arena, released by
 * mg_revgraph_free().
 */
#ifndef MIGEN_REVGRAPH_H
#define MIGEN_REVGRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "migen/model.h"
#include "migen/util.h"

/* One migration file as read: what the graph needs of it. */
struct mg_rev {
	const char *path;         /* as shown to the user */
	const char *revision;     /* NULL: no literal revision id */
	uint32_t line;            /* line of the `revision =` assignment, 0 if none */
	int has_revision;         /* a `revision` variable exists (literal or not) */
	struct mg_strlist down;   /* down_revision */
	struct mg_strlist labels; /* branch_labels */
	struct mg_strlist deps;   /* depends_on */
	const char *message;      /* first docstring line, or NULL */
	const char *error;        /* NULL, or why the file could not be read/parsed */
	uint32_t error_line;      /* where, when known */
};

struct mg_graph_finding {
	enum mg_severity severity;
	const char *id;      /* stable slug, e.g. "duplicate-revision" */
	const char *path;    /* the file it is about, or NULL for the whole graph */
	uint32_t line;       /* 0: no line */
	const char *message; /* plain text, may quote untrusted names */
	const char **files;  /* other files involved (may be empty) */
	size_t nfiles;
};

/* A slot of the id index: a node and the hash of its id. */
#define MG_REVSLOT_EMPTY UINT32_MAX
struct mg_revslot {
	uint32_t node; /* MG_REVSLOT_EMPTY: free */
	uint32_t hash;
};

/* A revision with an id, after duplicates are dropped. */
struct mg_revnode {
	size_t rev;      /* index into the mg_rev array */
	const char *id;  /* its revision id (the mg_rev's, borrowed) */
	size_t *parents; /* down_revision targets that exist */
	size_t nparents;
	size_t *children; /* revisions naming this one in down_revision */
	size_t nchildren;
	size_t *deps; /* depends_on targets that exist (ids or branch labels) */
	size_t ndeps;
	const char **labels; /* branch labels inherited as Alembic does (heads only) */
	size_t nlabels;
	int broken; /* an error in its own file: its place in the graph is not to be trusted */
};

struct mg_revgraph {
	const struct mg_rev *revs; /* borrowed */
	size_t nrevs;
	struct mg_revnode *nodes; /* in rev order (sorted by path) */
	size_t nnodes;
	struct mg_revslot *index; /* ids to nodes: a hash table of mask + 1 slots */
	size_t mask;

	size_t *heads, nheads; /* node indexes, sorted by id */
	size_t *roots, nroots;
	size_t *merges, nmerges;
	size_t *branchpoints, nbranchpoints;
	size_t *conflict, nconflict; /* heads that need merging (multiple-heads) */
	size_t nbroken_heads;        /* of those, the ones a broken revision made (listed last) */
	size_t *diverge, ndiverge;   /* where the conflicting heads part */
	int cyclic;
	size_t chain_len;            /* longest chain, in revisions; 0 if cyclic/empty */
	size_t chain_from, chain_to; /* its root and head nodes */
	const char *merge_command; /* `alembic merge ...` of the sound conflicting heads, or NULL */

	struct mg_graph_finding *findings; /* sorted: by file, then the graph's own */
	size_t nfindings, capfindings;
	struct mg_arena arena;
};

/* Builds and checks the graph of revs[0..n) (sorted by path). */
void mg_revgraph_build(struct mg_revgraph *g, const struct mg_rev *revs, size_t n);
void mg_revgraph_free(struct mg_revgraph *g);

/* The node of a revision id, or (size_t)-1. */
size_t mg_revgraph_find(const struct mg_revgraph *g, const char *id);
/* Every node, sorted by revision id (for stable output); free() the result. */
size_t *mg_revgraph_by_id(const struct mg_revgraph *g);
/* The revision id, path and message of a node. */
const struct mg_rev *mg_revgraph_rev(const struct mg_revgraph *g, size_t node);

/* Counts of findings at each severity. */
size_t mg_revgraph_count(const struct mg_revgraph *g, enum mg_severity s);

/* Appends a finding (message printf-style), copying strings into the graph's arena. */
struct mg_graph_finding *mg_revgraph_add(struct mg_revgraph *g, enum mg_severity s, const char *id,
                                         const char *path, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Sorts the findings: by path (graph-wide last), line, id, message. */
void mg_revgraph_sort_findings(struct mg_revgraph *g);

#endif
