/*
 * The replayed schema (see schema.h): its lists, lookups, copies and merges,
 * and the names PostgreSQL gives what is not named. Lists are arrays in the
 * schema's arena that grow by doubling; removal keeps their order.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/schema.h"

#define NAMEDATALEN 64

/*
 * The strings of a schema and of every copy made from it, in one arena:
 * a copy shares them (strings never change in place) and each keeps its
 * own lists. Freed with the last schema that uses it.
 */
struct mg_schema_pool {
	size_t refs;
	struct mg_arena arena;
};

static void
grow(struct mg_schema *s, void *vp, size_t *cap, size_t need, size_t sz)
{
	void **v = vp;
	size_t ncap;
	void *nv;

	if (need <= *cap)
		return;
	ncap = *cap ? *cap * 2 : 4;
	while (ncap < need)
		ncap *= 2;
	/* Not zeroed: every list's adder fills the element it appends. */
	nv = mg_arena_alloc_raw(&s->arena, ncap * sz);
	if (*cap > 0 && *v != NULL)
		memcpy(nv, *v, *cap * sz);
	*v = nv;
	*cap = ncap;
}

/* Removes element i of an array of n elements of size sz, keeping the order. */
static void
remove_at(void *v, size_t *n, size_t i, size_t sz)
{
	char *p = v;

	memmove(p + i * sz, p + (i + 1) * sz, (*n - i - 1) * sz);
	(*n)--;
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* How many bytes of s fit in n without cutting a UTF-8 character (pg_mbcliplen). */
static size_t
cliplen(const char *s, size_t n)
{
	size_t len = strlen(s);

	if (len <= n)
		return len;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* Two identifiers as PostgreSQL compares them: only their first 63 bytes count. */
static int
ident_eq_cut(const char *a, const char *b)
{
	size_t la, lb, i;

	/* Byte by byte up to the cut: a cut drops at most 3 bytes of a character, so a
	 * difference before byte 60 decides, and so do two names ending together. */
	for (i = 0; i < NAMEDATALEN - 1; i++) {
		if (a[i] != b[i]) {
			if (i < NAMEDATALEN - 4)
				return 0;
			break;
		}
		if (a[i] == '\0')
			return 1;
	}
	la = cliplen(a, NAMEDATALEN - 1);
	lb = cliplen(b, NAMEDATALEN - 1);
	return la == lb && memcmp(a, b, la) == 0;
}

/* The first byte inline: most names compared in a lookup differ there. */
static inline int
ident_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && a[0] == b[0] && ident_eq_cut(a, b);
}

static uint64_t
name_hash(const char *name, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ULL;
	return h ? h : 1;
}

/* A set of hashes (h not 0), at most half full. */
static void
hashes_add(struct mg_hashes *hs, uint64_t h)
{
	size_t i;

	if (hs->n * 2 >= hs->cap) {
		uint64_t *old = hs->v;
		size_t oldcap = hs->cap, k;
		hs->cap = oldcap ? oldcap * 2 : 256;
		hs->v = mg_xcalloc(hs->cap, sizeof(*hs->v));
		hs->n = 0;
		for (k = 0; k < oldcap; k++)
			if (old[k] != 0)
				hashes_add(hs, old[k]);
		free(old);
	}
	for (i = h & (hs->cap - 1); hs->v[i] != 0; i = (i + 1) & (hs->cap - 1))
		if (hs->v[i] == h)
			return;
	hs->v[i] = h;
	hs->n++;
}

static int
hashes_has(const struct mg_hashes *hs, uint64_t h)
{
	size_t i;

	for (i = h & (hs->cap - 1); hs->cap > 0 && hs->v[i] != 0; i = (i + 1) & (hs->cap - 1))
		if (hs->v[i] == h)
			return 1;
	return 0;
}

static void
hashes_copy(struct mg_hashes *d, const struct mg_hashes *x)
{
	d->v = NULL;
	d->n = d->cap = 0;
	if (x->cap == 0)
		return;
	d->v = mg_xcalloc(x->cap, sizeof(*d->v));
	memcpy(d->v, x->v, x->cap * sizeof(*d->v));
	d->cap = x->cap;
	d->n = x->n;
}

/*
 * Every identifier the schema ever held, as hashes: a superset of the names
 * taken now, so that `taken()` scans the schema only for a name that may be
 * (a default name is chosen for every unnamed object).
 */
static void
seen_add(struct mg_schema *s, uint64_t h)
{
	hashes_add(&s->seen, h);
}

static int
seen_has(const struct mg_schema *s, uint64_t h)
{
	for (; s != NULL; s = s->base) /* an overlay holds what its base held */
		if (hashes_has(&s->seen, h))
			return 1;
	return 0;
}

/*
 * Whether an overlay's base may hold name anywhere (a table's, a column's,
 * an index's or a constraint's, or a foreign key's reference): when not,
 * the tables the overlay still borrows cannot hold it, and a scan for it
 * skips them. Always 1 for a schema that is not an overlay.
 */
static int
base_may_hold(const struct mg_schema *s, const char *name)
{
	return s->base == NULL ||
	       (name != NULL && seen_has(s->base, name_hash(name, cliplen(name, NAMEDATALEN - 1))));
}

const char *
mg_schema_id(struct mg_schema *s, const char *name)
{
	size_t n;

	if (name == NULL)
		return NULL;
	n = cliplen(name, NAMEDATALEN - 1);
	seen_add(s, name_hash(name, n));
	return mg_arena_strndup(&s->pool->arena, name, n);
}

const char *
mg_schema_name(const char *schema)
{
	return schema != NULL ? schema : "public";
}

static void
pool_release(struct mg_schema_pool *p)
{
	if (--p->refs > 0)
		return;
	mg_arena_free(&p->arena);
	free(p);
}

struct mg_schema *
mg_schema_new(void)
{
	struct mg_schema *s = mg_xcalloc(1, sizeof(struct mg_schema));

	s->pool = mg_xcalloc(1, sizeof(*s->pool));
	s->pool->refs = 1;
	return s;
}

#ifndef NDEBUG
static void overlay_check(const struct mg_schema *s);
#endif

void
mg_schema_free(struct mg_schema *s)
{
	if (s == NULL)
		return;
#ifndef NDEBUG
	if (s->check != NULL) {
		overlay_check(s);
		mg_schema_free(s->check);
	}
#endif
	mg_arena_free(&s->arena);
	pool_release(s->pool); /* its copies may still use the strings */
	free(s->seen.v);
	free(s->refs.v);
	if (!s->tabhash_borrowed)
		free(s->tabhash);
	free(s);
}

const char *
mg_schema_str(struct mg_schema *s, const char *str)
{
	return str != NULL ? mg_arena_strdup(&s->pool->arena, str) : NULL;
}

const char *
mg_schema_ident(struct mg_arena *a, const char *text, size_t n)
{
	char *out = mg_arena_alloc(a, n + 1);
	size_t i, k = 0;

	if (n >= 2 && text[0] == '"' && text[n - 1] == '"') {
		for (i = 1; i + 1 < n; i++) {
			out[k++] = text[i];
			if (text[i] == '"' && text[i + 1] == '"')
				i++;
		}
	} else {
		for (i = 0; i < n; i++)
			out[k++] = text[i] >= 'A' && text[i] <= 'Z' ? (char)(text[i] - 'A' + 'a')
			                                            : text[i];
	}
	out[k] = '\0';
	return out;
}

/* Copies an array of strings into the schema. */
static const char **
strs(struct mg_schema *s, const char *const *v, size_t n)
{
	const char **out;
	size_t i;

	if (v == NULL)
		return NULL;
	out = mg_arena_alloc(&s->arena, (n ? n : 1) * sizeof(*out));
	for (i = 0; i < n; i++)
		out[i] = mg_schema_str(s, v[i]);
	return out;
}

static struct mg_origin
origin(struct mg_schema *s, struct mg_origin o)
{
	struct mg_origin r;

	r.created = mg_schema_str(s, o.created);
	r.changed = mg_schema_str(s, o.changed);
	return r;
}

/* Lookups. */

/*
 * The tables by name: a hash of schema and name (their first 63 bytes, as
 * ident_eq compares them) to the table's position + 1, open addressing at
 * most half full. Kept exact on every change to the list or to a table's
 * name, so that a miss is an answer: replaying N migrations does not scan
 * the list N times.
 */
static uint64_t
table_key(const char *schema, const char *name)
{
	uint64_t h = name_hash(schema, cliplen(schema, NAMEDATALEN - 1));

	return (h * 0x9E3779B97F4A7C15ULL) ^ name_hash(name, cliplen(name, NAMEDATALEN - 1));
}

/*
 * refs (see schema.h): the key of a referenced table, and the key of a
 * referenced column by its schema and name alone, so that renaming its
 * table keeps it. Names are cut as ident_eq compares them: a key found is
 * a maybe, a key missing is a no.
 */
#define REF_TABLE 0x2545F4914F6CDD1DULL
#define REF_COLUMN 0x9FB21C651E98DF25ULL

static uint64_t
ref_key(const char *schema, const char *name, uint64_t kind)
{
	uint64_t h = table_key(mg_schema_name(schema), name) ^ kind;

	return h ? h : 1;
}

/* Records what fk points at. */
static void
refs_add(struct mg_schema *s, const struct mg_sfkey *fk)
{
	size_t k;

	if (fk->ref_table != NULL)
		hashes_add(&s->refs, ref_key(fk->ref_schema, fk->ref_table, REF_TABLE));
	for (k = 0; fk->ref_columns != NULL && k < fk->nref_columns; k++)
		if (fk->ref_columns[k] != NULL)
			hashes_add(&s->refs,
			           ref_key(fk->ref_schema, fk->ref_columns[k], REF_COLUMN));
}

/* Whether a foreign key may point at the table or column name (kind) in schema. */
static int
refs_has(const struct mg_schema *s, const char *schema, const char *name, uint64_t kind)
{
	uint64_t h;

	if (name == NULL)
		return 0;
	h = ref_key(schema, name, kind);
	for (; s != NULL; s = s->base) /* an overlay's keys pointed at what its base's did */
		if (hashes_has(&s->refs, h))
			return 1;
	return 0;
}

/*
 * A scan of the foreign keys skipped when refs say none can match (the
 * macro below) runs anyway in debug builds, where this says that the
 * key it found was in refs.
 */
static void
refs_check(int may)
{
	if (!may) {
		fputs("migen: internal error: a foreign key is missing from its schema's refs\n",
		      stderr);
		abort();
	}
}

#ifdef NDEBUG
#define REFS_SKIP(may) (!(may))
#else
#define REFS_SKIP(may) 0
#endif

/* An overlay's first change to the hash it borrows copies it. */
static void
tabhash_own(struct mg_schema *s)
{
	uint32_t *own;

	if (!s->tabhash_borrowed)
		return;
	own = mg_xcalloc(s->captabhash, sizeof(*own));
	memcpy(own, s->tabhash, s->captabhash * sizeof(*own));
	s->tabhash = own;
	s->tabhash_borrowed = 0;
}

static void
tabhash_put(struct mg_schema *s, size_t pos)
{
	const struct mg_stable *t = &s->tables[pos];
	size_t i, mask = s->captabhash - 1;

	if (t->name == NULL) /* matches no lookup */
		return;
	tabhash_own(s);
	for (i = table_key(t->schema, t->name) & mask; s->tabhash[i] != 0; i = (i + 1) & mask)
		;
	s->tabhash[i] = (uint32_t)(pos + 1);
}

/* Rebuilds the hash from the list (positions moved, or it grew past half full). */
static void
tabhash_build(struct mg_schema *s)
{
	size_t cap = 16, i;

	while (cap < 2 * (s->ntables + 1))
		cap *= 2;
	if (cap != s->captabhash || s->tabhash_borrowed) {
		if (!s->tabhash_borrowed)
			free(s->tabhash);
		s->tabhash_borrowed = 0;
		s->tabhash = mg_xcalloc(cap, sizeof(*s->tabhash));
		s->captabhash = cap;
	} else {
		memset(s->tabhash, 0, cap * sizeof(*s->tabhash));
	}
	for (i = 0; i < s->ntables; i++)
		tabhash_put(s, i);
}

/*
 * Takes table pos (still in the list, under the name it is hashed by) out
 * of the hash: backward-shift deletion, so that every probe chain stays
 * whole and a miss is still an answer.
 */
static void
tabhash_del(struct mg_schema *s, size_t pos)
{
	const struct mg_stable *t = &s->tables[pos];
	size_t i, k, home, mask = s->captabhash - 1;

	if (t->name == NULL || s->captabhash == 0)
		return;
	tabhash_own(s);
	for (i = table_key(t->schema, t->name) & mask; s->tabhash[i] != pos + 1; i = (i + 1) & mask)
		if (s->tabhash[i] == 0)
			return; /* not there */
	for (k = (i + 1) & mask; s->tabhash[k] != 0; k = (k + 1) & mask) {
		const struct mg_stable *o = &s->tables[s->tabhash[k] - 1];
		home = table_key(o->schema, o->name) & mask;
		/* The entry at k may fill the hole at i unless its home lies in (i, k]. */
		if (i < k ? (home <= i || home > k) : (home <= i && home > k)) {
			s->tabhash[i] = s->tabhash[k];
			i = k;
		}
	}
	s->tabhash[i] = 0;
}

/* After table pos left the list: the tables after it moved up by one. */
static void
tabhash_removed(struct mg_schema *s, size_t pos)
{
	size_t i;

	if (pos ==
	    s->ntables) /* it was the last: none moved (a downgrade drops what upgrade made) */
		return;
	tabhash_own(s);
	for (i = 0; i < s->captabhash; i++)
		if (s->tabhash[i] > pos + 1)
			s->tabhash[i]--;
}

/* After table pos was appended to the list. */
static void
tabhash_added(struct mg_schema *s, size_t pos)
{
	if (2 * (s->ntables + 1) > s->captabhash)
		tabhash_build(s);
	else
		tabhash_put(s, pos);
}

struct mg_stable *
mg_schema_table(const struct mg_schema *s, const char *schema, const char *name)
{
	size_t i, mask, best = SIZE_MAX;

	if (name == NULL || s->captabhash == 0)
		return NULL;
	schema = mg_schema_name(schema);
	mask = s->captabhash - 1;
	/* The whole probe chain: the first table in the list wins, as a scan of it would. */
	for (i = table_key(schema, name) & mask; s->tabhash[i] != 0; i = (i + 1) & mask) {
		size_t pos = s->tabhash[i] - 1;
		if (pos < best && ident_eq(s->tables[pos].name, name) &&
		    ident_eq(s->tables[pos].schema, schema))
			best = pos;
	}
	return best != SIZE_MAX ? &s->tables[best] : NULL;
}

/* The end of an identifier starting at p (quoted or not): where a '.' may follow. */
static const char *
ident_end(const char *p)
{
	if (*p == '"') {
		for (p++; *p; p++)
			if (*p == '"') {
				if (p[1] != '"')
					return p + 1;
				p++;
			}
		return p;
	}
	while (*p && *p != '.')
		p++;
	return p;
}

struct mg_stable *
mg_schema_table_named(const struct mg_schema *s, const char *text)
{
	struct mg_arena a = {0};
	struct mg_stable *t = NULL;
	const char *end = ident_end(text), *schema = NULL, *name;

	if (*end == '.') {
		schema = mg_schema_ident(&a, text, (size_t)(end - text));
		text = end + 1;
		end = ident_end(text);
	}
	if (*end == '\0') {
		/* As written first (op.* names keep their case), then as PostgreSQL folds it. */
		name = mg_arena_strndup(&a, text, (size_t)(end - text));
		if (*text != '"')
			t = mg_schema_table(s, schema, name);
		if (t == NULL)
			t = mg_schema_table(s, schema,
			                    mg_schema_ident(&a, text, (size_t)(end - text)));
	}
	mg_arena_free(&a);
	return t;
}

struct mg_scolumn *
mg_stable_column(const struct mg_stable *t, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < t->ncolumns; i++)
		if (ident_eq(t->columns[i].name, name))
			return &t->columns[i];
	return NULL;
}

