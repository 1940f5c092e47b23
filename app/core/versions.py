"""Row counts that are counted once per change, not once per request.

Counting a studio's 150,000 lessons costs more than everything else a page of 20 does
together, and the count changes only when the rows do. So every write to a tenant table
bumps that table's version for the studio when its transaction commits (one row per studio
and table in `table_version`), and a count is kept in process memory under the versions of
all the tables its query reads: while they are unchanged, the kept count is the count.
Processes keep their own counts and agree through the versions in the database, so any
number of them, on any number of machines, give the same answers.

What bumps a version: ORM inserts, updates and deletes (with the tables the database
cascades a delete to), INSERT/UPDATE/DELETE statements run through the session (for the
studios their rows or WHERE name, or for every studio when they name none), and
`core.bulk.bulk_insert`. Writes past all of these (raw SQL on a connection) must call
`touch()` themselves. Two tables without a studio_id are versioned too, as studios see
them: a change to a user moves the `user` version of the studios they are a member of, a
change to a studio its own `studio` version. A query that reads any other table without a
studio_id is counted every time.

`kept()` keeps a whole result (a rendered page of a list) the same way.
"""
from collections import defaultdict
from itertools import chain

import sqlalchemy as sa
from sqlalchemy import event, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import operators, visitors

from app.core.db import TimestampMixin, utcnow
from app.extensions import db

TOUCHED = "cadenza_touched_tables"  # session.info: {(studio_id or EVERY_STUDIO, table name)}
EVERY_STUDIO = "*"
MAX_KEPT = 20_000  # counts (and table lists) kept per process before they are dropped
KEPT_BYTES = 32 * 1024 * 1024  # rendered pages kept per process (their size) before they are dropped
SHARED = ("user", "studio")  # versioned tables without a studio_id (see `_shared_studios`)


class TableVersion(TimestampMixin, db.Model):
    """How often a studio's rows of one table have changed (no row yet: version 0)."""

    studio_id: Mapped[object] = mapped_column(
        sa.Uuid, sa.ForeignKey("studio.id", ondelete="CASCADE"), primary_key=True)
    table_name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


# ---------------------------------------------------------------- recording writes

def touch(session, table, studio_ids):
    """Record that `table` (a Table or its name) changed for these studios in the session's
    transaction; their versions move on when it commits."""
    name = table if isinstance(table, str) else table.name
    touched = session.info.setdefault(TOUCHED, set())
    touched.update((studio_id, name) for studio_id in studio_ids)
    for dependent in _cascades().get(name, ()):
        touched.update((studio_id, dependent) for studio_id in studio_ids)


def _tenant(table):
    return table is not None and "studio_id" in table.c and table.name != TableVersion.__tablename__


def _cascades():
    """{table: tables whose rows the database changes when that table's rows are deleted
    (ON DELETE CASCADE or SET NULL), transitively}."""
    global _CASCADES
    if _CASCADES is None:
        direct = defaultdict(set)
        for table in db.metadata.tables.values():
            for key in table.foreign_keys:
                if _tenant(table) and (key.ondelete or "").upper() in ("CASCADE", "SET NULL"):
                    direct[key.column.table.name].add(table.name)
        closure = {}
        for name in direct:
            seen, todo = set(), [name]
            while todo:
                for child in direct.get(todo.pop(), ()):
                    if child not in seen:
                        seen.add(child)
                        todo.append(child)
            closure[name] = seen
        _CASCADES = closure
    return _CASCADES


_CASCADES = None


@event.listens_for(Session, "after_flush")
def _record_flushed(session, _flush_context):
    written, deleted = set(), set()
    for obj in session.new:
        written.add(_row_key(obj))
    for obj in session.dirty:  # a change that undid itself moves a version needlessly, no more
        written.add(_row_key(obj))
    for obj in session.deleted:
        deleted.add(_row_key(obj))
    for table, studio_id in written | deleted:
        if studio_id is not None:
            touch(session, table, [studio_id])
    for obj in chain(session.new, session.dirty):
        name = getattr(getattr(type(obj), "__table__", None), "name", None)
        if name in SHARED:  # no cascades: those come with deletes only
            touched = session.info.setdefault(TOUCHED, set())
            touched.update((studio_id, name) for studio_id in _shared_studios(session, obj))
    for table, studio_id in deleted:
        if studio_id is None and table is not None:  # a user, a studio: itself and what the
            touched = session.info.setdefault(TOUCHED, set())  # database cascades to, anywhere
            touched.update((EVERY_STUDIO, name) for name in {table.name, *_cascades().get(table.name, ())})


def _shared_studios(session, obj):
    """The studios that show this user or studio row."""
    if obj.__table__.name == "studio":
        return [obj.id]
    from app.accounts.models import Membership

    return session.connection().execute(
        select(Membership.studio_id).where(Membership.user_id == obj.id)).scalars().all()


def _row_key(obj):
    """(table, studio id or None when the table is not a tenant table)."""
    table = getattr(type(obj), "__table__", None)
    return table, (getattr(obj, "studio_id", None) if _tenant(table) else None)


@event.listens_for(Session, "do_orm_execute")
def _record_statement(state):
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if _tenant(table):
        studios = (_studios_inserted(state.parameters) if state.is_insert
                   else _studios_named(state.statement, table.name))
        touch(state.session, table, studios or [EVERY_STUDIO])
    elif getattr(table, "name", None) in SHARED:
        touch(state.session, table, [EVERY_STUDIO])


def _studios_inserted(parameters):
    rows = parameters if isinstance(parameters, (list, tuple)) else [parameters or {}]
    studios = {row.get("studio_id") for row in rows}
    return [] if None in studios else list(studios)


