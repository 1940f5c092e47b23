"""deleted records for incremental sync: a tombstone per deleted row of a listed table

API lists take `updated_since` and, with `include_deleted`, give the ids of rows deleted
since then (app/core/sync.py). The database writes the tombstone itself, in the transaction
of the delete, whoever deletes (the ORM, a bulk DELETE, raw SQL, a cascade):

- PostgreSQL: a statement-level AFTER DELETE trigger per table, one INSERT … SELECT from its
  transition table however many rows the statement deleted;
- SQLite: a row-level AFTER DELETE trigger per table.

A table synced later (core.sync.SYNCED_TABLES) needs the same trigger in its own migration:
    PostgreSQL: CREATE TRIGGER sync_tombstone AFTER DELETE ON t REFERENCING OLD TABLE AS gone_rows
                FOR EACH STATEMENT EXECUTE FUNCTION sync_tombstone();
    SQLite:     CREATE TRIGGER sync_tombstone_t AFTER DELETE ON t FOR EACH ROW BEGIN
                INSERT INTO deleted_record … (see SQLITE_TRIGGER below); END;
(tests/api/test_sync.py fails until it has it).

Revision ID: 5e1d7c0a9b42
Revises: 5c1e2a9d7b40
Create Date: 2026-12-06 02:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e1d7c0a9b42'
down_revision = '5c1e2a9d7b40'
branch_labels = None
depends_on = None

SYNCED_TABLES = (
    'announcement', 'cancellation_request', 'family', 'goal', 'inventory_checkout',
    'inventory_item', 'invoice', 'lesson', 'lesson_note', 'lesson_plan', 'makeup_credit',
    'message', 'notification', 'payment', 'practice_log', 'recurring_series', 'resource',
    'resource_checkout', 'room', 'room_reservation', 'student', 'studio_closure',
    'teacher_profile', 'thread',
)

# clock_timestamp(), as the application's own times: the moment of the delete, not of the
# transaction's start.
FUNCTION = """
CREATE FUNCTION sync_tombstone() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO deleted_record (studio_id, table_name, row_id, deleted_at)
    SELECT studio_id, TG_TABLE_NAME, id, clock_timestamp() FROM gone_rows WHERE studio_id IS NOT NULL
    ON CONFLICT (studio_id, table_name, row_id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at;
    RETURN NULL;
END $$;
"""

# SQLite keeps UTC times as naive text with microseconds (core.db.UTCDateTime); %f gives
# milliseconds, so three zeros make the same width and the text compares as the time does.
SQLITE_TRIGGER = """
CREATE TRIGGER sync_tombstone_{table} AFTER DELETE ON "{table}" FOR EACH ROW BEGIN
    INSERT INTO deleted_record (studio_id, table_name, row_id, deleted_at)
    VALUES (OLD.studio_id, '{table}', OLD.id, strftime('%Y-%m-%d %H:%M:%f', 'now') || '000')
    ON CONFLICT (studio_id, table_name, row_id) DO UPDATE SET deleted_at = excluded.deleted_at;
END
"""


def upgrade():
    op.create_table('deleted_record',
                    sa.Column('studio_id', sa.Uuid(), nullable=False),
                    sa.Column('table_name', sa.String(length=64), nullable=False),
                    sa.Column('row_id', sa.Uuid(), nullable=False),
                    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('studio_id', 'table_name', 'row_id',
                                            name=op.f('pk_deleted_record')))
    with op.batch_alter_table('deleted_record', schema=None) as batch_op:
        batch_op.create_index('ix_deleted_record_deleted_at', ['deleted_at'], unique=False)
        batch_op.create_index('ix_deleted_record_studio_table_deleted',
                              ['studio_id', 'table_name', 'deleted_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FUNCTION)
        for table in SYNCED_TABLES:
            op.execute(f'CREATE TRIGGER sync_tombstone AFTER DELETE ON "{table}" '
                       f'REFERENCING OLD TABLE AS gone_rows '
                       f'FOR EACH STATEMENT EXECUTE FUNCTION sync_tombstone()')
    else:
        for table in SYNCED_TABLES:
            op.execute(SQLITE_TRIGGER.format(table=table))


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in SYNCED_TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS sync_tombstone ON "{table}"')
        op.execute('DROP FUNCTION sync_tombstone()')
    else:
        for table in SYNCED_TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS sync_tombstone_{table}')
    with op.batch_alter_table('deleted_record', schema=None) as batch_op:
        batch_op.drop_index('ix_deleted_record_studio_table_deleted')
        batch_op.drop_index('ix_deleted_record_deleted_at')
    op.drop_table('deleted_record')
