"""API keys: a studio's credentials for other programs, kept as the SHA-256 of the secret

Revision ID: 5c1e2a9d7b40
Revises: 733207cadc12
Create Date: 2026-12-06 02:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5c1e2a9d7b40'
down_revision = '733207cadc12'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_key',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_ip', sa.String(length=45), server_default='', nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_api_key_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_api_key_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_api_key_secret_hash'))
    )
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_key_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_api_key_studio_created', ['studio_id', 'created_at'], unique=False)

    # PostgreSQL moves the studio's table versions itself (see app/core/versions.py).
    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(TRIGGERS.format(table=table))


TENANT_TABLES = ('api_key',)

TRIGGERS = """
CREATE TRIGGER versions_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION versions_stage();
CREATE TRIGGER versions_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION versions_stage_update();
CREATE TRIGGER versions_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION versions_stage();
CREATE TRIGGER versions_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION versions_stage_every_studio();
"""


def downgrade():
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_index('ix_api_key_studio_created')
        batch_op.drop_index(batch_op.f('ix_api_key_created_by_id'))

    op.drop_table('api_key')
