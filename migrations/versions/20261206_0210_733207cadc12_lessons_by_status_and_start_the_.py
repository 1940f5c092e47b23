"""lessons by status and start: the dashboard's attendance to take

Revision ID: 733207cadc12
Revises: eff026323b17
Create Date: 2026-12-06 02:10:00

The staff dashboard lists the latest lessons still waiting for attendance and counts them
(and the older ones): scheduled lessons that have begun. Without this index each count walks
every past lesson of the studio by start (ix_lesson_studio_start_id); with it, only the few
scheduled ones.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '733207cadc12'
down_revision = 'eff026323b17'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.create_index('ix_lesson_studio_status_start_id', ['studio_id', 'status', 'start_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_studio_status_start_id')
