# The origin's backfill-template output (../shared/seeds/, "backfill-template"),
# verbatim but for the table and column, run as a control: its loop runs in
# the migration's one transaction, so every updated row stays locked until
# the end and the load's updates wait for the whole run. The suite expects
# this case to be blocked; if it were not, the load check could not fail.
def upgrade():
    # Backfill plan in batches
    from sqlalchemy import text

    bind = op.get_bind()
    batch_size = 5000
    rows_updated = -1

    while rows_updated != 0:
        rows_updated = bind.execute(
            text("""
                WITH cte AS (
                    SELECT id FROM users WHERE plan IS NULL LIMIT :batch_size
                )
                UPDATE users t SET plan = :default_value
                FROM cte WHERE t.id = cte.id
                RETURNING t.id
            """),
            dict(batch_size=batch_size, default_value="active"),
        ).rowcount

        if rows_updated and rows_updated > 0:
            # Small sleep to reduce pressure on hot tables
            bind.execute(text("SELECT pg_sleep(0.01)"))

    # Set NOT NULL constraint after backfill
    op.alter_column("users", "plan", nullable=False)


def downgrade():
    op.alter_column("users", "plan", nullable=True)
