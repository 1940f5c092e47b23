"""Shared pieces of the scheduling API: blueprints, JSON bodies written fast or kept, the acting user."""
from itertools import islice

import orjson
from flask import current_app, g, request
from sqlalchemy import select

from app.core import versions
from app.core.api import Blueprint
from app.core.errors import PermissionDenied
from app.core.permissions import can
from app.core.search import matches
from app.core.tenancy import api_login_required, current_principal, current_studio
from app.people.models import Student
from app.scheduling import policies
from app.scheduling.models import LessonAttendee

NOT_FOUND = {"description": "Not in your studio, or not visible to you."}
FORBIDDEN = {"description": "Your role may not do this."}
CONFLICT = {"description": "The teacher, a student or the room is busy then: `conflicts` names "
                           "every clash as `{type, lesson_id | reservation_id, scheduled_start, "
                           "scheduled_end}`; or the object is in a state that forbids the action."}


def blueprint(name, url_prefix, description):
    blp = Blueprint(name, __name__, url_prefix=url_prefix, description=description)
    blp.before_request(api_login_required)
    return blp


def json_array(items, batch_size=50):
    """What `jsonify(list(items))` answers for plain values (non-ASCII as UTF-8; dates, which
    events carry as text already, in ISO 8601), written by orjson a batch of items at a time:
    the standard library's encoder takes ten times as long over a studio's week of calendar
    events, and the events never live all at once."""
    items = iter(items)
    batches = iter(lambda: list(islice(items, batch_size)), [])
    default = current_app.json.default
    option = orjson.OPT_SORT_KEYS if current_app.json.sort_keys else 0
    body = b",".join(orjson.dumps(batch, default=default, option=option)[1:-1] for batch in batches)
    return current_app.response_class(b"[" + body + b"]\n", mimetype=current_app.json.mimetype)


def kept_json(stmt, render, *, reads=()):
    """The JSON body `render()` builds from `stmt` (and `reads`), kept in memory while none
    of the tables they read change for the caller's studio (core.versions.kept): for this
    URL and this caller, whose role, id and view of classmates decide what they see."""
    who = current_principal()
    body = versions.kept(stmt, who.studio.id, render, reads=reads,
                         depends_on=(request.url, who.user.id, who.role, policies.attendee_view(who).key))
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


def students_named(text):
    """SELECT of the ids of the studio's students whose name or email contains every word
    of `text`, whatever its case and accents (the lists' `search`)."""
    return select(Student.id).where(Student.studio_id == studio().id, matches(text, Student.search_text))


def lessons_of_students_named(text):
    """SELECT of the ids of the lessons of the students `students_named(text)` finds."""
    return select(LessonAttendee.lesson_id).where(
        LessonAttendee.studio_id == studio().id, LessonAttendee.student_id.in_(students_named(text)))


def actor():
    return g.api_principal.user


def studio():
    return current_studio()


def ensure_may_set_rate(data):
    if "rate" in data and not can("lessons.set_rate"):
        raise PermissionDenied("Only studio admins set rates.",
                               field_errors={"rate": ["Only studio admins set rates."]})


def principal():
    return current_principal()
