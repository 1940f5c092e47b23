"""Billing's background work, run by app/jobs.py."""
import logging
from dataclasses import replace
from datetime import date

from sqlalchemy import select

from app.accounts.models import Studio
from app.billing.models import Invoice
from app.billing.services import generate_invoices, mark_overdue, plan_invoices
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


FAMILIES_PER_STEP = 20


def auto_invoice(job, studio, actor, progress):
    """The "auto_invoice" job: plan the period, then create the drafts some families at a
    time, each step committed (a family's draft is all-or-nothing, SPEC §3)."""
    first = date.fromisoformat(job.params["period_start"])
    last = date.fromisoformat(job.params["period_end"])
    plan = plan_invoices(studio, first, last, family=job.params.get("family"))
    total = len(plan.families)
    progress(0, total)
    created, notes = 0, []
    for start in range(0, total, FAMILIES_PER_STEP):
        step = replace(plan, families=plan.families[start:start + FAMILIES_PER_STEP])
        generate_invoices(studio, actor, first, last, plan=step)
        created += len(step.created)
        notes += [f"{f.family.name}: {f.skipped}" for f in step.skipped]
        progress(min(start + FAMILIES_PER_STEP, total))
    notes += [group.summary + " (left out)" for group in plan.left_out]
    message = (f"{created} draft invoice{'s' if created != 1 else ''} created. Check them, then "
               "send them to the families." if created else
               "Nothing new to bill for that period: every billable lesson is on an invoice.")
    link = {"endpoint": "billing.send_drafts", "label": "Send all drafts",
            "args": {"period_start": first.isoformat(), "period_end": last.isoformat()}}
    return {"message": message, "created": created, "notes": notes,
            "link": link if created else None}
