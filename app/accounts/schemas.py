"""API schemas for auth, users and studios."""
from marshmallow import fields, validate

from app.accounts.authn import role_for
from app.accounts.models import BILLING_MODES, CLASSMATE_NAMES
from app.core.pagination import ListQuerySchema, ordering_field
from app.core.schemas import (
    URL,
    BaseSchema,
    Currency,
    EmailAddress,
    Money,
    StrictBoolean,
    Timezone,
    UTCDateTime,
)
from app.core.tenancy import current_principal, current_role
from app.messaging import services as messaging

NOTIFICATION_CHANNELS = ("email", "sms", "in_app")


class LoginSchema(BaseSchema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=256))


class RefreshSchema(BaseSchema):
    refresh = fields.String(required=True, validate=validate.Length(max=4096))


class PasswordResetRequestSchema(BaseSchema):
    email = EmailAddress(required=True, metadata={"description": "The email of the account."})


class PasswordResetRequestedSchema(BaseSchema):
    detail = fields.String(required=True, metadata={
        "description": "The same sentence whether or not the email has an account."})


class PasswordResetConfirmSchema(BaseSchema):
    token = fields.String(required=True, validate=validate.Length(max=200), metadata={
        "description": "The secret at the end of the emailed link (`/reset-password/<token>`)."})
    password = fields.String(required=True, validate=validate.Length(max=256),
                             metadata={"description": "The new password."})


class TokenUserSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    email = fields.String(dump_only=True)
    first_name = fields.String(dump_only=True)
    last_name = fields.String(dump_only=True)
    role = fields.Function(role_for, dump_only=True, allow_none=True,
                           metadata={"description": "Role in the current studio."})


class TokenPairSchema(BaseSchema):
    access = fields.String(required=True)
    refresh = fields.String(required=True)


class LoginResponseSchema(TokenPairSchema):
    user = fields.Nested(TokenUserSchema, required=True)


class PreferencesSchema(BaseSchema):
    timezone = Timezone(allow_none=True)
    notification_channels = fields.List(
        fields.String(validate=validate.OneOf(NOTIFICATION_CHANNELS)),
        validate=validate.Length(max=len(NOTIFICATION_CHANNELS)),
    )


NOTIFICATION_PREFERENCES_NOTE = (
    "Which notifications also come by email, per type: `{\"new_message\": {\"email\": true}}`. "
    "Only these types are chosen: " + ", ".join(f"`{kind}`" for kind in messaging.EMAIL_CHOICES)
    + ". The others always show on the bell and have emails of their own (cancellation and "
    "reschedule notices, invoices, receipts, reminders, announcements).")


class EmailChoiceSchema(BaseSchema):
    email = StrictBoolean(required=True, metadata={"description": "Also send it by email."})


