/*
 * lint's schema snapshot: the schemas the reported migrations start from,
 * saved by one run and loaded by the next, so that `migen lint --since
 * REF` on one new migration of a 10,000-revision history neither loads nor
 * replays the 10,000 before it (docs/performance.md).
 *
 * What is saved is the engine's state where its first reported unit
 * starts (mg_lint_start): the schema after each earlier unit that a later
 * one starts from. It stands for the units before that point when
 * everything they were made from is the same: the key hashes, for each of
 * them in graph order, its path, revision, parents and stat data (as the
 * project's load read them), the positions saved, and [tool.migen.types];
 * the file names the executable that wrote it. A file changed around the
 * time the snapshot was written is not trusted (the racy rule of the other
 * caches), nor is a snapshot whose prefix holds a migration added since
 * REF (its tables are new: the engine collects those as it replays).
 *
 * Use: mg_snapshot_read() as early as the scope is known, mg_snapshot_begin()
 * before the analysis (on a hit it marks the
 * units it stands for as skipped, so they are not even loaded), the run
 * with the start it fills, then mg_snapshot_end() (saves what the run
 * handed over on a miss) and mg_snapshot_free().
 */
#ifndef MIGEN_SNAPSHOT_H
#define MIGEN_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "migen/lint.h"
#include "migen/schema.h"
#include "migen/util.h"

struct mg_snapshot {
	const char *scope; /* the cache's scope (alembic.ini); NULL: no snapshot */
	uint64_t key[2];
	int64_t started_ns;
	size_t at;              /* where the saved state stands */
	unsigned char *live;    /* [at]: the units whose schema after is saved */
	int usable;             /* this run can use or save one */
	int hit;                /* loaded: the units before at are skipped */
	struct mg_buf payload;  /* on a miss, what the run handed over, encoded */
	struct mg_schema **got; /* on a hit, the schemas loaded ([at]) */
};

/*
 * The snapshot saved for scope, read and decoded before the run knows
 * whether it may use it (on a thread of its own while the project loads:
 * the decode is most of a warm --since run's own work). ok: one was read.
 */
struct mg_snapshot_read {
	int ok;
	uint64_t key[2];
	int64_t written_ns;
	uint64_t *pos;              /* ascending */
	struct mg_schema **schemas; /* [n] */
	size_t n;
};
void mg_snapshot_read(struct mg_snapshot_read *rd, const char *scope);
void mg_snapshot_read_free(struct mg_snapshot_read *rd);

/*
 * Plans the snapshot of units u[0..n) (graph order, report and parents set,
 * keys from the project's load) and loads it when one was saved for the
 * same prefix: start is then set to begin at its position, with its
 * schemas, and the units it stands for are marked skip. On a miss, start
 * is set to hand the state over when the run gets there. scope NULL (no
 * cache): start is a plain run. started_ns: the run's start (realtime),
 * before any file was read.
 */
void mg_snapshot_begin(struct mg_snapshot *sn, const char *scope, struct mg_lint_unit *u, size_t n,
                       const struct mg_typemap *types, int64_t started_ns,
                       struct mg_snapshot_read *rd, struct mg_lint_start *start);
/* Saves what a missing run handed over. */
void mg_snapshot_end(struct mg_snapshot *sn);
void mg_snapshot_free(struct mg_snapshot *sn);

#endif
