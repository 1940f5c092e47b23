"""Teachers: profiles, invitations, archive/restore and weekly availability."""
import json
from datetime import time

import sqlalchemy as sa
from sqlalchemy import func, or_, select

from app.accounts.models import Membership, User
from app.accounts.services import create_user, find_user_by_email, invite_member, validate_email
from app.core import audit, validation
from app.core.errors import PermissionDenied, ValidationFailed
from app.core.permissions import ADMIN, MANAGERS, OWNER, TEACHER
from app.core.search import matches
from app.core.tenancy import parse_uuid, scoped
from app.extensions import db
from app.people.models import WEEKDAYS, TeacherAvailability, TeacherProfile
from app.people.services.common import apply_changes, colour, optional_rate, reject_unknown, tags

TEACHER_FIELDS = (
    "bio", "specialties", "instruments", "hourly_rate", "is_accepting_students", "calendar_color",
)
OWN_PROFILE_FIELDS = ("bio", "specialties", "instruments", "is_accepting_students", "calendar_color")
TEACHING_ROLES = (OWNER, ADMIN, TEACHER)
MAX_WINDOWS = 50


def _role_of(studio, user):
    membership = user.membership_in(studio.id) if user is not None else None
    return membership.role if membership is not None and membership.is_active else None


def _validate_profile(changes):
    errors = validation.FieldErrors()
    errors.clean(changes, "bio", validation.text, max_length=5000)
    errors.clean(changes, "specialties", tags)
    errors.clean(changes, "instruments", tags)
    errors.clean(changes, "hourly_rate", optional_rate)
    errors.clean(changes, "calendar_color", colour)
    if "is_accepting_students" in changes:
        changes["is_accepting_students"] = bool(changes["is_accepting_students"])
    errors.raise_if_any()


def find_teacher_for_user(studio, user):
    return db.session.scalar(scoped(TeacherProfile, studio).where(TeacherProfile.user_id == user.id))


def create_teacher_profile(studio, actor, user, **fields):
    """A teacher profile for a member of `studio` who teaches (teacher, admin or owner).
    `user` is a User or a user id; an id that is not a member is a field error."""
    reject_unknown(fields, TEACHER_FIELDS)
    if not isinstance(user, User):
        user = db.session.get(User, parse_uuid(user)) if parse_uuid(user) else None
        if user is None or user.membership_in(studio.id) is None:
            raise ValidationFailed(field_errors={"user": ["Unknown member."]})
    role = _role_of(studio, user)
    if role is None:
        raise ValidationFailed(field_errors={"user": ["This person is not a member of the studio."]})
    if role not in TEACHING_ROLES:
        raise ValidationFailed(field_errors={"user": [
            f"This person is a {role} in the studio. Make them a teacher in Members first."
        ]})
    if find_teacher_for_user(studio, user) is not None:
        raise ValidationFailed(field_errors={"user": ["This person already has a teacher profile."]})
    _validate_profile(fields)
    teacher = TeacherProfile(studio_id=studio.id, user=user, **fields)
    db.session.add(teacher)
    db.session.flush()
    audit.record(studio, actor, "teacher.created", teacher, user=user.email)
    return teacher


def set_teaching(studio, actor, *, teaches):
    """The owner or an admin says they teach too: their own teacher profile, created or
    restored, puts them on every list of teachers (booking, calendars, filters, reports, the
    API). Saying they no longer teach archives it; their lessons and students stay."""
    if _role_of(studio, actor) not in MANAGERS:
        raise PermissionDenied("Only the studio's owner and admins set this here; "
                               "teachers always teach.")
    teacher = find_teacher_for_user(studio, actor)
    if not teaches:
        return archive_teacher(studio, actor, teacher) if teacher is not None else None
    if teacher is None:
        return create_teacher_profile(studio, actor, actor)
    return restore_teacher(studio, actor, teacher)


def teaches(studio, user):
    """Is `user` on the studio's active teachers list?"""
    teacher = find_teacher_for_user(studio, user)
    return teacher is not None and teacher.is_active


