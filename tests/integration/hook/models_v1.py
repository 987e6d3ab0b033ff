"""The application's models, first version: tenants and their users.

tests/integration/autogen_hook.sh copies this to the Alembic project as
models.py; env.py points target_metadata at Base.metadata.
"""
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Tenant(Base):
    __tablename__ = "tenants"

    id = sa.Column(sa.BigInteger, primary_key=True)
    name = sa.Column(sa.String(200), nullable=False)
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False,
                           server_default=sa.func.now())


class User(Base):
    __tablename__ = "users"

    id = sa.Column(sa.BigInteger, primary_key=True)
    tenant_id = sa.Column(sa.BigInteger, sa.ForeignKey("tenants.id"), nullable=False,
                          index=True)
    email = sa.Column(sa.String(320), nullable=False)
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False,
                           server_default=sa.func.now())
