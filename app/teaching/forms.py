"""HTML forms for notes, goals, lesson plans and practice."""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import DateField
from app.teaching.models import GOAL_STATUSES, MAX_PRACTICE_MINUTES

LINES_HINT = "One per line."
GOAL_STATUS_LABELS = {"active": "Active", "achieved": "Achieved", "abandoned": "Abandoned"}


def lines(text):
    """Textarea lines to a list (blank lines dropped)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def lines_text(values):
    return "\n".join(values or [])


def pieces_list(text):
    """Pieces typed as lines or separated by semicolons."""
    return [p.strip() for line in (text or "").splitlines() for p in line.split(";") if p.strip()]


class NoteForm(FlaskForm):
    student = SelectField("Student", validators=[Optional()], choices=[])
    summary = TextAreaField("Summary", validators=[DataRequired(), Length(max=10_000)],
                            description="What you worked on. Markdown works: **bold**, lists, links.")
    topics_covered = TextAreaField("Topics covered", validators=[Optional(), Length(max=9000)],
                                   description=LINES_HINT)
    assignments = TextAreaField("Assignments", validators=[Optional(), Length(max=9000)],
                                description="What to practise this week. " + LINES_HINT)
    practice_target_minutes = IntegerField(
        "Practice target (minutes a week)", validators=[Optional(), NumberRange(1, MAX_PRACTICE_MINUTES * 7)])
    strengths = TextAreaField("Strengths", validators=[Optional(), Length(max=9000)], description=LINES_HINT)
    challenges = TextAreaField("Challenges", validators=[Optional(), Length(max=9000)],
                               description=LINES_HINT)
    visible_to_parent = BooleanField("Parents can read this note", default=True)
    visible_to_student = BooleanField("The student can read this note", default=True)
    resources = SelectMultipleField(
        "Library resources", choices=[], validate_choice=False,
        description="Recordings, scores or links for this lesson. Private ones are shared with "
                    "the student.")

    def service_fields(self):
        return {
            "summary": self.summary.data or "",
            "topics_covered": lines(self.topics_covered.data),
            "assignments": lines(self.assignments.data),
            "strengths": lines(self.strengths.data),
            "challenges": lines(self.challenges.data),
            "practice_target_minutes": self.practice_target_minutes.data,
            "visible_to_parent": self.visible_to_parent.data,
            "visible_to_student": self.visible_to_student.data,
        }

    def fill_from(self, note):
        self.summary.data = note.summary
        for name in ("topics_covered", "assignments", "strengths", "challenges"):
            getattr(self, name).data = lines_text(getattr(note, name))
        self.practice_target_minutes.data = note.practice_target_minutes
        self.visible_to_parent.data = note.visible_to_parent
        self.visible_to_student.data = note.visible_to_student


class GoalForm(FlaskForm):
    title = StringField("Goal", validators=[DataRequired(), Length(max=200)],
                        description="For example: Play Für Elise from memory.")
    description = TextAreaField("Details", validators=[Optional(), Length(max=5000)])
    target_date = DateField("Target date", validators=[Optional()])
    progress_percentage = IntegerField("Progress (%)", default=0,
                                       validators=[InputRequired(), NumberRange(0, 100)])
    status = SelectField("Status", choices=list(GOAL_STATUS_LABELS.items()), default="active")

    def service_fields(self):
        return {"title": self.title.data or "", "description": self.description.data or "",
                "target_date": self.target_date.data,
                "progress_percentage": self.progress_percentage.data, "status": self.status.data}


class ProgressForm(FlaskForm):
    progress_percentage = IntegerField("Progress (%)", validators=[InputRequired(), NumberRange(0, 100)])
    progress_note = StringField("What changed", validators=[Optional(), Length(max=500)])


class PlanForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    specialty = StringField("Specialty", validators=[Optional(), Length(max=60)],
                            description="Instrument or subject, like piano or theory.")
    content = TextAreaField("Plan", validators=[Optional(), Length(max=50_000)],
                            description="Markdown: headings, lists, links.")
    is_public = BooleanField("Share with all teachers of the studio")
    resources = SelectMultipleField("Library resources", choices=[], validate_choice=False,
                                    description="Scores, recordings or links the plan uses.")

    def service_fields(self):
        return {"title": self.title.data or "", "specialty": self.specialty.data or "",
                "content": self.content.data or "", "is_public": self.is_public.data}


class AttachPlanForm(FlaskForm):
    plan = SelectField("Lesson plan", choices=[], validators=[DataRequired()])


class PracticeForm(FlaskForm):
    student = SelectField("Who practised", choices=[], validators=[DataRequired()])
    date = DateField("Day", validators=[DataRequired()])
    minutes = IntegerField("Minutes", validators=[InputRequired(), NumberRange(1, MAX_PRACTICE_MINUTES)],
                           description=f"Between 1 and {MAX_PRACTICE_MINUTES} minutes.")
    pieces = TextAreaField("Pieces", validators=[Optional(), Length(max=4000)],
                           description="What was practised. " + LINES_HINT)
    note = TextAreaField("Note", validators=[Optional(), Length(max=1000)])


GOAL_STATUS_CHOICES = [(s, GOAL_STATUS_LABELS[s]) for s in GOAL_STATUSES]
