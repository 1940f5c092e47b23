"""Demo schedule for Harmony Music Studio: rooms, closures, weekly lessons with a history.

Every active student gets a weekly series with their primary teacher, inside the teacher's
availability, in the teacher's room. The series started six weeks ago: past lessons are mostly
attended, a few cancelled (one late, earning a make-up credit), one a no-show; the coming
weeks are scheduled, with one lesson moved, a cancellation request waiting, a group class,
a recital and a practice-room reservation.
"""
import random
import uuid
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import insert, select

from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import Conflict
from app.extensions import db
from app.people.models import Student, TeacherAvailability, TeacherProfile
from app.scheduling import recurrence, services
from app.scheduling.models import Lesson, LessonAttendee, RecurringSeries
from app.scheduling.services.common import local_today, studio_zone

ROOMS = [
    # name, capacity, equipment, bookable, teacher email
    ("Studio A", 4, ["Steinway grand piano", "music stands"], False, "teacher@demo.test"),
    ("Studio B", 4, ["Yamaha upright piano", "keyboard"], False, "clara.piano@demo.test"),
    ("Guitar Room", 5, ["Amplifiers", "bass amp", "guitar stands"], False, "miguel.guitar@demo.test"),
    ("Strings Room", 6, ["Music stands", "mirror"], False, "priya.violin@demo.test"),
    ("Practice Room 1", 2, ["Upright piano"], True, None),
    ("Practice Room 2", 2, ["Digital piano", "music stand"], True, None),
    ("Recital Hall", 80, ["Concert grand piano", "stage lights", "PA system"], False, None),
]
HISTORY_WEEKS = 6
CANCEL_REASONS = ("Sick", "School trip", "Family travel", "Exam week")


def _thanksgiving(year):
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def seed_closures(studio, today):
    """Thanksgiving and the winter break ahead of today."""
    year = today.year if today <= date(today.year, 11, 28) else today.year + 1
    thanksgiving = _thanksgiving(year)
    if thanksgiving < today:
        thanksgiving = _thanksgiving(year + 1)
    winter = date(today.year, 12, 24) if today <= date(today.year, 12, 31) else date(today.year + 1, 12, 24)
    for name, first, last in (("Thanksgiving", thanksgiving, thanksgiving + timedelta(days=1)),
                              ("Winter break", winter, winter + timedelta(days=8))):
        services.create_closure(studio, None, name=name, start_date=first, end_date=last,
                                cancel_lessons=False)


def seed_rooms(studio):
    rooms = {}
    for name, capacity, equipment, bookable, _teacher in ROOMS:
        rooms[name] = services.create_room(studio, None, name=name, capacity=capacity,
                                           equipment=equipment, is_bookable=bookable)
    return rooms


def _teachers(studio):
    return {t.user.email: t for t in db.session.scalars(
        select(TeacherProfile).where(TeacherProfile.studio_id == studio.id))}


def _slots(teacher, minutes_needed):
    """(weekday, start time) pairs filling the teacher's availability back to back."""
    windows = db.session.scalars(select(TeacherAvailability).where(
        TeacherAvailability.teacher_id == teacher.id).order_by(
        TeacherAvailability.weekday, TeacherAvailability.start_time)).all()
    for window in windows:
        cursor = datetime.combine(date.min, window.start_time)
        end = datetime.combine(date.min, window.end_time)
        while cursor < end:
            minutes = yield window.weekday, cursor.time()
            cursor += timedelta(minutes=minutes or minutes_needed)
            if cursor + timedelta(minutes=30) > end:
                break


