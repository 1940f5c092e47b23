"""HTML forms for booking, changing and cancelling lessons, rooms, reservations, closures.

Times are entered as a local date plus a wall-clock time in the studio's timezone.
Choices (teachers, students, rooms) are filled in by the views for the current studio.
"""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import URL, DateField
from app.scheduling.models import WEEKDAYS

LESSON_TYPE_CHOICES = [("private", "Private"), ("group", "Group"), ("makeup", "Make-up"),
                       ("trial", "Trial"), ("recital", "Recital")]
REPEAT_CHOICES = [("", "Does not repeat"), ("weekly", "Every week"), ("biweekly", "Every 2 weeks"),
                  ("monthly", "Every month (same weekday)")]
WEEKDAY_CHOICES = [(str(i), name.capitalize()) for i, name in enumerate(WEEKDAYS)]
DURATION_HINT = "Between 5 minutes and 12 hours."


class LessonTimeMixin:
    date = DateField("Date", validators=[InputRequired(message="Choose the date.")])
    start_time = TimeField("Start time", validators=[InputRequired(message="Choose the start time.")])
    duration_minutes = IntegerField(
        "Length (minutes)", default=30, description=DURATION_HINT,
        validators=[InputRequired(message="Enter the length."),
                    NumberRange(5, 720, message="Between 5 and 720 minutes.")])


class LessonForm(LessonTimeMixin, FlaskForm):
    teacher = SelectField("Teacher", validators=[DataRequired(message="Choose a teacher.")])
    student = SelectField("Student", validators=[DataRequired(message="Choose a student.")])
    extra_students = SelectMultipleField("Other students (group lessons)", validators=[Optional()],
                                         description="Hold Ctrl or ⌘ to pick several.")
    lesson_type = SelectField("Lesson type", choices=LESSON_TYPE_CHOICES, default="private")
    makeup_credit = SelectField("Use a make-up credit", validators=[Optional()], choices=[("", "No")])
    room = SelectField("Room", validators=[Optional()])
    location = StringField("Other location", validators=[Optional(), Length(max=200)],
                           description="When the lesson is not in one of the rooms.")
    online_url = URLField("Online lesson link", validators=[Optional(), URL(), Length(max=500)])
    repeats = SelectField("Repeats", choices=REPEAT_CHOICES, default="")
    until = DateField("Until (optional)", validators=[Optional()],
                      description="Leave empty to keep the lessons going.")
    rate = DecimalField("Rate per lesson", places=2, validators=[Optional(), NumberRange(0)],
                        description="Leave empty for the student's or teacher's usual rate.")
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
    confirm = BooleanField("Book anyway")


class EditLessonForm(LessonTimeMixin, FlaskForm):
    teacher = SelectField("Teacher", validators=[DataRequired()])
    room = SelectField("Room", validators=[Optional()])
    location = StringField("Other location", validators=[Optional(), Length(max=200)])
    online_url = URLField("Online lesson link", validators=[Optional(), URL(), Length(max=500)])
    rate = DecimalField("Rate per lesson", places=2, validators=[Optional(), NumberRange(0)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
    apply_to = RadioField("Change", choices=[("this", "This lesson only"),
                                             ("following", "This and all following lessons")],
                          default="this")
    confirm = BooleanField("Save anyway")


class RescheduleForm(LessonTimeMixin, FlaskForm):
    room = SelectField("Room", validators=[Optional()])
    confirm = BooleanField("Move anyway")


class CancelForm(FlaskForm):
    reason = StringField("Reason", validators=[Optional(), Length(max=500)])
    initiated_by = RadioField("Who cancels?", choices=[
        ("family", "The family (the cancellation policy applies)"),
        ("studio", "The studio or teacher (never charged)"),
    ], default="family")


class AttendanceForm(FlaskForm):
    """One-click attendance: `value` is present, no_show or reopen."""

    value = SelectField(choices=[("present", "Attended"), ("no_show", "No-show"), ("reopen", "Undo")])


class RequestCancellationForm(FlaskForm):
    reason = TextAreaField("Why can't you come?", validators=[Optional(), Length(max=500)])


class ReviewForm(FlaskForm):
    response = StringField("Note to the family (optional)", validators=[Optional(), Length(max=500)])


class SeriesForm(FlaskForm):
    teacher = SelectField("Teacher", validators=[DataRequired()])
    frequency = SelectField("Repeats", choices=REPEAT_CHOICES[1:])
    day_of_week = SelectField("Day", choices=WEEKDAY_CHOICES)
    start_time = TimeField("Start time", validators=[InputRequired()])
    duration_minutes = IntegerField("Length (minutes)", validators=[InputRequired(), NumberRange(5, 720)])
    room = SelectField("Room", validators=[Optional()])
    location = StringField("Other location", validators=[Optional(), Length(max=200)])
    end_date = DateField("Last lesson on or before (optional)", validators=[Optional()])
    rate = DecimalField("Rate per lesson", places=2, validators=[Optional(), NumberRange(0)])
    effective_from = DateField("Change lessons from", validators=[InputRequired()])


class RoomForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    capacity = IntegerField("Capacity (people)", validators=[Optional(), NumberRange(1, 10000)])
    equipment = StringField("Equipment", validators=[Optional(), Length(max=2000)],
                            description="Separate items with commas, like “Grand piano, music stand”.")
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    is_bookable = BooleanField("Students and teachers may reserve it for practice", default=True)
    is_active = BooleanField("In use", default=True,
                             description="Rooms no longer in use keep their history but take no bookings.")


class ReservationForm(FlaskForm):
    room = SelectField("Room", validators=[DataRequired(message="Choose a room.")])
    date = DateField("Date", validators=[InputRequired(message="Choose the date.")])
    start_time = TimeField("From", validators=[InputRequired(message="Choose the start time.")])
    end_time = TimeField("Until", validators=[InputRequired(message="Choose the end time.")])
    notes = StringField("Notes", validators=[Optional(), Length(max=500)])


class ClosureForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)],
                       description="Like “Thanksgiving” or “Winter break”.")
    start_date = DateField("First closed day", validators=[InputRequired()])
    end_date = DateField("Last closed day", validators=[InputRequired()])
    cancel_lessons = BooleanField("Cancel the lessons already scheduled on these days (no charge)",
                                  default=True)
