/*
 * Cache keys (cachekey.h): fields appended as they come, hashed at the end.
 */
#include <string.h>

#include "migen/cachekey.h"

void
mg_key_str(struct mg_buf *b, const char *s)
{
	/* NULL and "" differ: a 1-byte tag before each. */
	mg_buf_add(b, s == NULL ? "\0" : "\1", 1);
	if (s != NULL)
		mg_buf_add(b, s, strlen(s) + 1);
}

void
mg_key_u64(struct mg_buf *b, uint64_t v)
{
	mg_buf_add(b, (const char *)&v, sizeof(v));
}

void
mg_key_stat(struct mg_buf *b, const struct mg_statkey *k)
{
	mg_buf_add(b, k == NULL ? "\0" : "\1", 1);
	if (k == NULL)
		return;
	mg_key_u64(b, k->dev);
	mg_key_u64(b, k->ino);
	mg_key_u64(b, k->size);
	mg_key_u64(b, (uint64_t)k->mtime_ns);
	mg_key_u64(b, (uint64_t)k->ctime_ns);
}

static uint64_t
mix(uint64_t h, uint64_t w, uint64_t m)
{
	h = (h ^ w) * m;
	return h ^ (h >> 29);
}

/* Two 64-bit lanes of a word-at-a-time hash with different multipliers: 128 bits against an
 * accidental collision. */
void
mg_key_hash(const struct mg_buf *b, uint64_t key[2])
{
	const char *p = b->s != NULL ? b->s : "";
	size_t i, n = b->len;
	uint64_t w;

	key[0] = 14695981039346656037ULL;
	key[1] = 0x6d6967656e2d736eULL;
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		key[0] = mix(key[0], w, 0x9E3779B97F4A7C15ULL);
		key[1] = mix(key[1], w, 0xC2B2AE3D27D4EB4FULL);
	}
	w = 0;
	memcpy(&w, p + i, n - i);
	key[0] = mix(key[0], w ^ ((uint64_t)n << 56), 0x9E3779B97F4A7C15ULL);
	key[1] = mix(key[1], w ^ ((uint64_t)n << 56), 0xC2B2AE3D27D4EB4FULL);
	key[0] = mix(key[0], key[1], 0xFF51AFD7ED558CCDULL);
	key[1] = mix(key[1], key[0], 0xC4CEB9FE1A85EC53ULL);
}
