"""Row counts and rendered lists that are built once per change, not once per request.

Counting a studio's 150,000 lessons costs more than everything else a page of 20 does
together, and the count changes only when the rows do. So every committed write to a tenant
table moves that table's version for the studio (one row per studio and table in
`table_version`), and a count (or, with `kept()`, a rendered page of a list) is kept in
process memory under the versions of all the tables its query reads: while they are
unchanged, the kept result is the result. Processes keep their own results and agree through
the versions in the database, so any number of them, on any number of machines, give the same
answers. What holds:

- PostgreSQL: the database moves the versions itself, so every writer is covered (the ORM,
  core.bulk's COPY, raw SQL through the session or on any connection, psql, migrations).
  Statement-level triggers on every tenant table (and `user`, `studio`) add one row per
  (transaction, studio, table) their statement changed to `table_change` (one trigger call
  per statement, however many rows: a COPY of 150,000 rows is one); when the transaction
  commits, a deferred constraint trigger moves those versions, in (studio, table) order, and
  deletes its staged rows. The versions are thus the last rows a transaction writes, locked
  for the moment of its commit and always in one order (no deadlocks, writers to the same
  studio's table wait only for each other's commit). Python records nothing there.
- SQLite: the session records what it writes and moves the versions before it commits: ORM
  inserts, updates and deletes (with the tables a delete cascades to), INSERT/UPDATE/DELETE
  statements run through the session, `core.bulk.bulk_insert`, and `touch()`. The studios of
  an UPDATE or DELETE come from the top-level AND terms of its WHERE (`studio_id = …`; for
  `studio`, `id = …`); when there are none (an OR, a subquery, no term) the studios its rows
  belong to are read first, with the same WHERE. An INSERT … SELECT moves every studio's
  version. Raw SQL (`text()`, another connection, the sqlite3 shell) moves nothing: run
  `flask versions touch` after it, or its changes show when the kept entries expire.
- Everywhere: a kept entry lives at most `KEPT_SECONDS` (configuration, default 300), so a
  change that moved no version shows after that time at the latest. A transaction that has
  written anything keeps nothing of what it reads: others do not see its writes yet.

Two tables without a studio_id are versioned too, as studios see them: a change to a studio
moves its own `studio` version, a change to a user the `user` version of every studio that
shows them by one of `USER_SHOWN_BY` (a member, a teacher, a student, a guardian, also after
their membership ended). A new user moves nothing: rows that show them come later, and move
their own tables. A query that reads any other table without a studio_id is built every time.
"""
import time
import uuid
from collections import defaultdict
from itertools import chain

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event, func, select, union
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import operators, visitors

from app.core.db import TimestampMixin, utcnow
from app.extensions import db

TOUCHED = "cadenza_touched_tables"  # session.info (SQLite): {(studio_id or EVERY_STUDIO, table name)}
EVERY_STUDIO = "*"
MAX_KEPT = 20_000  # counts (and table lists) kept per process before they are dropped
KEPT_BYTES = 32 * 1024 * 1024  # rendered pages kept per process (their size) before they are dropped
KEPT_SECONDS = 300  # default of the KEPT_SECONDS setting: the longest a kept entry is used
SHARED = ("user", "studio")  # versioned tables without a studio_id
USER_SHOWN_BY = ("membership", "teacher_profile", "student", "family_guardian")  # their user_id
IN_DATABASE = "postgresql"  # the dialect whose triggers move the versions (see the migration)


class TableVersion(TimestampMixin, db.Model):
    """How often a studio's rows of one table have changed (no row yet: version 0)."""

    studio_id: Mapped[object] = mapped_column(
        sa.Uuid, sa.ForeignKey("studio.id", ondelete="CASCADE"), primary_key=True)
    table_name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class TableChange(db.Model):
    """PostgreSQL: a table a transaction changed for a studio, staged by the tables' triggers
    until the transaction commits (and its versions move). No foreign key: staging takes no
    lock on the studio row. Always empty on SQLite."""

    txid: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    studio_id: Mapped[object] = mapped_column(sa.Uuid, primary_key=True)
    table_name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)


# deleted_record (core.sync): tombstones the database writes, which no count or page reads.
NOT_TENANT = (TableVersion.__tablename__, TableChange.__tablename__, "deleted_record")


def versioned_tables():
    """The names of every versioned table (sorted): the tenant tables, `user` and `studio`."""
    return sorted(name for name, table in db.metadata.tables.items() if _tenant(table) or name in SHARED)


def forget():
    """Drop everything this process keeps (tests compare kept results with fresh ones)."""
    _counts.clear()
    _pages.clear()


_studio_tables = {}  # "studios", "memberships": set by the app factory, core knows no accounts