def add_teacher(studio, actor, email, *, first_name="", last_name="", password=None, invite=True,
                **fields):
    """Put someone on the teachers list by email. Returns (teacher, invitation).

    - a member who teaches (teacher, admin, owner) without a profile gets one;
    - an unknown email with a `password` gets a login and a teacher membership now;
    - anyone else gets a teacher profile at once, so they can be scheduled, and (with
      `invite`) an invitation to sign in; they join the studio as a teacher when they accept.
      An unknown email becomes an account without a password, which cannot sign in until
      the invitation is accepted. Without `invite` the teacher has no login here at all.
    """
    reject_unknown(fields, TEACHER_FIELDS)
    email = validate_email(email)
    _validate_profile(fields)
    user = find_user_by_email(email)
    role = _role_of(studio, user)
    if role is not None:
        if find_teacher_for_user(studio, user) is not None:
            raise ValidationFailed(field_errors={"email": ["This person is already a teacher here."]})
        return create_teacher_profile(studio, actor, user, **fields), None
    if user is not None and password:
        raise ValidationFailed(field_errors={"email": [
            "An account with this email already exists. Leave the password out to invite them."]})
    if user is None and password:
        if not (first_name or "").strip():
            raise ValidationFailed(field_errors={"first_name": ["Enter the teacher's first name."]})
        user = create_user(email, password, first_name=first_name, last_name=last_name)
        db.session.add(Membership(studio_id=studio.id, user_id=user.id, role=TEACHER))
        db.session.flush()  # joining as a teacher creates the profile (people.hooks)
        teacher = find_teacher_for_user(studio, user)
        apply_changes(teacher, fields)
        audit.record(studio, actor, "teacher.created", teacher, user=email)
        db.session.flush()
        return teacher, None
    return _add_pending_teacher(studio, actor, user, email, first_name, last_name, invite, fields)


def _add_pending_teacher(studio, actor, user, email, first_name, last_name, invite, fields):
    """A teacher profile for someone who is not a member (yet): bookable at once."""
    if user is None:
        user = create_user(email, None, first_name=first_name, last_name=last_name)
    elif find_teacher_for_user(studio, user) is not None:
        raise ValidationFailed(field_errors={"email": ["This person is already a teacher here."]})
    teacher = TeacherProfile(studio_id=studio.id, user=user, **fields)
    db.session.add(teacher)
    db.session.flush()
    audit.record(studio, actor, "teacher.created", teacher, user=email)
    invitation = None
    if invite:
        invitation, _link = invite_member(studio, actor, email, TEACHER,
                                          first_name=first_name or user.first_name or "")
    return teacher, invitation


def update_teacher(studio, actor, teacher, **changes):
    """Change a profile. Managers change everything; a teacher changes their own profile
    except the hourly rate."""
    reject_unknown(changes, TEACHER_FIELDS)
    role = _role_of(studio, actor)
    if role not in MANAGERS:
        if role != TEACHER or teacher.user_id != actor.id:
            raise PermissionDenied("You may only change your own teaching profile.")
        forbidden = sorted(set(changes) - set(OWN_PROFILE_FIELDS))
        if forbidden:
            raise PermissionDenied(
                "Only studio admins can change: " + ", ".join(forbidden) + ".",
                field_errors={name: ["Only studio admins can change this."] for name in forbidden},
            )
    _validate_profile(changes)
    old_rate = teacher.hourly_rate
    changed = apply_changes(teacher, changes)
    if "hourly_rate" in changed:
        audit.record(studio, actor, "teacher.rate_changed", teacher,
                     old=str(old_rate) if old_rate is not None else None,
                     new=str(teacher.hourly_rate) if teacher.hourly_rate is not None else None)
    db.session.flush()
    return teacher


def archive_teacher(studio, actor, teacher):
    """Take a teacher off the active list; their history and students stay."""
    if teacher.is_active:
        teacher.is_active = False
        teacher.is_accepting_students = False
        audit.record(studio, actor, "teacher.archived", teacher)
        db.session.flush()
    return teacher


def restore_teacher(studio, actor, teacher):
    if not teacher.is_active:
        teacher.is_active = True
        audit.record(studio, actor, "teacher.restored", teacher)
        db.session.flush()
    return teacher


# ------------------------------------------------------------------ availability

def _as_time(value):
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        return time.fromisoformat(str(value).strip()).replace(second=0, microsecond=0)
    except ValueError:
        return None


def _as_weekday(value):
    if isinstance(value, str) and value.strip().lower() in WEEKDAYS:
        return WEEKDAYS.index(value.strip().lower())
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    return None


