/*
 * The project's settings: `[tool.migen]` in pyproject.toml (docs/config.md),
 * read with the tree-sitter TOML grammar. Values are checked here (types,
 * ranges, names); which rule ids exist is the caller's knowledge (a
 * callback), since rules come after env/ in the build order.
 *
 * Ownership: everything a struct mg_config points to lives in its arena,
 * released by mg_config_free().
 */
#ifndef MIGEN_CONFIG_H
#define MIGEN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "migen/model.h"
#include "migen/schema.h"
#include "migen/util.h"

/* [tool.migen.severity]: a rule's level. */
struct mg_config_severity {
	const char *rule;
	enum mg_severity severity;
};

#define MG_CONFIG_FAIL_NEVER (MG_ERROR + 1)

struct mg_config {
	const char *path;    /* the pyproject.toml read, or NULL */
	int found;           /* it has a [tool.migen] table */
	const char **select; /* NULL: not set (every rule) */
	size_t nselect;
	const char **ignore; /* NULL: not set */
	size_t nignore;
	int fail_on;     /* -1: not set; enum mg_severity, or MG_CONFIG_FAIL_NEVER */
	long pg_version; /* 0: not set */
	const char *tenant_column, *space_column, *soft_delete_column; /* NULL: not set */
	struct mg_config_severity *severity;
	size_t nseverity, capseverity;
	struct mg_typemap types;   /* [tool.migen.types] */
	size_t capname, cappg;     /* of types.name and types.pg */
	int downgrades;            /* -1: not set; 0: `downgrades = false` (never downgraded) */
	const char *dialect;       /* "postgresql", "sqlite", "mysql", ...; NULL: not set */
	const char *start_after;   /* a revision id, or NULL */
	uint32_t start_after_line; /* its line, for the caller's error when no such revision */
	struct mg_arena arena;
};

/* Whether id names a rule; used to refuse unknown ids in select, ignore, severity. */
typedef int (*mg_config_rule_known)(const char *id);

/*
 * The pyproject.toml of a project whose alembic.ini is in folder dir:
 * dir/pyproject.toml, else the nearest parent folder's. Returns a new
 * string (free() it), or NULL when there is none.
 */
char *mg_config_find(const char *dir);

/*
 * Reads [tool.migen] from src[0..len), the bytes of path. Returns 0 (also
 * when there is no [tool.migen]: c->found is 0), or -1 with *err set to
 * "path:line: reason (key)" in c's arena. c is zeroed first.
 */
int mg_config_parse(const char *path, const char *src, size_t len, mg_config_rule_known known,
                    struct mg_config *c, const char **err);
/* The same, reading path (unreadable: -1, *err "path: reason"). */
int mg_config_read(const char *path, mg_config_rule_known known, struct mg_config *c,
                   const char **err);
void mg_config_free(struct mg_config *c);

#endif
