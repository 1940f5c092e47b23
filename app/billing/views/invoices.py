"""Invoice pages: the list, a new draft, the invoice (draft editor or issued invoice with its
payments), its actions, its PDF, and the auto-invoicing screen."""

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.billing import pdf, policies, services
from app.billing.access import invoice_line, visible_invoice
from app.billing.forms import (
    CreditForm,
    GenerateForm,
    InvoiceForm,
    InvoiceHeaderForm,
    LineItemForm,
    PaymentForm,
    PeriodForm,
    RefundForm,
    VoidForm,
)
from app.billing.models import STATUS_LABELS, Invoice
from app.billing.services.invoices import recipients
from app.billing.views import billing_bp
from app.billing.views.common import back_to_invoice, chosen_family
from app.core import jobs
from app.core.errors import Conflict, DomainError
from app.core.formatting import money_filter
from app.core.htmx import is_htmx
from app.core.permissions import requires
from app.core.tenancy import current_studio
from app.core.timeutil import local_today
from app.core.views import form_failed, html_page, render, render_form, text_arg, uuid_arg
from app.extensions import db
from app.people.services import family_choices

EDITOR = "billing/invoices/_editor.html"


# ---------------------------------------------------------------- list

@billing_bp.route("/invoices")
@login_required
@requires("invoices.view")
def invoices():
    manager = policies.is_billing_manager()
    # Families never see drafts, so their filter does not offer them.
    statuses = {value: label for value, label in STATUS_LABELS.items() if manager or value != "draft"}
    status = request.args.get("status") if request.args.get("status") in statuses else ""
    family, query = uuid_arg("family"), text_arg("q")
    stmt = services.filter_invoices(policies.visible_invoices(), status=status, family=family,
                                    search=query)
    # Newest first along the (studio, issue date, id) index: no sort of the whole studio.
    page = html_page(stmt.order_by(Invoice.issue_date.desc(), Invoice.id.desc()))
    return render(
        "billing/invoices/index.html", "billing/invoices/_results.html", page=page,
        chosen_status=status, q=query, statuses=statuses, manager=manager,
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
    return render("billing/invoices/new.html", status=status, form=form)


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
    invoice = visible_invoice(invoice_id)
    return render("billing/invoices/show.html", **_context(invoice))


def _show_with_errors(invoice, partial=None, **forms):
    return render("billing/invoices/show.html", partial, status=422, **_context(invoice, **forms))


def _on_invoice_form(invoice, form, form_name, act, done, *, partial=None, aliases=None):
    """A form posted on the invoice page: when it is valid, `act()` and answer `done(result)`.
    A conflict goes back to the invoice with its reason; other refusals show on the form (422)
    with the invoice as it was."""
    if form.validate_on_submit():
        try:
            result = act()
        except Conflict as exc:
            return back_to_invoice(invoice.id, exc.detail, "error")
        except DomainError as exc:
            db.session.rollback()
            form_failed(form, exc, aliases)
        else:
            return done(result)
    return _show_with_errors(visible_invoice(invoice.id), partial, **{form_name: form})


@billing_bp.route("/invoices/<invoice_id>/edit", methods=["POST"])
@login_required
@requires("invoices.manage")
def edit_invoice(invoice_id):
    invoice, form = visible_invoice(invoice_id), InvoiceHeaderForm()
    return _on_invoice_form(
        invoice, form, "header_form",
        lambda: services.update_invoice(
            current_studio(), current_user, invoice, issue_date=form.issue_date.data,
            due_date=form.due_date.data, discount=form.discount.data or "0",
            notes=form.notes.data or ""),
        lambda _: back_to_invoice(invoice.id, "The draft is saved."))


@billing_bp.route("/invoices/<invoice_id>/lines", methods=["POST"])
@login_required
@requires("invoices.manage")
def add_line(invoice_id):
    invoice, form = visible_invoice(invoice_id), LineItemForm()
    return _on_invoice_form(
        invoice, form, "line_form",
        lambda: services.add_line(current_studio(), current_user, invoice,
                                  description=form.description.data, quantity=form.quantity.data,
                                  unit_price=form.unit_price.data),
        lambda _: _editor(invoice) if _htmx() else back_to_invoice(invoice.id),
        partial=EDITOR)


def _editor(invoice):
    return render("billing/invoices/show.html", EDITOR, **_context(invoice))


def _htmx():
    return is_htmx()


@billing_bp.route("/invoices/<invoice_id>/lines/<line_id>/delete", methods=["POST"])
@login_required
@requires("invoices.manage")
def remove_line(invoice_id, line_id):
    invoice = visible_invoice(invoice_id)
    line = invoice_line(invoice, line_id)
    form = VoidForm()
    if not form.validate_on_submit():
        return back_to_invoice(invoice.id, "The form expired; try again.", "error")
    try:
        services.remove_line(current_studio(), current_user, invoice, line)
    except DomainError as exc:
        return back_to_invoice(invoice.id, exc.detail, "error")
    if _htmx():
        return _editor(invoice)
    return back_to_invoice(invoice.id, "The line is removed.")


@billing_bp.route("/invoices/<invoice_id>/send", methods=["POST"])
@login_required
@requires("invoices.manage")
def send_invoice(invoice_id):
    invoice = visible_invoice(invoice_id)
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
    invoice = visible_invoice(invoice_id)
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
    invoice = visible_invoice(invoice_id)
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
    invoice, form = visible_invoice(invoice_id), CreditForm(prefix="credit")
    return _on_invoice_form(
        invoice, form, "credit_form",
        lambda: services.credit_invoice(current_studio(), current_user, invoice, form.amount.data,
                                        form.reason.data or ""),
        lambda _: back_to_invoice(invoice.id, "The credit is applied."))


@billing_bp.route("/invoices/<invoice_id>/payments", methods=["POST"])
@login_required
@requires("payments.record")
def record_payment(invoice_id):
    invoice, form = visible_invoice(invoice_id), PaymentForm()
    return _on_invoice_form(
        invoice, form, "payment_form",
        lambda: services.record_payment(
            current_studio(), current_user, invoice=invoice, amount=form.amount.data,
            method=form.method.data, transaction_id=form.transaction_id.data or "",
            notes=form.notes.data or "", paid_on=form.paid_on.data),
        lambda payment: back_to_invoice(invoice.id, _payment_recorded(payment)),
        aliases={"payment_method": "method", "paid_at": "paid_on"})


def _payment_recorded(payment):
    message = f"Payment of {money_filter(payment.amount)} recorded."
    if payment.credit_amount:
        message += f" {money_filter(payment.credit_amount)} went to the family's credit."
    return message


@billing_bp.route("/invoices/<invoice_id>/pdf")
@login_required
@requires("invoices.view")
def invoice_pdf(invoice_id):
    invoice = visible_invoice(invoice_id)
    response = pdf.pdf_response(current_studio(), invoice)
    if request.args.get("inline"):
        response.headers["Content-Disposition"] = f'inline; filename="{pdf.pdf_filename(invoice)}"'
    return response


# ---------------------------------------------------------------- auto-invoicing

@billing_bp.route("/invoices/generate", methods=["GET", "POST"])
@login_required
@requires("invoices.manage")
def generate():
    studio = current_studio()
    form = GenerateForm()
    form.family.choices = [("", "All families")] + family_choices(studio)
    if request.method == "GET":
        form.period_start.data, form.period_end.data = services.default_period(studio)
    plan = None
    if form.validate_on_submit():
        period = (form.period_start.data, form.period_end.data)
        family = form.family.data or None
        try:
            if request.form.get("action") == "create":
                return _start_generating(studio, *period, family)
            plan = services.plan_invoices(studio, *period, family=family)
        except DomainError as exc:
            db.session.rollback()
            form_failed(form, exc)
            plan = None
    status = 422 if form.errors or form.form_errors else 200
    return render("billing/generate.html", status=status, form=form, plan=plan, studio=studio,
                  mode_labels=MODE_LABELS, today=local_today(studio),
                  family_id=form.family.data or None)


MODE_LABELS = {
    "after_attended": "after lessons are taught (completed lessons and no-shows)",
    "in_advance": "in advance (lessons scheduled in the period)",
    "monthly_flat": "a flat monthly tuition per student (the student's default rate)",
}


def _start_generating(studio, period_start, period_end, family):
    """Auto-invoicing runs as a job: its page shows the progress and survives a reload."""
    services.check_period(period_start, period_end)
    job = jobs.start_job(studio, current_user, "auto_invoice", period_start=period_start,
                         period_end=period_end, family=family)
    db.session.commit()  # the worker reads the job from the database
    jobs.queue_job(job)
    return redirect(url_for("jobs.job", job_id=job.id))


@billing_bp.route("/invoices/send-drafts", methods=["GET", "POST"])
@login_required
@requires("invoices.manage")
def send_drafts():
    """Confirm (how many drafts, their total), then send every draft of a billing period."""
    studio = current_studio()
    if request.method == "GET" and not request.args:
        first, last = services.default_period(studio)
        return redirect(url_for("billing.send_drafts", period_start=first.isoformat(),
                                period_end=last.isoformat()))
    posted = request.method == "POST"
    form = PeriodForm() if posted else PeriodForm(formdata=request.args, meta={"csrf": False})
    drafts = None
    if form.validate():
        period = (form.period_start.data, form.period_end.data)
        try:
            if posted:
                return _drafts_sent(services.send_drafts(studio, current_user, *period))
            drafts = services.period_drafts(studio, *period)
        except DomainError as exc:
            db.session.rollback()
            form_failed(form, exc)
    return render_form("billing/send_drafts.html", form, drafts=drafts,
                       total=services.drafts_total(drafts or []))


def _drafts_sent(result):
    sent = len(result.sent)
    if sent:
        flash(f"{sent} invoice{'s' if sent != 1 else ''} sent; the families are emailed.",
              "success")
    for invoice, reason in result.failed:
        flash(f"Not sent: the draft for {invoice.family.name} ({money_filter(invoice.total)}). "
              f"{reason}", "warning")
    if not sent and not result.failed:
        flash("No drafts left to send for that period.", "info")
    return redirect(url_for("billing.invoices", status="sent" if sent else "draft"))