def seed_series(studio, rooms, today):
    """A weekly series for every active student, started HISTORY_WEEKS ago."""
    teachers = _teachers(studio)
    room_of = {email: rooms[name] for name, *_rest, email in ROOMS if email}
    start = today - timedelta(weeks=HISTORY_WEEKS)
    created = []
    for email, teacher in teachers.items():
        students = db.session.scalars(select(Student).where(
            Student.studio_id == studio.id, Student.primary_teacher_id == teacher.id,
            Student.is_active.is_(True)).order_by(Student.last_name, Student.first_name)).all()
        slots = _slots(teacher, 30)
        slot = next(slots, None)
        for student in students:
            if slot is None:
                break
            weekday, at = slot
            series, _lessons = services.create_series(
                studio, None, teacher=teacher, student=student, frequency="weekly", day_of_week=weekday,
                start_time=at, duration_minutes=student.default_lesson_minutes, start_date=start,
                room=room_of.get(email), today=today,
            )
            created.append(series)
            try:
                slot = slots.send(student.default_lesson_minutes + 15)
            except StopIteration:
                slot = None
    return created


def _past_lessons(studio, now):
    return db.session.scalars(select(Lesson).where(
        Lesson.studio_id == studio.id, Lesson.start_at < now, Lesson.status == "scheduled",
    ).order_by(Lesson.start_at)).all()


def seed_history(studio, rng, now):
    """Past lessons: mostly attended, a few cancelled (one late), one no-show."""
    past = _past_lessons(studio, now)
    late_done = no_show_done = False
    for lesson in past:
        roll = rng.random()
        if roll < 0.08:
            services.cancel_lesson(studio, None, lesson, rng.choice(CANCEL_REASONS),
                                   requested_at=lesson.start_at - timedelta(days=3))
        elif not late_done and roll < 0.12:
            services.cancel_lesson(studio, None, lesson, "Sick this morning",
                                   requested_at=lesson.start_at - timedelta(hours=3))
            late_done = True
        elif not no_show_done and roll < 0.16:
            services.mark_no_show(studio, None, lesson, now=now)
            no_show_done = True
        else:
            services.complete_lesson(studio, None, lesson, now=now)


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _student(studio, first, last):
    return db.session.scalar(select(Student).where(
        Student.studio_id == studio.id, Student.first_name == first, Student.last_name == last))


def _next_lesson(studio, student, now, skip=0):
    return db.session.scalars(select(Lesson).join(LessonAttendee).where(
        Lesson.studio_id == studio.id, LessonAttendee.student_id == student.id,
        Lesson.status == "scheduled", Lesson.start_at > now + timedelta(days=2),
    ).order_by(Lesson.start_at).offset(skip).limit(1)).first()


def seed_coming_weeks(studio, rooms, today, now):
    """A moved lesson, a waiting cancellation request, a group class, a recital, a reservation."""
    tz = studio_zone(studio)
    sam, lily = _student(studio, "Sam", "Bennett"), _student(studio, "Lily", "Bennett")
    parent, student_user = _user("parent@demo.test"), _user("student@demo.test")
    teacher = _teachers(studio).get("teacher@demo.test")
    if lily is not None and parent is not None:
        lesson = _next_lesson(studio, lily, now)
        if lesson is not None:
            services.request_cancellation(studio, parent, lesson, "Lily has a school concert that evening.")
    if sam is not None and teacher is not None:
        lesson = _next_lesson(studio, sam, now, skip=1)
        if lesson is not None:
            moved = lesson.start_at + timedelta(days=1)
            try:
                services.reschedule_lesson(studio, None, lesson, start=moved)
            except Conflict:
                pass  # a clash only means the demo keeps the lesson where it was
    classmates = (sam, _student(studio, "Anika", "Patel"), _student(studio, "Hana", "Tanaka"))
    group_students = [s for s in classmates if s]
    if teacher is not None and group_students:
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
        start = recurrence.local_to_utc(saturday, time(13, 30), tz)
        services.schedule_lesson(studio, None, teacher=teacher, students=group_students, start=start,
                                 end=start + timedelta(minutes=60), lesson_type="group",
                                 room=rooms["Studio A"], notes="Theory and ear training class")
        recital_day = saturday + timedelta(weeks=3)
        start = recurrence.local_to_utc(recital_day, time(16, 0), tz)
        services.schedule_lesson(studio, None, teacher=teacher, students=group_students, start=start,
                                 end=start + timedelta(minutes=90), lesson_type="recital",
                                 room=rooms["Recital Hall"], rate=0, notes="Spring recital")
    if student_user is not None:
        tomorrow = today + timedelta(days=1)
        start = recurrence.local_to_utc(tomorrow, time(11, 0), tz)
        services.reserve_room(studio, student_user, room=rooms["Practice Room 1"], start=start,
                              end=start + timedelta(hours=1), notes="Scales and recital piece", now=now)


