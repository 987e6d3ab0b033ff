"""The Alembic projects downgrade_pg.py runs: (project, revisions) with each
revision's parents, upgrade() and downgrade() bodies. A comment says what
PostgreSQL is expected to show after upgrade then downgrade, but the test
never trusts it: the catalog decides."""

LINEAR = [
    ("a1", [], """
    op.create_table('users',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('email', sa.String(length=100), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=True))
    op.create_index('ix_users_email', 'users', ['email'], unique=True)
""", """
    op.drop_index('ix_users_email', table_name='users')
    op.drop_table('users')
"""),
    # reversible: the index goes with its column
    ("a2", ["a1"], """
    op.add_column('users', sa.Column('age', sa.Integer(), nullable=True))
    op.create_index('ix_users_age', 'users', ['age'])
""", """
    op.drop_column('users', 'age')
"""),
    # index left behind
    ("a3", ["a2"], """
    op.create_index('ix_users_name', 'users', ['name'])
    op.add_column('users', sa.Column('nick', sa.String(length=20), nullable=True))
""", """
    op.drop_column('users', 'nick')
"""),
    # column type not restored
    ("a4", ["a3"], """
    op.alter_column('users', 'email', type_=sa.String(length=200),
                    existing_type=sa.String(length=100), existing_nullable=False)
""", """
    op.alter_column('users', 'email', type_=sa.String(length=150),
                    existing_type=sa.String(length=200), existing_nullable=False)
"""),
    ("a5", ["a4"], """
    op.create_table('orders',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_orders_user',
                                ondelete='CASCADE'))
    op.create_index('ix_orders_user_id', 'orders', ['user_id'])
""", """
    op.drop_index('ix_orders_user_id', table_name='orders')
    op.drop_table('orders')
"""),
    # ON DELETE lost
    ("a6", ["a5"], """
    op.drop_constraint('fk_orders_user', 'orders', type_='foreignkey')
    op.create_foreign_key('fk_orders_user', 'orders', 'users', ['user_id'], ['id'],
                          ondelete='SET NULL')
""", """
    op.drop_constraint('fk_orders_user', 'orders', type_='foreignkey')
    op.create_foreign_key('fk_orders_user', 'orders', 'users', ['user_id'], ['id'])
"""),
    # reversible renames
    ("a7", ["a6"], """
    op.alter_column('users', 'name', new_column_name='full_name',
                    existing_type=sa.String(length=50))
    op.rename_table('orders', 'purchases')
""", """
    op.rename_table('purchases', 'orders')
    op.alter_column('users', 'full_name', new_column_name='name',
                    existing_type=sa.String(length=50))
"""),
    # the column comes back without its index
    ("a8", ["a7"], """
    op.drop_column('users', 'age')
""", """
    op.add_column('users', sa.Column('age', sa.Integer(), nullable=True))
"""),
    # downgrade does nothing
    ("a9", ["a8"], """
    op.add_column('users', sa.Column('bio', sa.Text(), nullable=True))
""", """
    pass
"""),
    # downgrade raises
    ("a10", ["a9"], """
    op.create_index('ix_users_bio', 'users', ['bio'])
""", """
    raise NotImplementedError('one way')
"""),
    # a new NOT NULL column with a default, undone
    ("a11", ["a10"], """
    op.add_column('users', sa.Column('active', sa.Boolean(), nullable=False,
                                     server_default=sa.text('true')))
    op.create_check_constraint('ck_users_email', 'users', "email <> ''")
""", """
    op.drop_constraint('ck_users_email', 'users', type_='check')
    op.drop_column('users', 'active')
"""),
]

