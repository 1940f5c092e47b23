"""The teaching verbs. Services take plain values and the acting user and only flush; the
request commits (or rolls back) at the edge. Who may call them is decided at the edge with
app/teaching/policies.py."""
from app.teaching.services.goals import create_goal, delete_goal, update_goal
from app.teaching.services.notes import (
    create_note,
    delete_note,
    existing_note,
    filter_notes,
    lessons_needing_notes,
    update_note,
)
from app.teaching.services.plans import (
    attach_plan,
    create_plan,
    delete_plan,
    detach_plan,
    filter_plans,
    plans_of_lesson,
    specialties,
    update_plan,
)
from app.teaching.services.practice import (
    WeekSummary,
    delete_practice,
    filter_practice,
    practice_targets,
    practice_totals,
    record_practice,
    update_practice,
    weekly_summary,
)

__all__ = [
    "WeekSummary", "attach_plan", "create_goal", "create_note", "create_plan", "delete_goal",
    "delete_note", "delete_plan", "delete_practice", "detach_plan", "existing_note",
    "filter_notes", "filter_plans", "filter_practice", "lessons_needing_notes",
    "plans_of_lesson", "practice_targets", "practice_totals",
    "record_practice", "specialties", "update_goal", "update_note", "update_plan",
    "update_practice", "weekly_summary",
]
