"""Payment pages: the list, refunds, and a family's statement."""
from flask import request
from flask_login import current_user, login_required

from app.billing import policies, services
from app.billing.forms import RefundForm
from app.billing.models import METHOD_LABELS, PAYMENT_METHODS, Payment
from app.billing.views import billing_bp
from app.billing.views.common import back_to_invoice, chosen_family, html_page, render, text_arg, uuid_arg
from app.core.errors import DomainError
from app.core.htmx import partial_or_page
from app.core.permissions import requires
from app.core.tenancy import current_studio, get_or_404
from app.people.models import Family
from app.people.policies import visible_families


@billing_bp.route("/payments")
@login_required
@requires("payments.view")
def payments():
    method = request.args.get("method") if request.args.get("method") in PAYMENT_METHODS else ""
    family, query = uuid_arg("family"), text_arg("q")
    manager = policies.is_billing_manager()
    stmt = policies.visible_payments()
    if method:
        stmt = stmt.where(Payment.method == method)
    if family:
        stmt = stmt.where(Payment.family_id == family)
    if query and manager:
        stmt = services.search_payments(stmt, query)
    page = html_page(stmt.order_by(Payment.paid_at.desc(), Payment.id.desc()))
    return partial_or_page(
        "billing/payments/index.html", "billing/payments/_results.html", page=page,
        method=method, q=query, methods=METHOD_LABELS, manager=manager,
        chosen_family=chosen_family(family) if manager else None,
    )


@billing_bp.route("/payments/<payment_id>/refund", methods=["POST"])
@login_required
@requires("payments.record")
def refund_payment(payment_id):
    payment = get_or_404(Payment, payment_id, stmt=policies.visible_payments())
    form = RefundForm()
    if not form.validate_on_submit():
        return back_to_invoice(payment.invoice_id, "The form expired; try again.", "error")
    try:
        services.refund_payment(current_studio(), current_user, payment,
                                amount=form.amount.data or None, notes=form.notes.data or "")
    except DomainError as exc:
        message = " ".join(sum(exc.field_errors.values(), [])) or exc.detail
        return back_to_invoice(payment.invoice_id, f"Refund not recorded: {message}", "error")
    return back_to_invoice(payment.invoice_id, "The refund is recorded.")


@billing_bp.route("/families/<family_id>/statement")
@login_required
@requires("invoices.view")
def statement(family_id):
    family = get_or_404(Family, family_id, stmt=visible_families())
    studio = current_studio()
    return render("billing/statement.html", family=family, studio=studio,
                  entries=services.statement(studio, family),
                  account=services.family_account(family),
                  manager=policies.is_billing_manager())
