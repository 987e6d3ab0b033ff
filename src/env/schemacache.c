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

char *
mg_schemacache_path(const char *scope)
{
	return mg_cache_file("schema-", scope);
}

/* A decimal (at most INT64_MAX) at *p up to the newline, after "name ". */
static int
num(const char **p, const char *end, const char *name, long long *out)
{
	size_t nl = strlen(name), digits = 0;
	const char *s = *p;
	unsigned long long v = 0;

	if ((size_t)(end - s) < nl + 2 || memcmp(s, name, nl) != 0 || s[nl] != ' ')
		return -1;
	for (s += nl + 1; s < end && *s >= '0' && *s <= '9' && digits < 19; s++, digits++)
		v = v * 10 + (unsigned)(*s - '0');
	if (digits == 0 || s >= end || *s != '\n' || v > (unsigned long long)INT64_MAX)
		return -1;
	*out = (long long)v;
	*p = s + 1;
	return 0;
}

char *
mg_schemacache_load(const char *scope, const uint64_t key[2], int64_t *written_ns, size_t *len)
{
	char *file = mg_schemacache_path(scope), *data, *head, *out = NULL;
	const char *p, *end, *nl;
	long long started, size;
	size_t flen, n;

	if (file == NULL)
		return NULL;
	data = mg_cache_slurp(file, &n);
	if (data == NULL) {
		free(file);
		return NULL;
	}
	p = data;
	end = data + n;
	/* The head this executable would write for this key, up to "started". */
	head = head_of(key, 0, 0, 0);
	flen = (size_t)(strstr(head, "\nstarted ") - head) + 1;
	if (n < flen || memcmp(p, head, flen) != 0)
		goto out;
	p += flen;
	if (num(&p, end, "started", &started) != 0 || num(&p, end, "size", &size) != 0)
		goto out;
	if ((size_t)(end - p) < 22 || memcmp(p, "sum ", 4) != 0 || p[20] != '\n')
		goto out;
	nl = p + 21;
	if ((size_t)(end - nl) != (size_t)size)
		goto out;
	{
		char want[17];
		memcpy(want, p + 4, 16);
		want[16] = '\0';
		if (strtoull(want, NULL, 16) != mg_cache_checksum(nl, (size_t)size))
			goto out;
	}
	/* The payload moved to the front of the file's bytes: no second copy. */
	memmove(data, nl, (size_t)size);
	data[size] = '\0';
	out = data;
	data = NULL;
	*len = (size_t)size;
	*written_ns = started;
	if (mg_cache_mark_used(file))
		mg_cache_prune(file, "schema-");
out:
	free(head);
	free(data);
	free(file);
	return out;
}

void
mg_schemacache_save(const char *scope, const uint64_t key[2], int64_t started_ns,
                    const char *payload, size_t len)
{
	char *file = mg_schemacache_path(scope);
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
