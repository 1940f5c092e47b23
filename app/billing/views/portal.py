"""What the portal and other domains' pages show of billing: a family's balance, in
partials (templates/dashboard/_portal_balance.html, billing/_family_account.html)."""
from babel.numbers import format_decimal
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from app.billing import policies, services
from app.billing.models import OPEN_STATUSES, Invoice
from app.billing.policies import is_billing_manager
from app.billing.services.balances import studio_overview
from app.billing.views import billing_bp
from app.core.formatting import _locale, _studio
from app.core.permissions import PARENT, can
from app.core.tenancy import current_principal
from app.extensions import db
from app.people.services import families_of


def portal_billing():
    """For a parent: [(family, account, open invoices)] of each of their families."""
    principal = current_principal()
    if principal is None or principal.role != PARENT or not can("invoices.view"):
        return []
    summary = []
    for family in families_of(principal.studio, principal.user):
        open_invoices = db.session.scalars(
            policies.visible_invoices().where(Invoice.family_id == family.id,
                                              Invoice.status.in_(OPEN_STATUSES))
            .order_by(Invoice.due_date, Invoice.id).limit(5)
            .options(lazyload(Invoice.line_items))).all()  # the list shows totals only
        summary.append((family, services.family_account(family), open_invoices))
    return summary


def family_billing(family):
    """A family page's account box: balance, credit and the latest invoices."""
    recent = db.session.scalars(
        select(Invoice).where(Invoice.studio_id == family.studio_id,
                              Invoice.family_id == family.id)
        .order_by(Invoice.issue_date.desc(), Invoice.created_at.desc()).limit(5)).all()
    return services.family_account(family), recent


@billing_bp.app_context_processor
def billing_helpers():
    return {"portal_billing": portal_billing, "family_billing": family_billing,
            "billing_overview": lambda: billing_overview()}


@billing_bp.app_template_filter("quantity")
def quantity_filter(value, studio=None):
    """A line quantity in the studio's locale: 4, 1.5."""
    return format_decimal(value, "#,##0.##", locale=_locale(studio or _studio()))


def billing_overview():
    """For the staff dashboard: open and overdue totals, and drafts waiting to be sent."""
    principal = current_principal()
    if principal is None or not is_billing_manager(principal):
        return None
    return studio_overview(principal.studio.id)
