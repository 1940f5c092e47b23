"""report and notes list indexes: covering indexes for the reports, notes by date

The reports page adds up a year of lessons, invoices and payments: with every column the
query needs in the index, SQLite reads the index alone instead of one table row per lesson.
Three of them widen an existing (studio_id, ...) index, which they replace. The notes list
walks (studio_id, created_at) newest first and stops after a page.

The tables are analyzed again: without statistics for a new index, SQLite's planner takes it
for a very selective one and uses it for unrelated queries (upcoming lessons by status).

Revision ID: fbdd10697676
Revises: 63cee0a5d3fa
Create Date: 2026-11-23 19:03:51.094915

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'fbdd10697676'
down_revision = '63cee0a5d3fa'
branch_labels = None
depends_on = None

# (table, old index and columns or None, new index and columns)
CHANGES = [
    ("invoice", ("ix_invoice_studio_issue", ["studio_id", "issue_date"]),
     ("ix_invoice_studio_issue_total", ["studio_id", "issue_date", "status", "total"])),
    ("invoice", ("ix_invoice_studio_status_due", ["studio_id", "status", "due_date"]),
     ("ix_invoice_studio_status_due_balance",
      ["studio_id", "status", "due_date", "family_id", "balance_due"])),
    ("payment", ("ix_payment_studio_paid", ["studio_id", "paid_at"]),
     ("ix_payment_studio_paid_amount", ["studio_id", "paid_at", "method", "amount"])),
    ("lesson", None,
     ("ix_lesson_studio_status_teacher_start",
      ["studio_id", "status", "teacher_id", "start_at", "end_at"])),
    ("lesson_note", None, ("ix_lesson_note_studio_created", ["studio_id", "created_at"])),
]


def upgrade():
    for table, old, (name, columns) in CHANGES:
        op.create_index(name, table, columns, unique=False)
        if old is not None:
            op.drop_index(old[0], table_name=table)
    for table in sorted({table for table, _old, _new in CHANGES}):
        op.execute(sa.text(f"ANALYZE {table}"))


def downgrade():
    for table, old, (name, _columns) in reversed(CHANGES):
        if old is not None:
            op.create_index(old[0], table, old[1], unique=False)
        op.drop_index(name, table_name=table)
