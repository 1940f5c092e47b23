"""makeup credit used-by index: auto-invoicing's "was this lesson paid by a credit?"

Planning a run asks it of every billable lesson; without an index each question read every
make-up credit of the studio.

Revision ID: 037d8e5d01e7
Revises: 88faaa352984
Create Date: 2026-11-23 19:53:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '037d8e5d01e7'
down_revision = '88faaa352984'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_makeup_credit_studio_used_by", "makeup_credit", ["studio_id", "used_by_lesson_id"],
                    unique=False)
    op.execute(sa.text("ANALYZE makeup_credit"))


def downgrade():
    op.drop_index("ix_makeup_credit_studio_used_by", table_name="makeup_credit")
