"""JSON API: /api/v1/invoices, /api/v1/payments, /api/v1/reports.

Managers (owner, admin) write billing; parents read their own family's invoices and
payments; teachers read their own hours report and nothing of family billing (403).
Ids in the URL outside your studio, or of another family, answer 404.
"""
from types import SimpleNamespace

from flask import g
from flask.views import MethodView

from app.billing import pdf, policies, reports_api, services
from app.billing.access import payable_family, visible_invoice, visible_payment
from app.billing.models import Invoice, Payment
from app.billing.schemas import (
    FamilyPaymentCreateSchema,
    FamilyPaymentSchema,
    GenerateQuerySchema,
    GenerateResultSchema,
    GenerateSchema,
    InvoiceCreateSchema,
    InvoiceListQuerySchema,
    InvoicePageSchema,
    InvoiceSchema,
    InvoiceUpdateSchema,
    PaymentCreateSchema,
    PaymentListQuerySchema,
    PaymentPageSchema,
    PaymentSchema,
    PeriodSchema,
    RefundSchema,
    SendDraftsResultSchema,
    VoidSchema,
)
from app.core.api import Blueprint, loads, refused_when
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import requires
from app.core.tenancy import api_login_required, current_studio
from app.core.timeutil import local_today

invoices_blp = Blueprint("Invoices", __name__, url_prefix="/api/v1/invoices",
                         description="Invoices: drafts, sending, voiding, PDFs, auto-invoicing.")
payments_blp = Blueprint("Payments", __name__, url_prefix="/api/v1/payments",
                         description="Payments and refunds (negative payments).")
family_payments_blp = Blueprint(
    "Family payments", __name__, url_prefix="/api/v1/families",
    description="Payments taken against a family's account, paying its oldest invoices first.")
blueprints = (invoices_blp, payments_blp, family_payments_blp, reports_api.reports_blp)
for _blp in (invoices_blp, payments_blp, family_payments_blp):
    _blp.before_request(api_login_required)

NOT_FOUND = {"description": "Not in your studio, or not your family's."}
FORBIDDEN = {"description": "Your role may not do this."}
CONFLICT = {"description": "The invoice is in a state that forbids this (e.g. paying a draft "
                           "or a void invoice, editing a sent one)."}
INVOICE_ORDERING = {
    "issue_date": Invoice.issue_date, "due_date": Invoice.due_date, "total": Invoice.total,
    "balance_due": Invoice.balance_due, "invoice_number": Invoice.number,
    "status": Invoice.status, "created_at": Invoice.created_at,
}
PAYMENT_ORDERING = {"paid_at": Payment.paid_at, "amount": Payment.amount,
                    "created_at": Payment.created_at}


def _actor():
    return g.api_principal.user


# ---------------------------------------------------------------- invoices

@invoices_blp.route("")
class Invoices(MethodView):
    @requires("invoices.view")
    @invoices_blp.arguments(InvoiceListQuerySchema, location="query")
    @invoices_blp.response(200, InvoicePageSchema)
    @invoices_blp.alt_response(400, **refused_when(
        "Send `family` or `band`, not both (they name the same thing)."))
    @invoices_blp.alt_response(403, description=FORBIDDEN["description"])
    def get(self, args):
        """List invoices (filters: status, family or band, start_date/end_date on the issue
        date; search by number or family name)."""
        stmt = services.filter_invoices(
            policies.visible_invoices(), status=args.get("status"), family=args.get("family"),
            start_date=args.get("start_date"), end_date=args.get("end_date"),
            search=args.get("search"))
        stmt = apply_created_range(stmt, Invoice, args)
        stmt = apply_ordering(stmt, Invoice, args.get("ordering"), INVOICE_ORDERING, "-issue_date")
        return paginate(stmt, args)

    @requires("invoices.manage")
    @invoices_blp.arguments(InvoiceCreateSchema)
    @invoices_blp.response(201, InvoiceSchema)
    @invoices_blp.alt_response(400, **refused_when(
        "`family` (or `band`) is not in your studio; send one of them, not both.",
        "`due_date` is before `issue_date`; `line_items` has too many lines, a "
        "`line_items.<n>.lesson` not in your studio, a quantity or price out of range."))
    @invoices_blp.alt_response(403, description=FORBIDDEN["description"])
    @invoices_blp.alt_response(409, description=CONFLICT["description"])
    def post(self, data):
        """Create a draft invoice for a family (`band` accepted for `family`)."""
        return services.create_invoice(current_studio(), _actor(), **data)


