"""lesson writes: drop indexes no query uses

Every generated lesson wrote eight index entries and its attendee row five. No query
finds lessons by their `student_id` column (a student's lessons are found through their
attendee rows), and the studio_id-only indexes of both tables repeat the first column of
composite indexes that serve the same lookups.

Revision ID: 05c6aed09a56
Revises: 037d8e5d01e7
Create Date: 2026-12-03 07:45:55.756273

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '05c6aed09a56'
down_revision = '037d8e5d01e7'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_lesson_studio_id", table_name="lesson")
    op.drop_index("ix_lesson_studio_student_start", table_name="lesson")
    op.drop_index("ix_lesson_attendee_studio_id", table_name="lesson_attendee")


def downgrade():
    op.create_index("ix_lesson_attendee_studio_id", "lesson_attendee", ["studio_id"], unique=False)
    op.create_index("ix_lesson_studio_student_start", "lesson", ["studio_id", "student_id", "start_at"],
                    unique=False)
    op.create_index("ix_lesson_studio_id", "lesson", ["studio_id"], unique=False)
