/*
 * The schema a project's migrations build, replayed from the files alone
 * (replay.c applies one migration's model to it; src/lint/history.c walks
 * the revision graph). A plain C model: what the schema printer prints and
 * what the lint rules ask ("is there an index leading with tenant_id?").
 *
 * Names are stored as PostgreSQL stores them: op.* names as written
 * (SQLAlchemy quotes any name that is not lower case), SQL identifiers
 * already folded by the parser. A table without a schema is in "public".
 * NULL means unknown: a type migen cannot name, a name that is not a
 * literal. What migen could not see is listed per table as uncertain facts.
 *
 * Ownership: a schema's lists live in its arena, its strings (copied in,
 * never changed in place) in a pool it shares with its copies; both are
 * released by mg_schema_free() (the pool with the last schema using it).
 * Pointers into a schema stay valid until the next change to the same list.
 */
#ifndef MIGEN_SCHEMA_H
#define MIGEN_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "migen/model.h"
#include "migen/util.h"

/* A project's own types mapped to PostgreSQL's ([tool.migen.types]). */
struct mg_typemap {
	const char **name; /* dotted name through the file's imports: "myapp.db.types.UUID" */
	const char **pg;   /* PostgreSQL's type name: "uuid" */
	size_t n;
};

/* The revision that created an object and the last one that changed it. */
struct mg_origin {
	const char *created;
	const char *changed;
};

/* Uncertain facts kept per table (then one that says there are more). */
#define MG_SCHEMA_MAX_UNCERTAIN 64

/* Something migen could not see that may change a table. */
struct mg_uncertain {
	const char *reason;
	const char *path;
	uint32_t line;
};

struct mg_scolumn {
	const char *name;
	const char *type; /* format_type(): "character varying(50)"; NULL: unknown */
	int nullable;     /* mg_tri */
	const char *dflt; /* server default as source text; NULL: none */
	int identity;     /* GENERATED ... AS IDENTITY */
	int generated;    /* GENERATED ALWAYS AS (...) STORED */
	const char *seq;  /* the sequence it owns (serial, identity), or NULL */
	struct mg_origin rev;
};

/* An index; a primary key and a unique constraint are one too (kind), as in pg_index. */
struct mg_sindex {
	const char *name; /* NULL: not known */
	enum mg_index_kind kind;
	const char **columns; /* a column name, or an expression's text */
	int *is_expr;
	size_t ncolumns;
	int unique;
	const char *where;  /* partial index predicate, or NULL */
	const char *method; /* "btree", "gin", ... */
	int valid;
	struct mg_origin rev;
};

struct mg_sfkey {
	const char *name;
	const char **columns;
	size_t ncolumns;
	const char *ref_schema;
	const char *ref_table;
	const char **ref_columns; /* NULL: not known */
	size_t nref_columns;
	const char *on_delete; /* "NO ACTION", "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT" */
	int validated;
	struct mg_origin rev;
};

struct mg_scheck {
	const char *name;
	const char *expr; /* NULL: not known */
	int validated;
	struct mg_origin rev;
};

struct mg_stable {
	const char *schema;
	const char *name;
	struct mg_scolumn *columns;
	size_t ncolumns, capcolumns;
	struct mg_sindex *indexes; /* primary key, unique constraints, indexes */
	size_t nindexes, capindexes;
	struct mg_sfkey *fkeys;
	size_t nfkeys, capfkeys;
	struct mg_scheck *checks;
	size_t nchecks, capchecks;
	struct mg_uncertain *uncertain;
	size_t nuncertain, capuncertain;
	struct mg_origin rev;
	/* In an overlay: the lists are still its base's (see mg_schema_overlay). */
	int borrowed;
};

struct mg_senum {
	const char *schema;
	const char *name;
	const char **labels;
	size_t nlabels, caplabels;
	int labels_known; /* 0: sa.Enum(SomePythonEnum): labels not known */
	struct mg_origin rev;
};

struct mg_ssequence {
	const char *schema;
	const char *name;
	const char *owner_table; /* serial/identity: the column owning it, else NULL */
	const char *owner_column;
	struct mg_origin rev;
};

struct mg_schema_pool;

/* A set of 64-bit hashes, 0 meaning an empty slot (open addressing, schema.c). */
struct mg_hashes {
	uint64_t *v;
	size_t n, cap;
};

