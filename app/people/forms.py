"""HTML forms for teachers, availability, families, guardians, students and imports."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import ColorField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core.forms import DateField
from app.people.models import USUAL_LESSON_TYPES, WEEKDAYS

WEEKDAY_CHOICES = [("", "Day…")] + [(str(i), day.capitalize()) for i, day in enumerate(WEEKDAYS)]
USUAL_LESSON_CHOICES = [(value, value.capitalize()) for value in USUAL_LESSON_TYPES]
LOGIN_CHOICES = [
    ("none", "No login (a young child, or not yet)"),
    ("invite", "Email an invitation to sign in"),
    ("password", "Create the login now with a password"),
]


def tags_text(values):
    return ", ".join(values or [])


class TeacherAddForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)],
                       description="A member who teaches gets a profile; anyone else is added "
                                   "and can be booked at once.")
    first_name = StringField("First name", validators=[Optional(), Length(max=80)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=80)])
    instruments = StringField("Instruments", validators=[Optional(), Length(max=1200)],
                              description="Separate with commas, like: piano, violin.")
    invite = BooleanField("Invite them to sign in", default=True,
                          description="Without an invitation they are on the schedule but "
                                      "have no login.")


class TeacherProfileForm(FlaskForm):
    bio = TextAreaField("Bio", validators=[Optional(), Length(max=5000)],
                        description="Shown to families on the teacher's page.")
    specialties = StringField("Specialties", validators=[Optional(), Length(max=1200)],
                              description="Separate with commas, like: jazz, theory, exam prep.")
    instruments = StringField("Instruments", validators=[Optional(), Length(max=1200)],
                              description="Separate with commas, like: piano, organ.")
    hourly_rate = DecimalField("Hourly rate", places=2, validators=[Optional(), NumberRange(min=0)],
                               description="Seen by studio admins and the teacher only.")
    calendar_color = ColorField("Calendar colour", default="#5b3cc4")
    is_accepting_students = BooleanField("Accepting new students")


class WindowForm(Form):
    weekday = SelectField("Day", choices=WEEKDAY_CHOICES, validators=[Optional()])
    start_time = TimeField("From", validators=[Optional()])
    end_time = TimeField("Until", validators=[Optional()])

    def is_blank(self):
        return not (self.weekday.data or self.start_time.data or self.end_time.data)


class AvailabilityForm(FlaskForm):
    windows = FieldList(FormField(WindowForm), min_entries=1, max_entries=50)


class FamilyForm(FlaskForm):
    name = StringField("Family name", validators=[DataRequired(), Length(max=120)],
                       description="How the studio refers to the family, like \"Bennett Family\".")
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    billing_email = EmailField("Billing email", validators=[Optional(), Length(max=254)],
                               description="Invoices go here.")
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)])
    primary_contact = SelectField("Primary contact", choices=[], validators=[Optional()])
    notes = TextAreaField("Notes for staff", validators=[Optional(), Length(max=10000)],
                          description="Never shown to the family.")


class FamilyContactForm(FlaskForm):
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    billing_email = EmailField("Billing email", validators=[Optional(), Length(max=254)],
                               description="Invoices go here.")
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)])


class GuardianForm(FlaskForm):
    email = EmailField("Email", validators=[Optional(), Length(max=254)])
    first_name = StringField("First name", validators=[Optional(), Length(max=80)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=80)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    relation = StringField("Relation", validators=[Optional(), Length(max=40)],
                           description="Like mother, father, grandparent.")
    invite = BooleanField("Invite them to sign in as a parent", default=True)


class StudentForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=80)])
    email = EmailField("Email", validators=[Optional(), Length(max=254)],
                       description="The student's own address, if they have one.")
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    date_of_birth = DateField("Date of birth", validators=[Optional()])
    family = SelectField("Family", choices=[], validators=[Optional()])
    new_family_name = StringField("New family's name", validators=[Optional(), Length(max=120)],
                                  description="Used when no family is chosen; defaults to the last name.")
    instrument = StringField("Instrument", validators=[Optional(), Length(max=60)])
    specialties = StringField("Specialties", validators=[Optional(), Length(max=1200)],
                              description="Separate with commas.")
    primary_teacher = SelectField("Primary teacher", choices=[], validators=[Optional()])
    default_lesson_minutes = IntegerField("Lesson length (minutes)", default=30,
                                          validators=[DataRequired(), NumberRange(5, 480)])
    default_lesson_rate = DecimalField("Lesson rate", places=2, validators=[Optional(), NumberRange(min=0)],
                                       description="Price of one lesson of the default length.")
    default_lesson_type = SelectField("Usual lesson", choices=USUAL_LESSON_CHOICES, default="private",
                                      description="Booking this student starts from it.")
    emergency_contact_name = StringField("Emergency contact", validators=[Optional(), Length(max=120)])
    emergency_contact_phone = StringField("Emergency phone", validators=[Optional(), Length(max=40)])
    notes = TextAreaField("Notes for staff", validators=[Optional(), Length(max=10000)],
                          description="Never shown to the student or family.")
    login = RadioField("Sign-in", choices=LOGIN_CHOICES, default="none")
    login_email = EmailField("Sign-in email", validators=[Optional(), Length(max=254)])
    password = PasswordField("Password", validators=[Optional(), Length(min=8, max=256)],
                           description="At least 8 characters. Share it with the student safely.")


class StudentLoginForm(FlaskForm):
    login_email = EmailField("Sign-in email", validators=[DataRequired(), Length(max=254)])


class ImportUploadForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")],
                     description="UTF-8 CSV, up to 5 MB and 10,000 rows.")