def _studios_named(statement, table_name):
    """The studio ids an UPDATE's or DELETE's WHERE pins the table's studio_id to."""
    where = getattr(statement, "whereclause", None)
    if where is None:
        return []
    found = []
    for element in visitors.iterate(where):
        if (isinstance(element, sa.BinaryExpression) and element.operator is operators.eq
                and getattr(element.left, "key", None) == "studio_id"
                and getattr(getattr(element.left, "table", None), "name", None) == table_name
                and isinstance(element.right, sa.BindParameter)):
            found.append(element.right.effective_value)
    return found


@event.listens_for(Session, "before_commit")
def _bump_on_commit(session):
    session.flush()  # what is still pending counts too
    touched = session.info.pop(TOUCHED, None)
    if touched:
        _bump(session.connection(), touched)


@event.listens_for(Session, "after_transaction_end")
def _forget_on_rollback(session, transaction):
    if transaction.parent is None:
        session.info.pop(TOUCHED, None)


def _bump(connection, touched):
    """Move the versions on, in one order for every transaction (no deadlocks on PostgreSQL:
    these are the last rows a transaction writes)."""
    everywhere = {name for studio_id, name in touched if studio_id == EVERY_STUDIO}
    pairs = {(studio_id, name) for studio_id, name in touched
             if studio_id != EVERY_STUDIO and name not in everywhere}
    if everywhere:
        from app.accounts.models import Studio

        studios = connection.execute(select(Studio.id)).scalars().all()
        pairs |= {(studio_id, name) for studio_id in studios for name in everywhere}
    if not pairs:
        return
    now = utcnow()
    table = TableVersion.__table__
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.studio_id, table.c.table_name],
                                      set_={"version": table.c.version + 1, "updated_at": now})
    rows = [{"studio_id": studio_id, "table_name": name, "version": 1, "created_at": now, "updated_at": now}
            for studio_id, name in sorted(pairs, key=lambda pair: (str(pair[0]), pair[1]))]
    for row in rows:  # one at a time, in order
        connection.execute(stmt, row)


# ---------------------------------------------------------------- counting

class _Memory:
    """Results under their keys, dropped all at once when they outgrow `limit` (as counted
    by `size`)."""

    def __init__(self, limit, size=lambda _value: 1):
        self.limit, self.size, self.used, self.kept = limit, size, 0, {}

    def get(self, key):
        return self.kept.get(key)

    def put(self, key, value):
        if self.used + self.size(value) > self.limit:
            self.kept.clear()
            self.used = 0
        self.kept[key] = value
        self.used += self.size(value)


_counts = _Memory(MAX_KEPT)  # {(database, studio, statement, values, ..., versions): count}
_pages = _Memory(KEPT_BYTES, size=len)  # the same for rendered pages (bytes)
_VERSIONS = select(TableVersion.table_name, TableVersion.version).where(  # built once
    TableVersion.studio_id == sa.bindparam("studio_id"),
    TableVersion.table_name.in_(sa.bindparam("names", expanding=True)))
_tables_read = {}  # {statement structure: table names, or None when one has no studio_id}


def count(stmt, studio_id):
    """SELECT count(*) of `stmt` (a SELECT scoped to one studio), from memory while the
    tables it reads are unchanged for that studio since it was last counted."""
    counting = select(func.count()).select_from(stmt.order_by(None).subquery())
    return _kept(_counts, counting, studio_id, lambda: db.session.scalar(counting))


def kept(stmt, studio_id, build, *, depends_on=(), reads=()):
    """`build()` (bytes: a rendered page of `stmt`'s rows, say), from memory while the tables
    that `stmt` and the statements in `reads` read are unchanged for the studio since it was
    last built. Everything else the result depends on (who asks, the URL) goes in
    `depends_on`."""
    return _kept(_pages, stmt, studio_id, build, depends_on, reads)


def _kept(memory, stmt, studio_id, build, depends_on=(), reads=()):
    """The versions are read before `build` reads the rows: a write that commits in between
    makes the kept result newer than its versions (and the next read of them misses), never
    older."""
    session = db.session
    session.flush()  # this transaction's own writes are in `TOUCHED` now
    key = stmt._generate_cache_key()
    read = [_versioned_tables(stmt, key), *(_versioned_tables(s, s._generate_cache_key()) for s in reads)]
    if None in read or session.info.get(TOUCHED):  # not versioned, or changed but not committed
        return build()
    tables = tuple(sorted(set().union(*read)))
    memo = (session.get_bind().url, studio_id, key.key, _values(key), tuple(depends_on), tables,
            _versions(studio_id, tables))
    found = memory.get(memo)
    if found is None:
        found = build()
        memory.put(memo, found)
    return found


def _versions(studio_id, tables):
    rows = db.session.connection().execute(_VERSIONS, {"studio_id": studio_id, "names": list(tables)})
    versions = dict(rows.all())
    return tuple(versions.get(name, 0) for name in tables)


def _versioned_tables(counting, key):
    """The names of the versioned tables a statement reads (sorted), or None when it reads
    one that is not versioned."""
    if key is None:
        return None
    if key.key not in _tables_read:
        names = set()
        for element in visitors.iterate(counting):
            if isinstance(element, sa.Table):
                if not (_tenant(element) or element.name in SHARED):
                    names = None
                    break
                names.add(element.name)
        if len(_tables_read) >= MAX_KEPT:
            _tables_read.clear()
        _tables_read[key.key] = tuple(sorted(names)) if names else None
    return _tables_read[key.key]


def _values(key):
    return tuple(_hashable(param.effective_value) for param in key.bindparams)


def _hashable(value):
    if isinstance(value, (list, set, frozenset)):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value
