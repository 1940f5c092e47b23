"""sign-ins: browser sessions and API token families on the server

Each browser session and API token family is a `sign_in` row that requests check, so
signing out ends it at once. They replace user.session_version, which could only end every
session of a user together.

Every API token family with a live refresh token becomes an API sign-in of the same id, so
API clients stay signed in. Browser cookies carried "user id:session version" and now carry
a sign-in id: people signed in to the browser sign in once more.

Revision ID: 434db8d9e089
Revises: a19c41849a5a
Create Date: 2026-12-04 17:01:13.338619

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '434db8d9e089'
down_revision = 'a19c41849a5a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in',
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=False),
        sa.Column('user_agent', sa.String(length=255), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('browser', 'api')", name=op.f('ck_sign_in_kind')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sign_in_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in')),
    )
    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_user_id'), ['user_id'], unique=False)

    op.execute(
        "INSERT INTO sign_in (id, user_id, kind, ip, user_agent, last_seen_at, created_at, updated_at) "
        "SELECT family_id, user_id, 'api', '', '', MAX(created_at), MIN(created_at), MAX(created_at) "
        "FROM refresh_token WHERE revoked_at IS NULL GROUP BY family_id, user_id"
    )

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                      server_default='1'))

    # Ended sign-ins end their tokens for good before the table goes.
    op.execute(
        "UPDATE refresh_token SET revoked_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL "
        "AND family_id IN (SELECT id FROM sign_in WHERE ended_at IS NOT NULL)"
    )
    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_user_id'))

    op.drop_table('sign_in')

