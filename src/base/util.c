/*
 * Allocation wrappers, the arena and the string buffer (see util.h).
 * Out-of-memory is not recoverable for a command-line tool that analyses one
 * file at a time, so it aborts with a message instead of threading errors
 * through every caller.
 */
#include <bsd/stdlib.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/util.h"

static void
oom(void)
{
	fputs("migen: out of memory\n", stderr);
	abort();
}

void *
mg_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
mg_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
mg_xreallocarray(void *p, size_t nmemb, size_t size)
{
	void *q = reallocarray(p, nmemb ? nmemb : 1, size ? size : 1);
	if (q == NULL)
		oom();
	return q;
}

char *
mg_xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		oom();
	return p;
}

void
mg_grow(void *vp, size_t *cap, size_t need, size_t sz)
{
	void **v = vp;
	size_t n;

	if (need <= *cap)
		return;
	n = *cap ? *cap : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			oom();
		n *= 2;
	}
	*v = mg_xreallocarray(*v, n, sz);
	*cap = n;
}

/* Blocks are chained; big requests get a block of their own. */
struct mg_arena_block {
	struct mg_arena_block *next;
	size_t used, size;
	max_align_t data[];
};

#define MG_ARENA_BLOCK (64 * 1024)
#define MG_ARENA_FIRST (4 * 1024)

/* Arena memory, not zeroed: for callers that fill every byte. */
static void *
arena_raw(struct mg_arena *a, size_t n)
{
	struct mg_arena_block *b = a->head;
	size_t align = sizeof(max_align_t);
	void *p;

	n = (n + align - 1) / align * align;
	if (n == 0)
		n = align;
	if (b == NULL || b->size - b->used < n) {
		/* Blocks double from 4 kB to 64 kB: most arenas (a decoded model, a
		 * rule's diagnostics) hold a few kB, and a window of them is held at
		 * once. */
		size_t next = b == NULL                       ? MG_ARENA_FIRST
		              : b->size >= MG_ARENA_BLOCK / 2 ? MG_ARENA_BLOCK
		                                              : 2 * b->size;
		size_t size = n > next ? n : next;
		if (size > SIZE_MAX - sizeof(*b))
			oom();
		b = mg_xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		/* A big one-off block goes behind the current one so the
		 * current block's free space is not wasted. */
		if (a->head != NULL && size > next) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

void *
mg_arena_alloc_raw(struct mg_arena *a, size_t n)
{
	return arena_raw(a, n);
}

void *
mg_arena_alloc(struct mg_arena *a, size_t n)
{
	void *p = arena_raw(a, n);

	memset(p, 0, n);
	return p;
}

char *
mg_arena_strndup(struct mg_arena *a, const char *s, size_t n)
{
	char *p = arena_raw(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
mg_arena_strdup(struct mg_arena *a, const char *s)
{
	return mg_arena_strndup(a, s, strlen(s));
}

char *
mg_arena_printf(struct mg_arena *a, const char *fmt, ...)
{
	struct mg_buf b = {0};
	va_list ap;
	char *p;

	va_start(ap, fmt);
	mg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	p = mg_arena_strndup(a, b.s, b.len);
	mg_buf_free(&b);
	return p;
}

void
mg_arena_free(struct mg_arena *a)
{
	struct mg_arena_block *b = a->head, *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

void
mg_buf_add(struct mg_buf *b, const char *s, size_t n)
{
	mg_grow(&b->s, &b->cap, b->len + n + 1, 1);
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
mg_buf_puts(struct mg_buf *b, const char *s)
{
	mg_buf_add(b, s, strlen(s));
}

void
mg_buf_putc(struct mg_buf *b, char c)
{
	mg_buf_add(b, &c, 1);
}

void
mg_buf_vprintf(struct mg_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	/* Formatted once into the spare room, again only when it did not fit. */
	mg_grow(&b->s, &b->cap, b->len + 256, 1);
	va_copy(cp, ap);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->s[b->len] = '\0';
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		mg_grow(&b->s, &b->cap, b->len + (size_t)n + 1, 1);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void
mg_buf_printf(struct mg_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mg_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
mg_buf_free(struct mg_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

char *
mg_buf_detach(struct mg_buf *b)
{
	char *s = b->s ? b->s : mg_xstrdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
mg_warnx(const char *fmt, ...)
{
	va_list ap;

	fputs("migen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

size_t
mg_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], i, j;

	/* Names and ids are short: one row on the stack; longer ones never match. */
	if (la >= 63 || lb >= 63)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

void
mg_heap_push(size_t *h, size_t *n, size_t v)
{
	size_t i = (*n)++;

	while (i > 0 && h[(i - 1) / 2] > v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

size_t
mg_heap_pop(size_t *h, size_t *n)
{
	size_t top = h[0], v = h[--(*n)], i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (h[c] >= v)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n > 0)
		h[i] = v;
	return top;
}
