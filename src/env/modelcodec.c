/*
 * The analysed model as bytes and back (see modelcodec.h): the model's
 * fields listed once, and the encoder, the decoder and the comparator that
 * walk the list.
 *
 * The encoding follows the list's order: unsigned numbers as LEB128
 * varints, ints zigzag-encoded, strings as varint(len + 1) then the bytes
 * and a NUL (0: NULL), arrays as a presence byte then their elements
 * (their count is a field listed before them).
 *
 * The field list is the one place that names the model's fields: add a
 * field to model.h, add it here (the unit test's layout check fails until
 * then), and the encoder, the decoder, the comparator and the cache
 * format's LAYOUT hash follow.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/modelcodec.h"
#include "cachefile.h"

#define NONE ((size_t)-1)

/* ---- the field list ------------------------------------------------- */

enum kind {
	K_SKIP, /* not stored: set by the loader (arena, path, src, lookup) */
	K_INT,  /* int or enum; lo..hi checked on load when lo < hi */
	K_U32,
	K_SIZE, /* a count, or an index checked against ref (when set) */
	K_CHAR,
	K_STR,
	K_STRUCT, /* an embedded struct of shape sub */
	K_PTR,    /* a pointer to one struct of shape sub, or NULL */
	K_ARR,    /* an arena array of count structs of shape sub, or NULL */
	K_HARR,   /* the same, malloc'ed (the model's own arrays, which mg_model_free frees) */
	K_CAP,    /* the capacity of a K_HARR: its count on load */
	K_STRS,   /* an arena array of count strings, or NULL */
	K_HSTRS,  /* the same, malloc'ed */
	K_INTS,   /* an arena array of count ints, or NULL */
	K_PAD,    /* not a field: C leaves padding after the field named (see the layout check) */
};

struct shape;

struct field {
	const char *name;
	enum kind kind;
	size_t off, size;
	size_t count;            /* arrays, K_CAP: offset of the size_t count */
	const struct shape *sub; /* K_STRUCT, K_PTR, K_ARR, K_HARR */
	int lo, hi;              /* K_INT: accepted values */
	int ref;                 /* K_SIZE: the model array it indexes (REF_*), or NONE */
};

struct shape {
	const char *name;
	size_t size, align;
	const struct field *f;
	size_t n;
};

/* clang-format off */
enum { REF_NONE, REF_OPS, REF_INDEXES, REF_TABLES };
#define FSZ(T, x) sizeof(((T *)0)->x)
#define FLD(T, x, k, cnt, sub, lo, hi, ref) {#x, k, offsetof(T, x), FSZ(T, x), cnt, sub, lo, hi, ref}
#define F(T, x, k) FLD(T, x, k, 0, NULL, 0, 0, REF_NONE)
#define RANGE(T, x, lo, hi) FLD(T, x, K_INT, 0, NULL, lo, hi, REF_NONE)
#define TRI(T, x) RANGE(T, x, MG_UNKNOWN, MG_YES)
#define REF(T, x, arr) FLD(T, x, K_SIZE, 0, NULL, 0, 0, arr)
#define SUB(T, x, k, s) FLD(T, x, k, 0, &s, 0, 0, REF_NONE)
#define ARR(T, x, k, n, s) FLD(T, x, k, offsetof(T, n), s, 0, 0, REF_NONE)
#define PAD(T, after) {#after, K_PAD, offsetof(T, after), 0, 0, NULL, 0, 0, REF_NONE}
/* clang-format on */
/* clang-format off */
#define SHAPE(T, list) {#T, sizeof(T), _Alignof(T), list, sizeof(list) / sizeof(list[0])}
/* clang-format on */

#define DIR(T, x) RANGE(T, x, MG_UPGRADE, MG_DOWNGRADE)
#define SOURCE(T, x) RANGE(T, x, MG_SRC_OP, MG_SRC_TABLE)

static const struct field span_f[] = {
    F(struct mg_span, start, K_U32),
    F(struct mg_span, end, K_U32),
    F(struct mg_span, line, K_U32),
    F(struct mg_span, col, K_U32),
};
static const struct shape span_s = SHAPE(struct mg_span, span_f);

static const struct field strlist_f[] = {
    F(struct mg_strlist, n, K_SIZE),
    ARR(struct mg_strlist, v, K_STRS, n, NULL),
    F(struct mg_strlist, present, K_INT),
    F(struct mg_strlist, known, K_INT),
};
static const struct shape strlist_s = SHAPE(struct mg_strlist, strlist_f);

static const struct field revinfo_f[] = {
    F(struct mg_revinfo, revision, K_STR),
    SUB(struct mg_revinfo, revision_span, K_STRUCT, span_s),
    F(struct mg_revinfo, has_revision, K_INT),
    PAD(struct mg_revinfo, has_revision),
    SUB(struct mg_revinfo, down_revision, K_STRUCT, strlist_s),
    SUB(struct mg_revinfo, branch_labels, K_STRUCT, strlist_s),
    SUB(struct mg_revinfo, depends_on, K_STRUCT, strlist_s),
    F(struct mg_revinfo, message, K_STR),
};
static const struct shape revinfo_s = SHAPE(struct mg_revinfo, revinfo_f);

