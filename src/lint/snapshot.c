/*
 * The schema snapshot (snapshot.h): its key, its payload (each saved
 * schema with its position, as schemacodec.h encodes it), and when a run
 * may use it.
 *
 * Payload: u64 count, then per schema u64 position, u64 length, the bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/cachekey.h"
#include "migen/revcache.h"
#include "migen/blobcache.h"
#include "migen/schemacodec.h"
#include "migen/snapshot.h"

/* The key of the prefix u[0..at) with live as saved; 0, or -1 when it cannot have one. */
static int
key_of(struct mg_snapshot *sn, const struct mg_lint_unit *u, const struct mg_typemap *types)
{
	struct mg_buf b = {0};
	size_t k, i;

	mg_key_str(&b, "migen lint snapshot 2");
	mg_key_u64(&b, sn->at);
	for (k = 0; k < sn->at; k++) {
		const struct mg_statkey *s = u[k].key;

		/* Unread, or new since REF: the engine must see it. */
		if (s == NULL || u[k].added || u[k].skip) {
			mg_buf_free(&b);
			return -1;
		}
		mg_key_str(&b, u[k].path);
		mg_key_str(&b, u[k].revision);
		mg_key_u64(&b, u[k].nparents);
		for (i = 0; i < u[k].nparents; i++)
			mg_key_u64(&b, u[k].parents[i]);
		mg_key_stat(&b, s);
		mg_key_u64(&b, sn->live[k]);
	}
	for (i = 0; types != NULL && i < types->n; i++) {
		mg_key_str(&b, types->name[i]);
		mg_key_str(&b, types->pg[i]);
	}
	mg_key_hash(&b, sn->key);
	mg_buf_free(&b);
	return 0;
}

static int
get_u64(const char **p, const char *end, uint64_t *v)
{
	if ((size_t)(end - *p) < 8)
		return -1;
	memcpy(v, *p, 8);
	*p += 8;
	return 0;
}

void
mg_snapshot_read(struct mg_snapshot_read *rd, const char *scope)
{
	const char *payload, *p, *end, *why;
	char *data;
	size_t len, k;
	uint64_t count, n;

	memset(rd, 0, sizeof(*rd));
	if (scope == NULL || (data = mg_blobcache_read("schema", scope, rd->key, &rd->written_ns,
	                                               &payload, &len)) == NULL)
		return;
	p = payload;
	end = payload + len;
	/* Each entry takes at least its position and its length. */
	if (get_u64(&p, end, &count) != 0 || count > len / 16)
		goto out;
	rd->pos = mg_xcalloc(count + 1, sizeof(*rd->pos));
	rd->schemas = mg_xcalloc(count + 1, sizeof(*rd->schemas));
	for (k = 0; k < count; k++) {
		if (get_u64(&p, end, &rd->pos[k]) != 0 || get_u64(&p, end, &n) != 0 ||
		    n > (uint64_t)(end - p) || (k > 0 && rd->pos[k] <= rd->pos[k - 1]))
			goto out;
		if ((rd->schemas[k] = mg_schema_decode(p, (size_t)n, &why)) == NULL)
			goto out;
		rd->n = k + 1;
		p += n;
	}
	rd->ok = p == end;
out:
	free(data);
	if (!rd->ok)
		mg_snapshot_read_free(rd);
}

void
mg_snapshot_read_free(struct mg_snapshot_read *rd)
{
	size_t k;

	for (k = 0; k < rd->n; k++)
		mg_schema_free(rd->schemas[k]);
	free(rd->schemas);
	free(rd->pos);
	memset(rd, 0, sizeof(*rd));
}