struct mg_sindex *
mg_stable_index(const struct mg_stable *t, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < t->nindexes; i++)
		if (ident_eq(t->indexes[i].name, name))
			return &t->indexes[i];
	return NULL;
}

struct mg_sfkey *
mg_stable_fkey(const struct mg_stable *t, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < t->nfkeys; i++)
		if (ident_eq(t->fkeys[i].name, name))
			return &t->fkeys[i];
	return NULL;
}

struct mg_scheck *
mg_stable_check(const struct mg_stable *t, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < t->nchecks; i++)
		if (ident_eq(t->checks[i].name, name))
			return &t->checks[i];
	return NULL;
}

struct mg_sindex *
mg_stable_pkey(const struct mg_stable *t)
{
	size_t i;

	for (i = 0; i < t->nindexes; i++)
		if (t->indexes[i].kind == MG_IX_PRIMARY_KEY)
			return &t->indexes[i];
	return NULL;
}

struct mg_sindex *
mg_schema_index(const struct mg_schema *s, const char *schema, const char *name,
                struct mg_stable **table)
{
	size_t i;
	int skip;

	/* A name the schema never held (seen: every identifier it interned) is no index's. */
	if (name == NULL || !seen_has(s, name_hash(name, cliplen(name, NAMEDATALEN - 1))))
		return NULL;
	schema = mg_schema_name(schema);
	skip = !base_may_hold(s, name); /* an overlay's own name: on its own tables only */
	for (i = 0; i < s->ntables; i++) {
		struct mg_sindex *ix;
		if ((skip && s->tables[i].borrowed) || strcmp(s->tables[i].schema, schema) != 0)
			continue;
		if ((ix = mg_stable_index(&s->tables[i], name)) != NULL) {
			if (table != NULL)
				*table = &s->tables[i];
			return ix;
		}
	}
	return NULL;
}