static const struct field column_f[] = {
    F(struct mg_column, name, K_STR),
    F(struct mg_column, type, K_STR),
    TRI(struct mg_column, nullable),
    F(struct mg_column, nullable_given, K_INT),
    TRI(struct mg_column, primary_key),
    PAD(struct mg_column, primary_key),
    F(struct mg_column, server_default, K_STR),
    TRI(struct mg_column, has_server_default),
    PAD(struct mg_column, has_server_default),
    F(struct mg_column, foreign_key, K_STR),
    F(struct mg_column, index, K_INT),
    F(struct mg_column, unique, K_INT),
    F(struct mg_column, generated, K_INT),
    F(struct mg_column, line, K_U32),
    F(struct mg_column, foreign_key_name, K_STR),
    F(struct mg_column, type_expr, K_STR),
    F(struct mg_column, pg_type, K_STR),
    F(struct mg_column, identity, K_INT),
    F(struct mg_column, computed, K_INT),
    F(struct mg_column, foreign_key_ondelete, K_STR),
    F(struct mg_column, check, K_STR),
    F(struct mg_column, check_name, K_STR),
    TRI(struct mg_column, autoincrement),
    F(struct mg_column, has_sequence, K_INT),
    F(struct mg_column, flags_unknown, K_INT),
    PAD(struct mg_column, flags_unknown),
};
static const struct shape column_s = SHAPE(struct mg_column, column_f);

static const struct field index_f[] = {
    F(struct mg_index, name, K_STR),
    F(struct mg_index, table, K_STR),
    F(struct mg_index, schema, K_STR),
    F(struct mg_index, ncolumns, K_SIZE),
    ARR(struct mg_index, columns, K_STRS, ncolumns, NULL),
    ARR(struct mg_index, is_expr, K_INTS, ncolumns, NULL),
    ARR(struct mg_index, elements, K_STRS, ncolumns, NULL),
    F(struct mg_index, columns_known, K_INT),
    RANGE(struct mg_index, kind, MG_IX_INDEX, MG_IX_UNIQUE),
    F(struct mg_index, unique, K_INT),
    F(struct mg_index, concurrently, K_INT),
    F(struct mg_index, if_not_exists, K_INT),
    PAD(struct mg_index, if_not_exists),
    F(struct mg_index, where, K_STR),
    F(struct mg_index, using_method, K_STR),
    ARR(struct mg_index, opclass, K_STRS, ncolumns, NULL),
    F(struct mg_index, ninclude, K_SIZE),
    ARR(struct mg_index, include, K_STRS, ninclude, NULL),
    F(struct mg_index, with_sql, K_STR),
    F(struct mg_index, tablespace, K_STR),
    F(struct mg_index, nulls_not_distinct, K_INT),
    PAD(struct mg_index, nulls_not_distinct),
    F(struct mg_index, no_code, K_STR),
    DIR(struct mg_index, dir),
    SOURCE(struct mg_index, source),
    F(struct mg_index, autocommit, K_INT),
    PAD(struct mg_index, autocommit),
    REF(struct mg_index, op, REF_OPS),
    F(struct mg_index, line, K_U32),
    F(struct mg_index, col, K_U32),
    F(struct mg_index, name_expr, K_STR),
};
static const struct shape index_s = SHAPE(struct mg_index, index_f);

static const struct field fkey_f[] = {
    F(struct mg_fkey, table, K_STR),
    F(struct mg_fkey, ncolumns, K_SIZE),
    ARR(struct mg_fkey, columns, K_STRS, ncolumns, NULL),
    F(struct mg_fkey, ref_table, K_STR),
    DIR(struct mg_fkey, dir),
    SOURCE(struct mg_fkey, source),
    REF(struct mg_fkey, op, REF_OPS),
    F(struct mg_fkey, line, K_U32),
    F(struct mg_fkey, col, K_U32),
    F(struct mg_fkey, name, K_STR),
    F(struct mg_fkey, schema, K_STR),
    F(struct mg_fkey, ref_schema, K_STR),
    F(struct mg_fkey, nref_columns, K_SIZE),
    ARR(struct mg_fkey, ref_columns, K_STRS, nref_columns, NULL),
    F(struct mg_fkey, ondelete, K_STR),
    F(struct mg_fkey, not_valid, K_INT),
    PAD(struct mg_fkey, not_valid),
    F(struct mg_fkey, name_expr, K_STR),
};
static const struct shape fkey_s = SHAPE(struct mg_fkey, fkey_f);

static const struct field check_f[] = {
    F(struct mg_check, table, K_STR),     F(struct mg_check, schema, K_STR),
    F(struct mg_check, name, K_STR),      F(struct mg_check, name_expr, K_STR),
    F(struct mg_check, expr, K_STR),      F(struct mg_check, column, K_STR),
    F(struct mg_check, not_valid, K_INT), DIR(struct mg_check, dir),
    SOURCE(struct mg_check, source),      PAD(struct mg_check, source),
    REF(struct mg_check, op, REF_OPS),    F(struct mg_check, line, K_U32),
    PAD(struct mg_check, line),
};
static const struct shape check_s = SHAPE(struct mg_check, check_f);

