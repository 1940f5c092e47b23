"""idempotency keys for every creating POST, per caller

The records move from billing to core (app/core/idempotency.py) and serve every API POST that
creates something. A key now belongs to one caller in a studio (`caller`: `user:<id>` or
`key:<api key id>`), so the unique key is (studio_id, caller, key); records made so far were
all made by users and are given their user as caller. A replay also gives back the
`Location` a creation answered with (`response_headers`).

Revision ID: d4014282291a
Revises: 95e632c1fca8
Create Date: 2026-12-06 02:12:21.262635

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4014282291a'
down_revision = '95e632c1fca8'
branch_labels = None
depends_on = None

records = sa.table(
    'idempotency_record', sa.column('id', sa.Uuid), sa.column('user_id', sa.Uuid),
    sa.column('caller', sa.String),
)


def upgrade():
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('caller', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('response_headers', sa.JSON(), nullable=True))
    connection = op.get_bind()
    for record_id, user_id in connection.execute(
            sa.select(records.c.id, records.c.user_id).where(records.c.user_id.is_not(None))).all():
        connection.execute(records.update().where(records.c.id == record_id)
                           .values(caller=f"user:{user_id}"))
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_idempotency_record_studio_id_key'), type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_idempotency_record_studio_id_caller_key'), ['studio_id', 'caller', 'key'])


def downgrade():
    # Two callers may hold the same key now, which the old unique key cannot: the records are a
    # 24-hour store of answers to replay, so they are emptied rather than merged.
    op.execute(records.delete())
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('uq_idempotency_record_studio_id_caller_key'), type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_idempotency_record_studio_id_key'), ['studio_id', 'key'])
        batch_op.drop_column('response_headers')
        batch_op.drop_column('caller')
