"""table changes staged by triggers until commit: PostgreSQL moves the table versions itself

On PostgreSQL every write to a versioned table (the tenant tables, `user`, `studio`) moves
its table versions, whoever writes (app/core/versions.py): statement-level triggers with
transition tables stage one row per (transaction, studio, table) in `table_change`; a
deferred constraint trigger on `table_change` moves those versions when the transaction
commits, in (studio, table) order, and deletes the staged rows. SQLite gets the table only
(always empty there: the app records its writes itself).

A tenant table added later needs the same four triggers in its own migration:
    CREATE TRIGGER versions_insert AFTER INSERT ON t REFERENCING NEW TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION versions_stage();
    CREATE TRIGGER versions_update AFTER UPDATE ON t
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION versions_stage_update();
    CREATE TRIGGER versions_delete AFTER DELETE ON t REFERENCING OLD TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION versions_stage();
    CREATE TRIGGER versions_truncate AFTER TRUNCATE ON t
        FOR EACH STATEMENT EXECUTE FUNCTION versions_stage_every_studio();
(tests/unit/test_kept_results_stay_fresh.py fails until it has them).

Revision ID: c061e4bde945
Revises: 0ad4ae8091f4
Create Date: 2026-12-04 17:05:08.027831

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c061e4bde945'
down_revision = '0ad4ae8091f4'
branch_labels = None
depends_on = None

TENANT_TABLES = (
    'audit_log', 'calendar_feed_token', 'cancellation_request', 'family', 'family_credit',
    'family_guardian', 'goal', 'goal_progress', 'idempotency_record', 'import_batch', 'invitation',
    'invoice', 'invoice_line_item', 'lesson', 'lesson_attendee', 'lesson_note', 'lesson_plan',
    'lesson_plan_attachment', 'makeup_credit', 'membership', 'outbox_email', 'payment',
    'practice_log', 'recurring_series', 'room', 'room_reservation', 'student', 'studio_closure',
    'teacher_availability', 'teacher_profile',
)

# Every function resolves table names in the schema the migration ran in (SET search_path
# FROM CURRENT), whatever the writer's search_path. Staging is plain inserts of distinct keys
# (a transaction's own, so two writers never wait for each other here).
FUNCTIONS = """
CREATE FUNCTION versions_stage() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO table_change (txid, studio_id, table_name)
    SELECT DISTINCT txid_current(), studio_id, TG_TABLE_NAME FROM changed_rows WHERE studio_id IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION versions_stage_update() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO table_change (txid, studio_id, table_name)
    SELECT txid_current(), studio_id, TG_TABLE_NAME
    FROM (SELECT studio_id FROM changed_rows UNION SELECT studio_id FROM old_rows) AS changed
    WHERE studio_id IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION versions_stage_every_studio() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO table_change (txid, studio_id, table_name)
    SELECT txid_current(), id, TG_TABLE_NAME FROM studio
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION versions_stage_studio() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO table_change (txid, studio_id, table_name)
    SELECT DISTINCT txid_current(), id, 'studio' FROM changed_rows
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

-- A user is shown by a studio that has them as a member, a teacher, a student or a guardian
-- (core.versions.USER_SHOWN_BY), also after their membership ended.
CREATE FUNCTION versions_stage_user() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO table_change (txid, studio_id, table_name)
    SELECT DISTINCT txid_current(), shown.studio_id, 'user'
    FROM (SELECT studio_id, user_id FROM membership
          UNION ALL SELECT studio_id, user_id FROM teacher_profile
          UNION ALL SELECT studio_id, user_id FROM student
          UNION ALL SELECT studio_id, user_id FROM family_guardian) AS shown
    JOIN changed_rows ON changed_rows.id = shown.user_id
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

-- At commit: the transaction's staged changes become version moves, one row at a time in
-- (studio, table) order, as the last writes of the transaction. A studio deleted meanwhile
-- has no versions to move.
CREATE FUNCTION versions_bump() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    change record;
BEGIN
    FOR change IN
        WITH staged AS (DELETE FROM table_change WHERE txid = NEW.txid RETURNING studio_id, table_name)
        SELECT DISTINCT staged.studio_id, staged.table_name
        FROM staged JOIN studio ON studio.id = staged.studio_id
        ORDER BY staged.studio_id, staged.table_name
    LOOP
        INSERT INTO table_version AS v (studio_id, table_name, version, created_at, updated_at)
        VALUES (change.studio_id, change.table_name, 1, now(), now())
        ON CONFLICT (studio_id, table_name) DO UPDATE SET version = v.version + 1, updated_at = now();
    END LOOP;
    RETURN NULL;
END $$;
"""

FUNCTION_NAMES = ('versions_stage', 'versions_stage_update', 'versions_stage_every_studio',
                  'versions_stage_studio', 'versions_stage_user', 'versions_bump')


def _triggers(table, *, insert='versions_stage', update='versions_stage_update', delete='versions_stage'):
    quoted = f'"{table}"'
    statements = [
        f'CREATE TRIGGER versions_update AFTER UPDATE ON {quoted} '
        f'REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows '
        f'FOR EACH STATEMENT EXECUTE FUNCTION {update}()',
        f'CREATE TRIGGER versions_delete AFTER DELETE ON {quoted} REFERENCING OLD TABLE AS changed_rows '
        f'FOR EACH STATEMENT EXECUTE FUNCTION {delete}()',
        f'CREATE TRIGGER versions_truncate AFTER TRUNCATE ON {quoted} '
        f'FOR EACH STATEMENT EXECUTE FUNCTION versions_stage_every_studio()',
    ]
    if insert is not None:
        statements.insert(0, f'CREATE TRIGGER versions_insert AFTER INSERT ON {quoted} '
                             f'REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION {insert}()')
    return statements


def upgrade():
    op.create_table('table_change',
                    sa.Column('txid', sa.BigInteger(), autoincrement=False, nullable=False),
                    sa.Column('studio_id', sa.Uuid(), nullable=False),
                    sa.Column('table_name', sa.String(length=64), nullable=False),
                    sa.PrimaryKeyConstraint('txid', 'studio_id', 'table_name', name=op.f('pk_table_change')))
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(FUNCTIONS)
    op.execute('CREATE CONSTRAINT TRIGGER versions_bump AFTER INSERT ON table_change '
               'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION versions_bump()')
    for table in TENANT_TABLES:
        for statement in _triggers(table):
            op.execute(statement)
    for statement in _triggers('studio', insert='versions_stage_studio', update='versions_stage_studio',
                               delete='versions_stage_studio'):
        op.execute(statement)
    # A new user is shown nowhere yet: no insert trigger.
    for statement in _triggers('user', insert=None, update='versions_stage_user', delete='versions_stage_user'):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in (*TENANT_TABLES, 'studio', 'user'):
            for name in ('versions_insert', 'versions_update', 'versions_delete', 'versions_truncate'):
                op.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
        op.execute('DROP TRIGGER versions_bump ON table_change')
        for name in FUNCTION_NAMES:
            op.execute(f'DROP FUNCTION {name}()')
    op.drop_table('table_change')
