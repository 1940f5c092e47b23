"""API schemas for auth, users and studios."""
from marshmallow import fields, validate

from app.accounts.authn import role_for
from app.accounts.models import BILLING_MODES
from app.core.schemas import BaseSchema, Money, UTCDateTime
from app.core.tenancy import current_role

NOTIFICATION_CHANNELS = ("email", "sms", "in_app")


class LoginSchema(BaseSchema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=256))


class RefreshSchema(BaseSchema):
    refresh = fields.String(required=True, validate=validate.Length(max=4096))


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
    timezone = fields.String(allow_none=True, validate=validate.Length(max=64))
    notification_channels = fields.List(
        fields.String(validate=validate.OneOf(NOTIFICATION_CHANNELS)),
        validate=validate.Length(max=len(NOTIFICATION_CHANNELS)),
    )


class UserSchema(TokenUserSchema):
    phone_number = fields.String(attribute="phone", dump_only=True)
    avatar = fields.String(dump_only=True)
    preferences = fields.Dict(dump_only=True)
    is_active = fields.Boolean(dump_only=True)
    last_login = UTCDateTime(dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


class UserUpdateSchema(BaseSchema):
    """What a user may change about themself; role and is_active are not among it."""

    email = fields.String(validate=validate.Length(max=254))
    first_name = fields.String(validate=validate.Length(max=80))
    last_name = fields.String(validate=validate.Length(max=80))
    phone_number = fields.String(data_key="phone_number", attribute="phone",
                                 validate=validate.Length(max=40))
    avatar = fields.String(validate=validate.Length(max=500))
    preferences = fields.Nested(PreferencesSchema)


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
    makeup_credits_enabled = fields.Boolean()
    makeup_credit_expiry_days = fields.Integer(strict=True, validate=validate.Range(1, 730))
    lesson_buffer_minutes = fields.Integer(strict=True, validate=validate.Range(0, 120))


class StudioSettingsUpdateSchema(StudioSettingsSchema):
    """Also accepts the reference's nested `settings: {timezone, currency}`."""

    timezone = fields.String(validate=validate.Length(max=64))
    currency = fields.String(validate=validate.Length(equal=3))
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
        from app.core.tenancy import current_principal

        principal = current_principal()
        membership = principal.user.membership_in(studio.id) if principal else None
        return membership.role if membership else current_role()

    def get_settings(self, studio):
        return StudioSettingsSchema().dump(studio)


class StudioUpdateSchema(BaseSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    timezone = fields.String(validate=validate.Length(max=64))
    currency = fields.String(validate=validate.Length(equal=3))
    locale = fields.String(validate=validate.Length(max=16))
    tax_rate = Money(metadata={"description": "Percent, like \"8.25\"."})
    settings = fields.Nested(StudioSettingsUpdateSchema)


class HealthSchema(BaseSchema):
    status = fields.String(required=True)
    database = fields.String(required=True)