struct mg_schema {
	struct mg_arena arena;    /* the lists */
	struct mg_stable *tables; /* in creation order */
	size_t ntables, captables;
	struct mg_senum *enums;
	size_t nenums, capenums;
	struct mg_ssequence *sequences;
	size_t nsequences, capsequences;
	/* What may touch tables migen cannot name (a create_table with a computed name). */
	struct mg_uncertain *uncertain;
	size_t nuncertain, capuncertain;
	const char **revisions; /* the revisions replayed last: the schema's heads */
	size_t nrevisions;
	struct mg_hashes seen; /* every identifier it held (default names' check) */
	/*
	 * What foreign keys pointed at, ever: each referenced table, and each
	 * referenced column by schema and name (a table's rename keeps it). A
	 * superset of what they point at now, so that a drop whose cascade has
	 * nothing to take skips the scan of every table's keys. Foreign keys
	 * are pointed through mg_sfkey_point() to keep it so.
	 */
	struct mg_hashes refs;
	/* The tables by schema and name: position + 1, 0 empty (open addressing). */
	uint32_t *tabhash;
	size_t captabhash;
	struct mg_schema_pool *pool; /* the strings, shared with its copies (schema.c) */
	/* An overlay's base (mg_schema_overlay), whose seen, refs and tabhash it reads. */
	const struct mg_schema *base;
	/*
	 * An overlay's tables that are not base's as they were (made its own,
	 * created, dropped, renamed: under each name they had), as pairs of
	 * schema and name: all mg_schema_diff compares when given its base.
	 */
	const char **changed;
	size_t nchanged, capchanged;
	int tabhash_borrowed;    /* tabhash is base's, copied before a change */
	struct mg_schema *check; /* debug builds: base as it was, compared when freed */
};

struct mg_schema *mg_schema_new(void);
void mg_schema_free(struct mg_schema *s);
/*
 * A copy (a branch point's schema given to each child): its own lists, the
 * strings shared with s (see Ownership above); either may be freed first.
 * s is not an overlay (below): an overlay's names are partly its base's.
 */
struct mg_schema *mg_schema_copy(const struct mg_schema *s);
/*
 * A copy whose tables borrow base's lists until they change (copy-on-write
 * by table): what downgrade-mismatch replays a revision onto, so that the
 * copy and the diff cost what the revision changes, not the whole schema.
 * base must not change, nor be freed, while the overlay lives. Every
 * change to a table's lists goes through mg_schema_own() first (the
 * changes below do it themselves); the list of tables, enums, sequences
 * and uncertain facts are the overlay's own.
 */
struct mg_schema *mg_schema_overlay(const struct mg_schema *base);
/*
 * t (of s) is about to change in place: in an overlay, a table that
 * borrows its base's lists gets its own copies first. Pointers into t's
 * lists taken before are stale after it. Returns t; a no-op elsewhere.
 */
struct mg_stable *mg_schema_own(struct mg_schema *s, struct mg_stable *t);
/*
 * Adds what other has and into has not: tables, and within tables present
 * in both the columns, indexes and constraints; enums (their labels),
 * sequences, uncertain facts and revisions. A union: what one side dropped
 * the other brings back, so the history does not build a merge revision's
 * schema with it (src/lint/history.c replays the other branches onto one
 * parent's schema instead, as `alembic upgrade` would).
 */
void mg_schema_merge(struct mg_schema *into, const struct mg_schema *other);

/* Adds a revision to the schema's list of revisions (its heads). */
void mg_schema_add_revision(struct mg_schema *s, const char *rev);
/* A string copied into the schema's strings (NULL stays NULL). */
const char *mg_schema_str(struct mg_schema *s, const char *str);

/*
 * An identifier copied into the schema as PostgreSQL keeps it: its first 63
 * bytes. Names a caller stores (an index's, a constraint's) go through it:
 * mg_schema_default_name() only checks names the schema has seen this way.
 */
const char *mg_schema_id(struct mg_schema *s, const char *name);
/* "public" for NULL. */
const char *mg_schema_name(const char *schema);
/*
 * An SQL identifier as PostgreSQL reads it: "Quoted" keeps its case
 * (doubled quotes undone), anything else is lower-cased. Arena copy.
 */
const char *mg_schema_ident(struct mg_arena *a, const char *text, size_t n);

