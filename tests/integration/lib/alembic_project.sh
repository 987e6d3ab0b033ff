# Throwaway Alembic projects for the pre-commit and CI tests (sourced):
#   new_project DIR            alembic.ini, env.py, script.py.mako and the first
#                              migration of fixtures/lint/basic (users), in a git repo
#   add_migration DIR FILE REV DOWN UP DOWNGRADE
#                              a migration FILE in DIR/migrations/versions whose
#                              upgrade() is UP and downgrade() DOWNGRADE (one line each)
new_project() {
	mkdir -p "$1/migrations/versions"
	cp "$top/fixtures/lint/basic/alembic.ini" "$1/"
	cp "$top/fixtures/lint/basic/migrations/script.py.mako" "$1/migrations/"
	# A team's env.py sets lock_timeout for every migration (what
	# missing-lock-timeout asks for), so that a safe change passes the gate.
	# These tests lint the project; they never run it.
	cat >"$1/migrations/env.py" <<'PYEOF'
from alembic import context
from sqlalchemy import engine_from_config, pool

connectable = engine_from_config(
    context.config.get_section(context.config.config_ini_section),
    prefix="sqlalchemy.",
    poolclass=pool.NullPool,
    connect_args={"options": "-c lock_timeout=5s"},
)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
PYEOF
	cp "$top/fixtures/lint/basic/migrations/versions/a1_users.py" "$1/migrations/versions/"
	git -C "$1" init -q -b main
	git -C "$1" config user.email test@example.invalid
	git -C "$1" config user.name test
	git -C "$1" config commit.gpgsign false
}

add_migration() {
	cat >"$1/migrations/versions/$2" <<PYEOF
"""$2

Revision ID: $3
Revises: $4
Create Date: 2024-02-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '$3'
down_revision = '$4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    $5


def downgrade() -> None:
    $6
PYEOF
}
