/*
 * A project's models analysed up front, on every core and through the
 * model cache (analyze_many.h), then handed to the history replay
 * (history.h) one file at a time: what `migen schema` loads with.
 *
 * The replay reads models only, so no file whose model is cached is read.
 * A file asked for a second time (a merge replays the other branch again)
 * is read and analysed again: the first model was handed over.
 *
 * Ownership: mg_preload_new() returns a set that mg_preload_free() frees,
 * with every model not handed over; mg_preload_load() hands its model to
 * the caller (mg_model_free()).
 */
#ifndef MIGEN_PRELOAD_H
#define MIGEN_PRELOAD_H

#include <stddef.h>

#include "migen/model.h"

struct mg_preload;

/* paths[0..n) analysed; cache_scope as mg_analyze_opts (NULL: no cache). */
struct mg_preload *mg_preload_new(const char *const *paths, size_t n, const char *cache_scope);
/* An mg_history_load: arg is the set. A path not in the set is read and analysed. */
struct mg_model *mg_preload_load(void *arg, const char *path, const char **why);
void mg_preload_free(struct mg_preload *p);

#endif
