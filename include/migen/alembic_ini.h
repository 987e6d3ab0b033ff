/*
 * Finding and reading alembic.ini the way Alembic reads it (Python's
 * ConfigParser with `here` in the defaults), through inih: the section's
 * options, %(name)s interpolation, script_location (a path or the
 * package:path form), version_locations split as version_path_separator
 * says, and recursive_version_locations.
 *
 * Relative paths in the ini are taken from the ini's folder (Alembic takes
 * them from the current folder; the two agree when alembic runs beside its
 * alembic.ini, as it is used). Paths under the current folder are given
 * relative to it, so output does not name where the project is checked out.
 *
 * Ownership: everything in a struct mg_alembic_env lives in its arena,
 * released by mg_alembic_env_free().
 */
#ifndef MIGEN_ALEMBIC_INI_H
#define MIGEN_ALEMBIC_INI_H

#include <stddef.h>

#include "migen/model.h"
#include "migen/util.h"

/* Something wrong in the ini that does not stop the other checks. */
struct mg_ini_problem {
	enum mg_severity severity;
	const char *id;
	unsigned line; /* 0: unknown */
	const char *message;
};

struct mg_alembic_env {
	const char *ini;             /* the file, as found */
	const char *here;            /* its folder */
	const char *script_location; /* the option's value, interpolated */
	const char *script_dir;      /* the folder it names */
	const char **versions;       /* version folders */
	size_t nversions;
	int versions_configured; /* from version_locations (else script_dir/versions) */
	int recursive;           /* recursive_version_locations */
	const char *url;         /* sqlalchemy.url, interpolated, or NULL (the dialect) */
	struct mg_ini_problem *problems;
	size_t nproblems, capproblems;
	struct mg_arena arena;
};

/*
 * The alembic.ini to use: explicit (if not NULL), else $ALEMBIC_CONFIG,
 * else alembic.ini in the current folder or the nearest parent. Returns a
 * path to free(), or NULL when none exists.
 */
char *mg_alembic_ini_find(const char *explicit_path);

/*
 * Reads path's [section]. Returns 0 (problems that do not stop the checks
 * are in env->problems), or -1 with *why (in env's arena) when there is no
 * environment to check: unreadable file, no such section, no
 * script_location, a package that cannot be found on disk.
 */
int mg_alembic_ini_read(const char *path, const char *section, struct mg_alembic_env *env,
                        const char **why);
void mg_alembic_env_free(struct mg_alembic_env *env);

/* Joins a folder and a path (kept if absolute), dropping "." and empty segments. */
char *mg_path_join(struct mg_arena *a, const char *dir, const char *rel);

#endif
