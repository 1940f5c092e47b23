"""list order indexes: invoices and payments newest first, ties by id, off the index

The invoice and payment lists (pages and API) order by date descending with the id as the
tie-break in the same direction; with (studio_id, date, id) indexed, a page is read in
index order instead of sorting every invoice of the studio.

The tables are analyzed again so that SQLite's planner has statistics for the new indexes.

Revision ID: 88faaa352984
Revises: fbdd10697676
Create Date: 2026-11-23 19:42:13.941285

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '88faaa352984'
down_revision = 'fbdd10697676'
branch_labels = None
depends_on = None

INDEXES = [
    ("invoice", "ix_invoice_studio_issue_id", ["studio_id", "issue_date", "id"]),
    ("payment", "ix_payment_studio_paid_id", ["studio_id", "paid_at", "id"]),
]


def upgrade():
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    for table, _name, _columns in INDEXES:
        op.execute(sa.text(f"ANALYZE {table}"))


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
