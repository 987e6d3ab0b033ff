/*
 * The replayed schema as bytes (format: schemacodec.h). The encoder writes
 * each distinct string once, in the order it first meets them, so the same
 * schema always gives the same bytes. The decoder trusts nothing it reads:
 * the first problem stops it (every read after gives zeros, every count
 * after is 0), and a count is taken only when the bytes left could hold
 * that many elements, so what it allocates stays in proportion to its input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migen/schemacodec.h"

#define MAGIC "MGSC"
#define VERSION 2
#define NULL_LIST 0xFFFFFFFFu

/*
 * The fewest bytes each element takes (a reference or count is 4, a flag
 * 1, an origin two references): a count is checked against them.
 */
#define MIN_ORIGIN 8
#define MIN_UNCERTAIN 12 /* reason, path, line */
#define MIN_COLUMN (4 + 4 + 1 + 4 + 1 + 1 + 4 + MIN_ORIGIN)
#define MIN_INDEX (4 + 1 + 4 + 1 + 4 + 4 + 1 + MIN_ORIGIN)
#define MIN_INDEX_COLUMN 5 /* a reference and is_expr */
#define MIN_FKEY (4 + 4 + 4 + 4 + 4 + 4 + 1 + MIN_ORIGIN)
#define MIN_CHECK (4 + 4 + 1 + MIN_ORIGIN)
#define MIN_TABLE (4 + 4 + MIN_ORIGIN + 5 * 4) /* and five counts */
#define MIN_ENUM (4 + 4 + 4 + 1 + MIN_ORIGIN)
#define MIN_SEQUENCE (4 * 4 + MIN_ORIGIN)

/* Encoder. */

struct interned {
	const char *s;
	uint32_t hash;
};

struct enc {
	struct mg_buf body;    /* the schema, strings as references */
	struct mg_buf blob;    /* the strings, NUL-terminated, by first use */
	struct interned *strs; /* reference - 1 -> string */
	size_t nstrs, capstrs;
	uint32_t *slots; /* by content: reference, 0 empty (open addressing) */
	size_t capslots;
};

static void
put_u8(struct mg_buf *b, unsigned v)
{
	char c = (char)(v & 0xFF);

	mg_buf_add(b, &c, 1);
}

static void
put_u32(struct mg_buf *b, uint32_t v)
{
	char x[4];

	x[0] = (char)(v & 0xFF);
	x[1] = (char)((v >> 8) & 0xFF);
	x[2] = (char)((v >> 16) & 0xFF);
	x[3] = (char)((v >> 24) & 0xFF);
	mg_buf_add(b, x, 4);
}

static void
put_u64(struct mg_buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)(v & 0xFFFFFFFFu));
	put_u32(b, (uint32_t)(v >> 32));
}

