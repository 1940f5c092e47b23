"""table versions: list counts kept until the rows change

One row per studio and table, bumped when a transaction that wrote the studio's rows of
that table commits (app/core/versions.py). A missing row is version 0.

Revision ID: 2fa46b9904c5
Revises: 05c6aed09a56
Create Date: 2026-12-03 07:53:08.981577

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '2fa46b9904c5'
down_revision = '05c6aed09a56'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'table_version',
        sa.Column('studio_id', sa.Uuid(), nullable=False),
        sa.Column('table_name', sa.String(length=64), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_table_version_studio_id_studio'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('studio_id', 'table_name', name=op.f('pk_table_version')),
    )


def downgrade():
    op.drop_table('table_version')
