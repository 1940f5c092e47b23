"""Billing's background work, run by app/jobs.py."""
import logging

from sqlalchemy import select

from app.accounts.models import Studio
from app.billing.models import Invoice
from app.billing.services import mark_overdue
from app.extensions import db

log = logging.getLogger(__name__)


def mark_all_overdue(now=None):
    """Mark past-due invoices of every studio overdue, one commit per studio (a failing
    studio does not hold the others back). Returns how many invoices turned overdue."""
    studio_ids = db.session.scalars(select(Invoice.studio_id).where(
        Invoice.status.in_(("sent", "partially_paid")), Invoice.balance_due > 0).distinct()).all()
    count = 0
    for studio_id in studio_ids:
        try:
            studio = db.session.get(Studio, studio_id)
            count += len(mark_overdue(studio, now=now))
            db.session.commit()
        except Exception:  # one studio's failure must not stop the others
            db.session.rollback()
            log.exception("overdue job failed for studio %s", studio_id)
    return count
