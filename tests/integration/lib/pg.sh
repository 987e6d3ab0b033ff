# A throwaway PostgreSQL 15 for the integration tests, sourced by their scripts.
#
#   . tests/integration/lib/pg.sh
#   pg_start            # sets PGHOST (a socket folder), PGPORT, PGUSER; exports them
#   ... psql, alembic ...
#   (pg_stop runs by itself on exit, also on failure or ^C)
#
# The server runs from Debian's postgresql-15 binaries (installed when
# missing), in a fresh temporary folder, listening only on a Unix socket in
# that folder: no system service is touched, and as no TCP port is opened, the
# port number only names the socket and cannot clash with another server.
# initdb refuses to run as root, so as root the server runs as `postgres`.

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_TMP=

pg_install() {
	[ -x "$PGBIN/initdb" ] && command -v psql >/dev/null 2>&1 &&
		/usr/bin/python3 -c 'import asyncpg' 2>/dev/null && return 0
	echo "pg.sh: installing postgresql-15 from Debian" >&2
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		postgresql-15 postgresql-client-15 python3-alembic python3-sqlalchemy \
		python3-psycopg2 python3-asyncpg >/dev/null
}

# Runs a command as the server's owner.
pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_stop() {
	[ -n "$PG_TMP" ] || return 0
	if [ -f "$PG_TMP/data/postmaster.pid" ]; then
		pg_as_owner "$PGBIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$PG_TMP"
	PG_TMP=
}

pg_start() {
	pg_install || return 1
	PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/migen-pg.XXXXXX") || return 1
	trap 'pg_stop' EXIT
	trap 'pg_stop; exit 130' INT
	trap 'pg_stop; exit 143' TERM
	mkdir -p "$PG_TMP/sock"
	# The server's owner must write here; other users (root running
	# alembic) reach the socket through a world-searchable folder.
	chmod 755 "$PG_TMP"
	[ "$(id -u)" -eq 0 ] && chown postgres "$PG_TMP" "$PG_TMP/sock"
	PGPORT=$((20000 + $$ % 20000))
	pg_as_owner "$PGBIN/initdb" -D "$PG_TMP/data" -U postgres -A trust \
		--no-sync -E UTF8 --locale=C.UTF-8 >"$PG_TMP/initdb.log" 2>&1 || {
		cat "$PG_TMP/initdb.log" >&2
		return 1
	}
	pg_as_owner "$PGBIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
		-o "-p $PGPORT -k $PG_TMP/sock -c listen_addresses='' -c max_connections=40" \
		start >/dev/null || {
		cat "$PG_TMP/server.log" >&2
		return 1
	}
	PGHOST=$PG_TMP/sock
	PGUSER=postgres
	export PGHOST PGPORT PGUSER
	# pg_ctl -w waits for the socket; make sure queries work too.
	i=0
	until psql -X -q -d postgres -c 'SELECT 1' >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 50 ] || { cat "$PG_TMP/server.log" >&2; return 1; }
		sleep 0.1
	done
}
