/*
 * What enhance and backfill-template share about batched backfills: the
 * checks of --batch-size and --sleep, and the primary keys of the tables a
 * project's other migrations create (the key a backfill walks).
 */
#ifndef MIGEN_BACKFILL_H
#define MIGEN_BACKFILL_H

#include "migen/rules.h"
#include "migen/util.h"

#define MG_BATCH_MAX 100000
#define MG_SLEEP_MAX 60.0

/* --batch-size: a whole number from 1 to MG_BATCH_MAX; 0, or -1 for anything else. */
int mg_backfill_parse_batch(const char *s, long *out);
/* --sleep: seconds as Python reads them (no sign), 0 to MG_SLEEP_MAX; 0 or -1. */
int mg_backfill_check_sleep(const char *s);

/*
 * The primary keys of tables that the migrations beside path create
 * (op.create_table with its primary key), for the tables whose NOT NULL
 * columns m adds or alters. The folder's files (the version folder) are
 * read once per run and their `create_table('T'` calls noted; only the
 * files that create a table asked for are parsed, each at most once (path's own file never: its
 * tables are in m). No replay: a table created with different keys in two files gets none.
 * Zero-initialise the cache (the last folder is kept); mg_backfill_cache_free() releases it.
 */
struct mg_parser;
struct mg_backfill_cache {
	char *dir;
	struct mg_arena arena;
	struct mg_table_keys keys;
	struct mg_backfill_file {
		const char *base; /* the name in the folder */
		char *path, *data;
		size_t len;
		int parsed;
	} * files;
	size_t nfiles, capfiles;
	struct mg_backfill_creator {
		const char *table; /* create_table('table', ...) */
		size_t file;       /* in files */
	} * creators;              /* sorted by table */
	size_t ncreators, capcreators;
	const char **searched; /* tables already looked for */
	size_t nsearched, capsearched;
	struct mg_parser *parser; /* made on first use */
};
const struct mg_table_keys *mg_backfill_cache_keys(struct mg_backfill_cache *c, const char *path,
                                                   const struct mg_model *m);
void mg_backfill_cache_free(struct mg_backfill_cache *c);
/* Whether a rule could need a table's key: a NOT NULL column added or altered in upgrade(). */
int mg_backfill_needs_keys(const struct mg_model *m);

#endif
