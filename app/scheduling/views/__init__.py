"""The scheduling pages (HTML + htmx): calendar, lessons, series, rooms, feeds."""
from flask import Blueprint

scheduling_bp = Blueprint("scheduling", __name__)


@scheduling_bp.app_template_global()
def lesson_title(lesson):
    """`{{ lesson_title(lesson) }}`: a lesson's students as the viewer may see them."""
    from app.scheduling.policies import attendee_view

    return attendee_view().title(lesson)


@scheduling_bp.app_template_global()
def lesson_students(lesson):
    """`{% for a in lesson_students(lesson) %}`: the attendees the viewer may see, as dicts
    (id, first_name, last_name, full_name, attendance: id and attendance None for classmates)."""
    from app.scheduling.policies import attendee_view

    return attendee_view().students(lesson)

from app.scheduling.views import calendar, lesson_panel, lessons, rooms, series  # noqa: E402,F401 (routes)