struct mg_senum *
mg_schema_enum(const struct mg_schema *s, const char *schema, const char *name)
{
	size_t i;

	schema = mg_schema_name(schema);
	for (i = 0; name != NULL && i < s->nenums; i++)
		if (ident_eq(s->enums[i].name, name) && ident_eq(s->enums[i].schema, schema))
			return &s->enums[i];
	return NULL;
}

struct mg_ssequence *
mg_schema_sequence(const struct mg_schema *s, const char *schema, const char *name)
{
	size_t i;

	schema = mg_schema_name(schema);
	for (i = 0; name != NULL && i < s->nsequences; i++)
		if (ident_eq(s->sequences[i].name, name) &&
		    ident_eq(s->sequences[i].schema, schema))
			return &s->sequences[i];
	return NULL;
}

int
mg_stable_has_index_leading(const struct mg_stable *t, const char *column, int full_only)
{
	size_t i;

	for (i = 0; column != NULL && i < t->nindexes; i++) {
		const struct mg_sindex *ix = &t->indexes[i];
		if (ix->ncolumns == 0 || ix->columns[0] == NULL || ix->is_expr[0] ||
		    strcmp(ix->columns[0], column) != 0)
			continue;
		if (full_only && (ix->where != NULL || !ix->valid))
			continue;
		return 1;
	}
	return 0;
}

/* Changes. */

void
mg_stable_touch(struct mg_schema *s, struct mg_stable *t, const char *rev)
{
	if (t != NULL && rev != NULL && !same(t->rev.changed, rev))
		t->rev.changed = mg_schema_str(s, rev);
}

static struct mg_origin
made_by(struct mg_schema *s, const char *rev)
{
	struct mg_origin o;

	o.created = o.changed = mg_schema_str(s, rev);
	return o;
}

/* In an overlay, t (as named now) is no longer its base's as it was (see changed). */
static void
changed_add(struct mg_schema *s, const struct mg_stable *t)
{
	if (s->base == NULL)
		return;
	grow(s, &s->changed, &s->capchanged, s->nchanged + 2, sizeof(*s->changed));
	s->changed[s->nchanged++] = t->schema;
	s->changed[s->nchanged++] = t->name;
}

struct mg_stable *
mg_schema_add_table(struct mg_schema *s, const char *schema, const char *name, const char *rev)
{
	struct mg_stable *t;

	grow(s, &s->tables, &s->captables, s->ntables + 1, sizeof(*s->tables));
	t = &s->tables[s->ntables++];
	memset(t, 0, sizeof(*t));
	t->schema = mg_schema_id(s, mg_schema_name(schema));
	t->name = mg_schema_id(s, name);
	t->rev = made_by(s, rev);
	tabhash_added(s, s->ntables - 1);
	changed_add(s, t);
	return t;
}

void
mg_schema_rename_table(struct mg_schema *s, struct mg_stable *t, const char *name)
{
	size_t pos = (size_t)(t - s->tables), i, k;
	const char *old = t->name;
	int may = refs_has(s, t->schema, old, REF_TABLE);

	mg_schema_own(s, t); /* a borrowed table keeps its base's name */
	tabhash_del(s, pos);
	t->name = mg_schema_id(s, name);
	tabhash_put(s, pos);
	changed_add(s, t);
	/* Foreign keys follow the table. */
	for (i = 0; !REFS_SKIP(may) && i < s->ntables; i++)
		for (k = 0; k < s->tables[i].nfkeys; k++) {
			struct mg_sfkey *fk = &s->tables[i].fkeys[k];
			if (same(fk->ref_table, old) &&
			    strcmp(mg_schema_name(fk->ref_schema), t->schema) == 0) {
				refs_check(may);
				fk = &mg_schema_own(s, &s->tables[i])->fkeys[k];
				fk->ref_table = t->name;
				refs_add(s, fk);
			}
		}
	for (i = 0; i < s->nsequences; i++)
		if (same(s->sequences[i].owner_table, old) &&
		    strcmp(s->sequences[i].schema, t->schema) == 0)
			s->sequences[i].owner_table = t->name;
}