def seed_schedule(studio, size="small"):
    """Everything the calendar shows in the demo studio."""
    now = utcnow()
    today = local_today(studio, now)
    rng = random.Random(4)
    rooms = seed_rooms(studio)
    seed_closures(studio, today)
    seed_series(studio, rooms, today)
    seed_history(studio, rng, now)
    seed_coming_weeks(studio, rooms, today, now)
    if size == "large":
        seed_large_schedule(studio, today)
    db.session.flush()


# ------------------------------------------------------------------ the large demo (bench)

def seed_large_schedule(studio, today, weeks=52):
    """A year of weekly lessons for every student without a series (bench data): bulk
    inserts, slots assigned so that nothing overlaps, no per-lesson checks."""
    tz = studio_zone(studio)
    has_series = select(RecurringSeries.student_id).where(RecurringSeries.studio_id == studio.id)
    students = db.session.execute(select(Student.id, Student.primary_teacher_id,
                                         Student.default_lesson_minutes).where(
        Student.studio_id == studio.id, Student.is_active.is_(True), Student.primary_teacher_id.is_not(None),
        Student.id.not_in(has_series)).order_by(Student.primary_teacher_id, Student.id)).all()
    start_day = today - timedelta(weeks=weeks // 2)
    until = start_day + timedelta(weeks=weeks)
    next_slot, series_rows, lesson_rows, attendee_rows = {}, [], [], []
    now = datetime.now(timezone.utc)
    for student_id, teacher_id, minutes in students:
        weekday, minute_of_day = next_slot.get(teacher_id, (0, 14 * 60))
        if minute_of_day + minutes > 21 * 60:
            weekday, minute_of_day = weekday + 1, 14 * 60
        if weekday > 5:
            continue  # this teacher's week is full
        next_slot[teacher_id] = (weekday, minute_of_day + minutes)
        at = time(minute_of_day // 60, minute_of_day % 60)
        series_id = uuid.uuid4()
        series_rows.append({
            "id": series_id, "studio_id": studio.id, "teacher_id": teacher_id, "student_id": student_id,
            "frequency": "weekly", "day_of_week": weekday, "start_time": at, "duration_minutes": minutes,
            "start_date": start_day, "generated_until": until, "lesson_type": "private", "location": "",
            "online_url": "", "notes": "", "created_at": now, "updated_at": now,
        })
        for occurrence in recurrence.occurrences("weekly", weekday, at, timedelta(minutes=minutes),
                                                 start_day, until, tz):
            lesson_id = uuid.uuid4()
            status = "completed" if occurrence.end < now else "scheduled"
            lesson_rows.append({
                "id": lesson_id, "studio_id": studio.id, "teacher_id": teacher_id, "student_id": student_id,
                "start_at": occurrence.start, "end_at": occurrence.end, "lesson_type": "private",
                "status": status, "series_id": series_id, "occurrence_date": occurrence.day,
                "location": "", "online_url": "", "notes": "", "is_exception": False,
                "cancellation_reason": "", "created_at": now, "updated_at": now,
            })
            attendee_rows.append({
                "id": uuid.uuid4(), "studio_id": studio.id, "lesson_id": lesson_id, "student_id": student_id,
                "attendance": "present" if status == "completed" else "pending",
                "created_at": now, "updated_at": now,
            })
    tables = ((RecurringSeries, series_rows), (Lesson, lesson_rows), (LessonAttendee, attendee_rows))
    for table, rows in tables:
        for chunk in range(0, len(rows), 5000):
            db.session.execute(insert(table), rows[chunk:chunk + 5000])
    db.session.flush()