def _check_window(index, window, errors):
    weekday = _as_weekday(window.get("weekday"))
    start, end = _as_time(window.get("start_time")), _as_time(window.get("end_time"))
    if weekday is None:
        errors.add(f"{index}.weekday", "Choose a day of the week.")
    if start is None:
        errors.add(f"{index}.start_time", "Enter a time like 15:30.")
    if end is None:
        errors.add(f"{index}.end_time", "Enter a time like 18:00.")
    elif start is not None and end <= start:
        errors.add(f"{index}.end_time", "The window must end after it starts.")
    return weekday, start, end


def _check_overlaps(windows, errors):
    ordered = sorted((w for w in windows if None not in w[1:]), key=lambda w: (w[1], w[2]))
    latest = None  # the window reaching furthest into the day so far
    for current in ordered:
        if latest is not None and latest[1] == current[1] and current[2] < latest[3]:
            day = WEEKDAYS[current[1]].capitalize()
            span = f"{latest[2]:%H:%M}–{latest[3]:%H:%M}"
            errors.add(f"{current[0]}.start_time", f"Overlaps {span} on {day}.")
        if latest is None or latest[1] != current[1] or current[3] > latest[3]:
            latest = current


def replace_availability(studio, actor, teacher, windows):
    """Replace a teacher's weekly windows with `windows` ([{weekday, start_time, end_time}]).

    Times are wall-clock times in the studio's timezone. End must be after start, and
    windows on the same weekday may touch but not overlap.
    """
    role = _role_of(studio, actor)
    if role not in MANAGERS and not (role == TEACHER and teacher.user_id == actor.id):
        raise PermissionDenied("You may only change your own availability.")
    if len(windows) > MAX_WINDOWS:
        raise ValidationFailed(f"Use at most {MAX_WINDOWS} windows a week.")
    errors = validation.FieldErrors()
    checked = [(i, *_check_window(i, w, errors)) for i, w in enumerate(windows)]
    _check_overlaps(checked, errors)
    errors.raise_if_any()
    teacher.availability.clear()
    db.session.flush()
    for _index, weekday, start, end in sorted(checked, key=lambda w: (w[1], w[2])):
        teacher.availability.append(TeacherAvailability(
            studio_id=studio.id, weekday=weekday, start_time=start, end_time=end,
        ))
    db.session.flush()
    return teacher.availability


# ------------------------------------------------------------------ lists

TEACHER_ORDERING = {
    "first_name": func.lower(User.first_name),
    "last_name": func.lower(User.last_name),
    "name": func.lower(User.first_name + " " + User.last_name),
    "email": User.email,
    "created_at": TeacherProfile.created_at,
}


def json_list_contains(column, value):
    """Does a JSON list column hold `value` (a lower-cased tag)? Portable across databases."""
    needle = json.dumps(" ".join(value.split()).lower())
    return sa.cast(column, sa.Text).contains(needle, autoescape=True)


def filter_teachers(stmt, *, search=None, specialty=None, is_accepting_students=None,
                    is_active=None):
    """Apply the teacher list filters to a SELECT of TeacherProfile."""
    stmt = stmt.join(User, User.id == TeacherProfile.user_id)
    if search:
        stmt = stmt.where(matches(search, User.search_text))
    if specialty:
        stmt = stmt.where(or_(json_list_contains(TeacherProfile.specialties, specialty),
                              json_list_contains(TeacherProfile.instruments, specialty)))
    if is_accepting_students is not None:
        stmt = stmt.where(TeacherProfile.is_accepting_students.is_(is_accepting_students))
    if is_active is not None:
        stmt = stmt.where(TeacherProfile.is_active.is_(is_active))
    return stmt


def teacher_specialties(studio):
    """Every specialty and instrument the studio's active teachers list, sorted."""
    rows = db.session.execute(
        select(TeacherProfile.specialties, TeacherProfile.instruments).where(
            TeacherProfile.studio_id == studio.id, TeacherProfile.is_active.is_(True))
    ).all()
    return sorted({tag for specialties, instruments in rows for tag in [*specialties, *instruments]})


def teacher_choices(studio, include=None):
    """(id, name) of active teachers for select boxes; `include` keeps a current archived one."""
    teachers = db.session.scalars(
        scoped(TeacherProfile, studio).join(User, User.id == TeacherProfile.user_id)
        .where(or_(TeacherProfile.is_active.is_(True), TeacherProfile.id == getattr(include, "id", None)))
        .order_by(func.lower(User.first_name), func.lower(User.last_name))
    ).all()
    return [(str(t.id), t.full_name) for t in teachers]