@invoices_blp.route("/generate")
class GenerateInvoices(MethodView):
    @requires("invoices.manage")
    @invoices_blp.arguments(GenerateQuerySchema, location="query")
    @invoices_blp.arguments(GenerateSchema)
    @invoices_blp.response(201, GenerateResultSchema)
    @invoices_blp.alt_response(400, **refused_when(
        "`period_end` is before `period_start` or more than a year after it; `family` (or `band`, not"
        " both) is not in your studio."))
    @invoices_blp.alt_response(200, schema=GenerateResultSchema,
                               description="Dry run: the drafts a run would create.")
    @invoices_blp.alt_response(403, description=FORBIDDEN["description"])
    def post(self, query, data):
        """Auto-invoice a period: one draft per family from its billable lessons (per the
        studio's billing mode). With `?dry_run=true` nothing is written (200). A second run
        over the same period creates nothing new (201 with an empty list)."""
        studio = current_studio()
        if query["dry_run"]:
            plan = services.plan_invoices(studio, data["period_start"], data["period_end"],
                                          family=data.get("family"))
            return _generate_result(studio, plan, dry_run=True), 200
        plan = services.generate_invoices(studio, _actor(), data["period_start"],
                                          data["period_end"], family=data.get("family"))
        return _generate_result(studio, plan, dry_run=False), 201


@invoices_blp.route("/send-drafts", methods=["POST"])
@requires("invoices.manage")
@invoices_blp.arguments(PeriodSchema)
@invoices_blp.response(200, SendDraftsResultSchema)
@invoices_blp.alt_response(400, **refused_when(
    "`period_end` is before `period_start` or more than a year after it."))
@invoices_blp.alt_response(403, description=FORBIDDEN["description"])
def send_drafts(data):
    """Send every draft invoice of a billing period.

    Drafts whose period lies inside it are sent each as `POST /invoices/{id}/send` does.
    Drafts that cannot be sent (no lines, no email address for the family) stay drafts and
    are listed in `failed` with the reason."""
    result = services.send_drafts(current_studio(), _actor(), data["period_start"],
                                  data["period_end"])
    return {"sent": len(result.sent), "results": result.sent,
            "failed": [{"invoice": invoice.id, "family_name": invoice.family.name, "reason": reason}
                       for invoice, reason in result.failed]}


def preview_invoice(studio, plan, family_plan):
    """A not-yet-created draft in the invoice JSON shape (id and number null)."""
    totals = family_plan.totals
    today = local_today(studio)
    lines = [SimpleNamespace(id=None, kind=line.kind, description=line.description,
                             quantity=line.quantity, unit_price=line.unit_price, total=line.total,
                             lesson_id=getattr(line.lesson, "id", None), student_id=line.student.id)
             for line in family_plan.lines]
    return SimpleNamespace(
        id=None, number=None, family_id=family_plan.family.id, family=family_plan.family,
        status="draft", issue_date=today,
        due_date=services.due_date_for(studio, today),
        period_start=plan.period_start, period_end=plan.period_end, subtotal=totals.subtotal,
        discount=totals.discount, tax_rate=family_plan.tax_rate, tax=totals.tax,
        total=totals.total, amount_paid=0, credit_applied=0, balance_due=totals.total, notes="",
        sent_at=None, voided_at=None, void_reason="", line_items=lines, created_at=None,
        updated_at=None,
    )


