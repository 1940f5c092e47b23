"""Student goals with progress 0–100 and a history of every change."""
from app.core import validation
from app.core.db import utcnow
from app.extensions import db
from app.teaching.models import GOAL_STATUSES, Goal, GoalProgress
from app.teaching.services.common import ensure_active_student

MAX_DESCRIPTION = 5000


def _progress(value):
    return validation.field("progress_percentage", validation.whole_number, value, minimum=0,
                            maximum=100, detail="Progress is a percentage between 0 and 100.")


def _status(value):
    return validation.field("status", validation.choice, value, choices=GOAL_STATUSES)


def _clean(fields):
    cleaned = {}
    if "title" in fields:
        cleaned["title"] = validation.field("title", validation.text, fields["title"], max_length=200,
                                            required=True, missing="A title is required.")
    if "description" in fields:
        cleaned["description"] = validation.field("description", validation.text, fields["description"],
                                                  max_length=MAX_DESCRIPTION)
    if "target_date" in fields:
        cleaned["target_date"] = fields["target_date"]
    if "progress_percentage" in fields:
        cleaned["progress_percentage"] = _progress(fields["progress_percentage"])
    if "status" in fields:
        cleaned["status"] = _status(fields["status"])
    return cleaned


def _settle_status(goal, progress_given, status_given, now):
    """Achieving sets the date (and 100%); reaching 100% achieves an active goal."""
    if not status_given and progress_given and goal.progress_percentage == 100 and goal.is_active:
        goal.status = "achieved"
    if goal.status == "achieved":
        goal.progress_percentage = 100
        goal.achieved_at = goal.achieved_at or now
    else:
        goal.achieved_at = None


def _record(goal, actor, note, now):
    goal.history.insert(0, GoalProgress(  # newest first, as the relationship orders it
        studio_id=goal.studio_id, progress=goal.progress_percentage, status=goal.status,
        note=note, recorded_by_id=getattr(actor, "id", None), recorded_at=now,
    ))


def create_goal(studio, actor, student, *, title, description="", target_date=None,
                progress_percentage=0, status="active", now=None):
    """Set a goal for a student; its first history row records the starting progress."""
    ensure_active_student(student)
    now = now or utcnow()
    cleaned = _clean({"title": title, "description": description, "target_date": target_date,
                      "progress_percentage": progress_percentage, "status": status})
    goal = Goal(studio_id=studio.id, student=student, student_id=student.id,
                created_by_id=getattr(actor, "id", None), **cleaned)
    _settle_status(goal, True, status != "active", now)
    db.session.add(goal)
    _record(goal, actor, "Goal set.", now)
    db.session.flush()
    return goal


def update_goal(studio, actor, goal, *, progress_note="", now=None, **fields):
    """Change a goal. A new progress or status adds a history row (with `progress_note`)."""
    now = now or utcnow()
    note = validation.field("progress_note", validation.text, progress_note, max_length=500)
    before = (goal.progress_percentage, goal.status)
    cleaned = _clean(fields)
    for name, value in cleaned.items():
        setattr(goal, name, value)
    _settle_status(goal, "progress_percentage" in cleaned, "status" in cleaned, now)
    if (goal.progress_percentage, goal.status) != before or note:
        _record(goal, actor, note, now)
    db.session.flush()
    return goal


def delete_goal(studio, actor, goal):
    db.session.delete(goal)
    db.session.flush()