void
mg_schema_drop_table(struct mg_schema *s, struct mg_stable *t)
{
	size_t i = (size_t)(t - s->tables), k;
	int skip = !base_may_hold(s, t->name), may = refs_has(s, t->schema, t->name, REF_TABLE);

	if (t->borrowed) /* (one it owns is listed already) */
		changed_add(s, t);
	/* Foreign keys elsewhere that point at it go too (DROP TABLE ... CASCADE; without
	 * CASCADE PostgreSQL refuses while they exist). */
	for (k = 0; !REFS_SKIP(may) && k < s->ntables; k++) {
		struct mg_stable *o = &s->tables[k];
		size_t f;
		if (o == t || (skip && o->borrowed))
			continue;
		for (f = o->nfkeys; f-- > 0;)
			if (same(o->fkeys[f].ref_table, t->name) &&
			    strcmp(mg_schema_name(o->fkeys[f].ref_schema), t->schema) == 0) {
				refs_check(may);
				mg_schema_own(s, o);
				remove_at(o->fkeys, &o->nfkeys, f, sizeof(*o->fkeys));
			}
	}
	/* Its serial and identity sequences go with it. */
	for (k = s->nsequences; k-- > 0;)
		if (same(s->sequences[k].owner_table, t->name) &&
		    strcmp(s->sequences[k].schema, t->schema) == 0)
			remove_at(s->sequences, &s->nsequences, k, sizeof(*s->sequences));
	tabhash_del(s, i);
	remove_at(s->tables, &s->ntables, i, sizeof(*s->tables));
	tabhash_removed(s, i); /* the tables after it moved */
}

struct mg_scolumn *
mg_stable_add_column(struct mg_schema *s, struct mg_stable *t, const char *name, const char *rev)
{
	struct mg_scolumn *c;

	mg_schema_own(s, t);
	grow(s, &t->columns, &t->capcolumns, t->ncolumns + 1, sizeof(*t->columns));
	c = &t->columns[t->ncolumns++];
	memset(c, 0, sizeof(*c));
	c->name = mg_schema_id(s, name);
	c->nullable = MG_YES;
	c->rev = made_by(s, rev);
	return c;
}

static int
names_in(const char *const *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		if (ident_eq(v[i], name))
			return 1;
	return 0;
}

/* Whether SQL text names the column as a whole word (quoted or not). */
static int
text_names(const char *text, const char *column)
{
	size_t n = strlen(column);
	const char *p;

	if (text == NULL || n == 0)
		return 0;
	for (p = strstr(text, column); p != NULL; p = strstr(p + 1, column)) {
		char before = p == text ? ' ' : p[-1], after = p[n];
		int word_before = (before >= 'a' && before <= 'z') ||
		                  (before >= 'A' && before <= 'Z') ||
		                  (before >= '0' && before <= '9') || before == '_';
		int word_after = (after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') ||
		                 (after >= '0' && after <= '9') || after == '_';
		if (!word_before && !word_after)
			return 1;
	}
	return 0;
}

/*
 * Drops the foreign keys (of any table) that point at t's columns: with
 * all of cols (a key dropped), or with col among them (a column dropped).
 * PostgreSQL refuses without CASCADE, and drops them with it.
 */
static void
drop_referencing(struct mg_schema *s, const struct mg_stable *t, const char *const *cols,
                 size_t ncols, const char *col)
{
	size_t i, f, k;
	/* An overlay's own table or column: no borrowed table's key points at it. */
	int skip = !base_may_hold(s, t->name) || (col != NULL && !base_may_hold(s, col));
	/* A key with columns points at one of them at least (with none, at none). */
	int may = refs_has(s, t->schema, t->name, REF_TABLE) &&
	          (col != NULL ? refs_has(s, t->schema, col, REF_COLUMN) : ncols == 0);

	for (k = 0; col == NULL && !may && k < ncols; k++)
		may = refs_has(s, t->schema, cols[k], REF_COLUMN);
	for (i = 0; !REFS_SKIP(may) && i < s->ntables; i++) {
		struct mg_stable *o = &s->tables[i];
		if (skip && o->borrowed)
			continue;
		for (f = o->nfkeys; f-- > 0;) {
			const struct mg_sfkey *fk = &o->fkeys[f];
			int hit = 0;
			if (!ident_eq(fk->ref_table, t->name) ||
			    !ident_eq(mg_schema_name(fk->ref_schema), t->schema) ||
			    fk->ref_columns == NULL)
				continue;
			if (col != NULL)
				hit = names_in(fk->ref_columns, fk->nref_columns, col);
			else if (fk->nref_columns == ncols) {
				hit = 1;
				for (k = 0; k < ncols && hit; k++)
					hit = names_in(cols, ncols, fk->ref_columns[k]);
			}
			if (hit) {
				refs_check(may);
				mg_schema_own(s, o);
				remove_at(o->fkeys, &o->nfkeys, f, sizeof(*o->fkeys));
			}
		}
	}
}

void
mg_stable_drop_column(struct mg_schema *s, struct mg_stable *t, const char *name)
{
	size_t i, k;

	mg_schema_own(s, t);
	drop_referencing(s, t, NULL, 0, name);
	for (i = t->nindexes; i-- > 0;) {
		const struct mg_sindex *ix = &t->indexes[i];
		int hit = text_names(ix->where, name);
		for (k = 0; !hit && k < ix->ncolumns; k++)
			hit = ix->is_expr[k] ? text_names(ix->columns[k], name)
			                     : ident_eq(ix->columns[k], name);
		if (hit)
			remove_at(t->indexes, &t->nindexes, i, sizeof(*t->indexes));
	}
	for (i = t->nfkeys; i-- > 0;)
		if (names_in(t->fkeys[i].columns, t->fkeys[i].ncolumns, name))
			remove_at(t->fkeys, &t->nfkeys, i, sizeof(*t->fkeys));
	for (i = t->nchecks; i-- > 0;)
		if (text_names(t->checks[i].expr, name))
			remove_at(t->checks, &t->nchecks, i, sizeof(*t->checks));
	for (i = s->nsequences; i-- > 0;)
		if (same(s->sequences[i].owner_table, t->name) &&
		    same(s->sequences[i].owner_column, name) &&
		    strcmp(s->sequences[i].schema, t->schema) == 0)
			remove_at(s->sequences, &s->nsequences, i, sizeof(*s->sequences));
	for (i = 0; i < t->ncolumns; i++)
		if (ident_eq(t->columns[i].name, name)) {
			remove_at(t->columns, &t->ncolumns, i, sizeof(*t->columns));
			break;
		}
}

static void
rename_in(struct mg_schema *s, const char **v, size_t n, const char *from, const char *to)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		if (ident_eq(v[i], from))
			v[i] = mg_schema_id(s, to);
}

static int
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || (unsigned char)c >= 0x80;
}

/* SQL text with the column renamed where it appears as a whole word outside literals. */
static const char *
rename_word(struct mg_schema *s, const char *text, const char *from, const char *to)
{
	struct mg_buf b = {0};
	size_t n = strlen(from);
	const char *p = text, *out;
	int changed = 0;

	if (text == NULL || n == 0)
		return text;
	while (*p) {
		if (*p == '\'') { /* a string literal is copied as it is */
			const char *q = p + 1;
			while (*q && !(*q == '\'' && q[1] != '\''))
				q += *q == '\'' ? 2 : 1;
			if (*q)
				q++;
			mg_buf_add(&b, p, (size_t)(q - p));
			p = q;
			continue;
		}
		if (strncmp(p, from, n) == 0 && (p == text || !word_char(p[-1])) &&
		    !word_char(p[n])) {
			mg_buf_puts(&b, to);
			p += n;
			changed = 1;
			continue;
		}
		mg_buf_putc(&b, *p++);
	}
	out = changed ? mg_schema_str(s, b.s) : text;
	mg_buf_free(&b);
	return out;
}