def _generate_result(studio, plan, *, dry_run):
    if dry_run:
        results = [preview_invoice(studio, plan, f) for f in plan.families]
    else:
        results = [f.invoice for f in plan.created]
    return {
        "dry_run": dry_run, "billing_mode": plan.mode, "period_start": plan.period_start,
        "period_end": plan.period_end, "count": len(results), "results": results,
        "skipped": [{"family": f.family.id, "family_name": f.family.name, "reason": f.skipped}
                    for f in plan.skipped],
        "unpriced": [{"lesson": lesson.id, "student": student.id,
                      "detail": f"No rate for {student.full_name}'s lesson; set the lesson's "
                                "rate or the student's default rate."}
                     for lesson, student in plan.unpriced],
        "left_out": plan.left_out,
    }


@invoices_blp.route("/<uuid:invoice_id>")
class InvoiceItem(MethodView):
    @requires("invoices.view")
    @invoices_blp.response(200, InvoiceSchema)
    @invoices_blp.alt_response(404, description=NOT_FOUND["description"])
    def get(self, invoice_id):
        """One invoice with its lines."""
        return visible_invoice(invoice_id)

    @requires("invoices.manage")
    @loads("invoice", visible_invoice)
    @invoices_blp.arguments(InvoiceUpdateSchema)
    @invoices_blp.response(200, InvoiceSchema)
    @invoices_blp.alt_response(400, **refused_when(
        "`family` (or `band`, not both) is not in your studio.",
        "`due_date` is before `issue_date`; `line_items` has too many lines, a line of another "
        "invoice, a quantity or price out of range; `discount` is negative or more than the subtotal."))
    @invoices_blp.alt_response(404, description=NOT_FOUND["description"])
    @invoices_blp.alt_response(409, description="Only drafts can be edited.")
    def patch(self, data, invoice):
        """Change a draft (dates, discount, notes; `line_items` replaces all lines)."""
        return services.update_invoice(current_studio(), _actor(), invoice, **data)

    @requires("invoices.manage")
    @invoices_blp.response(204)
    @invoices_blp.alt_response(404, description=NOT_FOUND["description"])
    @invoices_blp.alt_response(409, description="Issued invoices are voided, not deleted.")
    def delete(self, invoice_id):
        """Delete a draft (its lessons may be billed again)."""
        services.delete_draft(current_studio(), _actor(), visible_invoice(invoice_id))


@invoices_blp.route("/<uuid:invoice_id>/send", methods=["POST"])
@requires("invoices.manage")
@invoices_blp.response(200, InvoiceSchema)
@invoices_blp.alt_response(404, description=NOT_FOUND["description"])
@invoices_blp.alt_response(409, description="Sent already, or no lines.")
def send_invoice(invoice_id):
    """Send a draft: it gets its number, family credit is applied, the family is emailed a
    link to the invoice and its PDF."""
    return services.send_invoice(current_studio(), _actor(), visible_invoice(invoice_id))


@invoices_blp.route("/<uuid:invoice_id>/void", methods=["POST"])
@requires("invoices.manage")
@loads("invoice", visible_invoice)
@invoices_blp.arguments(VoidSchema, required=False)
@invoices_blp.response(200, InvoiceSchema)
@invoices_blp.alt_response(404, description=NOT_FOUND["description"])
@invoices_blp.alt_response(409, description="A draft (delete it) or void already.")
def void_invoice(data, invoice):
    """Void an issued invoice; it keeps its number, payments on it become family credit."""
    return services.void_invoice(current_studio(), _actor(), invoice, (data or {}).get("reason", ""))


@invoices_blp.route("/<uuid:invoice_id>/pdf", methods=["GET"])
@requires("invoices.view")
@invoices_blp.response(200, description="The invoice as a PDF (application/pdf).")
@invoices_blp.alt_response(404, description=NOT_FOUND["description"])
def invoice_pdf(invoice_id):
    """Download the invoice as PDF."""
    invoice = visible_invoice(invoice_id)
    return pdf.pdf_response(current_studio(), invoice)


# ---------------------------------------------------------------- payments

