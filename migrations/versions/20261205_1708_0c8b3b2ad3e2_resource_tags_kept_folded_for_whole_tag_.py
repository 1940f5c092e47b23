"""resource tags kept folded for whole-tag filters

No row needs filling: the resource table arrives in the revision before, in the same release.

Revision ID: 0c8b3b2ad3e2
Revises: d4e66eac7ec9
Create Date: 2026-12-05 17:08:27.995396

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0c8b3b2ad3e2'
down_revision = 'd4e66eac7ec9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tag_keys', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.drop_column('tag_keys')