def register_studio_tables(studios, memberships):
    """Name the table of studios and the table of memberships (user_id, studio_id), which
    say whose versions a change to a user or to every studio moves."""
    _studio_tables.update(studios=studios, memberships=memberships)



# ---------------------------------------------------------------- recording writes (SQLite)

def touch(session, table, studio_ids):
    """Record that `table` (a Table or its name) changed for these studios in the session's
    transaction; their versions move on when it commits. Nothing to do on PostgreSQL, where
    the database records every write itself."""
    if _in_database(session):
        return
    name = table if isinstance(table, str) else table.name
    studio_ids = [studio_id if studio_id == EVERY_STUDIO else _uuid(studio_id)
                  for studio_id in studio_ids if studio_id is not None]  # a row of no studio (an email)
    touched = session.info.setdefault(TOUCHED, set())
    touched.update((studio_id, name) for studio_id in studio_ids)
    for dependent in _cascades().get(name, ()):
        touched.update((studio_id, dependent) for studio_id in studio_ids)


def _uuid(value):
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _in_database(session):
    return session.get_bind().dialect.name == IN_DATABASE


def _tenant(table):
    return table is not None and "studio_id" in table.c and table.name not in NOT_TENANT


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
    if _in_database(session):
        return
    for obj in chain(session.new, session.dirty, session.deleted):  # a change that undid itself
        table = getattr(type(obj), "__table__", None)                # moves a version needlessly
        if _tenant(table) and obj.studio_id is not None:
            touch(session, table, [obj.studio_id])
    studios = [obj.id for obj in chain(session.new, session.dirty) if _table_name(obj) == "studio"]
    if studios:
        touch(session, "studio", studios)  # a deleted studio: nothing shows it any more
    users = [obj.id for obj in chain(session.dirty, session.deleted) if _table_name(obj) == "user"]
    if users:  # a new user: nothing shows them yet
        user = db.metadata.tables["user"]
        touch(session, "user", _studios_showing(session, select(user.c.id).where(user.c.id.in_(users))))


def _table_name(obj):
    return getattr(getattr(type(obj), "__table__", None), "name", None)


def _studios_showing(session, user_ids):
    """The studios whose rows show one of the users `user_ids` (a SELECT of ids) selects."""
    tables = [db.metadata.tables[name] for name in USER_SHOWN_BY]
    shown = union(*(select(table.c.studio_id).where(table.c.user_id.in_(user_ids)) for table in tables))
    return session.connection().execute(shown).scalars().all()


@event.listens_for(Session, "do_orm_execute")
def _record_statement(state):
    if not (state.is_update or state.is_delete or state.is_insert) or _in_database(state.session):
        return
    statement, session = state.statement, state.session
    table = getattr(statement, "table", None)
    name = getattr(table, "name", None)
    if state.is_insert:  # a new studio or user: nothing shows it yet
        if _tenant(table):
            touch(session, name, _studios_inserted(state.parameters) or [EVERY_STUDIO])
        return
    if name == "user":
        touch(session, name, _studios_showing(session, select(table.c.id).where(*_where(statement))))
    elif _tenant(table) or name == "studio":
        # Read before the rows change (a DELETE would leave none to read).
        touch(session, name, studios_named(statement, table) or _studios_matched(session, statement, table))


def _where(statement):
    where = getattr(statement, "whereclause", None)
    return [] if where is None else [where]


def _studios_matched(session, statement, table):
    """The studios of the rows an UPDATE's or DELETE's WHERE matches."""
    column = table.c.id if table.name == "studio" else table.c.studio_id
    return session.connection().execute(select(column).where(*_where(statement)).distinct()).scalars().all()


def _studios_inserted(parameters):
    rows = parameters if isinstance(parameters, (list, tuple)) else [parameters or {}]
    studios = {row.get("studio_id") for row in rows}
    return [] if None in studios else list(studios)


def studios_named(statement, table):
    """The studio ids an UPDATE's or DELETE's WHERE pins `table`'s rows to, [] when it pins
    none: only top-level AND terms `studio_id = value` or `studio_id IN (values)` (`id` for
    the studio table) count, since a term under an OR or in a subquery restricts nothing."""
    column = "id" if table.name == "studio" else "studio_id"
    found = []
    for term in _and_terms(getattr(statement, "whereclause", None)):
        found.extend(_pinned(term, table.name, column))
    return found


def _and_terms(clause):
    while isinstance(clause, sa.sql.elements.Grouping):
        clause = clause.element
    if clause is None:
        return []
    if isinstance(clause, sa.sql.elements.BooleanClauseList) and clause.operator is operators.and_:
        return [term for part in clause.clauses for term in _and_terms(part)]
    return [clause]


