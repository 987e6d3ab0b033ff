# A migration that does nothing: the load's latency with no migration work,
# to read the other figures against.
def upgrade():
    op.execute("SELECT pg_sleep(0.5)")


def downgrade():
    pass
