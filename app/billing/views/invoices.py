"""Invoice pages: the list, a new draft, the invoice (draft editor or issued invoice with its
payments), its actions, its PDF, and the auto-invoicing screen."""
from datetime import timedelta

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from app.billing import pdf, policies, services
from app.billing.forms import (
    CreditForm,
    GenerateForm,
    InvoiceForm,
    InvoiceHeaderForm,
    LineItemForm,
    PaymentForm,
    RefundForm,
    VoidForm,
)
from app.billing.models import INVOICE_STATUSES, STATUS_LABELS, Invoice, InvoiceLineItem, Payment
from app.billing.services.common import local_today
from app.billing.services.invoices import recipients
from app.billing.views import billing_bp
from app.billing.views.common import (
    back_to_invoice,
    chosen_family,
    form_failed,
    html_page,
    render,
    text_arg,
    uuid_arg,
)
from app.core.errors import Conflict, DomainError, ValidationFailed
from app.core.htmx import partial_or_page
from app.core.permissions import requires
from app.core.tenancy import current_studio, get_or_404, scoped
from app.extensions import db
from app.people.services import family_choices


def _invoice(invoice_id):
    stmt = policies.visible_invoices().options(
        selectinload(Invoice.payments).selectinload(Payment.refunds))
    return get_or_404(Invoice, invoice_id, stmt=stmt)


# ---------------------------------------------------------------- list

@billing_bp.route("/invoices")
@login_required
@requires("invoices.view")
def invoices():
    status = request.args.get("status") if request.args.get("status") in INVOICE_STATUSES else ""
    family, query = uuid_arg("family"), text_arg("q")
    stmt = policies.visible_invoices()
    if status:
        stmt = stmt.where(Invoice.status == status)
    if family:
        stmt = stmt.where(Invoice.family_id == family)
    if query:
        stmt = services.search_invoices(stmt, query)
    # Newest first along the (studio, issue date, id) index: no sort of the whole studio.
    page = html_page(stmt.order_by(Invoice.issue_date.desc(), Invoice.id.desc()))
    manager = policies.is_billing_manager()
    return partial_or_page(
        "billing/invoices/index.html", "billing/invoices/_results.html", page=page,
        status=status, q=query, statuses=STATUS_LABELS, manager=manager,
        chosen_family=chosen_family(family) if manager else None,
        today=local_today(current_studio()),
    )


# ---------------------------------------------------------------- new draft

@billing_bp.route("/invoices/new", methods=["GET", "POST"])
@login_required
@requires("invoices.manage")
def new_invoice():
    studio = current_studio()
    form = InvoiceForm()
    form.family.choices = [("", "Choose a family")] + family_choices(studio)
    if request.method == "GET":
        form.family.data = request.args.get("family", "")
        form.issue_date.data = local_today(studio)
    if form.validate_on_submit():
        try:
            invoice = services.create_invoice(
                studio, current_user, family=form.family.data, issue_date=form.issue_date.data,
                due_date=form.due_date.data, notes=form.notes.data or "")
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash("Draft created. Add its lines, then send it.", "success")
            return redirect(url_for("billing.invoice", invoice_id=invoice.id))
    status = 422 if form.errors or form.form_errors else 200
    return render("billing/invoices/new.html", status, form=form)


# ---------------------------------------------------------------- one invoice

def _context(invoice, **forms):
    studio = current_studio()
    context = {
        "invoice": invoice, "studio": studio, "manager": policies.is_billing_manager(),
        "line_form": forms.get("line_form") or LineItemForm(),
        "header_form": forms.get("header_form") or InvoiceHeaderForm(obj=invoice),
        "payment_form": forms.get("payment_form") or _payment_form(invoice),
        "credit_form": forms.get("credit_form") or CreditForm(prefix="credit"),
        "void_form": forms.get("void_form") or VoidForm(prefix="void"),
        "refund_form": RefundForm(), "action_form": VoidForm(),
        "credit_available": services.credit_available(invoice.family),
    }
    if forms.get("refund_errors"):
        context["refund_errors"] = forms["refund_errors"]
    return context


def _payment_form(invoice):
    form = PaymentForm()
    if not form.is_submitted():
        form.amount.data = f"{invoice.balance_due:.2f}" if invoice.balance_due else ""
    return form


@billing_bp.route("/invoices/<invoice_id>")
@login_required
@requires("invoices.view")
def invoice(invoice_id):
    invoice = _invoice(invoice_id)
    return render("billing/invoices/show.html", **_context(invoice))


def _show_with_errors(invoice, partial=None, **forms):
    return render("billing/invoices/show.html", 422, partial=partial, **_context(invoice, **forms))


