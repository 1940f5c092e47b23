"""scheduling: rooms, lessons, series

Rooms and practice-room reservations, studio closures, recurring series, lessons with their
attendees, make-up credits, cancellation requests and iCal feed tokens. Every table is a
tenant table: its composite indexes and unique constraints start with studio_id.

Revision ID: acda72ec2929
Revises: 8c047d7d63a8
Create Date: 2026-11-23 16:04:16.899847

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'acda72ec2929'
down_revision = '8c047d7d63a8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feed_token',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_calendar_feed_token_studio_id_studio'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_calendar_feed_token_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed_token'))
    )
    with op.batch_alter_table('calendar_feed_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_token_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_calendar_feed_token_studio_user', ['studio_id', 'user_id'], unique=False)

    op.create_table('room',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('equipment', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('is_bookable', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 1', name=op.f('ck_room_capacity_positive')),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_room_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room')),
    sa.UniqueConstraint('studio_id', 'name', name=op.f('uq_room_studio_id_name'))
    )
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_studio_id'), ['studio_id'], unique=False)

    op.create_table('studio_closure',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_studio_closure_ends_after_start')),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_studio_closure_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studio_closure'))
    )
    with op.batch_alter_table('studio_closure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studio_closure_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_studio_closure_studio_start', ['studio_id', 'start_date'], unique=False)

    op.create_table('room_reservation',
    sa.Column('room_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notes', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("status IN ('confirmed', 'cancelled')", name=op.f('ck_room_reservation_status')),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_room_reservation_ends_after_start')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['user.id'], name=op.f('fk_room_reservation_cancelled_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_room_reservation_room_id_room'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_room_reservation_studio_id_studio'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_room_reservation_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_reservation'))
    )
    with op.batch_alter_table('room_reservation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_reservation_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_room_reservation_studio_room_start', ['studio_id', 'room_id', 'start_at'], unique=False)
        batch_op.create_index('ix_room_reservation_studio_user_start', ['studio_id', 'user_id', 'start_at'], unique=False)

    op.create_table('recurring_series',
    sa.Column('teacher_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('room_id', sa.Uuid(), nullable=True),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('day_of_week', sa.SmallInteger(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('lesson_type', sa.String(length=12), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('rate', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('generated_until', sa.Date(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("frequency IN ('weekly', 'biweekly', 'monthly')", name=op.f('ck_recurring_series_frequency')),
    sa.CheckConstraint("lesson_type IN ('private', 'group', 'makeup', 'trial', 'recital')", name=op.f('ck_recurring_series_lesson_type')),
    sa.CheckConstraint('day_of_week >= 0 AND day_of_week <= 6', name=op.f('ck_recurring_series_day_of_week_range')),
    sa.CheckConstraint('duration_minutes >= 5 AND duration_minutes <= 720', name=op.f('ck_recurring_series_duration_range')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_recurring_series_ends_after_start')),
    sa.CheckConstraint('rate IS NULL OR rate >= 0', name=op.f('ck_recurring_series_rate_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_recurring_series_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_recurring_series_room_id_room'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_recurring_series_student_id_student'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_recurring_series_studio_id_studio'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher_profile.id'], name=op.f('fk_recurring_series_teacher_id_teacher_profile'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recurring_series'))
    )
    with op.batch_alter_table('recurring_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurring_series_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_recurring_series_studio_student', ['studio_id', 'student_id'], unique=False)
        batch_op.create_index('ix_recurring_series_studio_teacher', ['studio_id', 'teacher_id'], unique=False)

    op.create_table('lesson',
    sa.Column('teacher_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=True),
    sa.Column('room_id', sa.Uuid(), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lesson_type', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('rate', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('series_id', sa.Uuid(), nullable=True),
    sa.Column('occurrence_date', sa.Date(), nullable=True),
    sa.Column('is_exception', sa.Boolean(), nullable=False),
    sa.Column('rescheduled_from_id', sa.Uuid(), nullable=True),
    sa.Column('cancellation_reason', sa.String(length=500), nullable=False),
    sa.Column('cancelled_by_id', sa.Uuid(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancellation_outcome', sa.String(length=16), nullable=True),
    sa.Column('attendance_taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('billed_line_item_id', sa.Uuid(), nullable=True),
    sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("cancellation_outcome IS NULL OR cancellation_outcome IN ('no_charge', 'charged', 'makeup_credit')", name=op.f('ck_lesson_cancellation_outcome')),
    sa.CheckConstraint("lesson_type IN ('private', 'group', 'makeup', 'trial', 'recital')", name=op.f('ck_lesson_lesson_type')),
    sa.CheckConstraint("status IN ('scheduled', 'completed', 'cancelled', 'no_show')", name=op.f('ck_lesson_status')),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_lesson_ends_after_start')),
    sa.CheckConstraint('rate IS NULL OR rate >= 0', name=op.f('ck_lesson_rate_positive')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['user.id'], name=op.f('fk_lesson_cancelled_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_lesson_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rescheduled_from_id'], ['lesson.id'], name=op.f('fk_lesson_rescheduled_from_id_lesson'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_lesson_room_id_room'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['recurring_series.id'], name=op.f('fk_lesson_series_id_recurring_series'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_lesson_student_id_student'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_lesson_studio_id_studio'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher_profile.id'], name=op.f('fk_lesson_teacher_id_teacher_profile'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson'))
    )
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_lesson_studio_room_start', ['studio_id', 'room_id', 'start_at'], unique=False)
        batch_op.create_index('ix_lesson_studio_series_occurrence', ['studio_id', 'series_id', 'occurrence_date'], unique=False)
        batch_op.create_index('ix_lesson_studio_start', ['studio_id', 'start_at'], unique=False)
        batch_op.create_index('ix_lesson_studio_student_start', ['studio_id', 'student_id', 'start_at'], unique=False)
        batch_op.create_index('ix_lesson_studio_teacher_start', ['studio_id', 'teacher_id', 'start_at'], unique=False)

    op.create_table('cancellation_request',
    sa.Column('lesson_id', sa.Uuid(), nullable=False),
    sa.Column('requested_by_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reviewed_by_id', sa.Uuid(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('response', sa.String(length=500), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'declined')", name=op.f('ck_cancellation_request_status')),
    sa.ForeignKeyConstraint(['lesson_id'], ['lesson.id'], name=op.f('fk_cancellation_request_lesson_id_lesson'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_cancellation_request_requested_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_cancellation_request_reviewed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_cancellation_request_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cancellation_request'))
    )
    with op.batch_alter_table('cancellation_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cancellation_request_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_cancellation_request_studio_lesson', ['studio_id', 'lesson_id'], unique=False)
        batch_op.create_index('ix_cancellation_request_studio_status', ['studio_id', 'status', 'created_at'], unique=False)

    op.create_table('lesson_attendee',
    sa.Column('lesson_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('attendance', sa.String(length=10), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("attendance IN ('pending', 'present', 'absent', 'excused')", name=op.f('ck_lesson_attendee_attendance')),
    sa.ForeignKeyConstraint(['lesson_id'], ['lesson.id'], name=op.f('fk_lesson_attendee_lesson_id_lesson'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_lesson_attendee_student_id_student'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_lesson_attendee_studio_id_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_attendee')),
    sa.UniqueConstraint('studio_id', 'lesson_id', 'student_id', name=op.f('uq_lesson_attendee_studio_id_lesson_id_student_id'))
    )
    with op.batch_alter_table('lesson_attendee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_attendee_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_lesson_attendee_studio_student', ['studio_id', 'student_id'], unique=False)

    op.create_table('makeup_credit',
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('source_lesson_id', sa.Uuid(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_by_lesson_id', sa.Uuid(), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('studio_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], name=op.f('fk_makeup_credit_family_id_family'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_lesson_id'], ['lesson.id'], name=op.f('fk_makeup_credit_source_lesson_id_lesson'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_makeup_credit_student_id_student'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_makeup_credit_studio_id_studio'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['used_by_lesson_id'], ['lesson.id'], name=op.f('fk_makeup_credit_used_by_lesson_id_lesson'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_makeup_credit'))
    )
    with op.batch_alter_table('makeup_credit', schema=None) as batch_op:
        batch_op.create_index('ix_makeup_credit_studio_family', ['studio_id', 'family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_makeup_credit_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index('ix_makeup_credit_studio_student', ['studio_id', 'student_id'], unique=False)



def downgrade():
    with op.batch_alter_table('makeup_credit', schema=None) as batch_op:
        batch_op.drop_index('ix_makeup_credit_studio_student')
        batch_op.drop_index(batch_op.f('ix_makeup_credit_studio_id'))
        batch_op.drop_index('ix_makeup_credit_studio_family')

    op.drop_table('makeup_credit')
    with op.batch_alter_table('lesson_attendee', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_attendee_studio_student')
        batch_op.drop_index(batch_op.f('ix_lesson_attendee_studio_id'))

    op.drop_table('lesson_attendee')
    with op.batch_alter_table('cancellation_request', schema=None) as batch_op:
        batch_op.drop_index('ix_cancellation_request_studio_status')
        batch_op.drop_index('ix_cancellation_request_studio_lesson')
        batch_op.drop_index(batch_op.f('ix_cancellation_request_studio_id'))

    op.drop_table('cancellation_request')
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_studio_teacher_start')
        batch_op.drop_index('ix_lesson_studio_student_start')
        batch_op.drop_index('ix_lesson_studio_start')
        batch_op.drop_index('ix_lesson_studio_series_occurrence')
        batch_op.drop_index('ix_lesson_studio_room_start')
        batch_op.drop_index(batch_op.f('ix_lesson_studio_id'))

    op.drop_table('lesson')
    with op.batch_alter_table('recurring_series', schema=None) as batch_op:
        batch_op.drop_index('ix_recurring_series_studio_teacher')
        batch_op.drop_index('ix_recurring_series_studio_student')
        batch_op.drop_index(batch_op.f('ix_recurring_series_studio_id'))

    op.drop_table('recurring_series')
    with op.batch_alter_table('room_reservation', schema=None) as batch_op:
        batch_op.drop_index('ix_room_reservation_studio_user_start')
        batch_op.drop_index('ix_room_reservation_studio_room_start')
        batch_op.drop_index(batch_op.f('ix_room_reservation_studio_id'))

    op.drop_table('room_reservation')
    with op.batch_alter_table('studio_closure', schema=None) as batch_op:
        batch_op.drop_index('ix_studio_closure_studio_start')
        batch_op.drop_index(batch_op.f('ix_studio_closure_studio_id'))

    op.drop_table('studio_closure')
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_studio_id'))

    op.drop_table('room')
    with op.batch_alter_table('calendar_feed_token', schema=None) as batch_op:
        batch_op.drop_index('ix_calendar_feed_token_studio_user')
        batch_op.drop_index(batch_op.f('ix_calendar_feed_token_studio_id'))

    op.drop_table('calendar_feed_token')
