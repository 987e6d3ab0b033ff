/*
 * migen schema's replayed schema, kept (replayed.h): its key, and the
 * schema encoded as schemacodec.h does it.
 */
#include <stdlib.h>

#include "migen/blobcache.h"
#include "migen/cachekey.h"
#include "migen/replayed.h"
#include "migen/schemacodec.h"

int
mg_replayed_key(const struct mg_revset *set, const char *at, const struct mg_typemap *types,
                uint64_t key[2])
{
	struct mg_buf b = {0};
	size_t i;

	if (set->keys == NULL)
		return -1;
	mg_key_str(&b, "migen schema replayed 1");
	mg_key_str(&b, at);
	mg_key_u64(&b, set->n);
	for (i = 0; i < set->n; i++) {
		if (set->keys[i].ino == 0) {
			mg_buf_free(&b);
			return -1;
		}
		mg_key_str(&b, set->revs[i].path);
		mg_key_stat(&b, &set->keys[i]);
	}
	for (i = 0; types != NULL && i < types->n; i++) {
		mg_key_str(&b, types->name[i]);
		mg_key_str(&b, types->pg[i]);
	}
	mg_key_hash(&b, key);
	mg_buf_free(&b);
	return 0;
}

/* Whether a file of set changed within the racy margin of a run that started at ns. */
static int
racy(const struct mg_revset *set, int64_t ns)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (mg_statkey_racy(&set->keys[i], ns))
			return 1;
	return 0;
}

struct mg_schema *
mg_replayed_read(const char *scope, const uint64_t key[2], const struct mg_revset *set)
{
	uint64_t was[2];
	int64_t written;
	const char *payload, *why;
	struct mg_schema *s = NULL;
	size_t len;
	char *data;

	if (scope == NULL ||
	    (data = mg_blobcache_read("replayed", scope, was, &written, &payload, &len)) == NULL)
		return NULL;
	if (was[0] == key[0] && was[1] == key[1] && !racy(set, written))
		s = mg_schema_decode(payload, len, &why);
	free(data);
	return s;
}

void
mg_replayed_save(const char *scope, const uint64_t key[2], int64_t started_ns,
                 const struct mg_revset *set, const struct mg_schema *s)
{
	struct mg_buf b = {0};

	if (scope == NULL || racy(set, started_ns))
		return;
	mg_schema_encode(s, &b);
	mg_blobcache_save("replayed", scope, key, started_ns, b.s, b.len);
	mg_buf_free(&b);
}
