"""API schemas for invoices, payments and reports (the reference's shapes: money as strings,
`invoice_number`, `line_items[].total_price`, `payment_method`; `band` = `family`)."""
from decimal import Decimal

from marshmallow import ValidationError, fields, pre_load, validate

from app.billing.models import INVOICE_STATUSES, PAYMENT_METHODS
from app.core import validation
from app.core.pagination import ListQuerySchema, ordering_field, page_schema
from app.core.schemas import DECIMAL_TEXT, BaseSchema, Money, QueryBoolean, StrictBoolean, UTCDateTime

INVOICE_ORDERING_FIELDS = ("issue_date", "due_date", "total", "balance_due", "invoice_number",
                           "status", "created_at")
PAYMENT_ORDERING_FIELDS = ("paid_at", "amount", "created_at")


class Quantity(fields.Field):
    """A positive number with at most two decimals; dumped as a JSON number (4, 1.5)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        value = Decimal(value)
        return int(value) if value == value.to_integral_value() else float(value)

    def openapi_properties(self, converter):
        if self.dump_only:
            return {"type": "number"}
        return {"anyOf": [{"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]{1,2})?$", "example": "1.5"},
                          {"type": "number", "multipleOf": 0.01}]}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not DECIMAL_TEXT.fullmatch(value):  # as documented: no spaces
            raise ValidationError("Enter a number like 1 or 1.5.")
        try:
            return validation.number(value)
        except validation.Invalid as exc:
            raise ValidationError(exc.message) from exc


def _family_alias(data):
    """Accept the reference's `band` for `family` (both: they must agree)."""
    if not isinstance(data, dict) or "band" not in data:
        return data
    data = dict(data)
    band = data.pop("band")
    if "family" in data and data["family"] != band:
        raise ValidationError({"band": ["Send either family or band (they name the same thing)."]})
    data["family"] = band
    return data


class FamilyRefSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)


class LineItemSchema(BaseSchema):
    id = fields.UUID(dump_only=True, allow_none=True)
    kind = fields.String(dump_only=True, metadata={
        "description": "lesson, tuition, late_fee, rental or manual."})
    description = fields.String(dump_only=True)
    quantity = Quantity(dump_only=True)
    unit_price = Money(dump_only=True)
    total_price = Money(attribute="total", dump_only=True)
    lesson = fields.UUID(attribute="lesson_id", dump_only=True, allow_none=True)
    student = fields.UUID(attribute="student_id", dump_only=True, allow_none=True)


class InvoiceSchema(BaseSchema):
    id = fields.UUID(dump_only=True, allow_none=True)
    invoice_number = fields.String(attribute="number", dump_only=True, allow_none=True,
                                   metadata={"description": "Given when the invoice is sent."})
    family = fields.UUID(attribute="family_id", dump_only=True)
    band = fields.Nested(FamilyRefSchema, attribute="family", dump_only=True,
                         metadata={"description": "The family (the reference's name)."})
    status = fields.String(dump_only=True, metadata={"enum": list(INVOICE_STATUSES)})
    issue_date = fields.Date(dump_only=True)
    due_date = fields.Date(dump_only=True)
    period_start = fields.Date(dump_only=True, allow_none=True)
    period_end = fields.Date(dump_only=True, allow_none=True)
    subtotal = Money(dump_only=True)
    discount = Money(dump_only=True)
    tax_rate = Money(dump_only=True, metadata={"description": "Percent, e.g. \"8.25\"."})
    tax = Money(dump_only=True)
    total = Money(dump_only=True)
    amount_paid = Money(dump_only=True)
    credit_applied = Money(dump_only=True, metadata={
        "description": "Family credit (overpayments, credit notes) used on this invoice."})
    balance_due = Money(dump_only=True)
    notes = fields.String(dump_only=True)
    sent_at = UTCDateTime(dump_only=True, allow_none=True)
    voided_at = UTCDateTime(dump_only=True, allow_none=True)
    void_reason = fields.String(dump_only=True)
    line_items = fields.List(fields.Nested(LineItemSchema), dump_only=True)
    created_at = UTCDateTime(dump_only=True, allow_none=True)
    updated_at = UTCDateTime(dump_only=True, allow_none=True)


InvoicePageSchema = page_schema(InvoiceSchema)


