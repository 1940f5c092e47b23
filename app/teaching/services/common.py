"""Small helpers the teaching services share (values are checked by core/validation)."""

from app.core.errors import ValidationFailed

MAX_LIST_ITEMS = 30
MAX_ITEM_LENGTH = 300


def ensure_active_student(student, field="student"):
    if not student.is_active:
        raise ValidationFailed(field_errors={field: [f"{student.full_name} is archived."]})