/* Lookups; names compared exactly (see above), schema NULL meaning "public". */
struct mg_stable *mg_schema_table(const struct mg_schema *s, const char *schema, const char *name);
/* "users", "app.users", "\"Users\"": the name a person types, read as PostgreSQL would. */
struct mg_stable *mg_schema_table_named(const struct mg_schema *s, const char *text);
struct mg_scolumn *mg_stable_column(const struct mg_stable *t, const char *name);
struct mg_sindex *mg_stable_index(const struct mg_stable *t, const char *name);
struct mg_sfkey *mg_stable_fkey(const struct mg_stable *t, const char *name);
struct mg_scheck *mg_stable_check(const struct mg_stable *t, const char *name);
/* The primary key (an index of kind MG_IX_PRIMARY_KEY), or NULL. */
struct mg_sindex *mg_stable_pkey(const struct mg_stable *t);
/* The index of that name in schema (any table), and its table through *table. */
struct mg_sindex *mg_schema_index(const struct mg_schema *s, const char *schema, const char *name,
                                  struct mg_stable **table);
struct mg_senum *mg_schema_enum(const struct mg_schema *s, const char *schema, const char *name);
struct mg_ssequence *mg_schema_sequence(const struct mg_schema *s, const char *schema,
                                        const char *name);
/*
 * Whether an index, primary key or unique constraint of t leads with column.
 * full_only: only those a foreign key check can use (no WHERE, valid, the
 * column itself and not an expression).
 */
int mg_stable_has_index_leading(const struct mg_stable *t, const char *column, int full_only);

/* Changes (replay.c); rev is the revision id making them (copied). */
struct mg_stable *mg_schema_add_table(struct mg_schema *s, const char *schema, const char *name,
                                      const char *rev);
void mg_schema_drop_table(struct mg_schema *s, struct mg_stable *t);
/*
 * Renames a table; the foreign keys pointing at it and the sequences it
 * owns follow it (indexes, constraints and sequences keep their names).
 */
void mg_schema_rename_table(struct mg_schema *s, struct mg_stable *t, const char *name);
struct mg_scolumn *mg_stable_add_column(struct mg_schema *s, struct mg_stable *t, const char *name,
                                        const char *rev);
/*
 * Drops a column with what PostgreSQL drops with it: indexes and
 * constraints on it (and expressions and checks naming it), its sequence.
 */
void mg_stable_drop_column(struct mg_schema *s, struct mg_stable *t, const char *name);
/* Renames a column in the indexes and constraints that name it too. */
void mg_stable_rename_column(struct mg_schema *s, struct mg_stable *t, const char *from,
                             const char *to);
struct mg_sindex *mg_stable_add_index(struct mg_schema *s, struct mg_stable *t, const char *rev);
struct mg_sfkey *mg_stable_add_fkey(struct mg_schema *s, struct mg_stable *t, const char *rev);
/*
 * Points fk (of s) at ref_table (in ref_schema, NULL: "public") and its
 * ref_columns (NULL: not known), copied in. The only way to set a foreign
 * key's target: the drops that cascade find the keys through refs.
 */
void mg_sfkey_point(struct mg_schema *s, struct mg_sfkey *fk, const char *ref_schema,
                    const char *ref_table, const char *const *ref_columns, size_t nref_columns);
struct mg_scheck *mg_stable_add_check(struct mg_schema *s, struct mg_stable *t, const char *rev);
/*
 * Removes the index / foreign key / check constraint of that name; 1 if
 * there was one. A key or unique index takes the foreign keys pointing at
 * it along (DROP ... CASCADE), as DROP COLUMN does for the column's.
 */
int mg_stable_drop_constraint(struct mg_schema *s, struct mg_stable *t, const char *name);
struct mg_senum *mg_schema_add_enum(struct mg_schema *s, const char *schema, const char *name,
                                    const char *rev);
void mg_senum_add_label(struct mg_schema *s, struct mg_senum *e, const char *label);
void mg_schema_drop_enum(struct mg_schema *s, struct mg_senum *e);
struct mg_ssequence *mg_schema_add_sequence(struct mg_schema *s, const char *schema,
                                            const char *name, const char *rev);
