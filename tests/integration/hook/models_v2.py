"""The application's models, second version: users.email gets an index
(users already has rows), and a new multi-tenant table, notifications.

tests/integration/autogen_hook.sh copies this over models.py before the
second `alembic revision --autogenerate`.
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
    email = sa.Column(sa.String(320), nullable=False, index=True)  # new: login lookups
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False,
                           server_default=sa.func.now())


class Notification(Base):
    """New: per-user notifications, scoped by tenant and space, soft-deleted."""

    __tablename__ = "notifications"

    id = sa.Column(sa.BigInteger, primary_key=True)
    tenant_id = sa.Column(sa.BigInteger, sa.ForeignKey("tenants.id"), nullable=False)
    space_id = sa.Column(sa.BigInteger, nullable=False)
    user_id = sa.Column(sa.BigInteger, sa.ForeignKey("users.id"), nullable=False,
                        index=True)
    kind = sa.Column(sa.String(50), nullable=False)
    body = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False,
                           server_default=sa.func.now())
    read_at = sa.Column(sa.DateTime(timezone=True))
    deleted_at = sa.Column(sa.DateTime(timezone=True))
