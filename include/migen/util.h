/*
 * Small helpers every module uses: allocation that never returns NULL (migen
 * aborts with a message on out-of-memory, as mandoc does, so callers need no
 * error paths for it), a growable byte buffer and an arena.
 *
 * Ownership: mg_x*() results are freed with free(); arena memory is released
 * all at once by mg_arena_free(); a buffer's bytes by mg_buf_free().
 */
#ifndef MIGEN_UTIL_H
#define MIGEN_UTIL_H

#include <stdarg.h>
#include <stddef.h>

void *mg_xmalloc(size_t n);
void *mg_xcalloc(size_t nmemb, size_t size);
void *mg_xreallocarray(void *p, size_t nmemb, size_t size);
char *mg_xstrdup(const char *s);

/* Grows *v (of *cap elements of size sz) so that it holds at least need. */
void mg_grow(void *vp, size_t *cap, size_t need, size_t sz);

struct mg_arena_block;
struct mg_arena {
	struct mg_arena_block *head;
};

void *mg_arena_alloc(struct mg_arena *a, size_t n);     /* zeroed */
void *mg_arena_alloc_raw(struct mg_arena *a, size_t n); /* not zeroed: the caller fills it */
char *mg_arena_strndup(struct mg_arena *a, const char *s, size_t n);
char *mg_arena_strdup(struct mg_arena *a, const char *s);
char *mg_arena_printf(struct mg_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mg_arena_free(struct mg_arena *a);

/* A NUL-terminated growable string. */
struct mg_buf {
	char *s;
	size_t len;
	size_t cap;
};

void mg_buf_add(struct mg_buf *b, const char *s, size_t n);
void mg_buf_puts(struct mg_buf *b, const char *s);
void mg_buf_putc(struct mg_buf *b, char c);
void mg_buf_printf(struct mg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mg_buf_vprintf(struct mg_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void mg_buf_free(struct mg_buf *b);
/* Hands the string to the caller (free() it) and empties the buffer. */
char *mg_buf_detach(struct mg_buf *b);

/* Program-wide error output: "migen: " + message + newline on stderr. */
/* Levenshtein distance of two short strings; (size_t)-1 past 62 bytes. */
size_t mg_edit_distance(const char *a, const char *b);

void mg_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A binary min-heap of sizes in h[0..*n) (h has room for every push). */
void mg_heap_push(size_t *h, size_t *n, size_t v);
size_t mg_heap_pop(size_t *h, size_t *n);

#endif
