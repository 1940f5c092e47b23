"""What the people events carry (app/core/webhook_events.py), named as the API names them."""
from app.core.webhook_events import emit, snapshot

STUDENT_FIELDS = (
    "id", "first_name", "last_name", ("email", "contact_email"), ("phone_number", "phone"),
    "instrument", ("family", "family_id"), ("primary_teacher", "primary_teacher_id"),
    "default_lesson_minutes", "default_lesson_rate", "default_lesson_type", "is_active",
    "created_at", "updated_at",
)
FAMILY_FIELDS = (
    "id", "name", ("primary_contact", "primary_contact_id"), ("phone_number", "phone"),
    "billing_email", "address", "created_at", "updated_at",
)


def announce_student(studio, event, student):
    return emit(studio, event, student, snapshot(student, STUDENT_FIELDS))


def announce_family(studio, event, family):
    return emit(studio, event, family, snapshot(family, FAMILY_FIELDS))