@billing_bp.route("/invoices/<invoice_id>/edit", methods=["POST"])
@login_required
@requires("invoices.manage")
def edit_invoice(invoice_id):
    invoice = _invoice(invoice_id)
    form = InvoiceHeaderForm()
    if form.validate_on_submit():
        try:
            services.update_invoice(current_studio(), current_user, invoice,
                                    issue_date=form.issue_date.data, due_date=form.due_date.data,
                                    discount=form.discount.data or "0", notes=form.notes.data or "")
        except Conflict as exc:
            return back_to_invoice(invoice.id, exc.detail, "error")
        except DomainError as exc:
            db.session.rollback()
            form_failed(form, exc)
        else:
            return back_to_invoice(invoice.id, "The draft is saved.")
    return _show_with_errors(_invoice(invoice_id), header_form=form)


@billing_bp.route("/invoices/<invoice_id>/lines", methods=["POST"])
@login_required
@requires("invoices.manage")
def add_line(invoice_id):
    invoice = _invoice(invoice_id)
    form = LineItemForm()
    if form.validate_on_submit():
        try:
            services.add_line(current_studio(), current_user, invoice,
                              description=form.description.data, quantity=form.quantity.data,
                              unit_price=form.unit_price.data)
        except Conflict as exc:
            return back_to_invoice(invoice.id, exc.detail, "error")
        except DomainError as exc:
            db.session.rollback()
            form_failed(form, exc)
        else:
            return render("billing/invoices/show.html", partial="billing/invoices/_editor.html",
                          **_context(invoice)) if _htmx() else back_to_invoice(invoice.id)
    return _show_with_errors(_invoice(invoice_id), partial="billing/invoices/_editor.html",
                             line_form=form)


def _htmx():
    from app.core.htmx import is_htmx

    return is_htmx()


@billing_bp.route("/invoices/<invoice_id>/lines/<line_id>/delete", methods=["POST"])
@login_required
@requires("invoices.manage")
def remove_line(invoice_id, line_id):
    invoice = _invoice(invoice_id)
    line = get_or_404(InvoiceLineItem, line_id,
                      stmt=scoped(InvoiceLineItem).where(InvoiceLineItem.invoice_id == invoice.id))
    form = VoidForm()
    if not form.validate_on_submit():
        return back_to_invoice(invoice.id, "The form expired; try again.", "error")
    try:
        services.remove_line(current_studio(), current_user, invoice, line)
    except DomainError as exc:
        return back_to_invoice(invoice.id, exc.detail, "error")
    if _htmx():
        return render("billing/invoices/show.html", partial="billing/invoices/_editor.html",
                      **_context(invoice))
    return back_to_invoice(invoice.id, "The line is removed.")


@billing_bp.route("/invoices/<invoice_id>/send", methods=["POST"])
@login_required
@requires("invoices.manage")
def send_invoice(invoice_id):
    invoice = _invoice(invoice_id)
    form = VoidForm()
    if not form.validate_on_submit():
        return back_to_invoice(invoice.id, "The form expired; try again.", "error")
    try:
        invoice = services.send_invoice(current_studio(), current_user, invoice)
    except DomainError as exc:
        return back_to_invoice(invoice.id, exc.detail, "error")
    to = ", ".join(recipients(invoice.family))
    where = f" and emailed to {to}" if to else "; the family has no email address on file"
    return back_to_invoice(invoice.id, f"Invoice {invoice.number} is sent{where}.")


@billing_bp.route("/invoices/<invoice_id>/void", methods=["POST"])
@login_required
@requires("invoices.manage")
def void_invoice(invoice_id):
    invoice = _invoice(invoice_id)
    form = VoidForm(prefix="void")
    if not form.validate_on_submit():
        return back_to_invoice(invoice.id, "The form expired; try again.", "error")
    try:
        services.void_invoice(current_studio(), current_user, invoice, form.reason.data or "")
    except DomainError as exc:
        return back_to_invoice(invoice.id, exc.detail, "error")
    return back_to_invoice(invoice.id, f"Invoice {invoice.number} is void. "
                                       "Anything paid on it is now family credit.")


@billing_bp.route("/invoices/<invoice_id>/delete", methods=["POST"])
@login_required
@requires("invoices.manage")
def delete_invoice(invoice_id):
    invoice = _invoice(invoice_id)
    form = VoidForm()
    if not form.validate_on_submit():
        return back_to_invoice(invoice.id, "The form expired; try again.", "error")
    try:
        services.delete_draft(current_studio(), current_user, invoice)
    except DomainError as exc:
        return back_to_invoice(invoice.id, exc.detail, "error")
    flash("The draft is deleted.", "success")
    return redirect(url_for("billing.invoices"))