/* Whether rd holds the schemas sn needs: one for each live unit, nothing else; into sn->got. */
static int
take(struct mg_snapshot *sn, struct mg_snapshot_read *rd)
{
	size_t k, i = 0;

	if (!rd->ok || rd->key[0] != sn->key[0] || rd->key[1] != sn->key[1])
		return 0;
	for (k = 0; k < sn->at; k++)
		if (sn->live[k] && (i >= rd->n || rd->pos[i++] != k))
			return 0;
	if (i != rd->n)
		return 0;
	sn->got = mg_xcalloc(sn->at + 1, sizeof(*sn->got));
	for (i = 0; i < rd->n; i++) {
		sn->got[rd->pos[i]] = rd->schemas[i];
		rd->schemas[i] = NULL;
	}
	return 1;
}

/* On a miss, the run's state where the first reported unit starts, encoded. */
static void
made(void *arg, struct mg_schema *const *after, size_t at)
{
	struct mg_snapshot *sn = arg;
	uint64_t count = 0, v;
	size_t k;

	if (at != sn->at)
		return;
	for (k = 0; k < at; k++) {
		if (sn->live[k] && after[k] == NULL)
			return; /* not what the plan said: save nothing */
		count += sn->live[k];
	}
	mg_buf_add(&sn->payload, (const char *)&count, 8);
	for (k = 0; k < at; k++) {
		size_t lenat;

		if (!sn->live[k])
			continue;
		v = k;
		mg_buf_add(&sn->payload, (const char *)&v, 8);
		lenat = sn->payload.len;
		mg_buf_add(&sn->payload, "\0\0\0\0\0\0\0\0", 8);
		mg_schema_encode(after[k], &sn->payload);
		v = sn->payload.len - lenat - 8;
		memcpy(sn->payload.s + lenat, &v, 8);
	}
}

void
mg_snapshot_begin(struct mg_snapshot *sn, const char *scope, struct mg_lint_unit *u, size_t n,
                  const struct mg_typemap *types, int64_t started_ns, struct mg_snapshot_read *rd,
                  struct mg_lint_start *start)
{
	unsigned char *replayed;
	size_t k;

	memset(sn, 0, sizeof(*sn));
	memset(start, 0, sizeof(*start));
	sn->scope = scope;
	sn->started_ns = started_ns;
	sn->at = mg_lint_first_reported(u, n);
	/* Nothing before the first reported unit (an audit), or nothing reported. */
	if (scope == NULL || sn->at == 0 || sn->at >= n)
		return;
	sn->live = mg_xcalloc(sn->at + 1, 1);
	replayed = mg_xcalloc(sn->at + 1, 1);
	mg_lint_prefix_needs(u, n, sn->at, sn->live, replayed);
	if (key_of(sn, u, types) != 0) {
		free(replayed);
		return;
	}
	sn->usable = 1;
	start->at = sn->at;
	if (rd != NULL && rd->ok) {
		for (k = 0; k < sn->at && !mg_statkey_racy(u[k].key, rd->written_ns); k++)
			;
		if (k == sn->at && take(sn, rd)) {
			sn->hit = 1;
			start->after = sn->got;
			/* Loaded only where a merge from at on replays them. */
			for (k = 0; k < sn->at; k++)
				u[k].skip = !replayed[k];
		}
	}
	if (!sn->hit) {
		for (k = 0; k < sn->at && !mg_statkey_racy(u[k].key, started_ns); k++)
			;
		/* A file changed about now would make a snapshot nobody may use. */
		if (k == sn->at) {
			start->made = made;
			start->arg = sn;
		}
	}
	free(replayed);
}

void
mg_snapshot_end(struct mg_snapshot *sn)
{
	if (sn->usable && !sn->hit && sn->payload.len > 0)
		mg_blobcache_save("schema", sn->scope, sn->key, sn->started_ns, sn->payload.s,
		                  sn->payload.len);
}

void
mg_snapshot_free(struct mg_snapshot *sn)
{
	size_t k;

	/* What the run did not take over (it takes every live one). */
	for (k = 0; sn->got != NULL && k < sn->at; k++)
		mg_schema_free(sn->got[k]);
	free(sn->got);
	free(sn->live);
	mg_buf_free(&sn->payload);
	memset(sn, 0, sizeof(*sn));
}
