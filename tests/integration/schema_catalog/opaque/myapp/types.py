"""A project's own column types, as real histories import them."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


class GUID(sa.types.TypeDecorator):
    impl = postgresql.UUID
    cache_ok = True


class UTCDateTime(sa.types.TypeDecorator):
    impl = sa.DateTime(timezone=True)
    cache_ok = True