def _pinned(term, table_name, column):
    if not isinstance(term, sa.BinaryExpression) or term.operator not in (operators.eq, operators.in_op):
        return []
    left, right = term.left, term.right
    if isinstance(left, sa.BindParameter) and term.operator is operators.eq:
        left, right = right, left
    table = getattr(left, "table", None)
    if not (getattr(left, "key", None) == column and isinstance(table, sa.Table) and table.name == table_name
            and isinstance(right, sa.BindParameter)):
        return []
    value = right.effective_value
    values = list(value) if term.operator is operators.in_op else [value]
    return [] if None in values else values


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


def move(connection, studio_ids=None, tables=None):
    """Move the versions of `tables` (names; all versioned tables when None) for these
    studios (every studio when None) now, in the connection's transaction: what
    `flask versions touch` does after writes that moved none. Returns how many moved."""
    if studio_ids is None:
        studio_ids = connection.execute(select(_studio_tables["studios"].c.id)).scalars().all()
    pairs = {(studio_id, name) for studio_id in studio_ids for name in (tables or versioned_tables())}
    _bump(connection, pairs)
    return len(pairs)


def _bump(connection, touched):
    """Move the versions on, in one order for every transaction (no deadlocks on PostgreSQL:
    these are the last rows a transaction writes)."""
    everywhere = {name for studio_id, name in touched if studio_id == EVERY_STUDIO}
    pairs = {(studio_id, name) for studio_id, name in touched
             if studio_id != EVERY_STUDIO and name not in everywhere}
    if everywhere:
        studios = connection.execute(select(_studio_tables["studios"].c.id)).scalars().all()
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
    """Results under their keys, each used until it is `max_age` seconds old, all dropped
    at once when they outgrow `limit` (as counted by `size`)."""

    def __init__(self, limit, size=lambda _value: 1):
        self.limit, self.size, self.used, self.kept = limit, size, 0, {}

    def get(self, key, max_age):
        found = self.kept.get(key)
        if found is None or time.monotonic() - found[0] > max_age:
            return None
        return found[1]

    def put(self, key, value):
        if self.used + self.size(value) > self.limit:
            self.clear()
        self.kept[key] = (time.monotonic(), value)
        self.used += self.size(value)

    def clear(self):
        self.kept.clear()
        self.used = 0


_counts = _Memory(MAX_KEPT)  # {(database, studio, statement, values, ..., versions): count}
_pages = _Memory(KEPT_BYTES, size=len)  # the same for rendered pages (bytes)
_NAMED = (TableVersion.studio_id == sa.bindparam("studio_id"),
          TableVersion.table_name.in_(sa.bindparam("names", expanding=True)))
_VERSIONS = select(TableVersion.table_name, TableVersion.version).where(*_NAMED)  # built once
_WRITING = select(func.txid_current_if_assigned().is_not(None).label("writing")).subquery()
# PostgreSQL: the versions, and whether this transaction has written anything, in one query.
_VERSIONS_WRITING = select(_WRITING.c.writing, TableVersion.table_name, TableVersion.version).select_from(
    _WRITING.outerjoin(TableVersion, sa.and_(*_NAMED)))
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
    session.flush()  # this transaction's pending writes are written (and seen) now
    key = stmt._generate_cache_key()
    read = [_versioned_tables(stmt, key), *(_versioned_tables(s, s._generate_cache_key()) for s in reads)]
    if None in read:  # reads a table that is not versioned
        return build()
    tables = tuple(sorted(set().union(*read)))
    current = _versions(session.connection(), studio_id, tables)
    if current is None:  # this transaction wrote: what it reads is not what others see
        return build()
    memo = (session.get_bind().url, studio_id, key.key, _values(key), tuple(depends_on), tables, current)
    found = memory.get(memo, current_app.config.get("KEPT_SECONDS", KEPT_SECONDS))
    if found is None:
        found = build()
        memory.put(memo, found)
    return found


def _versions(connection, studio_id, tables):
    """The tables' versions for the studio, or None when the connection's transaction has
    written anything (on SQLite, whose driver opens a transaction at the first write only; on
    PostgreSQL, which gives a transaction an id at its first write)."""
    values = {"studio_id": studio_id, "names": list(tables)}
    if connection.dialect.name == "postgresql":
        rows = connection.execute(_VERSIONS_WRITING, values).all()
        if rows[0].writing:
            return None
        versions = {row.table_name: row.version for row in rows if row.table_name is not None}
    else:
        if connection.connection.driver_connection.in_transaction:
            return None
        versions = dict(connection.execute(_VERSIONS, values).all())
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
