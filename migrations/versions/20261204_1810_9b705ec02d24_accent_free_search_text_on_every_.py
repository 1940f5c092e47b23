"""accent-free search text on every searchable table

Revision ID: 9b705ec02d24
Revises: e97e3d2a8e9f
Create Date: 2026-12-04 18:10:48.686037

"""
from alembic import op
import sqlalchemy as sa

from app.core.search import fold


# revision identifiers, used by Alembic.
revision = '9b705ec02d24'
down_revision = 'e97e3d2a8e9f'
branch_labels = None
depends_on = None

# table: the columns its search text is made of (the models' `search_fields`)
SEARCHED = {
    'family': ('name', 'billing_email'),
    'family_guardian': ('first_name', 'last_name', 'email'),
    'goal': ('title',),
    'lesson_note': ('summary',),
    'lesson_plan': ('title',),
    'practice_log': ('note',),
    'room': ('name',),
    'student': ('first_name', 'last_name', 'email'),
    'studio': ('name',),
    'studio_closure': ('name',),
    'user': ('first_name', 'last_name', 'email'),
}


def upgrade():
    for table in SEARCHED:
        op.add_column(table, sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    connection = op.get_bind()
    for name, fields in SEARCHED.items():
        table = sa.table(name, sa.column('id', sa.Uuid), sa.column('search_text', sa.Text),
                         *(sa.column(field, sa.Text) for field in fields))
        rows = connection.execute(sa.select(table.c.id, *(table.c[field] for field in fields))).all()
        values = [{'row_id': row[0], 'text': fold(' '.join(str(value or '') for value in row[1:]))}
                  for row in rows]
        if values:
            connection.execute(table.update().where(table.c.id == sa.bindparam('row_id'))
                               .values(search_text=sa.bindparam('text')), values)


def downgrade():
    for table in reversed(SEARCHED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('search_text')
