"""Shared helpers of the scheduling API: object loaders that run before body validation."""
from functools import wraps
from itertools import islice

import orjson
from flask import current_app, g, request

from app.core import versions
from app.core.api import Blueprint
from app.core.errors import PermissionDenied
from app.core.permissions import can
from app.core.tenancy import api_login_required, current_principal, current_studio, get_or_404, scoped
from app.scheduling import policies
from app.scheduling.models import Lesson, RecurringSeries

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
    URL and this caller, whose role and id decide what they see."""
    who = current_principal()
    body = versions.kept(stmt, who.studio.id, render, reads=reads,
                         depends_on=(request.url, who.user.id, who.role))
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


def actor():
    return g.api_principal.user


def studio():
    return current_studio()


def requires_any(*actions):
    """Like core.permissions.requires, for routes open to any of several actions."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not any(can(action) for action in actions):
                raise PermissionDenied()
            return view(*args, **kwargs)

        return wrapper

    return decorator


def loads(name, loader):
    """Replace the URL's `<name>_id` by the object `loader(id)` returns, before the body is
    parsed: a foreign id is 404 and a forbidden object 403 whatever the body says."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            kwargs[name] = loader(kwargs.pop(f"{name}_id"))
            return view(*args, **kwargs)

        return wrapper

    return decorator


def visible_lesson(lesson_id):
    return get_or_404(Lesson, lesson_id, stmt=policies.restrict_lessons(scoped(Lesson)))


def managed_lesson(lesson_id):
    lesson = visible_lesson(lesson_id)
    policies.ensure_may_manage(lesson)
    return lesson


def visible_series(series_id):
    return get_or_404(RecurringSeries, series_id,
                      stmt=policies.restrict_series(scoped(RecurringSeries)))


def managed_series(series_id):
    series = visible_series(series_id)
    policies.ensure_may_manage(series)
    return series


def ensure_may_set_rate(data):
    if "rate" in data and not can("lessons.set_rate"):
        raise PermissionDenied("Only studio admins set rates.",
                               field_errors={"rate": ["Only studio admins set rates."]})


def principal():
    return current_principal()
