"""privacy settings: classmate names and how far teachers see

Revision ID: e97e3d2a8e9f
Revises: c061e4bde945
Create Date: 2026-12-04 17:51:46.025103

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e97e3d2a8e9f'
down_revision = 'c061e4bde945'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('studio', schema=None) as batch_op:
        batch_op.add_column(sa.Column('classmate_names', sa.String(length=12), server_default='first_name', nullable=False))
        batch_op.add_column(sa.Column('teachers_see_all_students', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_studio_classmate_names'), "classmate_names IN ('first_name', 'hidden')")


def downgrade():
    with op.batch_alter_table('studio', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_studio_classmate_names'), type_='check')
        batch_op.drop_column('teachers_see_all_students')
        batch_op.drop_column('classmate_names')