static const struct field comment_f[] = {
    F(struct mg_comment, start, K_U32), F(struct mg_comment, line, K_U32),
    F(struct mg_comment, col, K_U32),   PAD(struct mg_comment, col),
    F(struct mg_comment, text, K_STR),
};
static const struct shape comment_s = SHAPE(struct mg_comment, comment_f);

static const struct field op_f[] = {
    RANGE(struct mg_op, kind, MG_OP_OTHER, MG_OP_RENAME_ENUM_VALUE),
    PAD(struct mg_op, kind),
    F(struct mg_op, name, K_STR),
    DIR(struct mg_op, dir),
    PAD(struct mg_op, dir),
    F(struct mg_op, function, K_STR),
    SOURCE(struct mg_op, source),
    PAD(struct mg_op, source),
    REF(struct mg_op, parent, REF_OPS),
    SUB(struct mg_op, span, K_STRUCT, span_s),
    SUB(struct mg_op, stmt, K_STRUCT, span_s),
    F(struct mg_op, autocommit, K_INT),
    F(struct mg_op, batch, K_INT),
    F(struct mg_op, in_loop, K_INT),
    PAD(struct mg_op, in_loop),
    F(struct mg_op, table, K_STR),
    F(struct mg_op, schema, K_STR),
    F(struct mg_op, column, K_STR),
    F(struct mg_op, new_name, K_STR),
    F(struct mg_op, object, K_STR),
    SUB(struct mg_op, coldef, K_PTR, column_s),
    TRI(struct mg_op, nullable),
    TRI(struct mg_op, has_server_default),
    F(struct mg_op, concurrently, K_INT),
    PAD(struct mg_op, concurrently),
    F(struct mg_op, nset, K_SIZE),
    ARR(struct mg_op, set_columns, K_STRS, nset, NULL),
    TRI(struct mg_op, whole_table),
    PAD(struct mg_op, whole_table),
    F(struct mg_op, sql, K_STR),
    F(struct mg_op, sql_line, K_U32),
    F(struct mg_op, sql_error, K_INT),
    REF(struct mg_op, index, REF_INDEXES),
    REF(struct mg_op, table_index, REF_TABLES),
    F(struct mg_op, sql_error_message, K_STR),
    F(struct mg_op, guard, K_STR),
    F(struct mg_op, type_expr, K_STR),
    F(struct mg_op, pg_type, K_STR),
    RANGE(struct mg_op, default_change, MG_DEFAULT_KEEP, MG_DEFAULT_DROP),
    PAD(struct mg_op, default_change),
    F(struct mg_op, server_default, K_STR),
    F(struct mg_op, object_type, K_STR),
    F(struct mg_op, if_exists, K_INT),
    F(struct mg_op, not_valid, K_INT),
    F(struct mg_op, opaque, K_INT),
    PAD(struct mg_op, opaque),
    F(struct mg_op, nlabels, K_SIZE),
    ARR(struct mg_op, labels, K_STRS, nlabels, NULL),
    F(struct mg_op, name_expr, K_STR),
    F(struct mg_op, using_index, K_STR),
    RANGE(struct mg_op, identity_change, -1, 1),
    RANGE(struct mg_op, rows, MG_ROWS_UNKNOWN, MG_ROWS_SOME),
    F(struct mg_op, set_sql, K_STR),
    F(struct mg_op, cascade, K_INT),
    PAD(struct mg_op, cascade),
};
static const struct shape op_s = SHAPE(struct mg_op, op_f);

/* Created tables point at their op; described ones (m->defined) at none. */
static const struct field table_f[] = {
    F(struct mg_table, name, K_STR),
    F(struct mg_table, schema, K_STR),
    F(struct mg_table, ncolumns, K_SIZE),
    ARR(struct mg_table, columns, K_ARR, ncolumns, &column_s),
    F(struct mg_table, columns_known, K_INT),
    PAD(struct mg_table, columns_known),
    REF(struct mg_table, op, REF_OPS),
    F(struct mg_table, line, K_U32),
    F(struct mg_table, col, K_U32),
};
static const struct shape table_s = SHAPE(struct mg_table, table_f);

static const struct field function_f[] = {
    F(struct mg_function, name, K_STR),       DIR(struct mg_function, dir),
    F(struct mg_function, body_start, K_U32), F(struct mg_function, body_line, K_U32),
    PAD(struct mg_function, body_line),
};
static const struct shape function_s = SHAPE(struct mg_function, function_f);

static const struct field helper_f[] = {
    F(struct mg_helper_call, name, K_STR),
    DIR(struct mg_helper_call, dir),
    SUB(struct mg_helper_call, span, K_STRUCT, span_s),
    PAD(struct mg_helper_call, span),
};
static const struct shape helper_s = SHAPE(struct mg_helper_call, helper_f);

static const struct field error_f[] = {
    F(struct mg_error, line, K_U32),
    F(struct mg_error, col, K_U32),
    F(struct mg_error, message, K_STR),
};
static const struct shape error_s = SHAPE(struct mg_error, error_f);

