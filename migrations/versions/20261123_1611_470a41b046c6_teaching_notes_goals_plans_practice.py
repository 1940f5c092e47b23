"""teaching: notes, goals, plans, practice

Lesson notes (one per lesson and student), goals with their progress history, the lesson-plan
library and its attachments to lessons, and practice logs. New tables only; downgrade drops them.

Revision ID: 470a41b046c6
Revises: acda72ec2929
Create Date: 2026-11-23 16:11:19.799433

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '470a41b046c6'
down_revision = 'acda72ec2929'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lesson_plan',
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('specialty', sa.String(length=60), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_lesson_plan_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_lesson_plan_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_plan'))
    )
    with op.batch_alter_table('lesson_plan', schema=None) as batch_op:
        batch_op.create_index('ix_lesson_plan_studio_author', ['studio_id', 'author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lesson_plan_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_lesson_plan_studio_specialty', ['studio_id', 'specialty'], unique=False)

    op.create_table('goal',
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('progress_percentage', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('achieved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("status IN ('active', 'achieved', 'abandoned')", name=op.f('ck_goal_status')),
    sa.CheckConstraint('progress_percentage >= 0 AND progress_percentage <= 100', name=op.f('ck_goal_progress_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_goal_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_goal_student_id_student'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_goal_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal'))
    )
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_goal_studio_student_status', ['studio_id', 'student_id', 'status'], unique=False)

    op.create_table('practice_log',
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('practice_date', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('pieces', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('minutes >= 1 AND minutes <= 600', name=op.f('ck_practice_log_minutes_range')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_practice_log_recorded_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_practice_log_student_id_student'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_practice_log_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_log'))
    )
    with op.batch_alter_table('practice_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_log_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_practice_log_studio_student_date', ['studio_id', 'student_id', 'practice_date'], unique=False)

    op.create_table('goal_progress',
    sa.Column('goal_id', sa.Uuid(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("status IN ('active', 'achieved', 'abandoned')", name=op.f('ck_goal_progress_status')),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_goal_progress_progress_range')),
    sa.ForeignKeyConstraint(['goal_id'], ['goal.id'], name=op.f('fk_goal_progress_goal_id_goal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_goal_progress_recorded_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_goal_progress_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_progress'))
    )
    with op.batch_alter_table('goal_progress', schema=None) as batch_op:
        batch_op.create_index('ix_goal_progress_studio_goal_recorded', ['studio_id', 'goal_id', 'recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_progress_studio_id'), ['studio_id'], unique=False)

    op.create_table('lesson_note',
    sa.Column('lesson_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('topics_covered', sa.JSON(), nullable=False),
    sa.Column('assignments', sa.JSON(), nullable=False),
    sa.Column('strengths', sa.JSON(), nullable=False),
    sa.Column('challenges', sa.JSON(), nullable=False),
    sa.Column('practice_target_minutes', sa.Integer(), nullable=True),
    sa.Column('visible_to_student', sa.Boolean(), nullable=False),
    sa.Column('visible_to_parent', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('practice_target_minutes IS NULL OR (practice_target_minutes >= 1 AND practice_target_minutes <= 4200)', name=op.f('ck_lesson_note_practice_target_range')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_lesson_note_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lesson_id'], ['lesson.id'], name=op.f('fk_lesson_note_lesson_id_lesson'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_lesson_note_student_id_student'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_lesson_note_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_note')),
    sa.UniqueConstraint('studio_id', 'lesson_id', 'student_id', name=op.f('uq_lesson_note_studio_id_lesson_id_student_id'))
    )
    with op.batch_alter_table('lesson_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_note_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_lesson_note_studio_student_created', ['studio_id', 'student_id', 'created_at'], unique=False)

    op.create_table('lesson_plan_attachment',
    sa.Column('lesson_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('attached_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['attached_by_id'], ['user.id'], name=op.f('fk_lesson_plan_attachment_attached_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lesson_id'], ['lesson.id'], name=op.f('fk_lesson_plan_attachment_lesson_id_lesson'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['lesson_plan.id'], name=op.f('fk_lesson_plan_attachment_plan_id_lesson_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_lesson_plan_attachment_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_plan_attachment')),
    sa.UniqueConstraint('studio_id', 'lesson_id', 'plan_id', name=op.f('uq_lesson_plan_attachment_studio_id_lesson_id_plan_id'))
    )
    with op.batch_alter_table('lesson_plan_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_plan_attachment_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_lesson_plan_attachment_studio_plan', ['studio_id', 'plan_id'], unique=False)



def downgrade():
    with op.batch_alter_table('lesson_plan_attachment', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_plan_attachment_studio_plan')
        batch_op.drop_index(batch_op.f('ix_lesson_plan_attachment_studio_id'))

    op.drop_table('lesson_plan_attachment')
    with op.batch_alter_table('lesson_note', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_note_studio_student_created')
        batch_op.drop_index(batch_op.f('ix_lesson_note_studio_id'))

    op.drop_table('lesson_note')
    with op.batch_alter_table('goal_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_progress_studio_id'))
        batch_op.drop_index('ix_goal_progress_studio_goal_recorded')

    op.drop_table('goal_progress')
    with op.batch_alter_table('practice_log', schema=None) as batch_op:
        batch_op.drop_index('ix_practice_log_studio_student_date')
        batch_op.drop_index(batch_op.f('ix_practice_log_studio_id'))

    op.drop_table('practice_log')
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.drop_index('ix_goal_studio_student_status')
        batch_op.drop_index(batch_op.f('ix_goal_studio_id'))

    op.drop_table('goal')
    with op.batch_alter_table('lesson_plan', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_plan_studio_specialty')
        batch_op.drop_index(batch_op.f('ix_lesson_plan_studio_id'))
        batch_op.drop_index('ix_lesson_plan_studio_author')

    op.drop_table('lesson_plan')