@billing_bp.route("/invoices/<invoice_id>/credit", methods=["POST"])
@login_required
@requires("invoices.manage")
def credit_invoice(invoice_id):
    invoice = _invoice(invoice_id)
    form = CreditForm(prefix="credit")
    if form.validate_on_submit():
        try:
            services.credit_invoice(current_studio(), current_user, invoice, form.amount.data,
                                    form.reason.data or "")
        except Conflict as exc:
            return back_to_invoice(invoice.id, exc.detail, "error")
        except ValidationFailed as exc:
            db.session.rollback()
            form_failed(form, exc)
        else:
            return back_to_invoice(invoice.id, "The credit is applied.")
    return _show_with_errors(_invoice(invoice_id), credit_form=form)


@billing_bp.route("/invoices/<invoice_id>/payments", methods=["POST"])
@login_required
@requires("payments.record")
def record_payment(invoice_id):
    invoice = _invoice(invoice_id)
    form = PaymentForm()
    if form.validate_on_submit():
        studio = current_studio()
        try:
            payment = services.record_payment(
                studio, current_user, invoice=invoice, amount=form.amount.data,
                method=form.method.data, transaction_id=form.transaction_id.data or "",
                notes=form.notes.data or "", paid_at=_paid_at(studio, form.paid_on.data))
        except Conflict as exc:
            return back_to_invoice(invoice.id, exc.detail, "error")
        except ValidationFailed as exc:
            db.session.rollback()
            form_failed(form, exc, aliases={"payment_method": "method", "paid_at": "paid_on"})
        else:
            from app.core.formatting import money_filter

            message = f"Payment of {money_filter(payment.amount)} recorded."
            if payment.credit_amount:
                message += f" {money_filter(payment.credit_amount)} went to the family's credit."
            return back_to_invoice(invoice.id, message)
    return _show_with_errors(_invoice(invoice_id), payment_form=form)


def _paid_at(studio, day):
    """A payment date from the form: noon in the studio's timezone (today: now)."""
    if day is None or day == local_today(studio):
        return None
    from datetime import datetime, time, timezone
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(12), tzinfo=ZoneInfo(studio.timezone)).astimezone(timezone.utc)


@billing_bp.route("/invoices/<invoice_id>/pdf")
@login_required
@requires("invoices.view")
def invoice_pdf(invoice_id):
    from app.billing.api import pdf_response

    invoice = _invoice(invoice_id)
    response = pdf_response(current_studio(), invoice)
    if request.args.get("inline"):
        response.headers["Content-Disposition"] = f'inline; filename="{pdf.pdf_filename(invoice)}"'
    return response


# ---------------------------------------------------------------- auto-invoicing

def default_period(studio):
    """Next month when billing in advance or flat monthly; last month after attendance."""
    today = local_today(studio)
    first_this = today.replace(day=1)
    if (studio.billing_mode or "after_attended") == "after_attended":
        last = first_this - timedelta(days=1)
        return last.replace(day=1), last
    first_next = (first_this + timedelta(days=32)).replace(day=1)
    return first_next, (first_next + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@billing_bp.route("/invoices/generate", methods=["GET", "POST"])
@login_required
@requires("invoices.manage")
def generate():
    studio = current_studio()
    form = GenerateForm()
    form.family.choices = [("", "All families")] + family_choices(studio)
    if request.method == "GET":
        form.period_start.data, form.period_end.data = default_period(studio)
    plan = None
    if form.validate_on_submit():
        period = (form.period_start.data, form.period_end.data)
        family = form.family.data or None
        try:
            if request.form.get("action") == "create":
                return _generated(services.generate_invoices(studio, current_user, *period,
                                                             family=family))
            plan = services.plan_invoices(studio, *period, family=family)
        except DomainError as exc:
            db.session.rollback()
            form_failed(form, exc)
            plan = None
    status = 422 if form.errors or form.form_errors else 200
    return render("billing/generate.html", status, form=form, plan=plan, studio=studio,
                  mode_labels=MODE_LABELS)


MODE_LABELS = {
    "after_attended": "after lessons are taught (completed lessons and no-shows)",
    "in_advance": "in advance (lessons scheduled in the period)",
    "monthly_flat": "a flat monthly tuition per student (the student's default rate)",
}


def _generated(plan):
    created = plan.created
    if created:
        flash(f"{len(created)} draft invoice{'s' if len(created) != 1 else ''} created. "
              "Check them, then send them to the families.", "success")
    else:
        flash("Nothing new to bill for that period: every billable lesson is on an invoice.",
              "info")
    for family_plan in plan.skipped:
        flash(f"{family_plan.family.name}: {family_plan.skipped}", "warning")
    return redirect(url_for("billing.invoices", status="draft"))