class UserSchema(TokenUserSchema):
    phone_number = fields.String(attribute="phone", dump_only=True)
    avatar = fields.String(dump_only=True)
    preferences = fields.Dict(dump_only=True)
    notification_preferences = fields.Function(
        lambda user: {kind: {"email": emailed} for kind, emailed in messaging.email_choices(user).items()},
        dump_only=True, metadata={
            "description": NOTIFICATION_PREFERENCES_NOTE, "type": "object",
            "properties": {kind: {"type": "object", "required": ["email"],
                                  "properties": {"email": {"type": "boolean"}}}
                           for kind in messaging.EMAIL_CHOICES}})
    is_active = StrictBoolean(dump_only=True)
    last_login = UTCDateTime(dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


class UserUpdateSchema(BaseSchema):
    """What a user may change about themself; role and is_active are not among it."""

    email = EmailAddress()
    first_name = fields.String(validate=validate.Length(max=80))
    last_name = fields.String(validate=validate.Length(max=80))
    phone_number = fields.String(data_key="phone_number", attribute="phone",
                                 validate=validate.Length(max=40))
    avatar = URL()
    preferences = fields.Nested(PreferencesSchema)
    notification_preferences = fields.Dict(
        keys=fields.String(validate=validate.OneOf(messaging.EMAIL_CHOICES)),
        values=fields.Nested(EmailChoiceSchema), metadata={
            "description": NOTIFICATION_PREFERENCES_NOTE + " Types left out keep their choice."})


class PasswordChangeSchema(BaseSchema):
    current_password = fields.String(required=True, validate=validate.Length(max=256))
    new_password = fields.String(required=True, validate=validate.Length(max=256))


class StudioSettingsSchema(BaseSchema):
    invoice_prefix = fields.String(validate=validate.Length(min=1, max=16))
    next_invoice_number = fields.Integer(dump_only=True)
    invoice_due_days = fields.Integer(strict=True, validate=validate.Range(0, 365))
    late_fee = Money()
    billing_mode = fields.String(validate=validate.OneOf(BILLING_MODES))
    cancellation_notice_hours = fields.Integer(strict=True, validate=validate.Range(0, 336))
    makeup_credits_enabled = StrictBoolean()
    makeup_credit_expiry_days = fields.Integer(strict=True, validate=validate.Range(1, 730))
    lesson_buffer_minutes = fields.Integer(strict=True, validate=validate.Range(0, 120))
    reminder_lead_hours = fields.Integer(strict=True, validate=validate.Range(0, 168), metadata={
        "description": "How many hours before each lesson its families get a reminder (email and "
                       "notification), 0-168; 0 sends none. Default 24."})
    classmate_names = fields.String(validate=validate.OneOf(CLASSMATE_NAMES), metadata={
        "description": "What parents and students see of the other children in a group lesson: "
                       "`first_name` (first names only) or `hidden` (nothing)."})
    teachers_see_all_students = fields.Boolean(metadata={
        "description": "False (default): a teacher sees the students they teach and those "
                       "students' families; true: every student and family of the studio."})
    address_line1 = fields.String(validate=validate.Length(max=120))
    address_line2 = fields.String(validate=validate.Length(max=120))
    city = fields.String(validate=validate.Length(max=80))
    region = fields.String(validate=validate.Length(max=80), metadata={
        "description": "State, province or region."})
    postal_code = fields.String(validate=validate.Length(max=20))
    country = fields.String(validate=validate.Length(max=80))
    tax_id = fields.String(validate=validate.Length(max=40), metadata={
        "description": "The studio's VAT, GST or tax number, printed on invoices."})
    payment_instructions = fields.String(validate=validate.Length(max=2000), metadata={
        "description": "How families pay (bank details, cheques, cash): printed on invoices "
                       "and in invoice emails."})
    has_logo = fields.Function(lambda studio: studio.logo_digest is not None, dump_only=True,
                               metadata={"description": "Whether invoices print a logo "
                                                        "(uploaded in the studio settings page)."})


class StudioSettingsUpdateSchema(StudioSettingsSchema):
    """Also accepts the reference's nested `settings: {timezone, currency}`."""

    timezone = Timezone()
    currency = Currency()
    locale = fields.String(validate=validate.Length(max=16))


class StudioSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)
    slug = fields.String(dump_only=True)
    timezone = fields.String(dump_only=True)
    currency = fields.String(dump_only=True)
    locale = fields.String(dump_only=True)
    tax_rate = Money(dump_only=True, metadata={"description": "Percent, like \"8.25\"."})
    role = fields.Method("get_role", dump_only=True, allow_none=True,
                         metadata={"description": "Your role in this studio."})
    settings = fields.Method("get_settings", dump_only=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)

    def get_role(self, studio):
        principal = current_principal()
        membership = principal.user.membership_in(studio.id) if principal else None
        return membership.role if membership else current_role()

    def get_settings(self, studio):
        return StudioSettingsSchema().dump(studio)


class StudioUpdateSchema(BaseSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    timezone = Timezone()
    currency = Currency()
    locale = fields.String(validate=validate.Length(max=16))
    tax_rate = Money(metadata={"description": "Percent, like \"8.25\"."})
    settings = fields.Nested(StudioSettingsUpdateSchema)


class HealthSchema(BaseSchema):
    status = fields.String(required=True)
    database = fields.String(required=True)


class StudioListQuerySchema(ListQuerySchema):
    ordering = ordering_field("name", "created_at")