ENUMS = [
    # the enum type stays behind after drop_table
    ("b1", [], """
    op.create_table('people',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('mood', sa.Enum('happy', 'sad', name='mood'), nullable=True))
""", """
    op.drop_table('people')
"""),
    ("b2a", ["b1"], """
    op.add_column('people', sa.Column('a', sa.Integer(), nullable=True))
""", """
    op.drop_column('people', 'a')
"""),
    ("b2b", ["b1"], """
    op.create_table('pets',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=40), nullable=True))
""", """
    op.drop_table('pets')
"""),
    ("b3", ["b2a", "b2b"], """
    pass
""", """
    pass
"""),
    # SQL: the type created in upgrade() stays behind
    ("b4", ["b3"], """
    op.execute("CREATE TYPE status AS ENUM ('x', 'y')")
    op.execute("ALTER TABLE pets ADD COLUMN status status")
""", """
    op.execute("ALTER TABLE pets DROP COLUMN status")
"""),
    # reversible: constraints, and an enum created and dropped
    ("b5", ["b4"], """
    op.create_check_constraint('ck_people_a', 'people', 'a > 0')
    op.create_unique_constraint('uq_pets_name', 'pets', ['name'])
    op.execute("CREATE TYPE kind AS ENUM ('cat', 'dog')")
    op.add_column('pets', sa.Column('kind', postgresql.ENUM(name='kind', create_type=False)))
""", """
    op.drop_column('pets', 'kind')
    op.execute('DROP TYPE kind')
    op.drop_constraint('uq_pets_name', 'pets', type_='unique')
    op.drop_constraint('ck_people_a', 'people', type_='check')
"""),
    # the unique constraint comes back as a plain index
    ("b6", ["b5"], """
    op.drop_constraint('uq_pets_name', 'pets', type_='unique')
""", """
    op.create_index('uq_pets_name', 'pets', ['name'])
"""),
    # reversible: the enum is dropped by .drop(), which migen does not follow (silent)
    ("b7", ["b6"], """
    op.create_table('tags', sa.Column('id', sa.Integer(), primary_key=True),
                    sa.Column('kind', sa.Enum('a', 'b', name='tagkind')))
""", """
    op.drop_table('tags')
    sa.Enum(name='tagkind').drop(op.get_bind())
"""),
]

BATCH = [
    ("c1", [], """
    op.create_table('t',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('x', sa.String(length=10), nullable=True),
        sa.Column('y', sa.Integer(), nullable=True))
""", """
    op.drop_table('t')
"""),
    ("c2", ["c1"], """
    with op.batch_alter_table('t') as batch_op:
        batch_op.add_column(sa.Column('z', sa.Integer(), nullable=True))
        batch_op.create_index('ix_t_z', ['z'])
""", """
    with op.batch_alter_table('t') as batch_op:
        batch_op.drop_column('z')
"""),
    # NOT NULL not undone
    ("c3", ["c2"], """
    with op.batch_alter_table('t') as batch_op:
        batch_op.alter_column('x', type_=sa.String(length=20), nullable=False,
                              existing_type=sa.String(length=10))
""", """
    with op.batch_alter_table('t') as batch_op:
        batch_op.alter_column('x', type_=sa.String(length=10),
                              existing_type=sa.String(length=20))
"""),
    ("c4", ["c3"], """
    with op.batch_alter_table('t') as batch_op:
        batch_op.drop_column('y')
""", """
    with op.batch_alter_table('t') as batch_op:
        batch_op.add_column(sa.Column('y', sa.Integer(), nullable=True))
"""),
    # a default set and not removed; a table created and not dropped
    ("c5", ["c4"], """
    op.alter_column('t', 'z', server_default='0', existing_type=sa.Integer())
    op.create_table('u', sa.Column('id', sa.Integer(), primary_key=True))
""", """
    op.create_index('ix_t_x', 't', ['x'])
    op.drop_index('ix_t_x', table_name='t')
"""),
]