void mg_schema_drop_sequence(struct mg_schema *s, struct mg_ssequence *q);
/* An uncertain fact about t (t NULL: about the schema), reason printf-style. */
void mg_schema_uncertain(struct mg_schema *s, struct mg_stable *t, const char *path, uint32_t line,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Marks every table (and the schema) uncertain: something may touch any of them. */
void mg_schema_uncertain_all(struct mg_schema *s, const char *path, uint32_t line,
                             const char *reason);
/* Records that rev changed the table. */
void mg_stable_touch(struct mg_schema *s, struct mg_stable *t, const char *rev);

/*
 * The name PostgreSQL gives an unnamed index or constraint on table:
 * table_col1_col2_label (label "pkey", "key", "fkey", "check", "idx",
 * "seq"), parts truncated to 63 bytes as makeObjectName() does, and a
 * number after the label while the name is taken in the table's schema
 * (indexes, constraints and relations). cols may be empty.
 */
const char *mg_schema_default_name(struct mg_schema *s, const char *schema, const char *table,
                                   const char *const *cols, size_t ncols, const char *label);
/* makeObjectName() alone: name1_name2_label cut to 63 bytes (name2 may be NULL). */
const char *mg_schema_object_name(struct mg_arena *a, const char *name1, const char *name2,
                                  const char *label);

/*
 * For a decoder that fills a schema's lists itself (schemacodec.c):
 * mg_schema_strn() copies n bytes (NULs and all: a block of strings) into
 * the schema's strings, with a NUL after them; mg_schema_hashes_add()
 * restores the identifier hashes the schema had seen (refs 0: what
 * mg_schema_default_name() checks names against) or what its foreign keys
 * ever pointed at (refs 1: what a drop's cascade checks); 0 is ignored;
 * mg_schema_rehash() rebuilds the lookup hash from the list of tables.
 */
const char *mg_schema_strn(struct mg_schema *s, const char *bytes, size_t n);
void mg_schema_hashes_add(struct mg_schema *s, int refs, const uint64_t *hashes, size_t n);
void mg_schema_rehash(struct mg_schema *s);

/* Types (types.c). */
struct mg_type_enum {
	const char *name;   /* the type's name (name=), NULL: not known */
	const char *schema; /* schema=, or NULL */
	const char **labels;
	size_t nlabels;
	int labels_known;
	int create; /* Alembic creates it with the table (create_type is not False) */
};
/*
 * A SQLAlchemy type expression (source text, as in a Column) as PostgreSQL
 * names it; NULL when not known. m gives the file's imports, map the
 * project's own types. When the type is an enum, *en (if not NULL) is
 * filled and the result is the enum's name.
 */
const char *mg_type_pg(struct mg_arena *a, const char *expr, const struct mg_model *m,
                       const struct mg_typemap *map, struct mg_type_enum *en);

/*
 * A server_default's source text as the SQL SQLAlchemy renders:
 * sa.text("now()") -> now(), "draft" -> 'draft', sa.func.now() -> now();
 * anything else as written.
 */
const char *mg_type_default_sql(struct mg_arena *a, const char *text);

/*
 * Applies the upgrade() of migration m (revision id rev, NULL when not a
 * literal) to s. Returns 0. Everything m does that migen cannot follow is
 * an uncertain fact of the tables it may touch.
 */
int mg_replay_model(struct mg_schema *s, const struct mg_model *m, const char *rev,
                    const struct mg_typemap *map);
/*
 * The same for one direction: MG_DOWNGRADE applies downgrade()'s operations
 * (what downgrade-mismatch replays after upgrade() to compare with the
 * schema before the revision).
 */
int mg_replay_model_dir(struct mg_schema *s, const struct mg_model *m, const char *rev,
                        const struct mg_typemap *map, enum mg_direction dir);

/*
 * What differs between two schemas (schemadiff.c): one entry per object
 * (table, column, index or constraint, enum type, sequence), with what
 * differs. Objects of a table whose uncertain facts grew from a to b, and
 * everything when the schema's own uncertain facts grew, are left out:
 * migen cannot tell.
 */
struct mg_schema_change {
	const char *kind;   /* "table", "column", "index", "constraint", "type", "sequence" */
	const char *object; /* qualified: "public.users", "public.users.email", "public.ix_a" */
	const char *table;  /* the table's name (unqualified) when the object is in one, or NULL */
	const char *what;   /* "missing", "left behind", "type integer, was bigint; ..." */
};

struct mg_schema_diff {
	struct mg_arena arena;
	struct mg_schema_change *v;
	size_t n, cap;
	int uncertain; /* some objects were not compared (uncertain facts) */
};

/*
 * Fills d (zeroed first) with how b differs from a. When b is an overlay
 * of a, the tables b still borrows from a are a's, unchanged, and are not
 * compared: only the ones it changed are looked at.
 */
void mg_schema_diff(const struct mg_schema *a, const struct mg_schema *b, struct mg_schema_diff *d);
void mg_schema_diff_free(struct mg_schema_diff *d);

#endif
