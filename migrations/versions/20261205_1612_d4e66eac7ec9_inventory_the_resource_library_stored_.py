"""Inventory, the resource library, stored files and the studio's storage quota

Every new table is a tenant table, so on PostgreSQL each gets the four table-version
triggers (see 20261204_1705_c061e4bde945).

Revision ID: d4e66eac7ec9
Revises: 9713b1d414b1
Create Date: 2026-12-05 16:12:41.461543

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4e66eac7ec9'
down_revision = '9713b1d414b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inventory_item',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('available_quantity', sa.Integer(), nullable=False),
    sa.Column('condition', sa.String(length=16), nullable=False),
    sa.Column('location', sa.String(length=120), nullable=False),
    sa.Column('value', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('serial_number', sa.String(length=80), nullable=False),
    sa.Column('is_borrowable', sa.Boolean(), nullable=False),
    sa.Column('max_checkout_days', sa.Integer(), nullable=False),
    sa.Column('rental_fee', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.Column('search_text', sa.Text(), server_default='', nullable=False),
    sa.CheckConstraint("category IN ('instrument', 'equipment', 'accessory', 'book', 'other')", name=op.f('ck_inventory_item_category')),
    sa.CheckConstraint("condition IN ('new', 'excellent', 'good', 'fair', 'poor', 'damaged')", name=op.f('ck_inventory_item_condition')),
    sa.CheckConstraint("status IN ('available', 'checked_out', 'maintenance', 'retired')", name=op.f('ck_inventory_item_status')),
    sa.CheckConstraint('available_quantity >= 0 AND available_quantity <= quantity', name=op.f('ck_inventory_item_available_within_quantity')),
    sa.CheckConstraint('max_checkout_days >= 1 AND max_checkout_days <= 365', name=op.f('ck_inventory_item_max_checkout_days_range')),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_inventory_item_quantity_not_negative')),
    sa.CheckConstraint('rental_fee IS NULL OR rental_fee >= 0', name=op.f('ck_inventory_item_rental_fee_not_negative')),
    sa.CheckConstraint('value IS NULL OR value >= 0', name=op.f('ck_inventory_item_value_not_negative')),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_inventory_item_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_item'))
    )
    with op.batch_alter_table('inventory_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_item_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_inventory_item_studio_name', ['studio_id', 'name'], unique=False)

    op.create_table('stored_file',
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_stored_file_size_positive')),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_stored_file_studio_id_studio'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_stored_file_uploaded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_stored_file_storage_key'))
    )
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_file_studio_id'), ['studio_id'], unique=False)

    op.create_table('item_photo',
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('file_id', sa.Uuid(), nullable=False),
    sa.Column('thumbnail_id', sa.Uuid(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_item_photo_file_id_stored_file'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['item_id'], ['inventory_item.id'], name=op.f('fk_item_photo_item_id_inventory_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_item_photo_studio_id_studio'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thumbnail_id'], ['stored_file.id'], name=op.f('fk_item_photo_thumbnail_id_stored_file'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_photo'))
    )
    with op.batch_alter_table('item_photo', schema=None) as batch_op:
        batch_op.create_index('ix_item_photo_item', ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_photo_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('uq_item_photo_one_primary', ['item_id'], unique=True, postgresql_where=sa.text('is_primary'), sqlite_where=sa.text('is_primary'))

    op.create_table('resource',
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('resource_type', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('visibility', sa.String(length=8), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('file_id', sa.Uuid(), nullable=True),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('available_copies', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.Column('search_text', sa.Text(), server_default='', nullable=False),
    sa.CheckConstraint("(resource_type IN ('pdf', 'audio', 'video', 'image', 'document')) = (file_id IS NOT NULL)", name=op.f('ck_resource_file_kind')),
    sa.CheckConstraint("resource_type IN ('pdf', 'audio', 'video', 'image', 'document', 'link', 'physical')", name=op.f('ck_resource_resource_type')),
    sa.CheckConstraint("visibility IN ('private', 'shared', 'studio')", name=op.f('ck_resource_visibility')),
    sa.CheckConstraint('copies >= 0 AND available_copies >= 0 AND available_copies <= copies', name=op.f('ck_resource_copies_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_resource_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_resource_file_id_stored_file'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_resource_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource'))
    )
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.create_index('ix_resource_studio_created', ['studio_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_studio_id'), ['studio_id'], unique=False)

    op.create_table('inventory_checkout',
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=False),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('condition_out', sa.String(length=16), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_to_id', sa.Uuid(), nullable=True),
    sa.Column('condition_on_return', sa.String(length=16), nullable=True),
    sa.Column('return_note', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("condition_on_return IS NULL OR condition_on_return IN ('new', 'excellent', 'good', 'fair', 'poor', 'damaged')", name=op.f('ck_inventory_checkout_condition_on_return')),
    sa.CheckConstraint("condition_out IS NULL OR condition_out IN ('new', 'excellent', 'good', 'fair', 'poor', 'damaged')", name=op.f('ck_inventory_checkout_condition_out')),
    sa.CheckConstraint("status IN ('requested', 'approved', 'checked_out', 'overdue', 'returned', 'rejected', 'cancelled')", name=op.f('ck_inventory_checkout_status')),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_inventory_checkout_quantity_positive')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_inventory_checkout_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['inventory_item.id'], name=op.f('fk_inventory_checkout_item_id_inventory_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_inventory_checkout_requested_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['returned_to_id'], ['user.id'], name=op.f('fk_inventory_checkout_returned_to_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_inventory_checkout_student_id_student'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_inventory_checkout_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_checkout'))
    )
    with op.batch_alter_table('inventory_checkout', schema=None) as batch_op:
        batch_op.create_index('ix_inventory_checkout_item_created', ['item_id', 'created_at'], unique=False)
        batch_op.create_index('ix_inventory_checkout_student_created', ['student_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_checkout_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_inventory_checkout_studio_status', ['studio_id', 'status', 'due_date'], unique=False)

    op.create_table('lesson_plan_resource',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('resource_id', sa.Uuid(), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['lesson_plan.id'], name=op.f('fk_lesson_plan_resource_plan_id_lesson_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_lesson_plan_resource_resource_id_resource'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_lesson_plan_resource_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'resource_id', name=op.f('pk_lesson_plan_resource'))
    )
    with op.batch_alter_table('lesson_plan_resource', schema=None) as batch_op:
        batch_op.create_index('ix_lesson_plan_resource_resource', ['resource_id'], unique=False)

    op.create_table('resource_checkout',
    sa.Column('resource_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lent_by_id', sa.Uuid(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("status IN ('checked_out', 'returned')", name=op.f('ck_resource_checkout_status')),
    sa.ForeignKeyConstraint(['lent_by_id'], ['user.id'], name=op.f('fk_resource_checkout_lent_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_resource_checkout_resource_id_resource'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_resource_checkout_student_id_student'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_resource_checkout_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_checkout'))
    )
    with op.batch_alter_table('resource_checkout', schema=None) as batch_op:
        batch_op.create_index('ix_resource_checkout_resource', ['resource_id', 'checked_out_at'], unique=False)
        batch_op.create_index('ix_resource_checkout_student', ['student_id', 'checked_out_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_checkout_studio_id'), ['studio_id'], unique=False)

    op.create_table('resource_share',
    sa.Column('resource_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('shared_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_resource_share_resource_id_resource'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shared_by_id'], ['user.id'], name=op.f('fk_resource_share_shared_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_resource_share_student_id_student'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_resource_share_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_share')),
    sa.UniqueConstraint('resource_id', 'student_id', name=op.f('uq_resource_share_resource_id_student_id'))
    )
    with op.batch_alter_table('resource_share', schema=None) as batch_op:
        batch_op.create_index('ix_resource_share_student', ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_share_studio_id'), ['studio_id'], unique=False)

    op.create_table('lesson_note_resource',
    sa.Column('note_id', sa.Uuid(), nullable=False),
    sa.Column('resource_id', sa.Uuid(), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['lesson_note.id'], name=op.f('fk_lesson_note_resource_note_id_lesson_note'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_lesson_note_resource_resource_id_resource'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_lesson_note_resource_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'resource_id', name=op.f('pk_lesson_note_resource'))
    )
    with op.batch_alter_table('lesson_note_resource', schema=None) as batch_op:
        batch_op.create_index('ix_lesson_note_resource_resource', ['resource_id'], unique=False)

    with op.batch_alter_table('studio', schema=None) as batch_op:
        batch_op.add_column(sa.Column('storage_quota_mb', sa.Integer(), server_default='5120', nullable=False))
    # Invoice lines may bill an instrument's rent ("rental").
    with op.batch_alter_table('invoice_line_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_invoice_line_item_kind'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_invoice_line_item_kind'),
            "kind IN ('lesson', 'tuition', 'late_fee', 'manual', 'rental')")
    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(TRIGGERS.format(table=table))


TENANT_TABLES = ("inventory_item", "stored_file", "item_photo", "resource", "inventory_checkout",
                 "lesson_plan_resource", "resource_checkout", "resource_share",
                 "lesson_note_resource")
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
    # Rent already billed stays on its invoices as a manual line.
    op.execute("UPDATE invoice_line_item SET kind = 'manual' WHERE kind = 'rental'")
    with op.batch_alter_table('invoice_line_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_invoice_line_item_kind'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_invoice_line_item_kind'),
            "kind IN ('lesson', 'tuition', 'late_fee', 'manual')")

    with op.batch_alter_table('studio', schema=None) as batch_op:
        batch_op.drop_column('storage_quota_mb')

    with op.batch_alter_table('lesson_note_resource', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_note_resource_resource')

    op.drop_table('lesson_note_resource')
    with op.batch_alter_table('resource_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_share_studio_id'))
        batch_op.drop_index('ix_resource_share_student')

    op.drop_table('resource_share')
    with op.batch_alter_table('resource_checkout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_checkout_studio_id'))
        batch_op.drop_index('ix_resource_checkout_student')
        batch_op.drop_index('ix_resource_checkout_resource')

    op.drop_table('resource_checkout')
    with op.batch_alter_table('lesson_plan_resource', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_plan_resource_resource')

    op.drop_table('lesson_plan_resource')
    with op.batch_alter_table('inventory_checkout', schema=None) as batch_op:
        batch_op.drop_index('ix_inventory_checkout_studio_status')
        batch_op.drop_index(batch_op.f('ix_inventory_checkout_studio_id'))
        batch_op.drop_index('ix_inventory_checkout_student_created')
        batch_op.drop_index('ix_inventory_checkout_item_created')

    op.drop_table('inventory_checkout')
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_studio_id'))
        batch_op.drop_index('ix_resource_studio_created')

    op.drop_table('resource')
    with op.batch_alter_table('item_photo', schema=None) as batch_op:
        batch_op.drop_index('uq_item_photo_one_primary', postgresql_where=sa.text('is_primary'), sqlite_where=sa.text('is_primary'))
        batch_op.drop_index(batch_op.f('ix_item_photo_studio_id'))
        batch_op.drop_index('ix_item_photo_item')

    op.drop_table('item_photo')
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_file_studio_id'))

    op.drop_table('stored_file')
    with op.batch_alter_table('inventory_item', schema=None) as batch_op:
        batch_op.drop_index('ix_inventory_item_studio_name')
        batch_op.drop_index(batch_op.f('ix_inventory_item_studio_id'))

    op.drop_table('inventory_item')