void
mg_stable_rename_column(struct mg_schema *s, struct mg_stable *t, const char *from, const char *to)
{
	struct mg_scolumn *c;
	size_t i, k;
	int may;

	mg_schema_own(s, t);
	if ((c = mg_stable_column(t, from)) == NULL)
		return;
	c->name = mg_schema_id(s, to);
	for (i = 0; i < t->nindexes; i++)
		for (k = 0; k < t->indexes[i].ncolumns; k++)
			if (!t->indexes[i].is_expr[k] && ident_eq(t->indexes[i].columns[k], from))
				t->indexes[i].columns[k] = mg_schema_id(s, to);
			else if (t->indexes[i].is_expr[k])
				t->indexes[i].columns[k] =
				    rename_word(s, t->indexes[i].columns[k], from, to);
	for (i = 0; i < t->nindexes; i++)
		t->indexes[i].where = rename_word(s, t->indexes[i].where, from, to);
	for (i = 0; i < t->nchecks; i++)
		t->checks[i].expr = rename_word(s, t->checks[i].expr, from, to);
	for (i = 0; i < t->nfkeys; i++)
		rename_in(s, t->fkeys[i].columns, t->fkeys[i].ncolumns, from, to);
	/* Foreign keys elsewhere that point at the column follow it. */
	may =
	    refs_has(s, t->schema, t->name, REF_TABLE) && refs_has(s, t->schema, from, REF_COLUMN);
	for (i = 0; !REFS_SKIP(may) && i < s->ntables; i++)
		for (k = 0; k < s->tables[i].nfkeys; k++) {
			struct mg_sfkey *fk = &s->tables[i].fkeys[k];
			if (same(fk->ref_table, t->name) &&
			    strcmp(mg_schema_name(fk->ref_schema), t->schema) == 0 &&
			    names_in(fk->ref_columns, fk->nref_columns, from)) {
				refs_check(may);
				fk = &mg_schema_own(s, &s->tables[i])->fkeys[k];
				rename_in(s, fk->ref_columns, fk->nref_columns, from, to);
				refs_add(s, fk);
			}
		}
	for (i = 0; i < s->nsequences; i++)
		if (same(s->sequences[i].owner_table, t->name) &&
		    same(s->sequences[i].owner_column, from))
			s->sequences[i].owner_column = mg_schema_str(s, to);
}

struct mg_sindex *
mg_stable_add_index(struct mg_schema *s, struct mg_stable *t, const char *rev)
{
	struct mg_sindex *ix;

	mg_schema_own(s, t);
	grow(s, &t->indexes, &t->capindexes, t->nindexes + 1, sizeof(*t->indexes));
	ix = &t->indexes[t->nindexes++];
	memset(ix, 0, sizeof(*ix));
	ix->valid = 1;
	ix->method = "btree";
	ix->rev = made_by(s, rev);
	return ix;
}

struct mg_sfkey *
mg_stable_add_fkey(struct mg_schema *s, struct mg_stable *t, const char *rev)
{
	struct mg_sfkey *fk;

	mg_schema_own(s, t);
	grow(s, &t->fkeys, &t->capfkeys, t->nfkeys + 1, sizeof(*t->fkeys));
	fk = &t->fkeys[t->nfkeys++];
	memset(fk, 0, sizeof(*fk));
	fk->validated = 1;
	fk->on_delete = "NO ACTION";
	fk->rev = made_by(s, rev);
	return fk;
}

void
mg_sfkey_point(struct mg_schema *s, struct mg_sfkey *fk, const char *ref_schema,
               const char *ref_table, const char *const *ref_columns, size_t nref_columns)
{
	size_t i;

	fk->ref_schema = mg_schema_str(s, mg_schema_name(ref_schema));
	fk->ref_table = mg_schema_id(s, ref_table);
	fk->ref_columns = NULL;
	fk->nref_columns = 0;
	if (ref_columns != NULL) {
		fk->ref_columns =
		    mg_arena_alloc(&s->arena, (nref_columns + 1) * sizeof(*fk->ref_columns));
		for (i = 0; i < nref_columns; i++)
			fk->ref_columns[i] = mg_schema_id(s, ref_columns[i]);
		fk->nref_columns = nref_columns;
	}
	refs_add(s, fk);
}

struct mg_scheck *
mg_stable_add_check(struct mg_schema *s, struct mg_stable *t, const char *rev)
{
	struct mg_scheck *k;

	mg_schema_own(s, t);
	grow(s, &t->checks, &t->capchecks, t->nchecks + 1, sizeof(*t->checks));
	k = &t->checks[t->nchecks++];
	memset(k, 0, sizeof(*k));
	k->validated = 1;
	k->rev = made_by(s, rev);
	return k;
}

int
mg_stable_drop_constraint(struct mg_schema *s, struct mg_stable *t, const char *name)
{
	size_t i;

	mg_schema_own(s, t);
	for (i = 0; name != NULL && i < t->nindexes; i++)
		if (ident_eq(t->indexes[i].name, name)) {
			if (t->indexes[i].kind != MG_IX_INDEX || t->indexes[i].unique)
				drop_referencing(s, t, t->indexes[i].columns,
				                 t->indexes[i].ncolumns, NULL);
			remove_at(t->indexes, &t->nindexes, i, sizeof(*t->indexes));
			return 1;
		}
	for (i = 0; name != NULL && i < t->nfkeys; i++)
		if (ident_eq(t->fkeys[i].name, name)) {
			remove_at(t->fkeys, &t->nfkeys, i, sizeof(*t->fkeys));
			return 1;
		}
	for (i = 0; name != NULL && i < t->nchecks; i++)
		if (ident_eq(t->checks[i].name, name)) {
			remove_at(t->checks, &t->nchecks, i, sizeof(*t->checks));
			return 1;
		}
	return 0;
}

struct mg_senum *
mg_schema_add_enum(struct mg_schema *s, const char *schema, const char *name, const char *rev)
{
	struct mg_senum *e;

	grow(s, &s->enums, &s->capenums, s->nenums + 1, sizeof(*s->enums));
	e = &s->enums[s->nenums++];
	memset(e, 0, sizeof(*e));
	e->schema = mg_schema_id(s, mg_schema_name(schema));
	e->name = mg_schema_id(s, name);
	e->labels_known = 1;
	e->rev = made_by(s, rev);
	return e;
}

void
mg_senum_add_label(struct mg_schema *s, struct mg_senum *e, const char *label)
{
	if (label == NULL || names_in(e->labels, e->nlabels, label))
		return;
	grow(s, &e->labels, &e->caplabels, e->nlabels + 1, sizeof(*e->labels));
	e->labels[e->nlabels++] = mg_schema_str(s, label);
}

void
mg_schema_drop_enum(struct mg_schema *s, struct mg_senum *e)
{
	remove_at(s->enums, &s->nenums, (size_t)(e - s->enums), sizeof(*s->enums));
}

struct mg_ssequence *
mg_schema_add_sequence(struct mg_schema *s, const char *schema, const char *name, const char *rev)
{
	struct mg_ssequence *q;

	grow(s, &s->sequences, &s->capsequences, s->nsequences + 1, sizeof(*s->sequences));
	q = &s->sequences[s->nsequences++];
	memset(q, 0, sizeof(*q));
	q->schema = mg_schema_id(s, mg_schema_name(schema));
	q->name = mg_schema_id(s, name);
	q->rev = made_by(s, rev);
	return q;
}

void
mg_schema_drop_sequence(struct mg_schema *s, struct mg_ssequence *q)
{
	remove_at(s->sequences, &s->nsequences, (size_t)(q - s->sequences), sizeof(*s->sequences));
}

