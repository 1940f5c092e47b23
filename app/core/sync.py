"""Incremental sync of API lists: `updated_since`, and the ids of rows gone since then.

Every API list takes `updated_since` (only rows changed at or after it, in `updated_at, id`
order) and, with it, `include_deleted=true`, which adds `deleted` to the page: the ids of the
list's rows that were deleted since then (`DeletedRecord`, a tombstone per deleted row), and
of rows archived since then that the list no longer shows (`archived()`).

Tombstones are written by the database itself, in the transaction of the delete, whoever
deletes (the ORM, a bulk `delete()`, raw SQL, a cascade): a trigger on each table of
`SYNCED_TABLES` on PostgreSQL and on SQLite (see the migration that adds them; a table
synced later needs its triggers in its own migration). They are kept `TOMBSTONE_DAYS`
(configuration, default 90) and purged daily (`purge_tombstones`); an `updated_since`
older than that with `include_deleted` is refused: the client syncs everything again.

`updated_at` moves on every change: the ORM sets it on a flush and on every UPDATE statement
(the column's `onupdate`, which Core adds to an UPDATE that does not set it). A change to a
row that a list shows inside another row (an invoice's lines and payments, a lesson's
attendees) moves the updated_at of that other row too (`bumps()`).
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event, select, union
from sqlalchemy.orm import Mapped, Session, attributes, mapped_column

from app.core.db import UTCDateTime, db, utcnow
from app.core.errors import ValidationFailed

TOMBSTONE_DAYS = 90  # default of the TOMBSTONE_DAYS setting

# The tables behind the API lists: a delete of one of their rows leaves a tombstone.
SYNCED_TABLES = (
    "announcement", "cancellation_request", "family", "goal", "inventory_checkout",
    "inventory_item", "invoice", "lesson", "lesson_note", "lesson_plan", "makeup_credit",
    "message", "notification", "payment", "practice_log", "recurring_series", "resource",
    "resource_checkout", "room", "room_reservation", "student", "studio_closure",
    "teacher_profile", "thread", "webhook_delivery", "webhook_endpoint",
)

UPDATED_SINCE_HELP = (
    "Only rows changed (created, edited, or changed by a change to a row they show, such as an "
    "invoice's lines) at or after this UTC time, sorted by `updated_at, id` (`ordering` is "
    "ignored), so a client pages through the changes without missing one. Use as the next "
    "`updated_since` the time your previous sync started, less a minute: a row may then come "
    "twice, never not at all.")
INCLUDE_DELETED_HELP = (
    "With `updated_since` and `true`: the page gains `deleted`, the ids of rows deleted since "
    "then (and of rows archived since then that this list no longer shows). Ids only, of your "
    "studio's rows of this list's kind (ignore ids you do not hold). Deleted ids are kept "
    f"{TOMBSTONE_DAYS} days: an older `updated_since` with `include_deleted` is a 400, and the "
    "client lists everything again without `updated_since`.")
DELETED_HELP = (
    "With `include_deleted=true` and `updated_since`: ids of rows deleted (or archived out of "
    "this list) at or after `updated_since`; the same on every page. Ids only.")
REFUSED_RULE = (f"`updated_since` more than {TOMBSTONE_DAYS} days ago with `include_deleted` "
                "(deleted ids are not kept that long: list everything again).")


class DeletedRecord(db.Model):
    """A row of a synced table that was deleted: its id, until it is purged. Written by the
    tables' triggers only. No foreign key: the tombstones of a studio's rows are written while
    the studio itself is deleted, and purged with the others."""

    studio_id: Mapped[object] = mapped_column(sa.Uuid, primary_key=True)
    table_name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    row_id: Mapped[object] = mapped_column(sa.Uuid, primary_key=True)
    deleted_at = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        sa.Index("ix_deleted_record_studio_table_deleted", "studio_id", "table_name", "deleted_at"),
        sa.Index("ix_deleted_record_deleted_at", "deleted_at"),
    )


# ---------------------------------------------------------------- lists

_archived = {}  # {model: condition of rows a list hides once they are archived}


def archived(model, condition):
    """Name the rows of `model` that some lists stop showing without deleting them (a
    teacher made inactive, which families no longer see): archived since `updated_since` and
    not on the list, they are in its `deleted`."""
    _archived[model] = condition


def tombstone_days():
    return current_app.config.get("TOMBSTONE_DAYS", TOMBSTONE_DAYS)


def check_args(args):
    """400 for an `updated_since` older than the tombstones kept, with `include_deleted`."""
    since = args.get("updated_since")
    horizon = utcnow() - timedelta(days=tombstone_days())
    if since is not None and args.get("include_deleted") and since < horizon:
        raise ValidationFailed(
            "Deleted ids are not kept that long: list everything again without updated_since.",
            field_errors={"updated_since": [
                f"With include_deleted, at most {tombstone_days()} days ago; sync everything again."]})


def changed_since(stmt, args):
    """`stmt` (a list's SELECT of one model) narrowed to the rows changed since
    `updated_since`, in (updated_at, id) order; `stmt` itself without it."""
    since = args.get("updated_since")
    if since is None:
        return stmt
    model = listed_model(stmt)
    stmt = stmt.where(model.updated_at >= since).order_by(None)
    return stmt.order_by(model.updated_at.asc(), model.id.asc())


def listed_model(stmt):
    return stmt.column_descriptions[0]["entity"]


def deleted_ids(stmt, args, studio_id):
    """The `deleted` of a list whose rows `stmt` (without `updated_since`) selects: one query,
    run only when asked for."""
    since = args.get("updated_since")
    model = listed_model(stmt)
    if since is None or studio_id is None or "studio_id" not in model.__table__.c:
        return []
    parts = [select(DeletedRecord.row_id.label("id")).where(
        DeletedRecord.studio_id == studio_id, DeletedRecord.table_name == model.__tablename__,
        DeletedRecord.deleted_at >= since)]
    if model in _archived:
        listed = stmt.order_by(None).subquery()
        parts.append(select(model.id.label("id")).where(
            model.studio_id == studio_id, model.updated_at >= since, _archived[model],
            model.id.not_in(select(listed.c.id))))
    query = union(*parts) if len(parts) > 1 else parts[0]
    return sorted(db.session.execute(query).scalars().all(), key=str)


# ---------------------------------------------------------------- updated_at of parents

_bumps = {}  # {child model: (foreign key attribute, parent model)}


def bumps(child, key, parent):
    """A change to a `child` row (insert, update, delete through the ORM) moves the
    updated_at of its `parent` row (`child.<key>` is its id): the parent's API representation
    shows it (an invoice's lines and payments)."""
    _bumps[child] = (key, parent)


@event.listens_for(Session, "after_flush")
def _bump_parents(session, _flush_context):
    if not _bumps:
        return
    changed = {}  # {parent model: {parent id: studio id}}
    for obj in (*session.new, *session.dirty, *session.deleted):
        found = _bumps.get(type(obj))
        if found is None or (obj in session.dirty and not session.is_modified(obj)):
            continue
        key, parent = found
        parent_id = getattr(obj, key)
        if parent_id is not None:
            changed.setdefault(parent, {})[parent_id] = obj.studio_id
    if not changed:
        return
    new_parents = {(type(obj), obj.id) for obj in session.new}  # written just now anyway
    from app.core import versions  # versions reads the app's extensions; models import this

    now = utcnow()
    for parent, rows in changed.items():
        ids = [parent_id for parent_id in rows if (parent, parent_id) not in new_parents]
        if not ids:
            continue
        table = parent.__table__
        session.connection().execute(sa.update(table).where(table.c.id.in_(ids)).values(updated_at=now))
        versions.touch(session, table, set(rows[parent_id] for parent_id in ids))
        for parent_id in ids:  # what the session holds says so too
            held = session.identity_map.get(sa.inspect(parent).identity_key_from_primary_key((parent_id,)))
            if held is not None:
                attributes.set_committed_value(held, "updated_at", now)


# ---------------------------------------------------------------- purge

def purge_tombstones(now=None):
    """Delete the tombstones older than TOMBSTONE_DAYS (a daily job); returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=tombstone_days())
    result = db.session.execute(sa.delete(DeletedRecord).where(DeletedRecord.deleted_at < cutoff))
    return result.rowcount


# ---------------------------------------------------------------- the document

def document_lists(spec):
    """Every list that takes `updated_since` says, in its 400, that an old one with
    `include_deleted` is refused (core.api.refused_when's form, which the schemathesis run
    holds the server to)."""
    from app.core.api import RULES_INTRO

    for item in spec._paths.values():
        operation = item.get("get")
        if not operation or not any(p.get("name") == "updated_since" for p in operation.get("parameters", [])
                                    if isinstance(p, dict)):
            continue
        responses = operation.setdefault("responses", {})
        response = responses.get("400")
        description = response.get("description") or "" if isinstance(response, dict) else ""
        if REFUSED_RULE in description:
            continue
        if isinstance(response, dict) and "$ref" not in response and description.startswith(RULES_INTRO):
            response["description"] = f"{description}\n- {REFUSED_RULE}"
        else:  # none, or the shared BAD_REQUEST (a $ref takes no description of its own)
            error = {"schema": {"$ref": "#/components/schemas/Error"}}
            responses["400"] = {"description": f"{RULES_INTRO}\n- {REFUSED_RULE}",
                                "content": {"application/json": error}}
