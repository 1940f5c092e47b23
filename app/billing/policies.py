"""Who sees which invoices and payments (SPEC §1). Managers see all of the studio's;
parents those of their own families, once sent (drafts are the studio's work in progress);
teachers and students none (no family billing)."""
from sqlalchemy import false

from app.billing.models import Invoice, Payment
from app.core.permissions import MANAGERS, PARENT
from app.core.tenancy import current_principal, scoped
from app.people.services import guardian_family_ids


def _restrict(stmt, column, principal):
    if principal.role in MANAGERS:
        return stmt
    if principal.role == PARENT:
        return stmt.where(column.in_(guardian_family_ids(principal)))
    return stmt.where(false())


def visible_invoices(principal=None):
    principal = principal or current_principal()
    stmt = _restrict(scoped(Invoice, principal.studio), Invoice.family_id, principal)
    if principal.role not in MANAGERS:
        stmt = stmt.where(Invoice.status != "draft")
    return stmt


def visible_payments(principal=None):
    principal = principal or current_principal()
    return _restrict(scoped(Payment, principal.studio), Payment.family_id, principal)


def is_billing_manager(principal=None):
    principal = principal or current_principal()
    return principal is not None and principal.role in MANAGERS