static void
add_uncertain(struct mg_schema *s, struct mg_uncertain **v, size_t *n, size_t *cap,
              const char *path, uint32_t line, const char *reason)
{
	size_t i;

	/* A loop the analyzer unrolled repeats the same fact: once is enough. */
	for (i = 0; i < *n; i++)
		if ((*v)[i].line == line && same((*v)[i].path, path) &&
		    same((*v)[i].reason, reason))
			return;
	/* Bounded, so that a hostile history cannot grow it without end: the
	 * first facts say enough that the table is not known for certain. */
	if (*n == MG_SCHEMA_MAX_UNCERTAIN) {
		reason = "more that migen cannot know (not listed)";
		path = NULL;
		line = 0;
	} else if (*n > MG_SCHEMA_MAX_UNCERTAIN) {
		return;
	}
	grow(s, v, cap, *n + 1, sizeof(**v));
	(*v)[*n].reason = mg_schema_str(s, reason);
	(*v)[*n].path = mg_schema_str(s, path);
	(*v)[*n].line = line;
	(*n)++;
}

void
mg_schema_uncertain(struct mg_schema *s, struct mg_stable *t, const char *path, uint32_t line,
                    const char *fmt, ...)
{
	struct mg_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	mg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (t != NULL)
		add_uncertain(s, &mg_schema_own(s, t)->uncertain, &t->nuncertain, &t->capuncertain,
		              path, line, b.s);
	else
		add_uncertain(s, &s->uncertain, &s->nuncertain, &s->capuncertain, path, line, b.s);
	mg_buf_free(&b);
}

void
mg_schema_uncertain_all(struct mg_schema *s, const char *path, uint32_t line, const char *reason)
{
	size_t i;

	for (i = 0; i < s->ntables; i++)
		mg_schema_uncertain(s, &s->tables[i], path, line, "%s", reason);
	mg_schema_uncertain(s, NULL, path, line, "%s", reason);
}

/* Copies. */

static void
copy_index(struct mg_schema *s, struct mg_sindex *d, const struct mg_sindex *x)
{
	size_t k;

	*d = *x;
	d->name = mg_schema_id(s, x->name);
	d->columns = strs(s, x->columns, x->ncolumns);
	d->is_expr = mg_arena_alloc(&s->arena, (x->ncolumns ? x->ncolumns : 1) * sizeof(int));
	for (k = 0; k < x->ncolumns; k++)
		d->is_expr[k] = x->is_expr[k];
	d->where = mg_schema_str(s, x->where);
	d->method = mg_schema_str(s, x->method);
	d->rev = origin(s, x->rev);
}

static void
copy_fkey(struct mg_schema *s, struct mg_sfkey *d, const struct mg_sfkey *x)
{
	size_t k;

	*d = *x;
	d->name = mg_schema_id(s, x->name);
	d->columns = strs(s, x->columns, x->ncolumns);
	d->ref_schema = mg_schema_str(s, x->ref_schema);
	d->ref_table = mg_schema_str(s, x->ref_table);
	d->ref_columns = strs(s, x->ref_columns, x->nref_columns);
	refs_add(s, d);
	/* What it points at is in seen (a prefilter: more hashes change no answer). */
	for (k = 0; k <= x->nref_columns; k++) {
		const char *n = k == x->nref_columns     ? x->ref_table
		                : x->ref_columns != NULL ? x->ref_columns[k]
		                                         : NULL;
		if (n != NULL)
			seen_add(s, name_hash(n, cliplen(n, NAMEDATALEN - 1)));
	}
	d->on_delete = mg_schema_str(s, x->on_delete);
	d->rev = origin(s, x->rev);
}

static void
copy_check(struct mg_schema *s, struct mg_scheck *d, const struct mg_scheck *x)
{
	*d = *x;
	d->name = mg_schema_id(s, x->name);
	d->expr = mg_schema_str(s, x->expr);
	d->rev = origin(s, x->rev);
}

static void
copy_column(struct mg_schema *s, struct mg_scolumn *d, const struct mg_scolumn *x)
{
	*d = *x;
	d->name = mg_schema_id(s, x->name);
	d->type = mg_schema_str(s, x->type);
	d->dflt = mg_schema_str(s, x->dflt);
	d->seq = mg_schema_str(s, x->seq);
	d->rev = origin(s, x->rev);
}

static void
copy_uncertain(struct mg_schema *s, struct mg_uncertain **v, size_t *n, size_t *cap,
               const struct mg_uncertain *x, size_t nx)
{
	size_t i;

	for (i = 0; i < nx; i++)
		add_uncertain(s, v, n, cap, x[i].path, x[i].line, x[i].reason);
}

/* Adds what table x has and t has not (t empty: a copy). */
static void
merge_table(struct mg_schema *s, struct mg_stable *t, const struct mg_stable *x)
{
	size_t i;

	for (i = 0; i < x->ncolumns; i++)
		if (mg_stable_column(t, x->columns[i].name) == NULL) {
			grow(s, &t->columns, &t->capcolumns, t->ncolumns + 1, sizeof(*t->columns));
			copy_column(s, &t->columns[t->ncolumns++], &x->columns[i]);
		}
	for (i = 0; i < x->nindexes; i++)
		if (x->indexes[i].name == NULL || mg_stable_index(t, x->indexes[i].name) == NULL) {
			grow(s, &t->indexes, &t->capindexes, t->nindexes + 1, sizeof(*t->indexes));
			copy_index(s, &t->indexes[t->nindexes++], &x->indexes[i]);
		}
	for (i = 0; i < x->nfkeys; i++)
		if (x->fkeys[i].name == NULL || mg_stable_fkey(t, x->fkeys[i].name) == NULL) {
			grow(s, &t->fkeys, &t->capfkeys, t->nfkeys + 1, sizeof(*t->fkeys));
			copy_fkey(s, &t->fkeys[t->nfkeys++], &x->fkeys[i]);
		}
	for (i = 0; i < x->nchecks; i++)
		if (x->checks[i].name == NULL || mg_stable_check(t, x->checks[i].name) == NULL) {
			grow(s, &t->checks, &t->capchecks, t->nchecks + 1, sizeof(*t->checks));
			copy_check(s, &t->checks[t->nchecks++], &x->checks[i]);
		}
	copy_uncertain(s, &t->uncertain, &t->nuncertain, &t->capuncertain, x->uncertain,
	               x->nuncertain);
}

void
mg_schema_merge(struct mg_schema *into, const struct mg_schema *o)
{
	size_t i, k;
	/* Into an empty schema (a copy), every object is new: no lookups, which
	 * would make a copy quadratic in the number of tables. */
	int fresh = into->ntables == 0 && into->nenums == 0 && into->nsequences == 0;

	for (i = 0; i < o->ntables; i++) {
		const struct mg_stable *x = &o->tables[i];
		struct mg_stable *t = fresh ? NULL : mg_schema_table(into, x->schema, x->name);
		if (t == NULL) {
			t = mg_schema_add_table(into, x->schema, x->name, NULL);
			t->rev = origin(into, x->rev);
		}
		merge_table(into, t, x);
	}
	for (i = 0; i < o->nenums; i++) {
		const struct mg_senum *x = &o->enums[i];
		struct mg_senum *e = fresh ? NULL : mg_schema_enum(into, x->schema, x->name);
		if (e == NULL) {
			e = mg_schema_add_enum(into, x->schema, x->name, NULL);
			e->rev = origin(into, x->rev);
			e->labels_known = x->labels_known;
		}
		for (k = 0; k < x->nlabels; k++)
			mg_senum_add_label(into, e, x->labels[k]);
	}
	for (i = 0; i < o->nsequences; i++) {
		const struct mg_ssequence *x = &o->sequences[i];
		struct mg_ssequence *q;
		if (!fresh && mg_schema_sequence(into, x->schema, x->name) != NULL)
			continue;
		q = mg_schema_add_sequence(into, x->schema, x->name, NULL);
		q->owner_table = mg_schema_str(into, x->owner_table);
		q->owner_column = mg_schema_str(into, x->owner_column);
		q->rev = origin(into, x->rev);
	}
	copy_uncertain(into, &into->uncertain, &into->nuncertain, &into->capuncertain, o->uncertain,
	               o->nuncertain);
	if (o->nrevisions > 0) {
		const char **v =
		    mg_arena_alloc(&into->arena, (into->nrevisions + o->nrevisions) * sizeof(*v));
		size_t n = 0;
		for (i = 0; i < into->nrevisions; i++)
			v[n++] = into->revisions[i];
		for (i = 0; i < o->nrevisions; i++)
			if (!names_in(v, n, o->revisions[i]))
				v[n++] = mg_schema_str(into, o->revisions[i]);
		into->revisions = v;
		into->nrevisions = n;
	}
}

