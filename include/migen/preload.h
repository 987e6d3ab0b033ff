/*
 * A project's models for the history replay (history.h), analysed a window
 * (128) at a time in the order the replay asks for them (its plan), on
 * every core and through the model cache (analyze_many.h), then handed
 * over one file at a time: what `migen schema` loads with. Memory is a
 * window's models, not the history's.
 *
 * The replay reads models only, so no file whose model is cached is read.
 * A file asked for a second time (a merge replays the other branch again),
 * or without a plan, comes from the model cache when it holds the file,
 * else is read and analysed again: the first model was handed over.
 *
 * Ownership: mg_preload_new() returns a set that mg_preload_free() frees,
 * with every model not handed over (and writes the model cache);
 * mg_preload_load() hands its model to the caller (mg_model_free()).
 */
#ifndef MIGEN_PRELOAD_H
#define MIGEN_PRELOAD_H

#include <stddef.h>

#include "migen/model.h"

struct mg_preload;

/* Files analysed at once: enough for both cores, few enough that memory is a window's. */
#define MG_PRELOAD_WINDOW 128

/* For the project's files paths[0..n), window files at a time; cache_scope as mg_analyze_opts
 * (NULL: no cache). */
struct mg_preload *mg_preload_new(const char *const *paths, size_t n, const char *cache_scope,
                                  size_t window);
/* An mg_history_plan: arg is the set. The project's files not in the plan keep their cached
 * models. */
void mg_preload_plan(void *arg, const char *const *paths, size_t n);
/* An mg_history_load: arg is the set. A path not in the set is read and analysed. */
struct mg_model *mg_preload_load(void *arg, const char *path, const char **why);
void mg_preload_free(struct mg_preload *p);

#endif
