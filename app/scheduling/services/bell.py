"""What the bell tells members about lessons (app.messaging's `notify`): families when the
studio books, cancels or moves their lessons, staff when a family asks to cancel one.

Each family reads a lesson under its own children's names (a group lesson's classmates as
the studio's privacy setting says), and nobody is told of what they did themselves. Only
upcoming lessons are announced. Cancellations and moves are emailed by `notices` already,
so their notifications stay in the app.
"""
from app.core.db import utcnow
from app.messaging.services import family_user_ids, link_to, notify, staff_user_ids
from app.scheduling.services.notices import lesson_time, title_for

FREQUENCY_WORDS = {"weekly": "Weekly", "biweekly": "Every other week", "monthly": "Monthly"}


def _upcoming(lesson, now=None):
    return lesson.start_at > (now or utcnow())


def _tell_families(studio, actor, lesson, kind, title, message, *, link_lesson=None, email=True):
    """Notify every family of `lesson` apart: `title(names)` under its own children's names."""
    link = link_to("scheduling.lesson", lesson_id=(link_lesson or lesson).id)
    families = {}
    for student in lesson.students:
        families.setdefault(student.family_id, []).append(student.id)
    written = []
    for family_id, student_ids in sorted(families.items(), key=lambda item: str(item[0])):
        users = [user_id for user_id in family_user_ids(studio, student_ids=student_ids)
                 if user_id != getattr(actor, "id", None)]
        written += notify(studio, users, kind, title(title_for(studio, lesson, {family_id})),
                          message, link, email=email)
    return written


def _with(lesson):
    return f"{lesson.teacher.full_name}" if lesson.teacher else "your teacher"


def lesson_scheduled(studio, actor, lesson):
    """A lesson was booked for the family's child."""
    if not _upcoming(lesson):
        return []
    when = lesson_time(studio, lesson.start_at)
    return _tell_families(
        studio, actor, lesson, "lesson_scheduled", lambda names: f"Lesson booked: {names}",
        f"With {_with(lesson)} on {when}.")


def series_scheduled(studio, actor, series, lessons):
    """A series of lessons was booked: one notification for the series, not one per lesson."""
    upcoming = [lesson for lesson in lessons if _upcoming(lesson)]
    if not upcoming:
        return []
    first = min(upcoming, key=lambda lesson: lesson.start_at)
    how_often = FREQUENCY_WORDS.get(series.frequency, "Regular")
    until = f", {len(lessons)} lessons" if series.end_date else ""
    return _tell_families(
        studio, actor, first, "lesson_scheduled",
        lambda names: f"{how_often} lessons booked: {names}",
        f"With {_with(first)}, starting {lesson_time(studio, first.start_at)}{until}.")


def lesson_cancelled(studio, actor, lesson, *, now=None):
    """The lesson was cancelled (by the studio, or as the family asked)."""
    if not _upcoming(lesson, now):
        return []
    when = lesson_time(studio, lesson.start_at, "medium")
    reason = lesson.cancellation_reason
    message = f"The lesson with {_with(lesson)} on {when} is cancelled."
    if reason and reason != "rescheduled":
        message += f" Reason: {reason}"
    return _tell_families(studio, actor, lesson, "lesson_cancelled",
                          lambda names: f"Lesson cancelled: {names}, {when}", message, email=False)


def lesson_rescheduled(studio, actor, old, new, *, now=None):
    """The lesson moved to another time (or teacher)."""
    if not _upcoming(old, now):
        return []
    message = (f"Was {lesson_time(studio, old.start_at, 'medium')}; now "
               f"{lesson_time(studio, new.start_at, 'medium')} with {_with(new)}.")
    return _tell_families(
        studio, actor, new, "lesson_rescheduled",
        lambda names: f"Lesson moved: {names}, {lesson_time(studio, new.start_at, 'medium')}",
        message, email=False)


def cancellation_requested(studio, actor, request):
    """A family asked to cancel a lesson: its teacher and the studio's admins are told."""
    lesson = request.lesson
    users = staff_user_ids(studio)
    if lesson.teacher is not None:
        users.append(lesson.teacher.user_id)
    users = [user_id for user_id in users if user_id != getattr(actor, "id", None)]
    who = getattr(request.requested_by, "full_name", "") or "A family"
    message = f"{who} asks to cancel it."
    if request.reason:
        message += f" Reason: {request.reason}"
    return notify(studio, users, "cancellation_requested",
                  f"Cancellation requested: {lesson.title}, "
                  f"{lesson_time(studio, lesson.start_at, 'medium')}",
                  message, link_to("scheduling.lesson", lesson_id=lesson.id),
                  dedupe_key=f"cancellation-requested:{request.id}")
