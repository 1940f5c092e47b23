"""Copies of physical resources lent to students and taken back. The count of available
copies moves in one conditional UPDATE, so two requests for the last copy cannot both win,
whatever the database."""
from datetime import datetime, timezone

from sqlalchemy import update

from app.core import validation
from app.core.errors import Conflict, ValidationFailed
from app.core.timeutil import local_today
from app.extensions import db
from app.library.models import Resource, ResourceCheckout


def lend_copy(studio, actor, resource, student, *, due_date=None, notes=""):
    """Lend one copy of a physical resource to `student` (409 when none is left)."""
    if resource.resource_type != "physical":
        raise ValidationFailed("Only physical items are lent out.",
                               field_errors={"resource": ["This resource is not a physical item."]})
    if not student.is_active:
        raise ValidationFailed(field_errors={"student": ["This student is archived."]})
    notes = validation.field("notes", validation.text, notes, max_length=2000)
    now = datetime.now(timezone.utc)
    if due_date is not None and due_date < local_today(studio, now):
        raise ValidationFailed(field_errors={"due_date": ["The due date has passed."]})
    taken = db.session.execute(
        update(Resource)
        .where(Resource.id == resource.id, Resource.studio_id == studio.id,
               Resource.available_copies > 0)
        .values(available_copies=Resource.available_copies - 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise Conflict("Every copy of this item is lent out.")
    checkout = ResourceCheckout(studio_id=studio.id, resource_id=resource.id, resource=resource,
                                student_id=student.id, student=student, status="checked_out",
                                checked_out_at=now, due_date=due_date, lent_by_id=actor.id,
                                notes=notes)
    db.session.add(checkout)
    db.session.flush()
    db.session.refresh(resource)
    return checkout


def return_copy(studio, actor, checkout):
    """Take a lent copy back (409 when it was already returned)."""
    returned = db.session.execute(
        update(ResourceCheckout)
        .where(ResourceCheckout.id == checkout.id, ResourceCheckout.studio_id == studio.id,
               ResourceCheckout.status == "checked_out")
        .values(status="returned", returned_at=datetime.now(timezone.utc))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not returned:
        raise Conflict("This copy has already been returned.")
    db.session.execute(
        update(Resource)
        .where(Resource.id == checkout.resource_id, Resource.studio_id == studio.id)
        .values(available_copies=Resource.available_copies + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.refresh(checkout)
    db.session.refresh(checkout.resource)
    return checkout


def filter_checkouts(stmt, studio, *, resource=None, student=None, status=None, overdue=None):
    """Narrow a SELECT of loans: by resource, student, status, and overdue (lent out past
    its due date, in the studio's calendar)."""
    if resource:
        stmt = stmt.where(ResourceCheckout.resource_id == resource)
    if student:
        stmt = stmt.where(ResourceCheckout.student_id == student)
    if status:
        stmt = stmt.where(ResourceCheckout.status == status)
    if overdue:
        stmt = stmt.where(ResourceCheckout.overdue_on(local_today(studio)))
    return stmt
