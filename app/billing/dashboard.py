"""What billing adds to the staff dashboard: the invoices past their due date that still
have a balance (managers only), whether or not the overdue job has marked them yet."""
from sqlalchemy import func
from sqlalchemy.orm import lazyload

from app.billing.models import OPEN_STATUSES, Invoice
from app.billing.policies import is_billing_manager, visible_invoices
from app.core.money import to_money
from app.core.timeutil import local_today
from app.extensions import db

OVERDUE_SHOWN = 10


def dashboard_context(principal):
    """Extra template context for the dashboard of `principal`'s role."""
    if not is_billing_manager(principal):
        return {}
    today = local_today(principal.studio)
    stmt = visible_invoices(principal).where(
        Invoice.status.in_(OPEN_STATUSES), Invoice.due_date < today, Invoice.balance_due > 0)
    count, total = db.session.execute(stmt.with_only_columns(
        func.count(Invoice.id), func.coalesce(func.sum(Invoice.balance_due), 0)).order_by(None)).one()
    invoices = db.session.scalars(
        stmt.order_by(Invoice.due_date, Invoice.number, Invoice.id).limit(OVERDUE_SHOWN)
        .options(lazyload(Invoice.line_items))).all() if count else []
    return {"overdue_invoices": invoices, "overdue_count": count, "overdue_total": to_money(total)}
