"""Importing families and students from a CSV: a preview per row, then one transaction.

The preview stores the file's rows and what would happen to each (see csv_plan). Commit
plans the stored rows again against the current data and writes everything in the
request's transaction: a failure leaves nothing half-imported.
"""
from datetime import timedelta

from sqlalchemy import delete, select

from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.permissions import STUDENT
from app.extensions import db
from app.people.models import Family, FamilyGuardian, ImportBatch, Student
from app.people.services.csv_plan import CREATE, Directory, plan_import
from app.people.services.csv_read import COLUMNS, read_csv
from app.people.services.webhook_data import announce_student

FLUSH_EVERY = 500
BATCH_TTL = timedelta(days=1)


def preview_import(studio, actor, data, filename=""):
    """Read an uploaded CSV and store its plan for review. Raises ValidationFailed for a
    file we cannot use; returns the ImportBatch."""
    parsed = read_csv(data)
    _forget_old_batches(studio)
    plan = plan_import(studio, parsed.rows)
    batch = ImportBatch(
        studio_id=studio.id, created_by_id=actor.id, filename=(filename or "")[:255],
        row_count=len(parsed.rows), rows=parsed.rows, preview=[p.as_json() for p in plan.rows],
        summary={**plan.counts(), "columns": {k: parsed.mapping[k] for k in COLUMNS if k in parsed.mapping},
                 "ignored": parsed.ignored},
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def _forget_old_batches(studio):
    db.session.execute(delete(ImportBatch).where(
        ImportBatch.studio_id == studio.id, ImportBatch.status == "previewed",
        ImportBatch.created_at < utcnow() - BATCH_TTL,
    ))


def _guardian(studio, family_id, parent, directory):
    member = directory.members_by_email.get(parent["email"]) if parent["email"] else None
    linked = member is not None and member.role != STUDENT
    return FamilyGuardian(
        studio_id=studio.id, family_id=family_id, user_id=member.id if linked else None,
        email=parent["email"] or None, first_name=parent["first_name"],
        last_name=parent["last_name"], phone=parent["phone"],
    )


def _write_family(studio, new_family, directory):
    guardians = [_guardian(studio, new_family.id, p, directory) for p in new_family.guardians]
    contact = next((g.user_id for g in guardians if g.user_id), None)
    family = Family(id=new_family.id, studio_id=studio.id, name=new_family.name,
                    phone=new_family.phone[:40], billing_email=new_family.billing_email,
                    address=new_family.address, primary_contact_id=contact, notes="")
    return [family, *guardians]


def commit_import(studio, actor, batch):
    """Create what the batch's rows describe, all in the current transaction."""
    if batch.status == "committed":
        raise Conflict("This file has already been imported.")
    directory = Directory(studio, batch.rows)
    plan_all = plan_import(studio, batch.rows, directory)
    written_families = set()
    created, imported = 0, []
    for plan in plan_all.rows:
        if plan.status != CREATE:
            continue
        family = plan.new_family
        if family is not None and family.id not in written_families:
            db.session.add_all(_write_family(studio, family, directory))
            written_families.add(family.id)
        family_id = plan.family_id or family.id
        db.session.add_all(_guardian(studio, family_id, p, directory) for p in plan.added_guardians)
        student = Student(studio_id=studio.id, family_id=family_id,
                          archived_at=None if plan.data["is_active"] else utcnow(), **plan.data)
        db.session.add(student)
        imported.append(student)
        created += 1
        if created % FLUSH_EVERY == 0:
            db.session.flush()
    batch.status, batch.committed_at = "committed", utcnow()
    batch.rows = []  # the raw file is not kept once it is imported; the outcome per row is
    batch.preview = [p.as_json() for p in plan_all.rows]
    batch.summary = {**batch.summary, **plan_all.counts()}
    db.session.flush()
    for student in imported:
        announce_student(studio, "student.created", student)
    audit.record(studio, actor, "people.imported", batch, students=created,
                 families=len(written_families), filename=batch.filename)
    return batch


def recent_imports(studio, limit=5):
    return db.session.scalars(
        select(ImportBatch).where(ImportBatch.studio_id == studio.id, ImportBatch.status == "committed")
        .order_by(ImportBatch.committed_at.desc()).limit(limit)
    ).all()

