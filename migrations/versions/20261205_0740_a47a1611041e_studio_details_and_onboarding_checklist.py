"""studio details on invoices (address, logo, tax id, payment instructions) and the
onboarding checklist's dismissal

Revision ID: a47a1611041e
Revises: 9b705ec02d24
Create Date: 2026-12-05 07:40:34.295499

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a47a1611041e'
down_revision = '9b705ec02d24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('studio', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_line1', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('address_line2', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('city', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('region', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('postal_code', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('country', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('tax_id', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('payment_instructions', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_digest', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('checklist_dismissed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('studio', schema=None) as batch_op:
        batch_op.drop_column('checklist_dismissed_at')
        batch_op.drop_column('logo_digest')
        batch_op.drop_column('logo')
        batch_op.drop_column('payment_instructions')
        batch_op.drop_column('tax_id')
        batch_op.drop_column('country')
        batch_op.drop_column('postal_code')
        batch_op.drop_column('region')
        batch_op.drop_column('city')
        batch_op.drop_column('address_line2')
        batch_op.drop_column('address_line1')