#define M struct mg_model
static const struct field model_f[] = {
    F(M, arena, K_SKIP),
    F(M, path, K_SKIP),
    SUB(M, rev, K_STRUCT, revinfo_s),
    F(M, nops, K_SIZE),
    ARR(M, ops, K_HARR, nops, &op_s),
    ARR(M, capops, K_CAP, nops, NULL),
    F(M, ntables, K_SIZE),
    ARR(M, tables, K_HARR, ntables, &table_s),
    ARR(M, captables, K_CAP, ntables, NULL),
    F(M, ndefined, K_SIZE),
    ARR(M, defined, K_HARR, ndefined, &table_s),
    ARR(M, capdefined, K_CAP, ndefined, NULL),
    F(M, nhelper_calls, K_SIZE),
    ARR(M, helper_calls, K_HARR, nhelper_calls, &helper_s),
    ARR(M, caphelper_calls, K_CAP, nhelper_calls, NULL),
    F(M, nindexes, K_SIZE),
    ARR(M, indexes, K_HARR, nindexes, &index_s),
    ARR(M, capindexes, K_CAP, nindexes, NULL),
    F(M, nfkeys, K_SIZE),
    ARR(M, fkeys, K_HARR, nfkeys, &fkey_s),
    ARR(M, capfkeys, K_CAP, nfkeys, NULL),
    F(M, nfunctions, K_SIZE),
    ARR(M, functions, K_HARR, nfunctions, &function_s),
    ARR(M, capfunctions, K_CAP, nfunctions, NULL),
    F(M, nerrors, K_SIZE),
    ARR(M, errors, K_HARR, nerrors, &error_s),
    ARR(M, caperrors, K_CAP, nerrors, NULL),
    F(M, nchecks, K_SIZE),
    ARR(M, checks, K_HARR, nchecks, &check_s),
    ARR(M, capchecks, K_CAP, nchecks, NULL),
    F(M, nnotes, K_SIZE),
    ARR(M, notes, K_HARR, nnotes, &error_s),
    ARR(M, capnotes, K_CAP, nnotes, NULL),
    F(M, has_upgrade, K_INT),
    F(M, has_downgrade, K_INT),
    F(M, syntax_errors, K_INT),
    F(M, nested_autocommit, K_U32),
    F(M, quote, K_CHAR),
    PAD(M, quote),
    F(M, indent, K_STR),
    F(M, eol, K_STR),
    F(M, src, K_SKIP),
    F(M, srclen, K_SIZE),
    F(M, nimports, K_SIZE),
    ARR(M, imports, K_HSTRS, nimports, NULL),
    ARR(M, capimports, K_CAP, nimports, NULL),
    ARR(M, import_targets, K_HSTRS, nimports, NULL),
    F(M, imports_end, K_U32),
    F(M, first_stmt, K_U32),
    F(M, lookup, K_SKIP),
    F(M, ncomments, K_SIZE),
    ARR(M, comments, K_HARR, ncomments, &comment_s),
    ARR(M, capcomments, K_CAP, ncomments, NULL),
};
#undef M
static const struct shape model_s = SHAPE(struct mg_model, model_f);

static const struct shape *const all_shapes[] = {
    &span_s,  &strlist_s,  &revinfo_s, &column_s, &index_s, &fkey_s,    &op_s,
    &table_s, &function_s, &helper_s,  &error_s,  &check_s, &comment_s, &model_s,
};

/* ---- checks on the list itself ---------------------------------------- */

static size_t
kind_size(const struct field *f)
{
	switch (f->kind) {
	case K_INT:
	case K_U32:
		return 4;
	case K_SIZE:
	case K_CAP:
		return sizeof(size_t);
	case K_CHAR:
		return 1;
	case K_STRUCT:
		return f->sub->size;
	case K_SKIP:
	case K_PAD:
		return f->size;
	default:
		return sizeof(void *);
	}
}

