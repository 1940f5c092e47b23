"""background jobs: kind, status, progress, result

`job` is a tenant table, so on PostgreSQL it gets the four table-version triggers
(see 20261204_1705_c061e4bde945).

Revision ID: 1bee417b4350
Revises: 9b705ec02d24
Create Date: 2026-12-05 08:04:33.487896

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '1bee417b4350'
down_revision = '71128e43ee0a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='queued', nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('done', sa.Integer(), server_default='0', nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_job_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_job_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_job_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_studio_created', ['studio_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_studio_id'), ['studio_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TRIGGERS)


TRIGGERS = """
CREATE TRIGGER versions_insert AFTER INSERT ON job REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION versions_stage();
CREATE TRIGGER versions_update AFTER UPDATE ON job
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION versions_stage_update();
CREATE TRIGGER versions_delete AFTER DELETE ON job REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION versions_stage();
CREATE TRIGGER versions_truncate AFTER TRUNCATE ON job
    FOR EACH STATEMENT EXECUTE FUNCTION versions_stage_every_studio();
"""


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_studio_id'))
        batch_op.drop_index('ix_job_studio_created')

    op.drop_table('job')  # its triggers go with it