class LineItemInSchema(BaseSchema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    quantity = Quantity(load_default=Decimal(1))
    unit_price = Money(required=True)


class InvoiceWriteSchema(BaseSchema):
    family = fields.UUID(required=True, metadata={"description": "The family's id (or `band`)."})
    band = fields.UUID(load_only=True, metadata={"description": "Alias of `family`."})
    issue_date = fields.Date(metadata={"description": "Default: today (studio time)."})
    due_date = fields.Date(metadata={"description": "Default: issue date + the studio's due days."})
    discount = Money(metadata={"description": "An amount off the subtotal, before tax."})
    notes = fields.String(validate=validate.Length(max=5000))
    line_items = fields.List(fields.Nested(LineItemInSchema), validate=validate.Length(max=500))

    @pre_load
    def accept_band(self, data, **kwargs):
        return _family_alias(data)


class InvoiceCreateSchema(InvoiceWriteSchema):
    pass


class InvoiceUpdateSchema(InvoiceWriteSchema):
    family = fields.UUID()


class InvoiceListQuerySchema(ListQuerySchema):
    ordering = ordering_field("issue_date", "due_date", "invoice_number", "status", "total", "balance_due",
                              "created_at")
    status = fields.String(validate=validate.OneOf(INVOICE_STATUSES))
    family = fields.UUID()
    band = fields.UUID(metadata={"description": "Alias of `family`."})
    start_date = fields.Date(metadata={"description": "Issued on or after (inclusive)."})
    end_date = fields.Date(metadata={"description": "Issued on or before (inclusive)."})

    @pre_load
    def accept_band(self, data, **kwargs):
        return _family_alias(dict(data))


class VoidSchema(BaseSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class PeriodSchema(BaseSchema):
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)


class GenerateSchema(PeriodSchema):
    family = fields.UUID(metadata={"description": "Only this family (or `band`)."})
    band = fields.UUID(load_only=True)

    @pre_load
    def accept_band(self, data, **kwargs):
        return _family_alias(data)


class GenerateQuerySchema(BaseSchema):
    dry_run = QueryBoolean(load_default=False, metadata={
        "description": "Preview: answer 200 with the drafts a run would create; write nothing."})


class SkippedSchema(BaseSchema):
    family = fields.UUID(dump_only=True)
    family_name = fields.String(dump_only=True)
    reason = fields.String(dump_only=True)


class UnpricedSchema(BaseSchema):
    lesson = fields.UUID(dump_only=True)
    student = fields.UUID(dump_only=True)
    detail = fields.String(dump_only=True)


class LeftOutSchema(BaseSchema):
    reason = fields.String(dump_only=True, metadata={
        "description": "no_attendance, already_invoiced, no_rate, makeup_credit, excused or free."})
    count = fields.Integer(dump_only=True)
    summary = fields.String(dump_only=True, metadata={"example": "4 lessons have no attendance"})
    lessons = fields.List(fields.UUID(), dump_only=True)
    students = fields.Method("_student_ids", dump_only=True, metadata={
        "description": "For no_rate: the students without a rate."})

    def _student_ids(self, group):
        return [str(student.id) for student in group.students]


class GenerateResultSchema(BaseSchema):
    dry_run = StrictBoolean(dump_only=True)
    billing_mode = fields.String(dump_only=True)
    period_start = fields.Date(dump_only=True)
    period_end = fields.Date(dump_only=True)
    count = fields.Integer(dump_only=True)
    results = fields.List(fields.Nested(InvoiceSchema), dump_only=True, metadata={
        "description": "The drafts (in a dry run without id)."})
    skipped = fields.List(fields.Nested(SkippedSchema), dump_only=True)
    unpriced = fields.List(fields.Nested(UnpricedSchema), dump_only=True, metadata={
        "description": "Billable lessons left out because no rate is set anywhere."})
    left_out = fields.List(fields.Nested(LeftOutSchema), dump_only=True, metadata={
        "description": "Why lessons of the period are not on a draft, grouped by reason."})


class PaymentSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    invoice = fields.UUID(attribute="invoice_id", dump_only=True)
    invoice_number = fields.String(attribute="invoice.number", dump_only=True)
    family = fields.UUID(attribute="family_id", dump_only=True)
    amount = Money(dump_only=True, metadata={"description": "Negative for a refund."})
    to_credit = Money(attribute="credit_amount", dump_only=True, metadata={
        "description": "Part beyond the invoice's balance, kept as family credit."})
    payment_method = fields.String(attribute="method", dump_only=True)
    transaction_id = fields.String(dump_only=True)
    notes = fields.String(dump_only=True)
    paid_at = UTCDateTime(dump_only=True)
    recorded_by = fields.UUID(attribute="recorded_by_id", dump_only=True, allow_none=True)
    refund_of = fields.UUID(attribute="refund_of_id", dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True)


PaymentPageSchema = page_schema(PaymentSchema)


class PaymentCreateSchema(BaseSchema):
    invoice = fields.UUID(required=True)
    amount = Money(required=True)
    payment_method = fields.String(required=True, validate=validate.OneOf(PAYMENT_METHODS))
    transaction_id = fields.String(load_default="", validate=validate.Length(max=120))
    notes = fields.String(load_default="", validate=validate.Length(max=2000))
    paid_at = UTCDateTime(metadata={"description": "Default: now."})
    currency = fields.String(validate=validate.Length(equal=3), metadata={
        "description": "Optional check: must be the studio's currency."})


class FamilyPaymentCreateSchema(BaseSchema):
    amount = Money(required=True)
    payment_method = fields.String(required=True, validate=validate.OneOf(PAYMENT_METHODS))
    transaction_id = fields.String(load_default="", validate=validate.Length(max=120))
    notes = fields.String(load_default="", validate=validate.Length(max=2000))
    paid_at = UTCDateTime(metadata={"description": "Default: now."})
    currency = fields.String(validate=validate.Length(equal=3), metadata={
        "description": "Optional check: must be the studio's currency."})


class FamilyPaymentSchema(BaseSchema):
    family = fields.UUID(attribute="family.id", dump_only=True)
    amount = Money(dump_only=True)
    to_credit = Money(dump_only=True, metadata={
        "description": "Part beyond all open balances, kept as family credit."})
    payments = fields.List(fields.Nested(PaymentSchema), dump_only=True, metadata={
        "description": "One payment per invoice paid, oldest due date (then number) first."})


class SendDraftsFailureSchema(BaseSchema):
    invoice = fields.UUID(dump_only=True)
    family_name = fields.String(dump_only=True)
    reason = fields.String(dump_only=True)


class SendDraftsResultSchema(BaseSchema):
    sent = fields.Integer(dump_only=True)
    results = fields.List(fields.Nested(InvoiceSchema), dump_only=True, metadata={
        "description": "The invoices sent."})
    failed = fields.List(fields.Nested(SendDraftsFailureSchema), dump_only=True, metadata={
        "description": "Drafts left unsent, each with the reason."})


class RefundSchema(BaseSchema):
    amount = Money(metadata={"description": "Default: all that can still be refunded."})
    notes = fields.String(load_default="", validate=validate.Length(max=2000))


class PaymentListQuerySchema(ListQuerySchema):
    ordering = ordering_field("paid_at", "amount", "created_at")
    invoice = fields.UUID()
    family = fields.UUID()
    band = fields.UUID(metadata={"description": "Alias of `family`."})
    payment_method = fields.String(validate=validate.OneOf(PAYMENT_METHODS))
    start_date = fields.Date(metadata={"description": "Paid on or after (studio time)."})
    end_date = fields.Date(metadata={"description": "Paid on or before (studio time)."})

    @pre_load
    def accept_band(self, data, **kwargs):
        return _family_alias(dict(data))


# ---------------------------------------------------------------- reports

class ReportQuerySchema(BaseSchema):
    """The range is checked once its defaults are known (reports_api._range)."""

    start_date = fields.Date(metadata={"description": "Default: the first day of 11 months ago."})
    end_date = fields.Date(metadata={"description": "Default: today (studio time)."})


class TeacherHoursQuerySchema(ReportQuerySchema):
    teacher = fields.UUID()


class RevenueMonthSchema(BaseSchema):
    month = fields.String(dump_only=True, metadata={"description": "YYYY-MM"})
    invoiced = Money(dump_only=True)
    collected = Money(dump_only=True)


class MethodTotalSchema(BaseSchema):
    payment_method = fields.String(attribute="method", dump_only=True)
    count = fields.Integer(dump_only=True)
    amount = Money(dump_only=True)


class RevenueReportSchema(BaseSchema):
    start_date = fields.Date(dump_only=True)
    end_date = fields.Date(dump_only=True)
    currency = fields.String(dump_only=True)
    months = fields.List(fields.Nested(RevenueMonthSchema), dump_only=True)
    total_invoiced = Money(dump_only=True)
    total_collected = Money(dump_only=True)
    by_method = fields.List(fields.Nested(MethodTotalSchema), dump_only=True)


class AgingSchema(BaseSchema):
    d0_30 = Money(data_key="0-30", dump_only=True)
    d31_60 = Money(data_key="31-60", dump_only=True)
    d61_90 = Money(data_key="61-90", dump_only=True)
    d90_plus = Money(data_key="90+", dump_only=True)
    total = Money(dump_only=True)


class OutstandingFamilySchema(AgingSchema):
    family = fields.UUID(dump_only=True)
    family_name = fields.String(dump_only=True)


class OutstandingReportSchema(BaseSchema):
    as_of = fields.Date(dump_only=True)
    currency = fields.String(dump_only=True)
    buckets = fields.Nested(AgingSchema, dump_only=True, metadata={
        "description": "Open balances by days past the due date (not yet due: 0-30)."})
    families = fields.List(fields.Nested(OutstandingFamilySchema), dump_only=True)


class TeacherHoursRowSchema(BaseSchema):
    teacher = fields.UUID(dump_only=True)
    teacher_name = fields.String(dump_only=True)
    lessons = fields.Integer(dump_only=True, metadata={"description": "Completed lessons."})
    no_shows = fields.Integer(dump_only=True)
    hours = fields.String(dump_only=True, metadata={"description": "Hours taught, e.g. \"12.50\"."})
    hourly_rate = Money(dump_only=True, allow_none=True)
    pay = Money(dump_only=True, allow_none=True, metadata={"description": "hours × hourly rate."})


class TeacherHoursReportSchema(BaseSchema):
    start_date = fields.Date(dump_only=True)
    end_date = fields.Date(dump_only=True)
    results = fields.List(fields.Nested(TeacherHoursRowSchema), dump_only=True)


class AttendanceReportSchema(BaseSchema):
    start_date = fields.Date(dump_only=True)
    end_date = fields.Date(dump_only=True)
    scheduled = fields.Integer(dump_only=True)
    completed = fields.Integer(dump_only=True)
    cancelled = fields.Integer(dump_only=True)
    no_show = fields.Integer(dump_only=True)
