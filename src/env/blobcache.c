/*
 * A kept result's file (blobcache.h):
 *
 *   migen-blobcache 1 KIND le64 VERSION exe DEV:INO:SIZE:MTIME\n
 *   key HEX32\n
 *   started NS\n
 *   size N\n
 *   sum HEX16\n
 *   PAYLOAD (N bytes)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/blobcache.h"
#include "migen/util.h"
#include "cachefile.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ORDER "le64"
#else
#define ORDER "be64"
#endif

static char *
head_of(const char *kind, const uint64_t key[2], int64_t started_ns, size_t len, uint64_t sum)
{
	struct mg_buf b = {0};

	mg_buf_printf(&b, "migen-blobcache 1 %s " ORDER " " MIGEN_VERSION, kind);
	mg_cache_exe_id(&b);
	mg_buf_printf(&b, "\nkey %016llx%016llx\nstarted %lld\nsize %zu\nsum %016llx\n",
	              (unsigned long long)key[0], (unsigned long long)key[1], (long long)started_ns,
	              len, (unsigned long long)sum);
	return mg_buf_detach(&b);
}

/* The file of kind for scope (what the result belongs to: the alembic.ini), or NULL: free()
 * it. Its name starts with the prefix, kind and '-'. */
static char *
file_of(const char *kind, const char *scope, char *prefix, size_t cap)
{
	snprintf(prefix, cap, "%s-", kind);
	return mg_cache_file(prefix, scope);
}

char *
mg_blobcache_read(const char *kind, const char *scope, uint64_t key[2], int64_t *written_ns,
                  const char **payload, size_t *len)
{
	char prefix[32];
	char *file = file_of(kind, scope, prefix, sizeof(prefix)), *data, *head;
	const char *p, *end, *nl;
	long long started, size;
	size_t flen, n;
	const uint64_t zero[2] = {0, 0};
	int ok = 0;

	if (file == NULL)
		return NULL;
	data = mg_cache_slurp(file, (size_t)1024 * 1024 * 1024, NULL, &n);
	if (data == NULL) {
		free(file);
		return NULL;
	}
	p = data;
	end = data + n;
	/* The head this executable writes, up to the key. */
	head = head_of(kind, zero, 0, 0, 0);
	flen = (size_t)(strstr(head, "\nkey ") - head) + 1;
	if (n < flen + 37 || memcmp(p, head, flen) != 0 || memcmp(p + flen, "key ", 4) != 0 ||
	    p[flen + 36] != '\n')
		goto out;
	p += flen + 4;
	if (mg_cache_hex64(p, &key[0]) != 0 || mg_cache_hex64(p + 16, &key[1]) != 0)
		goto out;
	p += 33;
	if (mg_cache_line_num(&p, end, "started", INT64_MAX, &started) != 0 ||
	    mg_cache_line_num(&p, end, "size", INT64_MAX, &size) != 0)
		goto out;
	if ((size_t)(end - p) < 22 || memcmp(p, "sum ", 4) != 0 || p[20] != '\n')
		goto out;
	nl = p + 21;
	if ((size_t)(end - nl) != (size_t)size)
		goto out;
	{
		uint64_t want;
		if (mg_cache_hex64(p + 4, &want) != 0 ||
		    want != mg_cache_checksum(nl, (size_t)size))
			goto out;
	}
	*payload = nl;
	*len = (size_t)size;
	*written_ns = started;
	ok = 1;
	if (mg_cache_mark_used(file))
		mg_cache_prune(file, prefix);
out:
	free(head);
	free(file);
	if (!ok) {
		free(data);
		return NULL;
	}
	return data;
}

void
mg_blobcache_save(const char *kind, const char *scope, const uint64_t key[2], int64_t started_ns,
                  const char *payload, size_t len)
{
	char prefix[32];
	char *file = file_of(kind, scope, prefix, sizeof(prefix));
	struct mg_buf parts[2];

	if (file == NULL)
		return;
	memset(parts, 0, sizeof(parts));
	parts[0].s = head_of(kind, key, started_ns, len, mg_cache_checksum(payload, len));
	parts[0].len = strlen(parts[0].s);
	parts[1].s = (char *)payload;
	parts[1].len = len;
	mg_cache_write(file, parts, 2);
	mg_cache_prune(file, prefix);
	free(parts[0].s);
	free(file);
}
