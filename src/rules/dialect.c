/*
 * The target database (rules.h): which rules apply where. PostgreSQL's
 * lock and catalog rules ask mg_dialect_postgresql(); a project whose
 * dialect migen could not find is treated as PostgreSQL, migen's first
 * target.
 */
#include <string.h>
#include <strings.h>

#include "migen/rules.h"

int
mg_dialect_postgresql(const struct mg_options *o)
{
	return o->dialect == MG_DIALECT_UNKNOWN || o->dialect == MG_DIALECT_POSTGRESQL;
}

const char *
mg_dialect_name(enum mg_dialect d)
{
	switch (d) {
	case MG_DIALECT_POSTGRESQL:
		return "postgresql";
	case MG_DIALECT_SQLITE:
		return "sqlite";
	case MG_DIALECT_MYSQL:
		return "mysql";
	case MG_DIALECT_MSSQL:
		return "mssql";
	case MG_DIALECT_ORACLE:
		return "oracle";
	case MG_DIALECT_OTHER:
		return "other";
	case MG_DIALECT_UNKNOWN:
		break;
	}
	return "unknown";
}

static const struct {
	const char *name;
	enum mg_dialect d;
} names[] = {
    {"postgresql", MG_DIALECT_POSTGRESQL}, {"postgres", MG_DIALECT_POSTGRESQL},
    {"pgsql", MG_DIALECT_POSTGRESQL},      {"sqlite", MG_DIALECT_SQLITE},
    {"mysql", MG_DIALECT_MYSQL},           {"mariadb", MG_DIALECT_MYSQL},
    {"mssql", MG_DIALECT_MSSQL},           {"oracle", MG_DIALECT_ORACLE},
};

enum mg_dialect
mg_dialect_parse(const char *url)
{
	size_t n, i;

	if (url == NULL)
		return MG_DIALECT_UNKNOWN;
	while (*url == ' ' || *url == '\t')
		url++;
	/* The scheme: letters up to "+driver", "://" or the end. */
	for (n = 0; (url[n] >= 'a' && url[n] <= 'z') || (url[n] >= 'A' && url[n] <= 'Z'); n++)
		;
	if (n == 0 || (url[n] != '\0' && url[n] != '+' && url[n] != ':'))
		return MG_DIALECT_UNKNOWN;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n && strncasecmp(url, names[i].name, n) == 0)
			return names[i].d;
	/* Alembic's template (driver://user:pass@localhost/dbname) names none. */
	if (n == 6 && strncasecmp(url, "driver", 6) == 0)
		return MG_DIALECT_UNKNOWN;
	/* A URL with another scheme (cockroachdb://, snowflake://) names another database. */
	return url[n] == '\0' ? MG_DIALECT_UNKNOWN : MG_DIALECT_OTHER;
}