static int
offcmp(const void *a, const void *b)
{
	const struct field *x = *(const struct field *const *)a,
	                   *y = *(const struct field *const *)b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* Whether the list declares padding after the field at offset off. */
static int
padded_after(const struct shape *sh, size_t off)
{
	size_t i;

	for (i = 0; i < sh->n; i++)
		if (sh->f[i].kind == K_PAD && sh->f[i].off == off)
			return 1;
	return 0;
}

/*
 * Fields sorted by offset must follow each other without a gap, except
 * where the list says C pads (PAD), and there must be a gap there: a field
 * added to model.h either leaves an undeclared gap, shifts a listed field,
 * grows the struct, or fills a declared gap. Padding as on LP64 ABIs.
 */
static int
check_shape(const struct shape *sh, char *why, size_t whylen)
{
	const struct field **by = mg_xcalloc(sh->n, sizeof(*by));
	size_t i, k = 0, end = 0;
	int bad = 0;

	for (i = 0; i < sh->n; i++)
		if (sh->f[i].kind != K_PAD)
			by[k++] = &sh->f[i];
	qsort(by, k, sizeof(*by), offcmp);
	for (i = 0; i < k && !bad; i++) {
		const struct field *f = by[i];
		int pad = i > 0 && padded_after(sh, by[i - 1]->off);

		if (f->size != kind_size(f)) {
			snprintf(why, whylen, "%s.%s: listed with the wrong kind", sh->name,
			         f->name);
			bad = 1;
		} else if (f->off < end || (f->off > end) != pad || f->off - end >= sh->align) {
			snprintf(why, whylen,
			         "%s: %s at byte %zu, but the listed fields end at %zu%s", sh->name,
			         f->name, f->off, end,
			         pad ? " (padding declared)" : ": a field there is not listed");
			bad = 1;
		}
		end = f->off + f->size;
	}
	/* Padding is shorter than the alignment: a wider gap hides a field. */
	if (!bad && k > 0 &&
	    ((end < sh->size) != padded_after(sh, by[k - 1]->off) || sh->size - end >= sh->align)) {
		snprintf(why, whylen, "%s: the listed fields end at byte %zu of %zu", sh->name, end,
		         sh->size);
		bad = 1;
	}
	free(by);
	return bad ? -1 : 0;
}

int
mg_model_layout_check(char *why, size_t whylen)
{
	size_t s;

	for (s = 0; s < sizeof(all_shapes) / sizeof(all_shapes[0]); s++)
		if (check_shape(all_shapes[s], why, whylen) != 0)
			return -1;
	return 0;
}

/* A hash of the field list: a cache written with another list is not read. */
uint64_t
mg_model_layout_hash(void)
{
	uint64_t h = 1469598103934665603ULL;
	size_t s, i;

	for (s = 0; s < sizeof(all_shapes) / sizeof(all_shapes[0]); s++) {
		const struct shape *sh = all_shapes[s];
		h = mg_cache_fnv64(h, sh->name, strlen(sh->name) + 1);
		for (i = 0; i < sh->n; i++) {
			unsigned char k = (unsigned char)sh->f[i].kind;
			h = mg_cache_fnv64(h, sh->f[i].name, strlen(sh->f[i].name) + 1);
			h = mg_cache_fnv64(h, &k, 1);
			h = mg_cache_fnv64(h, &sh->f[i].lo, sizeof(int));
			h = mg_cache_fnv64(h, &sh->f[i].hi, sizeof(int));
		}
	}
	return h;
}

/* ---- encoding ----------------------------------------------------------- */

#define AT(base, off, T) (*(T *)((char *)(base) + (off)))
#define CAT(base, off, T) (*(const T *)((const char *)(base) + (off)))

static void
put_u(struct mg_buf *b, uint64_t v)
{
	char d[10];
	size_t n = 0;

	do {
		d[n] = (char)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			d[n] |= (char)0x80;
		n++;
	} while (v != 0);
	mg_buf_add(b, d, n);
}

static void
put_i(struct mg_buf *b, int v)
{
	put_u(b, ((uint64_t)(uint32_t)v << 1) ^ (uint64_t)(v < 0 ? 0x1ffffffffULL : 0));
}

static void
put_s(struct mg_buf *b, const char *s)
{
	size_t n;

	if (s == NULL) {
		put_u(b, 0);
		return;
	}
	n = strlen(s);
	put_u(b, (uint64_t)n + 1);
	mg_buf_add(b, s, n + 1);
}

static void put_struct(struct mg_buf *b, const struct shape *sh, const void *v);

static void
put_field(struct mg_buf *b, const struct field *f, const void *v)
{
	size_t i, n = f->count ? CAT(v, f->count, size_t) : 0;

	switch (f->kind) {
	case K_SKIP:
	case K_CAP:
	case K_PAD:
		break;
	case K_INT:
		put_i(b, CAT(v, f->off, int));
		break;
	case K_U32:
		put_u(b, CAT(v, f->off, uint32_t));
		break;
	case K_SIZE:
		put_u(b, (uint64_t)CAT(v, f->off, size_t));
		break;
	case K_CHAR:
		put_u(b, (unsigned char)CAT(v, f->off, char));
		break;
	case K_STR:
		put_s(b, CAT(v, f->off, char *));
		break;
	case K_STRUCT:
		put_struct(b, f->sub, (const char *)v + f->off);
		break;
	case K_PTR: {
		const void *p = CAT(v, f->off, void *);
		mg_buf_putc(b, p != NULL);
		if (p != NULL)
			put_struct(b, f->sub, p);
		break;
	}
	case K_ARR:
	case K_HARR: {
		const char *a = CAT(v, f->off, char *);
		mg_buf_putc(b, a != NULL);
		for (i = 0; a != NULL && i < n; i++)
			put_struct(b, f->sub, a + i * f->sub->size);
		break;
	}
	case K_STRS:
	case K_HSTRS: {
		const char *const *a = CAT(v, f->off, char *const *);
		mg_buf_putc(b, a != NULL);
		for (i = 0; a != NULL && i < n; i++)
			put_s(b, a[i]);
		break;
	}
	case K_INTS: {
		const int *a = CAT(v, f->off, int *);
		mg_buf_putc(b, a != NULL);
		for (i = 0; a != NULL && i < n; i++)
			put_i(b, a[i]);
		break;
	}
	}
}

static void
put_struct(struct mg_buf *b, const struct shape *sh, const void *v)
{
	size_t i;

	for (i = 0; i < sh->n; i++)
		put_field(b, &sh->f[i], v);
}

void
mg_model_encode(const struct mg_model *m, struct mg_buf *out)
{
	put_struct(out, &model_s, m);
}

/* ---- decoding ----------------------------------------------------------- */

/*
 * The reader works on the model's own copy of the record, so strings are
 * used in place: each is stored with its NUL, which is checked.
 */
struct rd {
	char *p, *end;
	struct mg_arena *a;
	int bad;
};

static uint64_t
get_u(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;

	/* Most numbers fit in one byte. */
	if (r->p < r->end && !(*r->p & 0x80))
		return (unsigned char)*r->p++;
	while (r->p < r->end && shift < 64) {
		unsigned char c = (unsigned char)*r->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
		shift += 7;
	}
	r->bad = 1;
	return 0;
}

static int
get_i(struct rd *r)
{
	uint64_t u = get_u(r);

	if (u > 0xffffffffULL) {
		r->bad = 1;
		return 0;
	}
	return (u & 1) ? -(int)(u >> 1) - 1 : (int)(u >> 1);
}

static const char *
get_s(struct rd *r)
{
	uint64_t n = get_u(r);
	const char *s;

	if (r->bad || n == 0)
		return NULL;
	if (n > (uint64_t)(r->end - r->p) || r->p[n - 1] != '\0') {
		r->bad = 1;
		return NULL;
	}
	s = r->p;
	r->p += n;
	return s;
}

static int
get_flag(struct rd *r)
{
	if (r->p >= r->end || (unsigned char)*r->p > 1) {
		r->bad = 1;
		return 0;
	}
	return *r->p++;
}

/* Room for n elements of at least one byte each: a count cannot promise more than the record holds.
 */
static void *
get_array(struct rd *r, size_t n, size_t sz, int heap)
{
	if (n > (size_t)(r->end - r->p)) {
		r->bad = 1;
		return NULL;
	}
	if (heap)
		return mg_xcalloc(n ? n : 1, sz);
	return mg_arena_alloc(r->a, (n ? n : 1) * sz);
}

static void get_struct(struct rd *r, const struct shape *sh, void *v);

static void
get_field(struct rd *r, const struct field *f, void *v)
{
	size_t i, n = f->count ? AT(v, f->count, size_t) : 0;

	switch (f->kind) {
	case K_SKIP:
	case K_PAD:
		break;
	case K_CAP:
		AT(v, f->off, size_t) = n;
		break;
	case K_INT: {
		int x = get_i(r);
		if (f->lo < f->hi && (x < f->lo || x > f->hi))
			r->bad = 1;
		AT(v, f->off, int) = x;
		break;
	}
	case K_U32: {
		uint64_t x = get_u(r);
		if (x > 0xffffffffULL)
			r->bad = 1;
		AT(v, f->off, uint32_t) = (uint32_t)x;
		break;
	}
	case K_SIZE:
		AT(v, f->off, size_t) = (size_t)get_u(r);
		break;
	case K_CHAR: {
		uint64_t x = get_u(r);
		if (x > 0x7f)
			r->bad = 1;
		AT(v, f->off, char) = (char)x;
		break;
	}
	case K_STR:
		AT(v, f->off, const char *) = get_s(r);
		break;
	case K_STRUCT:
		get_struct(r, f->sub, (char *)v + f->off);
		break;
	case K_PTR:
		if (get_flag(r)) {
			void *p = mg_arena_alloc(r->a, f->sub->size);
			get_struct(r, f->sub, p);
			AT(v, f->off, void *) = p;
		}
		break;
	case K_ARR:
	case K_HARR:
		if (get_flag(r)) {
			char *a = get_array(r, n, f->sub->size, f->kind == K_HARR);
			AT(v, f->off, char *) = a;
			for (i = 0; a != NULL && i < n && !r->bad; i++)
				get_struct(r, f->sub, a + i * f->sub->size);
		}
		break;
	case K_STRS:
	case K_HSTRS:
		if (get_flag(r)) {
			const char **a = get_array(r, n, sizeof(*a), f->kind == K_HSTRS);
			AT(v, f->off, const char **) = a;
			for (i = 0; a != NULL && i < n && !r->bad; i++)
				a[i] = get_s(r);
		}
		break;
	case K_INTS:
		if (get_flag(r)) {
			int *a = get_array(r, n, sizeof(*a), 0);
			AT(v, f->off, int *) = a;
			for (i = 0; a != NULL && i < n && !r->bad; i++)
				a[i] = get_i(r);
		}
		break;
	}
}

static void
get_struct(struct rd *r, const struct shape *sh, void *v)
{
	size_t i;

	for (i = 0; i < sh->n && !r->bad; i++)
		get_field(r, &sh->f[i], v);
}

static size_t
count_of(const struct mg_model *m, int ref)
{
	return ref == REF_OPS ? m->nops : ref == REF_INDEXES ? m->nindexes : m->ntables;
}

/* Whether a shape holds, at any depth, an index into another array. */
static int
find_refs(const struct shape *sh)
{
	size_t i;

	for (i = 0; i < sh->n; i++)
		if (sh->f[i].ref != REF_NONE || (sh->f[i].sub != NULL && find_refs(sh->f[i].sub)))
			return 1;
	return 0;
}

#define NSHAPES (sizeof(all_shapes) / sizeof(all_shapes[0]))
static unsigned char shape_refs[NSHAPES];
static pthread_once_t refs_once = PTHREAD_ONCE_INIT;

static void
init_refs(void)
{
	size_t s;

	for (s = 0; s < NSHAPES; s++)
		shape_refs[s] = (unsigned char)find_refs(all_shapes[s]);
}

/* Only shapes with indexes in them are walked by refs_ok(). */
static int
has_refs(const struct shape *sh)
{
	size_t s;

	for (s = 0; s < NSHAPES; s++)
		if (all_shapes[s] == sh)
			return shape_refs[s];
	return 1;
}

/* Every index into another array (K_SIZE with ref) in range, or NONE. */
static int
refs_ok(const struct mg_model *m, const struct shape *sh, const void *v)
{
	size_t i, j;

	for (i = 0; i < sh->n; i++) {
		const struct field *f = &sh->f[i];
		size_t n = f->count ? CAT(v, f->count, size_t) : 0;

		if (f->ref == REF_NONE && (f->sub == NULL || !has_refs(f->sub)))
			continue;
		if (f->kind == K_SIZE && f->ref != REF_NONE) {
			size_t x = CAT(v, f->off, size_t);
			if (x != NONE && x >= count_of(m, f->ref))
				return 0;
		} else if (f->kind == K_STRUCT && !refs_ok(m, f->sub, (const char *)v + f->off)) {
			return 0;
		} else if (f->kind == K_PTR && CAT(v, f->off, void *) != NULL &&
		           !refs_ok(m, f->sub, CAT(v, f->off, void *))) {
			return 0;
		} else if ((f->kind == K_ARR || f->kind == K_HARR) &&
		           CAT(v, f->off, char *) != NULL) {
			for (j = 0; j < n; j++)
				if (!refs_ok(m, f->sub, CAT(v, f->off, char *) + j * f->sub->size))
					return 0;
		}
	}
	return 1;
}

static int
all_set(const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		if (v[i] == NULL)
			return 0;
	return 1;
}

static int
span_ok(const struct mg_span *s, size_t len)
{
	return s->start <= s->end && s->end <= len;
}

/*
 * What readers of a model take for granted and the decoder cannot see field
 * by field: indexes into other arrays in range, spans inside the file, and
 * arrays present wherever a count says there are elements.
 */
static int
model_ok(const struct mg_model *m)
{
	size_t i;

	pthread_once(&refs_once, init_refs);
	if (!refs_ok(m, &model_s, m) || m->imports_end > m->srclen || m->first_stmt > m->srclen ||
	    m->indent == NULL || m->eol == NULL || (m->quote != '"' && m->quote != '\'') ||
	    !span_ok(&m->rev.revision_span, m->srclen))
		return 0;
	if ((m->nops && !m->ops) || (m->ntables && !m->tables) || (m->ndefined && !m->defined) ||
	    (m->nhelper_calls && !m->helper_calls) || (m->nindexes && !m->indexes) ||
	    (m->nfkeys && !m->fkeys) || (m->nfunctions && !m->functions) ||
	    (m->nerrors && !m->errors) || (m->nnotes && !m->notes) || (m->nimports && !m->imports))
		return 0;
	for (i = 0; i < m->nops; i++)
		if (!span_ok(&m->ops[i].span, m->srclen) || !span_ok(&m->ops[i].stmt, m->srclen) ||
		    (m->ops[i].nset && !m->ops[i].set_columns))
			return 0;
	for (i = 0; i < m->nhelper_calls; i++)
		if (!span_ok(&m->helper_calls[i].span, m->srclen))
			return 0;
	for (i = 0; i < m->nfunctions; i++)
		if (m->functions[i].body_start > m->srclen)
			return 0;
	for (i = 0; i < m->nindexes; i++) {
		const struct mg_index *ix = &m->indexes[i];
		if ((ix->ncolumns && (!ix->columns || !ix->is_expr)) ||
		    (ix->ninclude && !ix->include))
			return 0;
	}
	for (i = 0; i < m->nfkeys; i++)
		if (m->fkeys[i].ncolumns && !m->fkeys[i].columns)
			return 0;
	if ((m->nchecks && !m->checks) || (m->ncomments && !m->comments))
		return 0;
	for (i = 0; i < m->ncomments; i++)
		if (m->comments[i].text == NULL || m->comments[i].start > m->srclen)
			return 0;
	for (i = 0; i < m->nops; i++)
		if (!all_set(m->ops[i].labels, m->ops[i].nlabels))
			return 0;
	for (i = 0; i < m->nfkeys; i++)
		if (!all_set(m->fkeys[i].ref_columns, m->fkeys[i].nref_columns))
			return 0;
	for (i = 0; i < m->ntables + m->ndefined; i++) {
		const struct mg_table *t =
		    i < m->ntables ? &m->tables[i] : &m->defined[i - m->ntables];
		if (t->ncolumns && !t->columns)
			return 0;
		/* Rules read the op of every created table. */
		if (i < m->ntables && t->op == NONE)
			return 0;
	}
	for (i = 0; i < 3; i++) {
		const struct mg_strlist *l = i == 0   ? &m->rev.down_revision
		                             : i == 1 ? &m->rev.branch_labels
		                                      : &m->rev.depends_on;
		if ((l->n && !l->v) || !all_set(l->v, l->n))
			return 0;
	}
	/* Strings that readers use without asking whether they are there. */
	if (!all_set(m->imports, m->nimports))
		return 0;
	for (i = 0; i < m->nops; i++)
		if (!all_set(m->ops[i].set_columns, m->ops[i].nset))
			return 0;
	for (i = 0; i < m->nfunctions; i++)
		if (m->functions[i].name == NULL)
			return 0;
	for (i = 0; i < m->nerrors + m->nnotes; i++)
		if ((i < m->nerrors ? m->errors[i] : m->notes[i - m->nerrors]).message == NULL)
			return 0;
	return 1;
}

struct mg_model *
mg_model_decode(const char *p, size_t n, const char *path)
{
	struct mg_model *m = mg_model_new(path);
	struct rd r;

	r.p = mg_arena_alloc_raw(&m->arena, n ? n : 1);
	memcpy(r.p, p, n);
	r.end = r.p + n;
	r.a = &m->arena;
	r.bad = 0;
	get_struct(&r, &model_s, m);
	if (r.bad || r.p != r.end || !model_ok(m)) {
		mg_model_free(m);
		return NULL;
	}
	m->src = NULL;
	return m;
}

/* ---- deep comparison ---------------------------------------------------- */

static int same_struct(const struct shape *sh, const void *a, const void *b, struct mg_buf *where);

static int
same_field(const struct field *f, const void *a, const void *b, struct mg_buf *where)
{
	size_t i, n = f->count ? CAT(a, f->count, size_t) : 0, len = where->len;

	switch (f->kind) {
	case K_SKIP:
	case K_CAP:
	case K_PAD:
		return 1;
	case K_INT:
		return CAT(a, f->off, int) == CAT(b, f->off, int);
	case K_U32:
		return CAT(a, f->off, uint32_t) == CAT(b, f->off, uint32_t);
	case K_SIZE:
		return CAT(a, f->off, size_t) == CAT(b, f->off, size_t);
	case K_CHAR:
		return CAT(a, f->off, char) == CAT(b, f->off, char);
	case K_STR:
		return mg_str_same(CAT(a, f->off, char *), CAT(b, f->off, char *));
	case K_STRUCT:
		mg_buf_putc(where, '.');
		if (!same_struct(f->sub, (const char *)a + f->off, (const char *)b + f->off, where))
			return 0;
		break;
	case K_PTR: {
		const void *x = CAT(a, f->off, void *), *y = CAT(b, f->off, void *);
		if ((x == NULL) != (y == NULL))
			return 0;
		mg_buf_putc(where, '.');
		if (x != NULL && !same_struct(f->sub, x, y, where))
			return 0;
		break;
	}
	case K_ARR:
	case K_HARR:
	case K_STRS:
	case K_HSTRS:
	case K_INTS: {
		const char *x = CAT(a, f->off, char *), *y = CAT(b, f->off, char *);
		if ((x == NULL) != (y == NULL) || n != CAT(b, f->count, size_t))
			return 0;
		for (i = 0; x != NULL && i < n; i++) {
			int ok;
			where->len = len;
			mg_buf_printf(where, "[%zu]", i);
			if (f->kind == K_ARR || f->kind == K_HARR) {
				mg_buf_putc(where, '.');
				ok = same_struct(f->sub, x + i * f->sub->size, y + i * f->sub->size,
				                 where);
			} else if (f->kind == K_INTS) {
				ok = ((const int *)x)[i] == ((const int *)y)[i];
			} else {
				ok = mg_str_same(((const char *const *)x)[i],
				                 ((const char *const *)y)[i]);
			}
			if (!ok)
				return 0;
		}
		break;
	}
	}
	where->len = len;
	if (where->s != NULL)
		where->s[len] = '\0';
	return 1;
}

static int
same_struct(const struct shape *sh, const void *a, const void *b, struct mg_buf *where)
{
	size_t i, len = where->len;

	for (i = 0; i < sh->n; i++) {
		where->len = len;
		mg_buf_puts(where, sh->f[i].name);
		if (!same_field(&sh->f[i], a, b, where))
			return 0;
	}
	where->len = len;
	if (where->s != NULL)
		where->s[len] = '\0';
	return 1;
}

int
mg_model_same_deep(const struct mg_model *a, const struct mg_model *b, char *where, size_t wherelen)
{
	struct mg_buf w = {0};
	int same = same_struct(&model_s, a, b, &w);

	if (!same && where != NULL && wherelen > 0)
		snprintf(where, wherelen, "%s", w.s ? w.s : "");
	mg_buf_free(&w);
	return same;
}
