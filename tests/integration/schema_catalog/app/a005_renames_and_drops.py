"""renames and drops

Revision ID: a005
Revises: a004
Create Date: 2026-11-30 02:45:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'a005'
down_revision = 'a004'
branch_labels = None
depends_on = None


def upgrade():
    # Expression indexes (autogenerate skips them). The one on projects.name
    # follows the column's rename below; "budget DESC" is a plain column key
    # in the catalog (the order is not part of the element).
    op.create_index("ix_accounts_lower_email", "accounts",
                    [sa.text("lower(email)")], unique=True)
    op.create_index("ix_projects_lower_name", "projects", [sa.text("lower(name)")])
    op.create_index("ix_projects_account_budget", "projects",
                    ["account_id", sa.text("budget DESC")])
    # The table keeps its sequence (accounts_id_seq), its primary key and
    # unique constraint names (accounts_pkey, accounts_email_key) and its
    # indexes; the foreign keys that point at it follow it.
    op.rename_table("accounts", "members")
    # The index columns, the partial index and the expression index and the
    # check constraint on this column follow the new name.
    op.alter_column("projects", "name", new_column_name="title")
    op.execute("ALTER INDEX ix_projects_account_id RENAME TO ix_projects_account")
    op.execute(
        "ALTER TABLE projects RENAME CONSTRAINT ck_projects_budget_positive "
        "TO ck_projects_budget"
    )
    # Takes projects_org_id_fkey and ix_projects_account_org with it.
    op.drop_column("projects", "org_id")
    # Takes projects_priority_check with it.
    op.drop_column("projects", "priority")
    op.execute("CREATE TYPE tier AS ENUM ('free', 'pro')")
    op.execute("ALTER TYPE tier ADD VALUE 'enterprise'")
    op.add_column(
        "members",
        sa.Column("tier", postgresql.ENUM("free", "pro", "enterprise",
                                          name="tier", create_type=False)),
    )


def downgrade():
    raise NotImplementedError