void
mg_schema_add_revision(struct mg_schema *s, const char *rev)
{
	const char **v;

	if (rev == NULL || names_in(s->revisions, s->nrevisions, rev))
		return;
	v = mg_arena_alloc(&s->arena, (s->nrevisions + 1) * sizeof(*v));
	if (s->nrevisions > 0)
		memcpy(v, s->revisions, s->nrevisions * sizeof(*v));
	v[s->nrevisions++] = mg_schema_str(s, rev);
	s->revisions = v;
}

/*
 * An array copied into c's arena (NULL stays NULL; an empty one is still
 * an array). Only the lists are copied: they change in place (a column
 * renamed in an index, a label appended); strings never do.
 */
static void *
dup_array(struct mg_schema *c, const void *v, size_t n, size_t sz)
{
	void *out;

	if (v == NULL)
		return NULL;
	out = mg_arena_alloc_raw(&c->arena, (n ? n : 1) * sz);
	if (n > 0)
		memcpy(out, v, n * sz);
	return out;
}

#define DUP(c, v, n) dup_array((c), (v), (n), sizeof(*(v)))

static void
share_table(struct mg_schema *c, struct mg_stable *t, const struct mg_stable *x)
{
	size_t i;

	*t = *x;
	t->columns = DUP(c, x->columns, x->ncolumns);
	t->capcolumns = t->columns ? x->ncolumns : 0;
	t->indexes = DUP(c, x->indexes, x->nindexes);
	t->capindexes = t->indexes ? x->nindexes : 0;
	for (i = 0; i < x->nindexes; i++) {
		const struct mg_sindex *xi = &x->indexes[i];
		t->indexes[i].columns = DUP(c, xi->columns, xi->ncolumns);
		t->indexes[i].is_expr = mg_arena_alloc(
		    &c->arena, (xi->ncolumns ? xi->ncolumns : 1) * sizeof(*xi->is_expr));
		if (xi->is_expr != NULL && xi->ncolumns > 0)
			memcpy(t->indexes[i].is_expr, xi->is_expr,
			       xi->ncolumns * sizeof(*xi->is_expr));
	}
	t->fkeys = DUP(c, x->fkeys, x->nfkeys);
	t->capfkeys = t->fkeys ? x->nfkeys : 0;
	for (i = 0; i < x->nfkeys; i++) {
		t->fkeys[i].columns = DUP(c, x->fkeys[i].columns, x->fkeys[i].ncolumns);
		t->fkeys[i].ref_columns = DUP(c, x->fkeys[i].ref_columns, x->fkeys[i].nref_columns);
	}
	t->checks = DUP(c, x->checks, x->nchecks);
	t->capchecks = t->checks ? x->nchecks : 0;
	t->uncertain = DUP(c, x->uncertain, x->nuncertain);
	t->capuncertain = t->uncertain ? x->nuncertain : 0;
}

struct mg_schema *
mg_schema_copy(const struct mg_schema *s)
{
	struct mg_schema *c = mg_schema_new();
	size_t i;

	/* The copy shares s's strings (the pool lives until both are freed): a
	 * copy at every fork point of a long history costs the lists, not every
	 * name again. */
	free(c->pool);
	c->pool = s->pool;
	s->pool->refs++;
	c->tables = DUP(c, s->tables, s->ntables);
	c->ntables = c->captables = c->tables ? s->ntables : 0;
	for (i = 0; i < s->ntables; i++)
		share_table(c, &c->tables[i], &s->tables[i]);
	c->enums = DUP(c, s->enums, s->nenums);
	c->nenums = c->capenums = c->enums ? s->nenums : 0;
	for (i = 0; i < s->nenums; i++) {
		c->enums[i].labels = DUP(c, s->enums[i].labels, s->enums[i].nlabels);
		c->enums[i].caplabels = c->enums[i].labels ? s->enums[i].nlabels : 0;
	}
	c->sequences = DUP(c, s->sequences, s->nsequences);
	c->nsequences = c->capsequences = c->sequences ? s->nsequences : 0;
	c->uncertain = DUP(c, s->uncertain, s->nuncertain);
	c->nuncertain = c->capuncertain = c->uncertain ? s->nuncertain : 0;
	if (s->nrevisions > 0) {
		c->revisions = DUP(c, s->revisions, s->nrevisions);
		c->nrevisions = s->nrevisions;
	}
	hashes_copy(&c->seen, &s->seen);
	hashes_copy(&c->refs, &s->refs);
	if (s->captabhash > 0) {
		c->tabhash = mg_xcalloc(s->captabhash, sizeof(*c->tabhash));
		memcpy(c->tabhash, s->tabhash, s->captabhash * sizeof(*c->tabhash));
		c->captabhash = s->captabhash;
	}
	return c;
}

struct mg_stable *
mg_schema_own(struct mg_schema *s, struct mg_stable *t)
{
	if (t != NULL && t->borrowed) {
		struct mg_stable x = *t;
		share_table(s, t, &x); /* the lists copied from the base's */
		t->borrowed = 0;
		changed_add(s, t);
	}
	return t;
}

#define OVERLAY_ROOM 16

struct mg_schema *
mg_schema_overlay(const struct mg_schema *base)
{
	struct mg_schema *c = mg_schema_new();
	size_t i;

	free(c->pool);
	c->pool = base->pool;
	base->pool->refs++;
	c->base = base;
	/* The table structs are its own (names, counts and list pointers change
	 * in them); their lists stay base's until mg_schema_own(). Room for the
	 * tables a revision creates, so that the first one does not copy them all
	 * again. */
	c->captables = base->ntables + OVERLAY_ROOM;
	c->tables = mg_arena_alloc_raw(&c->arena, c->captables * sizeof(*c->tables));
	if (base->ntables > 0)
		memcpy(c->tables, base->tables, base->ntables * sizeof(*c->tables));
	c->ntables = base->ntables;
	for (i = 0; i < c->ntables; i++)
		c->tables[i].borrowed = 1;
	c->enums = DUP(c, base->enums, base->nenums);
	c->nenums = c->capenums = c->enums ? base->nenums : 0;
	for (i = 0; i < base->nenums; i++) {
		c->enums[i].labels = DUP(c, base->enums[i].labels, base->enums[i].nlabels);
		c->enums[i].caplabels = c->enums[i].labels ? base->enums[i].nlabels : 0;
	}
	c->sequences = DUP(c, base->sequences, base->nsequences);
	c->nsequences = c->capsequences = c->sequences ? base->nsequences : 0;
	c->uncertain = DUP(c, base->uncertain, base->nuncertain);
	c->nuncertain = c->capuncertain = c->uncertain ? base->nuncertain : 0;
	if (base->nrevisions > 0) {
		c->revisions = DUP(c, base->revisions, base->nrevisions);
		c->nrevisions = base->nrevisions;
	}
	/* seen and refs: its own additions, base's read through c->base (seen_has, refs_has). */
	c->tabhash = base->tabhash;
	c->captabhash = base->captabhash;
	c->tabhash_borrowed = base->captabhash > 0;
#ifndef NDEBUG
	c->check = mg_schema_copy(base);
#endif
	return c;
}

