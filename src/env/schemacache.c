/*
 * The schema snapshot's file (schemacache.h):
 *
 *   migen-schemacache 1 le64 VERSION exe DEV:INO:SIZE:MTIME\n
 *   key HEX32\n
 *   started NS\n
 *   size N\n
 *   sum HEX16\n
 *   PAYLOAD (N bytes)
 */
#include <stdlib.h>
#include <string.h>

#include "migen/schemacache.h"
#include "migen/util.h"
#include "cachefile.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FORMAT "migen-schemacache 1 le64 " MIGEN_VERSION
#else
#define FORMAT "migen-schemacache 1 be64 " MIGEN_VERSION
#endif

static char *
head_of(const uint64_t key[2], int64_t started_ns, size_t len, uint64_t sum)
{
	struct mg_buf b = {0};

	mg_buf_add(&b, FORMAT, strlen(FORMAT));
	mg_cache_exe_id(&b);
	mg_buf_printf(&b, "\nkey %016llx%016llx\nstarted %lld\nsize %zu\nsum %016llx\n",
	              (unsigned long long)key[0], (unsigned long long)key[1], (long long)started_ns,
	              len, (unsigned long long)sum);
	return mg_buf_detach(&b);
}

/* The file for scope (what the snapshot belongs to: the alembic.ini), or NULL: free() it. */
static char *
snapshot_file(const char *scope)
{
	return mg_cache_file("schema-", scope);
}

char *
mg_schemacache_read(const char *scope, uint64_t key[2], int64_t *written_ns, const char **payload,
                    size_t *len)
{
	char *file = snapshot_file(scope), *data, *head;
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
	head = head_of(zero, 0, 0, 0);
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
		mg_cache_prune(file, "schema-");
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
mg_schemacache_save(const char *scope, const uint64_t key[2], int64_t started_ns,
                    const char *payload, size_t len)
{
	char *file = snapshot_file(scope);
	struct mg_buf parts[2];

	if (file == NULL)
		return;
	memset(parts, 0, sizeof(parts));
	parts[0].s = head_of(key, started_ns, len, mg_cache_checksum(payload, len));
	parts[0].len = strlen(parts[0].s);
	parts[1].s = (char *)payload;
	parts[1].len = len;
	mg_cache_write(file, parts, 2);
	mg_cache_prune(file, "schema-");
	free(parts[0].s);
	free(file);
}