@payments_blp.route("")
class Payments(MethodView):
    @requires("payments.view")
    @payments_blp.arguments(PaymentListQuerySchema, location="query")
    @payments_blp.response(200, PaymentPageSchema)
    @payments_blp.alt_response(400, **refused_when(
        "Send `family` or `band`, not both (they name the same thing)."))
    @payments_blp.alt_response(403, description=FORBIDDEN["description"])
    def get(self, args):
        """List payments and refunds.

        Filters: invoice, family or band, payment_method, start_date/end_date on the payment
        date; search by family name or transaction id."""
        stmt = services.filter_payments(
            policies.visible_payments(), current_studio(), invoice=args.get("invoice"),
            family=args.get("family"), method=args.get("payment_method"),
            start_date=args.get("start_date"), end_date=args.get("end_date"), search=args.get("search"))
        stmt = apply_created_range(stmt, Payment, args)
        stmt = apply_ordering(stmt, Payment, args.get("ordering"), PAYMENT_ORDERING, "-paid_at")
        return paginate(stmt, args)

    @requires("payments.record")
    @payments_blp.arguments(PaymentCreateSchema)
    @payments_blp.response(201, PaymentSchema)
    @payments_blp.alt_response(400, **refused_when(
        "`invoice` is not in your studio; `amount` is not more than zero; `paid_at` is in the future;"
        " `currency` is not the studio's; `payment_method` is not one the studio takes."))
    @payments_blp.alt_response(403, description=FORBIDDEN["description"])
    @payments_blp.alt_response(409, description=CONFLICT["description"])
    def post(self, data):
        """Record a payment on a sent, partially paid or overdue invoice. Beyond the balance
        due, the rest becomes family credit (`to_credit`)."""
        return services.record_payment(
            current_studio(), _actor(), invoice=data["invoice"], amount=data["amount"],
            method=data["payment_method"], transaction_id=data["transaction_id"],
            notes=data["notes"], paid_at=data.get("paid_at"), currency=data.get("currency"))


@family_payments_blp.route("/<uuid:family_id>/payments", methods=["POST"])
@requires("payments.record")
@family_payments_blp.arguments(FamilyPaymentCreateSchema)
@family_payments_blp.response(201, FamilyPaymentSchema)
@family_payments_blp.alt_response(400, **refused_when(
    "`amount` is not more than zero; `paid_at` is in the future; `currency` is not the "
    "studio's; `payment_method` is not one the studio takes."))
@family_payments_blp.alt_response(403, description=FORBIDDEN["description"])
@family_payments_blp.alt_response(404, description=NOT_FOUND["description"])
@family_payments_blp.alt_response(409, description="The family has no open invoice.")
def take_family_payment(data, family_id):
    """Take a payment against a family's account.

    It pays the open invoices oldest first (due date, then number), split across them; what
    is left becomes family credit (`to_credit`)."""
    return services.take_family_payment(
        current_studio(), _actor(), family=payable_family(family_id), amount=data["amount"],
        method=data["payment_method"], transaction_id=data["transaction_id"],
        notes=data["notes"], paid_at=data.get("paid_at"), currency=data.get("currency"))


@payments_blp.route("/<uuid:payment_id>")
class PaymentItem(MethodView):
    @requires("payments.view")
    @payments_blp.response(200, PaymentSchema)
    @payments_blp.alt_response(404, description=NOT_FOUND["description"])
    def get(self, payment_id):
        """One payment or refund."""
        return visible_payment(payment_id)


@payments_blp.route("/<uuid:payment_id>/refund", methods=["POST"])
@requires("payments.record")
@loads("payment", visible_payment)
@payments_blp.arguments(RefundSchema, required=False)
@payments_blp.response(201, PaymentSchema)
@payments_blp.alt_response(400, **refused_when(
    "`amount` is not more than zero, or more than what can still be refunded."))
@payments_blp.alt_response(404, description=NOT_FOUND["description"])
@payments_blp.alt_response(409, description="A refund itself, or nothing left to refund.")
def refund_payment(data, payment):
    """Refund all or part of a payment: answers 201 with the refund (a negative payment
    linked to the original by `refund_of`)."""
    data = data or {}
    return services.refund_payment(current_studio(), _actor(), payment,
                                   amount=data.get("amount"), notes=data.get("notes", ""))