#ifndef NDEBUG
static int
same_strs(const char *const *x, const char *const *y, size_t n)
{
	size_t i;

	if (x == NULL || y == NULL)
		return x == y;
	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/*
 * Debug builds: an overlay that changed a borrowed list without
 * mg_schema_own() changed its base too. Compares the base with the copy
 * made with the overlay, list by list, and stops on a difference.
 */
static void
overlay_check(const struct mg_schema *s)
{
	const struct mg_schema *b = s->base, *k = s->check;
	size_t i, j;
	int ok = b->ntables == k->ntables;

	for (i = 0; ok && i < b->ntables; i++) {
		const struct mg_stable *x = &b->tables[i], *y = &k->tables[i];
		ok = x->name == y->name && x->schema == y->schema && x->ncolumns == y->ncolumns &&
		     x->nindexes == y->nindexes && x->nfkeys == y->nfkeys &&
		     x->nchecks == y->nchecks && x->nuncertain == y->nuncertain;
		for (j = 0; ok && j < x->ncolumns; j++) {
			const struct mg_scolumn *p = &x->columns[j], *r = &y->columns[j];
			ok = p->name == r->name && p->type == r->type &&
			     p->nullable == r->nullable && p->dflt == r->dflt &&
			     p->identity == r->identity && p->generated == r->generated &&
			     p->seq == r->seq;
		}
		for (j = 0; ok && j < x->nindexes; j++) {
			const struct mg_sindex *p = &x->indexes[j], *r = &y->indexes[j];
			ok = p->name == r->name && p->kind == r->kind &&
			     p->ncolumns == r->ncolumns && p->unique == r->unique &&
			     p->where == r->where && p->method == r->method &&
			     p->valid == r->valid && same_strs(p->columns, r->columns, p->ncolumns);
		}
		for (j = 0; ok && j < x->nfkeys; j++) {
			const struct mg_sfkey *p = &x->fkeys[j], *r = &y->fkeys[j];
			ok = p->name == r->name && p->ref_table == r->ref_table &&
			     p->on_delete == r->on_delete && p->validated == r->validated &&
			     p->ncolumns == r->ncolumns && p->nref_columns == r->nref_columns &&
			     same_strs(p->columns, r->columns, p->ncolumns) &&
			     same_strs(p->ref_columns, r->ref_columns, p->nref_columns);
		}
		for (j = 0; ok && j < x->nchecks; j++)
			ok = x->checks[j].name == y->checks[j].name &&
			     x->checks[j].expr == y->checks[j].expr &&
			     x->checks[j].validated == y->checks[j].validated;
		for (j = 0; ok && j < x->nuncertain; j++)
			ok = x->uncertain[j].reason == y->uncertain[j].reason &&
			     x->uncertain[j].line == y->uncertain[j].line;
	}
	if (!ok) {
		fputs("migen: internal error: a schema overlay changed its base\n", stderr);
		abort();
	}
}
#endif

/* Default names, as PostgreSQL's makeObjectName() and ChooseRelationName() make them. */

const char *
mg_schema_object_name(struct mg_arena *a, const char *name1, const char *name2, const char *label)
{
	size_t overhead = 0, avail, n1 = strlen(name1), n2 = name2 ? strlen(name2) : 0;

	if (label != NULL)
		overhead += strlen(label) + 1;
	if (name2 != NULL)
		overhead++;
	avail = NAMEDATALEN - 1 > overhead ? NAMEDATALEN - 1 - overhead : 0;
	while (n1 + n2 > avail) {
		if (n1 > n2)
			n1--;
		else
			n2--;
	}
	n1 = cliplen(name1, n1);
	if (name2 != NULL)
		n2 = cliplen(name2, n2);
	return mg_arena_printf(a, "%.*s%s%.*s%s%s", (int)n1, name1, name2 ? "_" : "", (int)n2,
	                       name2 ? name2 : "", label ? "_" : "", label ? label : "");
}

/* Whether name is taken in schema: a table, index, sequence or constraint. */
static int
taken(const struct mg_schema *s, const char *schema, const char *name)
{
	size_t i;

	if (!seen_has(s, name_hash(name, cliplen(name, NAMEDATALEN - 1))))
		return 0;
	schema = mg_schema_name(schema);
	if (mg_schema_sequence(s, schema, name) != NULL)
		return 1;
	for (i = 0; i < s->ntables; i++) {
		const struct mg_stable *t = &s->tables[i];
		if (strcmp(t->schema, schema) != 0)
			continue;
		if (strcmp(t->name, name) == 0 || mg_stable_index(t, name) != NULL ||
		    mg_stable_fkey(t, name) != NULL || mg_stable_check(t, name) != NULL)
			return 1;
	}
	return 0;
}

const char *
mg_schema_default_name(struct mg_schema *s, const char *schema, const char *table,
                       const char *const *cols, size_t ncols, const char *label)
{
	struct mg_buf b = {0};
	const char *name;
	size_t i;
	int pass;

	/* The columns joined by '_', stopping once past NAMEDATALEN (as PostgreSQL does). */
	for (i = 0; i < ncols; i++) {
		if (i > 0)
			mg_buf_putc(&b, '_');
		mg_buf_puts(&b, cols[i] != NULL ? cols[i] : "expr");
		if (b.len >= NAMEDATALEN)
			break;
	}
	name = mg_schema_object_name(&s->pool->arena, table, ncols ? b.s : NULL, label);
	for (pass = 1; taken(s, schema, name) && pass < 1000; pass++) {
		char mod[32];
		snprintf(mod, sizeof(mod), "%s%d", label, pass);
		name = mg_schema_object_name(&s->pool->arena, table, ncols ? b.s : NULL, mod);
	}
	mg_buf_free(&b);
	seen_add(s, name_hash(name, strlen(name)));
	return name;
}

/* A decoder's (schemacodec.c): it fills the lists itself, then restores these. */

const char *
mg_schema_strn(struct mg_schema *s, const char *bytes, size_t n)
{
	return mg_arena_strndup(&s->pool->arena, bytes, n);
}

void
mg_schema_hashes_add(struct mg_schema *s, int refs, const uint64_t *hashes, size_t n)
{
	struct mg_hashes *hs = refs ? &s->refs : &s->seen;
	size_t i;

	/* Sized once for all of them: hashes_add() doubles it while half full. */
	if (hs->cap == 0 && n > 0) {
		hs->cap = 256;
		while (hs->cap <= 2 * n)
			hs->cap *= 2;
		hs->v = mg_xcalloc(hs->cap, sizeof(*hs->v));
	}
	for (i = 0; i < n; i++)
		if (hashes[i] != 0) /* 0 marks a free slot; no hash here is 0 */
			hashes_add(hs, hashes[i]);
}

void
mg_schema_rehash(struct mg_schema *s)
{
	tabhash_build(s);
}
