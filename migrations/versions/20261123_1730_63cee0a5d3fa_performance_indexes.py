"""performance indexes: child rows loaded by their parent's id alone

Eager loads (selectinload of Lesson.attendees, Invoice.line_items, Invoice.payments, notes by
lesson) filter on the foreign key without studio_id, so the (studio_id, ...) indexes cannot
serve them: on the large demo each such load scanned the whole table (issue 7).

Revision ID: 63cee0a5d3fa
Revises: bd27094f1282
Create Date: 2026-11-23 17:30:12.647157

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '63cee0a5d3fa'
down_revision = 'bd27094f1282'
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_invoice_line_item_invoice", "invoice_line_item", ["invoice_id"]),
    ("ix_lesson_attendee_lesson", "lesson_attendee", ["lesson_id"]),
    ("ix_lesson_note_lesson", "lesson_note", ["lesson_id"]),
    ("ix_payment_invoice", "payment", ["invoice_id"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
