"""What a lesson's webhook events carry (app/core/webhook_events.py): its ids, time, place,
status and price, named as the API names them."""
from app.core.webhook_events import emit, snapshot

LESSON_FIELDS = (
    "id", "status", "lesson_type", ("teacher", "teacher_id"), ("student", "student_id"),
    ("scheduled_start", "start_at"), ("scheduled_end", "end_at"), "duration_minutes",
    ("room", "room_id"), "online_url", "rate", ("recurring_pattern", "series_id"),
    ("rescheduled_from", "rescheduled_from_id"), "cancellation_reason", "cancelled_at",
    "cancellation_outcome", "attendance_taken_at", "created_at", "updated_at",
)


def announce_lesson(studio, event, lesson):
    data = snapshot(lesson, LESSON_FIELDS)
    data["students"] = [{"id": str(a.student_id), "attendance": a.attendance}
                        for a in lesson.attendees]
    return emit(studio, event, lesson, data)
