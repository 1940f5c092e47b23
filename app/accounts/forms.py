"""HTML forms for accounts, studios and members."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.accounts.models import BILLING_MODES
from app.core.forms import Currency, Money, Timezone
from app.core.permissions import ASSIGNABLE_ROLES, ROLE_LABELS
from app.core.validation import timezone_names

TIMEZONES = [tz for tz in timezone_names() if "/" in tz and not tz.startswith("Etc/")]
TIMEZONE_REGIONS = ("America", "Europe", "Asia", "Africa", "Australia", "Pacific", "Atlantic",
                    "Indian", "Antarctica", "Arctic")


def timezone_choices():
    """The zone names grouped by region for a <select> with optgroups, each labelled by its
    place ("Argentina / Buenos Aires"); names outside the regions (US/Eastern) under Other."""
    groups = {region: [] for region in (*TIMEZONE_REGIONS, "Other")}
    for name in TIMEZONES:
        region, place = name.split("/", 1)
        if region in TIMEZONE_REGIONS:
            groups[region].append((name, place.replace("_", " ").replace("/", " / ")))
        else:
            groups["Other"].append((name, name.replace("_", " ")))
    groups["Other"].append(("UTC", "UTC"))
    return {region: zones for region, zones in groups.items() if zones}


TIMEZONE_CHOICES = timezone_choices()
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
    timezone = SelectField("Timezone", choices=TIMEZONE_CHOICES, default="America/New_York",
                           validators=[Timezone()])
    teaches = BooleanField("I teach too", description="Puts you on the teachers list, so you "
                           "can book your own lessons at once.")


class TeachingForm(FlaskForm):
    teaches = BooleanField("I teach in this studio", description="You appear wherever teachers "
                           "are listed: booking, the calendar, filters, reports and the API.")


class ProfileForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=80)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    timezone = SelectField(
        "Your time zone", choices={"": [("", "The studio's time zone")], **TIMEZONE_CHOICES},
        default="", description="Lesson reminders tell you the time on this clock.")


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(min=8, max=256)],
                                 description="At least 8 characters, not your email.")


class StudioDetailsForm(FlaskForm):
    """What invoices print about the studio; saved with the other studio settings."""

    address_line1 = StringField("Address", validators=[Optional(), Length(max=120)])
    address_line2 = StringField("Address line 2", validators=[Optional(), Length(max=120)])
    city = StringField("City", validators=[Optional(), Length(max=80)])
    region = StringField("State, province or region", validators=[Optional(), Length(max=80)])
    postal_code = StringField("Postal code", validators=[Optional(), Length(max=20)])
    country = StringField("Country", validators=[Optional(), Length(max=80)])
    tax_id = StringField("Tax id", validators=[Optional(), Length(max=40)],
                         description="Your VAT, GST or tax number, printed on invoices.")
    payment_instructions = TextAreaField(
        "How families pay", validators=[Optional(), Length(max=2000)], render_kw={"rows": 4},
        description="Printed on invoices and in invoice emails: bank details, who cheques are "
                    "made out to, when you take cash.")
    logo_upload = FileField("Logo", description="PNG, JPEG or WebP, at most 1 MB. Shown on invoices.")
    remove_logo = BooleanField("Remove the logo")


class StudioSettingsForm(StudioDetailsForm):
    name = StringField("Studio name", validators=[DataRequired(), Length(max=120)])
    timezone = SelectField("Timezone", choices=TIMEZONE_CHOICES, validators=[Timezone()])
    currency = SelectField("Currency", choices=COMMON_CURRENCIES, validators=[Currency()])
    locale = SelectField("Locale", choices=[
        ("en_US", "English (United States)"), ("en_CA", "English (Canada)"),
        ("en_GB", "English (United Kingdom)"), ("en_AU", "English (Australia)"),
        ("fr_CA", "Français (Canada)"), ("fr_FR", "Français (France)"),
        ("de_DE", "Deutsch (Deutschland)"), ("es_ES", "Español (España)"),
        ("es_MX", "Español (México)"), ("nl_NL", "Nederlands"), ("sv_SE", "Svenska"),
    ])
    tax_rate = DecimalField("Tax rate (%)", places=2,
                            validators=[InputRequired(), NumberRange(0, 100), Money(minimum=0, maximum=100)])
    invoice_prefix = StringField("Invoice number prefix", validators=[DataRequired(), Length(max=16)])
    invoice_due_days = IntegerField(
        "Invoices due after (days)", validators=[InputRequired(), NumberRange(0, 365)])
    late_fee = DecimalField("Late fee", places=2,
                            validators=[InputRequired(), NumberRange(0), Money(minimum=0)])
    billing_mode = SelectField("Billing mode", choices=[(m, BILLING_MODE_LABELS[m]) for m in BILLING_MODES])
    cancellation_notice_hours = IntegerField(
        "Cancellation notice (hours)", validators=[InputRequired(), NumberRange(0, 336)],
        description="Cancellations with less notice follow the policy below.")
    makeup_credits_enabled = BooleanField("Late cancellations earn a make-up credit")
    makeup_credit_expiry_days = IntegerField(
        "Make-up credits expire after (days)", validators=[InputRequired(), NumberRange(1, 730)])
    lesson_buffer_minutes = IntegerField(
        "Buffer between lessons (minutes)", validators=[InputRequired(), NumberRange(0, 120)])
    # Optional: a form without it keeps the studio's value; an empty box is refused by the service.
    reminder_lead_hours = IntegerField(
        "Lesson reminders (hours before)", validators=[Optional(), NumberRange(0, 168)],
        description="An email and a notification to the family; 0 for none, up to 168 (a week).")
    classmate_names = SelectField("In group lessons, families see the other children's", choices=[
        ("first_name", "First names only"), ("hidden", "Nothing: only their own children"),
    ])
    teachers_see_all_students = BooleanField(
        "Teachers see every student and family",
        description="Off: a teacher sees only the students they teach and those students' families.")


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    first_name = StringField("First name (for the greeting)", validators=[Optional(), Length(max=80)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="teacher")
    # A parent joins a family: the view lists the studio's; the service checks the choice.
    family = SelectField("Family (for a parent)", choices=[], validate_choice=False)
    family_name = StringField("Or a new family named", validators=[Optional(), Length(max=120)],
                              description="Used when no family is chosen above.")


class AcceptInvitationForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=80)])
    password = PasswordField("Choose a password", validators=[DataRequired(), Length(min=8, max=256)],
                             description="At least 8 characters.")


class MemberRoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)],
                       description="The email you sign in with.")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)],
                             description="At least 8 characters, not your email.")
