"""rate limit counters shared by every process

Revision ID: 0ad4ae8091f4
Revises: ee61db7e1294
Create Date: 2026-12-04 17:01:12.299431

On PostgreSQL the table is UNLOGGED: counters are written on most requests and may be lost
in a crash (a lost counter only restarts a window). SQLite keeps its counters in a file of
its own (app/core/ratelimit_storage.py); the table here stays empty.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0ad4ae8091f4'
down_revision = 'ee61db7e1294'
branch_labels = None
depends_on = None


def upgrade():
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table('rate_limit_counter',
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counter')),
    prefixes=unlogged,
    )


def downgrade():
    op.drop_table('rate_limit_counter')