static uint32_t
str_hash(const char *s, size_t *len)
{
	uint32_t h = 2166136261u;
	const char *p;

	for (p = s; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	*len = (size_t)(p - s);
	return h;
}

static void
slots_grow(struct enc *e)
{
	size_t cap = e->capslots ? e->capslots * 2 : 1024, i, k;
	uint32_t *v = mg_xcalloc(cap, sizeof(*v));

	for (i = 0; i < e->nstrs; i++) {
		for (k = e->strs[i].hash & (cap - 1); v[k] != 0; k = (k + 1) & (cap - 1))
			;
		v[k] = (uint32_t)(i + 1);
	}
	free(e->slots);
	e->slots = v;
	e->capslots = cap;
}

/* The string's reference: 0 for NULL, else its place in the table + 1. */
static uint32_t
intern(struct enc *e, const char *str)
{
	size_t len, k;
	uint32_t h;

	if (str == NULL)
		return 0;
	h = str_hash(str, &len);
	if (2 * (e->nstrs + 1) > e->capslots)
		slots_grow(e);
	for (k = h & (e->capslots - 1); e->slots[k] != 0; k = (k + 1) & (e->capslots - 1)) {
		const struct interned *x = &e->strs[e->slots[k] - 1];
		if (x->hash == h && strcmp(x->s, str) == 0)
			return e->slots[k];
	}
	mg_grow(&e->strs, &e->capstrs, e->nstrs + 1, sizeof(*e->strs));
	e->strs[e->nstrs].s = str;
	e->strs[e->nstrs].hash = h;
	e->slots[k] = (uint32_t)++e->nstrs;
	mg_buf_add(&e->blob, str, len + 1); /* with its NUL */
	return e->slots[k];
}

static void
put_str(struct enc *e, const char *s)
{
	put_u32(&e->body, intern(e, s));
}

static void
put_count(struct enc *e, size_t n)
{
	put_u32(&e->body, (uint32_t)n);
}

static void
put_bool(struct enc *e, int v)
{
	put_u8(&e->body, v != 0);
}

static void
put_origin(struct enc *e, struct mg_origin o)
{
	put_str(e, o.created);
	put_str(e, o.changed);
}

/* A list of strings that may be NULL (a foreign key's unknown ref_columns). */
static void
put_strs(struct enc *e, const char *const *v, size_t n)
{
	size_t i;

	if (v == NULL) {
		put_u32(&e->body, NULL_LIST);
		return;
	}
	put_count(e, n);
	for (i = 0; i < n; i++)
		put_str(e, v[i]);
}

static void
put_uncertain(struct enc *e, const struct mg_uncertain *v, size_t n)
{
	size_t i;

	put_count(e, n);
	for (i = 0; i < n; i++) {
		put_str(e, v[i].reason);
		put_str(e, v[i].path);
		put_u32(&e->body, v[i].line);
	}
}

static void
put_index(struct enc *e, const struct mg_sindex *ix)
{
	size_t k;

	put_str(e, ix->name);
	put_u8(&e->body, (unsigned)ix->kind);
	if (ix->columns == NULL) {
		put_u32(&e->body, NULL_LIST);
	} else {
		put_count(e, ix->ncolumns);
		for (k = 0; k < ix->ncolumns; k++) {
			put_str(e, ix->columns[k]);
			put_bool(e, ix->is_expr != NULL && ix->is_expr[k]);
		}
	}
	put_bool(e, ix->unique);
	put_str(e, ix->where);
	put_str(e, ix->method);
	put_bool(e, ix->valid);
	put_origin(e, ix->rev);
}

static void
put_fkey(struct enc *e, const struct mg_sfkey *fk)
{
	put_str(e, fk->name);
	put_strs(e, fk->columns, fk->ncolumns);
	put_str(e, fk->ref_schema);
	put_str(e, fk->ref_table);
	put_strs(e, fk->ref_columns, fk->nref_columns);
	put_str(e, fk->on_delete);
	put_bool(e, fk->validated);
	put_origin(e, fk->rev);
}

static void
put_table(struct enc *e, const struct mg_stable *t)
{
	size_t i;

	put_str(e, t->schema);
	put_str(e, t->name);
	put_origin(e, t->rev);
	put_count(e, t->ncolumns);
	for (i = 0; i < t->ncolumns; i++) {
		const struct mg_scolumn *c = &t->columns[i];
		put_str(e, c->name);
		put_str(e, c->type);
		put_u8(&e->body, (unsigned)(c->nullable & 0xFF)); /* MG_UNKNOWN: 0xFF */
		put_str(e, c->dflt);
		put_bool(e, c->identity);
		put_bool(e, c->generated);
		put_str(e, c->seq);
		put_origin(e, c->rev);
	}
	put_count(e, t->nindexes);
	for (i = 0; i < t->nindexes; i++)
		put_index(e, &t->indexes[i]);
	put_count(e, t->nfkeys);
	for (i = 0; i < t->nfkeys; i++)
		put_fkey(e, &t->fkeys[i]);
	put_count(e, t->nchecks);
	for (i = 0; i < t->nchecks; i++) {
		put_str(e, t->checks[i].name);
		put_str(e, t->checks[i].expr);
		put_bool(e, t->checks[i].validated);
		put_origin(e, t->checks[i].rev);
	}
	put_uncertain(e, t->uncertain, t->nuncertain);
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A set of hashes of s (an overlay's with its bases'), sorted, each once:
 * the identifiers it has seen (refs 0), or what its foreign keys ever
 * pointed at (refs 1).
 */
static void
put_hashes(struct enc *e, const struct mg_schema *s, int refs)
{
	const struct mg_schema *x;
	uint64_t *v = NULL;
	size_t n = 0, cap = 0, i, k;

	for (x = s; x != NULL; x = x->base) {
		const struct mg_hashes *hs = refs ? &x->refs : &x->seen;
		for (i = 0; i < hs->cap; i++)
			if (hs->v[i] != 0) {
				mg_grow(&v, &cap, n + 1, sizeof(*v));
				v[n++] = hs->v[i];
			}
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), u64_cmp);
	for (i = k = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	put_count(e, k);
	for (i = 0; i < k; i++)
		put_u64(&e->body, v[i]);
	free(v);
}

void
mg_schema_encode(const struct mg_schema *s, struct mg_buf *out)
{
	struct enc e;
	size_t i;

	memset(&e, 0, sizeof(e));
	put_count(&e, s->ntables);
	for (i = 0; i < s->ntables; i++)
		put_table(&e, &s->tables[i]);
	put_count(&e, s->nenums);
	for (i = 0; i < s->nenums; i++) {
		const struct mg_senum *en = &s->enums[i];
		put_str(&e, en->schema);
		put_str(&e, en->name);
		put_strs(&e, en->labels, en->nlabels);
		put_bool(&e, en->labels_known);
		put_origin(&e, en->rev);
	}
	put_count(&e, s->nsequences);
	for (i = 0; i < s->nsequences; i++) {
		const struct mg_ssequence *q = &s->sequences[i];
		put_str(&e, q->schema);
		put_str(&e, q->name);
		put_str(&e, q->owner_table);
		put_str(&e, q->owner_column);
		put_origin(&e, q->rev);
	}
	put_uncertain(&e, s->uncertain, s->nuncertain);
	put_strs(&e, s->revisions, s->nrevisions);
	put_hashes(&e, s, 0);
	put_hashes(&e, s, 1);

	mg_buf_add(out, MAGIC, 4);
	put_u32(out, VERSION);
	put_u32(out, (uint32_t)e.nstrs);
	put_u32(out, (uint32_t)e.blob.len);
	if (e.blob.len > 0)
		mg_buf_add(out, e.blob.s, e.blob.len);
	if (e.body.len > 0)
		mg_buf_add(out, e.body.s, e.body.len);
	mg_buf_free(&e.body);
	mg_buf_free(&e.blob);
	free(e.strs);
	free(e.slots);
}

/* Decoder. */

struct dec {
	const unsigned char *p, *end;
	const char **strs; /* reference - 1 -> the string, in the schema's pool */
	size_t nstrs;
	const char *why; /* the first problem; once set, reads give zeros */
	struct mg_schema *s;
};

static void
fail(struct dec *d, const char *why)
{
	if (d->why == NULL)
		d->why = why;
	d->p = d->end;
}

static size_t
left(const struct dec *d)
{
	return (size_t)(d->end - d->p);
}

static int
have(struct dec *d, size_t n)
{
	if (left(d) >= n)
		return 1;
	fail(d, "truncated");
	return 0;
}

static unsigned
get_u8(struct dec *d)
{
	if (!have(d, 1))
		return 0;
	return *d->p++;
}

static uint32_t
get_u32(struct dec *d)
{
	uint32_t v;

	if (!have(d, 4))
		return 0;
	v = (uint32_t)d->p[0] | (uint32_t)d->p[1] << 8 | (uint32_t)d->p[2] << 16 |
	    (uint32_t)d->p[3] << 24;
	d->p += 4;
	return v;
}

static uint64_t
get_u64(struct dec *d)
{
	uint64_t lo = get_u32(d);

	return lo | (uint64_t)get_u32(d) << 32;
}

static int
get_bool(struct dec *d)
{
	unsigned v = get_u8(d);

	if (v > 1)
		fail(d, "a flag is neither 0 nor 1");
	return v == 1;
}

static int
get_tri(struct dec *d)
{
	unsigned v = get_u8(d);

	if (v == 0xFF)
		return MG_UNKNOWN;
	if (v > 1)
		fail(d, "a nullable flag is not yes, no or unknown");
	return v == 1 ? MG_YES : MG_NO;
}

/* A count of elements of at least min bytes each: no more than the bytes left hold. */
static size_t
get_count(struct dec *d, size_t min)
{
	uint32_t n = get_u32(d);

	if (n > left(d) / min) {
		fail(d, "a count larger than the bytes left");
		return 0;
	}
	return n;
}

static const char *
get_str(struct dec *d)
{
	uint32_t r = get_u32(d);

	if (r == 0)
		return NULL;
	if (r > d->nstrs) {
		fail(d, "a string reference past the string table");
		return NULL;
	}
	return d->strs[r - 1];
}

/* A string a replayed schema always has (a table's name): NULL is an error. */
static const char *
get_name(struct dec *d)
{
	const char *s = get_str(d);

	if (s == NULL)
		fail(d, "a name is missing");
	return s;
}

static struct mg_origin
get_origin(struct dec *d)
{
	struct mg_origin o;

	o.created = get_str(d);
	o.changed = get_str(d);
	return o;
}

/* A list of n elements of size sz in the schema's arena (NULL when empty), capacity n. */
static void *
get_list(struct dec *d, size_t min, size_t sz, size_t *n, size_t *cap)
{
	*n = get_count(d, min);
	if (cap != NULL)
		*cap = *n;
	return *n > 0 ? mg_arena_alloc(&d->s->arena, *n * sz) : NULL;
}

/* Whether a list that may be NULL is: its count is NULL_LIST (then read). */
static int
null_list(struct dec *d)
{
	if (left(d) < 4 || memcmp(d->p, "\xFF\xFF\xFF\xFF", 4) != 0)
		return 0;
	d->p += 4;
	return 1;
}

/*
 * A list of strings that may be NULL; an empty one is still an array (as
 * schema.c copies them). names: no element may be NULL.
 */
static const char **
get_strs(struct dec *d, size_t *n, int names)
{
	const char **v;
	size_t i;

	if (null_list(d)) {
		*n = 0;
		return NULL;
	}
	*n = get_count(d, 4);
	v = mg_arena_alloc(&d->s->arena, (*n ? *n : 1) * sizeof(*v));
	for (i = 0; i < *n; i++)
		v[i] = names ? get_name(d) : get_str(d);
	return v;
}

static void
get_uncertain(struct dec *d, struct mg_uncertain **v, size_t *n, size_t *cap)
{
	size_t i;

	*v = get_list(d, MIN_UNCERTAIN, sizeof(**v), n, cap);
	/* schema.c keeps at most this many (the last one saying there are more). */
	if (*n > MG_SCHEMA_MAX_UNCERTAIN + 1) {
		fail(d, "more uncertain facts than a schema keeps");
		*n = 0;
	}
	for (i = 0; i < *n; i++) {
		(*v)[i].reason = get_name(d);
		(*v)[i].path = get_str(d);
		(*v)[i].line = get_u32(d);
	}
}

static void
get_index(struct dec *d, struct mg_sindex *ix)
{
	unsigned kind;
	size_t k;

	ix->name = get_str(d);
	kind = get_u8(d);
	if (kind > MG_IX_UNIQUE)
		fail(d, "an index of no known kind");
	ix->kind = (enum mg_index_kind)(kind <= MG_IX_UNIQUE ? kind : MG_IX_INDEX);
	if (null_list(d)) {
		ix->columns = NULL;
		ix->ncolumns = 0;
	} else {
		ix->ncolumns = get_count(d, MIN_INDEX_COLUMN);
		ix->columns = mg_arena_alloc(&d->s->arena, (ix->ncolumns ? ix->ncolumns : 1) *
		                                               sizeof(*ix->columns));
	}
	ix->is_expr =
	    mg_arena_alloc(&d->s->arena, (ix->ncolumns ? ix->ncolumns : 1) * sizeof(*ix->is_expr));
	for (k = 0; k < ix->ncolumns; k++) {
		ix->columns[k] = get_str(d);
		ix->is_expr[k] = get_bool(d);
	}
	ix->unique = get_bool(d);
	ix->where = get_str(d);
	ix->method = get_str(d);
	ix->valid = get_bool(d);
	ix->rev = get_origin(d);
}

static void
get_fkey(struct dec *d, struct mg_sfkey *fk)
{
	fk->name = get_str(d);
	fk->columns = get_strs(d, &fk->ncolumns, 0);
	fk->ref_schema = get_str(d);
	fk->ref_table = get_str(d);
	fk->ref_columns = get_strs(d, &fk->nref_columns, 0);
	fk->on_delete = get_str(d);
	fk->validated = get_bool(d);
	fk->rev = get_origin(d);
}

static void
get_table(struct dec *d, struct mg_stable *t)
{
	size_t i;

	t->schema = get_name(d);
	t->name = get_name(d);
	t->rev = get_origin(d);
	t->columns = get_list(d, MIN_COLUMN, sizeof(*t->columns), &t->ncolumns, &t->capcolumns);
	for (i = 0; i < t->ncolumns; i++) {
		struct mg_scolumn *c = &t->columns[i];
		c->name = get_name(d);
		c->type = get_str(d);
		c->nullable = get_tri(d);
		c->dflt = get_str(d);
		c->identity = get_bool(d);
		c->generated = get_bool(d);
		c->seq = get_str(d);
		c->rev = get_origin(d);
	}
	t->indexes = get_list(d, MIN_INDEX, sizeof(*t->indexes), &t->nindexes, &t->capindexes);
	for (i = 0; i < t->nindexes; i++)
		get_index(d, &t->indexes[i]);
	t->fkeys = get_list(d, MIN_FKEY, sizeof(*t->fkeys), &t->nfkeys, &t->capfkeys);
	for (i = 0; i < t->nfkeys; i++)
		get_fkey(d, &t->fkeys[i]);
	t->checks = get_list(d, MIN_CHECK, sizeof(*t->checks), &t->nchecks, &t->capchecks);
	for (i = 0; i < t->nchecks; i++) {
		struct mg_scheck *k = &t->checks[i];
		k->name = get_str(d);
		k->expr = get_str(d);
		k->validated = get_bool(d);
		k->rev = get_origin(d);
	}
	get_uncertain(d, &t->uncertain, &t->nuncertain, &t->capuncertain);
}

/* The string table, copied into the schema's pool at once. */
static void
get_strings(struct dec *d)
{
	uint32_t n = get_u32(d), nbytes = get_u32(d);
	const char *p, *end;
	size_t i;

	if (!have(d, nbytes))
		return;
	if (n > nbytes) { /* each takes at least its NUL */
		fail(d, "a string table with more strings than bytes");
		return;
	}
	p = mg_schema_strn(d->s, (const char *)d->p, nbytes);
	end = p + nbytes;
	d->p += nbytes;
	d->strs = mg_xcalloc(n ? n : 1, sizeof(*d->strs));
	for (i = 0; i < n; i++) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		if (z == NULL) {
			fail(d, "a string table with fewer strings than its count");
			return;
		}
		d->strs[i] = p;
		p = z + 1;
	}
	d->nstrs = n;
	if (p != end)
		fail(d, "a string table with bytes after its last string");
}

/* A set of hashes (seen, or refs): ascending, each once (0 is no hash). */
static void
get_hashes(struct dec *d, int refs)
{
	size_t n = get_count(d, 8), i;
	uint64_t *v = mg_xcalloc(n ? n : 1, sizeof(*v));

	for (i = 0; i < n; i++) {
		v[i] = get_u64(d);
		if (v[i] <= (i > 0 ? v[i - 1] : 0)) {
			fail(d, "hashes out of order");
			n = 0;
		}
	}
	mg_schema_hashes_add(d->s, refs, v, n);
	free(v);
}

struct mg_schema *
mg_schema_decode(const void *data, size_t len, const char **why)
{
	struct dec d;
	struct mg_schema *s;
	size_t i;

	memset(&d, 0, sizeof(d));
	d.p = data;
	d.end = d.p + len;
	if (len < 8 || memcmp(data, MAGIC, 4) != 0) {
		*why = "not an encoded schema (no magic number)";
		return NULL;
	}
	d.p += 4;
	if (get_u32(&d) != VERSION) {
		*why = "an encoded schema of another version";
		return NULL;
	}
	s = d.s = mg_schema_new();
	get_strings(&d);
	s->tables = get_list(&d, MIN_TABLE, sizeof(*s->tables), &s->ntables, &s->captables);
	for (i = 0; i < s->ntables; i++)
		get_table(&d, &s->tables[i]);
	s->enums = get_list(&d, MIN_ENUM, sizeof(*s->enums), &s->nenums, &s->capenums);
	for (i = 0; i < s->nenums; i++) {
		struct mg_senum *e = &s->enums[i];
		e->schema = get_name(&d);
		e->name = get_name(&d);
		e->labels = get_strs(&d, &e->nlabels, 1);
		e->caplabels = e->labels != NULL ? e->nlabels : 0;
		e->labels_known = get_bool(&d);
		e->rev = get_origin(&d);
	}
	s->sequences =
	    get_list(&d, MIN_SEQUENCE, sizeof(*s->sequences), &s->nsequences, &s->capsequences);
	for (i = 0; i < s->nsequences; i++) {
		struct mg_ssequence *q = &s->sequences[i];
		q->schema = get_name(&d);
		q->name = get_name(&d);
		q->owner_table = get_str(&d);
		q->owner_column = get_str(&d);
		q->rev = get_origin(&d);
	}
	get_uncertain(&d, &s->uncertain, &s->nuncertain, &s->capuncertain);
	s->revisions = get_strs(&d, &s->nrevisions, 1);
	get_hashes(&d, 0);
	get_hashes(&d, 1);
	if (d.why == NULL && d.p != d.end)
		fail(&d, "bytes after the end of the schema");
	free(d.strs);
	if (d.why != NULL) {
		*why = d.why;
		mg_schema_free(s);
		return NULL;
	}
	mg_schema_rehash(s);
	return s;
}
