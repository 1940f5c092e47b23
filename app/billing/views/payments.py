"""Payment pages: the list, refunds, a payment against a family's account, and a family's
statement."""
from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.billing import policies, services
from app.billing.access import payable_family, visible_payment
from app.billing.forms import PaymentForm, RefundForm
from app.billing.models import METHOD_LABELS, PAYMENT_METHODS, Payment
from app.billing.views import billing_bp
from app.billing.views.common import back_to_invoice, chosen_family
from app.core.errors import DomainError
from app.core.formatting import money_filter
from app.core.permissions import requires
from app.core.tenancy import current_studio, get_or_404
from app.core.views import form_failed, html_page, render, render_form, text_arg, uuid_arg
from app.extensions import db
from app.people.models import Family
from app.people.services import visible_families


@billing_bp.route("/payments")
@login_required
@requires("payments.view")
def payments():
    method = request.args.get("method") if request.args.get("method") in PAYMENT_METHODS else ""
    family, query = uuid_arg("family"), text_arg("q")
    manager = policies.is_billing_manager()
    stmt = services.filter_payments(policies.visible_payments(), current_studio(), method=method,
                                    family=family, search=query if manager else None)
    page = html_page(stmt.order_by(Payment.paid_at.desc(), Payment.id.desc()))
    return render(
        "billing/payments/index.html", "billing/payments/_results.html", page=page,
        method=method, q=query, methods=METHOD_LABELS, manager=manager,
        chosen_family=chosen_family(family) if manager else None,
    )


@billing_bp.route("/payments/<payment_id>/refund", methods=["POST"])
@login_required
@requires("payments.record")
def refund_payment(payment_id):
    payment = visible_payment(payment_id)
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


@billing_bp.route("/families/<family_id>/payments/new", methods=["GET", "POST"])
@login_required
@requires("payments.record")
def take_family_payment(family_id):
    """Take money against the family's account: it pays the open invoices oldest first."""
    family, form, studio = payable_family(family_id), PaymentForm(), current_studio()
    if form.validate_on_submit():
        try:
            result = services.take_family_payment(
                studio, current_user, family=family, amount=form.amount.data,
                method=form.method.data, transaction_id=form.transaction_id.data or "",
                notes=form.notes.data or "", paid_on=form.paid_on.data)
        except DomainError as exc:
            db.session.rollback()
            form_failed(form, exc, aliases={"payment_method": "method", "paid_at": "paid_on"})
        else:
            flash(_family_payment_taken(result), "success")
            return redirect(url_for("people.family", family_id=family.id))
    return render_form("billing/payments/take.html", form, family=family,
                       invoices=services.open_invoices(studio, family),
                       account=services.family_account(family))


def _family_payment_taken(result):
    paid = ", ".join(f"{p.invoice.number} {money_filter(p.amount - p.credit_amount)}"
                     for p in result.payments)
    message = f"Payment of {money_filter(result.amount)} recorded: {paid}."
    if result.to_credit:
        message += f" {money_filter(result.to_credit)} went to the family's credit."
    return message
