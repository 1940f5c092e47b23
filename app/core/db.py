"""Database building blocks every domain uses: naming convention, UUID keys, UTC times."""
import os
import sqlite3
import time
import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The session and models' base. It lives here rather than in app/extensions.py so that core
# modules the extensions are built from (rate limits, tenancy) can use it without a cycle;
# app.extensions.db is the same object.
db = SQLAlchemy(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION))


SQLITE_CACHE_KIB = 64 * 1024


@sa.event.listens_for(sa.engine.Engine, "connect")
def _tune_sqlite(dbapi_connection, _record):
    """A larger page cache for SQLite (default 2 MB): a studio's lesson indexes outgrow
    the default many times over, and every query and bulk insert would re-read pages."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.close()


def utcnow():
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL keeps `timestamptz`; SQLite drops the offset, so values are stored as naive
    UTC and given their UTC tzinfo back on the way out.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        if value.tzinfo is not timezone.utc:
            value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def uuid7s(count):
    """`count` new version-7 UUIDs (RFC 9562), in ascending order: the current Unix time in
    milliseconds, then 74 bits that start at random and grow by a random step from one id to
    the next (its "monotonic random" method). Rows written in bulk under such ids join each
    index on a key column at its right edge, instead of at a random page for every row."""
    milliseconds = time.time_ns() // 1_000_000
    steps = os.urandom(4 * count)
    counter = int.from_bytes(os.urandom(9)) >> 1  # 71 bits: room for every step below 2**32
    ids = []
    for at in range(0, 4 * count, 4):
        counter += 1 + int.from_bytes(steps[at:at + 4])
        high, low = counter >> 62, counter & LOW_62
        ids.append(uuid.UUID(int=milliseconds << 80 | 0x7 << 76 | high << 64 | 0b10 << 62 | low))
    return ids


LOW_62 = (1 << 62) - 1


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class TenantMixin:
    """Rows owned by one studio. Every unique constraint and index starts with studio_id,
    unless it starts with the id of a row of one studio (a lesson's attendees).

    studio_id has an index of its own unless the table sets `studio_id_index = False`:
    tables written in bulk whose composite indexes all start with studio_id anyway, where
    one more index only slows every insert down."""

    studio_id_index = True

    @declared_attr
    def studio_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            sa.Uuid, sa.ForeignKey("studio.id", ondelete="CASCADE"), nullable=False,
            index=cls.studio_id_index,
        )


def lock(model, obj, *, gone=None):
    """SELECT … FOR UPDATE of one row (PostgreSQL; SQLite serializes writers itself), and
    reload it so the caller computes from the committed values. A row deleted meanwhile (by
    the request this one waited for) is None, or with `gone` the 404 that message gives."""
    row = db.session.scalar(
        sa.select(model).where(model.id == obj.id).with_for_update(of=model)
        .execution_options(populate_existing=True)
    )
    if row is None and gone is not None:
        from app.core.errors import NotFound  # errors imports the app's views; db stays light

        raise NotFound(gone)
    return row
