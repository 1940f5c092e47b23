"""The scheduling verbs. Services take plain values and the acting user and only flush;
the request commits (or rolls back) at the edge."""
from app.scheduling.access import managed_lessons, visible_lesson
from app.scheduling.policies import family_student_ids
from app.scheduling.services.attendance import complete_lesson, mark_no_show, mark_present, reopen_lesson
from app.scheduling.services.availability import availability_warning, booking_warnings, free_slots
from app.scheduling.services.booking import UNSET, LessonChanges, Pattern, Placement
from app.scheduling.services.common import resolve_room, resolve_student, resolve_teacher
from app.scheduling.services.conflicts import BookingConflict, Clash, find_clashes, raise_if_clashes
from app.scheduling.services.feeds import (
    active_feed,
    create_feed,
    feed_for_token,
    feed_urls,
    render_feed,
    revoke_feeds,
)
from app.scheduling.services.lessons import (
    Booking,
    NeedsConfirmation,
    cancel_lesson,
    cancellation_outcome,
    delete_lesson,
    reschedule_lesson,
    schedule_lesson,
    update_lesson,
)
from app.scheduling.services.queries import (
    TeacherChoice,
    agenda_lessons,
    check_range,
    filter_lessons,
    lesson_ids_missing_attendance,
    lesson_query,
    lesson_rows,
    lesson_rows_between,
    lesson_rows_between_statement,
    lesson_rows_of,
    lesson_rows_statement,
    lessons_between,
    lessons_per_day,
    missing_attendance,
    studio_teachers,
    upcoming_lessons,
)
from app.scheduling.services.reminders import send_due_reminders
from app.scheduling.services.requests import (
    approve_request,
    available_credits,
    credits_of_students,
    decline_request,
    family_credits,
    pending_request_for,
    pending_requests,
    request_cancellation,
)
from app.scheduling.services.rooms import (
    cancel_reservation,
    create_closure,
    create_room,
    delete_closure,
    delete_room,
    reserve_room,
    update_closure,
    update_reservation,
    update_room,
)
from app.scheduling.services.series import (
    create_series,
    end_series,
    extend_all_series,
    update_following,
    update_series,
)

__all__ = [
    "UNSET", "Booking", "BookingConflict", "Clash", "LessonChanges", "NeedsConfirmation", "Pattern",
    "Placement", "active_feed", "approve_request",
    "availability_warning", "available_credits", "credits_of_students", "family_credits",
    "booking_warnings", "cancel_lesson",
    "cancel_reservation", "cancellation_outcome", "check_range", "complete_lesson",
    "create_closure", "create_feed", "create_room", "create_series", "decline_request",
    "delete_lesson", "feed_urls", "resolve_room", "resolve_student", "resolve_teacher", "update_following",
    "delete_closure", "delete_room", "end_series", "extend_all_series", "feed_for_token",
    "filter_lessons", "find_clashes", "free_slots", "lesson_ids_missing_attendance", "lesson_query",
    "lesson_rows",
    "lesson_rows_between", "lesson_rows_between_statement", "lesson_rows_of", "lesson_rows_statement",
    "lessons_between", "lessons_per_day", "mark_no_show",
    "pending_request_for", "raise_if_clashes", "render_feed", "reopen_lesson",
    "request_cancellation", "reschedule_lesson", "reserve_room", "revoke_feeds",
    "schedule_lesson", "send_due_reminders", "update_closure", "update_lesson", "update_room",
    "update_reservation",
    "update_series", "upcoming_lessons", "visible_lesson", "family_student_ids",
    "TeacherChoice", "agenda_lessons", "studio_teachers", "managed_lessons", "mark_present",
    "missing_attendance", "pending_requests",
]