# What a revision changes only through PostgreSQL's cascades and renames:
# the table the mismatch sits on is named by no operation of the revision.
CASCADE = [
    ("d1", [], """
    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))
    op.create_table('orders',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_orders_user'))
    op.create_table('customers',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('code', sa.String(length=20), nullable=True),
        sa.UniqueConstraint('code', name='uq_customers_code'))
    op.create_table('invoices',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('customer_code', sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(['customer_code'], ['customers.code'],
                                name='fk_invoices_customer'))
    op.create_table('accounts', sa.Column('id', sa.Integer(), primary_key=True))
    op.create_table('sessions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name='fk_sessions_account'))
    op.create_table('people',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('mood', sa.Enum('happy', 'sad', name='mood'), nullable=True))
""", """
    op.drop_table('people')
    op.execute("DROP TYPE mood")
    op.drop_table('sessions')
    op.drop_table('accounts')
    op.drop_table('invoices')
    op.drop_table('customers')
    op.drop_table('orders')
    op.drop_table('users')
"""),
    # DROP TABLE ... CASCADE takes orders' foreign key; downgrade() re-creates the table only
    ("d2", ["d1"], """
    op.execute("DROP TABLE users CASCADE")
""", """
    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))
"""),
    # DROP COLUMN ... CASCADE takes invoices' foreign key
    ("d3", ["d2"], """
    op.execute("ALTER TABLE customers DROP COLUMN code CASCADE")
""", """
    op.add_column('customers', sa.Column('code', sa.String(length=20), nullable=True))
    op.create_unique_constraint('uq_customers_code', 'customers', ['code'])
"""),
    # renamed back to another name: sessions' foreign key follows the table
    ("d4", ["d3"], """
    op.rename_table('accounts', 'members')
""", """
    op.rename_table('members', 'account')
"""),
    # a type renamed back to another name: people.mood's type follows it
    ("d5", ["d4"], """
    op.execute("ALTER TYPE mood RENAME TO feeling")
""", """
    op.execute("ALTER TYPE feeling RENAME TO moods")
"""),
    # DROP TYPE ... CASCADE takes people.mood
    ("d6", ["d5"], """
    op.execute("DROP TYPE feeling CASCADE")
""", """
    op.execute("CREATE TYPE feeling AS ENUM ('happy', 'sad')")
"""),
    # a sequence renamed back to another name: orders.id's default follows it
    ("d7", ["d6"], """
    op.execute("ALTER SEQUENCE orders_id_seq RENAME TO orders_seq")
""", """
    op.execute("ALTER SEQUENCE orders_seq RENAME TO order_id_seq")
"""),
]

PROJECTS = {"linear": LINEAR, "enums": ENUMS, "batch": BATCH, "cascade": CASCADE}

FILE = '''"""{rev}

Revision ID: {rev}
Revises: {down}
"""
import os

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = {rev!r}
down_revision = {down_value}
branch_labels = None
depends_on = None


def upgrade():{up}

def downgrade():{down_body}
'''


def render(rev, parents, up, down):
    if not parents:
        dv = "None"
    elif len(parents) == 1:
        dv = repr(parents[0])
    else:
        dv = repr(tuple(parents))
    return FILE.format(rev=rev, down=", ".join(parents) or "None", down_value=dv,
                       up=up.rstrip() + "\n", down_body=down.rstrip() + "\n")


# non-idempotent-autocommit: r2 commits its block, then fails when FAIL_AFTER is set.
RETRY_BASE = ("r1", [], """
    op.create_table('r', sa.Column('id', sa.Integer(), primary_key=True),
                    sa.Column('a', sa.Integer()), sa.Column('b', sa.Integer()))
""", """
    op.drop_table('r')
""")

RETRY_BLOCKS = {
    # (the block's statements, whether migen must flag them)
    "sql_index": ("""
        op.execute("CREATE INDEX CONCURRENTLY ix_r_a ON r (a)")""", True),
    "op_index": ("""
        op.create_index('ix_r_b', 'r', ['b'], postgresql_concurrently=True)""", True),
    "add_column": ("""
        op.execute("ALTER TABLE r ADD COLUMN c integer")""", True),
    "sql_index_if_not_exists": ("""
        op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_r_a ON r (a)")""", False),
    "add_column_if_not_exists": ("""
        op.execute("ALTER TABLE r ADD COLUMN IF NOT EXISTS c integer")""", False),
}


def retry_revision(block):
    return ("r2", ["r1"], """
    with op.get_context().autocommit_block():%s
    if os.environ.get("FAIL_AFTER"):
        op.execute("SELECT 1/0")
""" % block, """
    pass
""")
