#!/bin/sh
# Writes src/rules/pg_volatility.h: the volatility of every function of
# PostgreSQL's catalog (pg_proc), as a throwaway PostgreSQL 15 reports it,
# for volatile-default-rewrites. Functions of the extensions people call in
# defaults (uuid-ossp, pgcrypto) are included.
#
#   scripts/gen_pg_volatility.sh          rewrite the header
#   scripts/gen_pg_volatility.sh -        print it (tests/integration/pg_volatility.sh
#                                         compares that with the committed file)
set -eu
cd "$(dirname "$0")/.."
. tests/integration/lib/pg.sh
pg_start >&2

out=${1:-src/rules/pg_volatility.h}
tmp=$(mktemp)
psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<'SQL'
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE EXTENSION IF NOT EXISTS pgcrypto;
SQL
version=$(psql -X -A -t -d postgres -c "SELECT current_setting('server_version_num')::int / 10000")
{
	cat <<EOF2
/*
 * The volatility of PostgreSQL's functions by name, from pg_proc of
 * PostgreSQL $version with the uuid-ossp and pgcrypto extensions: 'i'
 * immutable, 's' stable, 'v' volatile, 'm' overloads that differ. Generated
 * by scripts/gen_pg_volatility.sh (tests/integration/pg_volatility.sh checks
 * it against the server): do not edit. Sorted by name (strcmp) for bsearch.
 */
#ifndef MIGEN_PG_VOLATILITY_H
#define MIGEN_PG_VOLATILITY_H

struct mg_pg_volatility {
	const char *name;
	char volatility;
};

/* clang-format off */
static const struct mg_pg_volatility mg_pg_volatility[] = {
EOF2
	psql -X -A -t -F ' ' -d postgres -c "
		SELECT p.proname,
		       CASE WHEN count(DISTINCT p.provolatile) > 1 THEN 'm'
		            ELSE min(p.provolatile::text) END
		FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname IN ('pg_catalog', 'public') AND p.prokind IN ('f', 'w')
		GROUP BY p.proname
		ORDER BY p.proname COLLATE \"C\"" |
		awk '{ printf "\t{\"%s\", '"'"'%s'"'"'},\n", $1, $2 }'
	cat <<'EOF2'
};
/* clang-format on */

#endif
EOF2
} >"$tmp"
if [ "$out" = - ]; then
	cat "$tmp"
	rm -f "$tmp"
else
	mv "$tmp" "$out"
	echo "wrote $out" >&2
fi
