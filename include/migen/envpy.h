/*
 * What an Alembic environment's env.py (and alembic.ini) set on the
 * migration's connection, read as text: env.py is Python migen does not run.
 */
#ifndef MIGEN_ENVPY_H
#define MIGEN_ENVPY_H

/*
 * Whether env.py or alembic.ini sets lock_timeout: `SET lock_timeout`
 * through context.execute / connection.execute, `-c lock_timeout=` in
 * connect_args or options, a `lock_timeout` server setting, the URL's
 * options. Any mention outside a comment counts: say less, never more.
 * Returns 1 (set), 0 (not set), -1 (env.py cannot be read).
 */
int mg_envpy_sets_lock_timeout(const char *env_py, const char *ini);

#endif
