"""HTML forms for accounts, studios and members."""
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.accounts.models import BILLING_MODES
from app.core.permissions import ASSIGNABLE_ROLES, ROLE_LABELS

TIMEZONES = sorted(tz for tz in available_timezones() if "/" in tz and not tz.startswith("Etc/"))
COMMON_CURRENCIES = ("USD", "CAD", "EUR", "GBP", "AUD", "NZD", "CHF", "JPY", "SEK", "NOK",
                     "DKK", "MXN", "BRL", "INR", "ZAR", "SGD", "HKD")
BILLING_MODE_LABELS = {
    "after_attended": "Bill attended lessons after the fact",
    "in_advance": "Bill scheduled lessons in advance",
    "monthly_flat": "Flat monthly tuition per student",
}
ROLE_CHOICES = [(role, ROLE_LABELS[role]) for role in ASSIGNABLE_ROLES]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    remember = BooleanField("Keep me signed in")


class SignupForm(FlaskForm):
    studio_name = StringField("Studio name", validators=[DataRequired(), Length(max=120)])
    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=80)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8, max=256)],
                             description="At least 8 characters.")
    timezone = SelectField("Timezone", choices=TIMEZONES, default="America/New_York")


class ProfileForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=80)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(min=8, max=256)],
                                 description="At least 8 characters, not your email.")


class StudioSettingsForm(FlaskForm):
    name = StringField("Studio name", validators=[DataRequired(), Length(max=120)])
    timezone = SelectField("Timezone", choices=TIMEZONES)
    currency = SelectField("Currency", choices=COMMON_CURRENCIES)
    locale = SelectField("Locale", choices=[
        ("en_US", "English (United States)"), ("en_CA", "English (Canada)"),
        ("en_GB", "English (United Kingdom)"), ("en_AU", "English (Australia)"),
        ("fr_CA", "Français (Canada)"), ("fr_FR", "Français (France)"),
        ("de_DE", "Deutsch (Deutschland)"), ("es_ES", "Español (España)"),
        ("es_MX", "Español (México)"), ("nl_NL", "Nederlands"), ("sv_SE", "Svenska"),
    ])
    tax_rate = DecimalField("Tax rate (%)", places=2, validators=[InputRequired(), NumberRange(0, 100)])
    invoice_prefix = StringField("Invoice number prefix", validators=[DataRequired(), Length(max=16)])
    invoice_due_days = IntegerField(
        "Invoices due after (days)", validators=[InputRequired(), NumberRange(0, 365)])
    late_fee = DecimalField("Late fee", places=2, validators=[InputRequired(), NumberRange(0)])
    billing_mode = SelectField("Billing mode", choices=[(m, BILLING_MODE_LABELS[m]) for m in BILLING_MODES])
    cancellation_notice_hours = IntegerField(
        "Cancellation notice (hours)", validators=[InputRequired(), NumberRange(0, 336)],
        description="Cancellations with less notice follow the policy below.")
    makeup_credits_enabled = BooleanField("Late cancellations earn a make-up credit")
    makeup_credit_expiry_days = IntegerField(
        "Make-up credits expire after (days)", validators=[InputRequired(), NumberRange(1, 730)])
    lesson_buffer_minutes = IntegerField(
        "Buffer between lessons (minutes)", validators=[InputRequired(), NumberRange(0, 120)])


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    first_name = StringField("First name (for the greeting)", validators=[Optional(), Length(max=80)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="teacher")


class AcceptInvitationForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=80)])
    password = PasswordField("Choose a password", validators=[DataRequired(), Length(min=8, max=256)],
                             description="At least 8 characters.")


class MemberRoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class EmptyForm(FlaskForm):
    """CSRF-only form for one-click actions (sign out, switch studio, revoke)."""
