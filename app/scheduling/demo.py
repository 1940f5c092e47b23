"""Demo schedule for Harmony Music Studio: rooms, closures, weekly lessons with a history.

Every active student gets a weekly series with their primary teacher, inside the teacher's
availability, in the teacher's room. The series started six weeks ago: past lessons are mostly
attended, a few cancelled (one late, earning a make-up credit), one a no-show; the coming
weeks are scheduled, with one lesson moved, a cancellation request waiting, a group class,
a recital and a practice-room reservation.
"""
import random
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import User
from app.core.audit import AuditLog
from app.core.bulk import bulk_insert
from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.money import prorate
from app.core.timeutil import add_months, local_today, month_end, month_start, studio_zone
from app.extensions import db
from app.people.models import Student, TeacherAvailability, TeacherProfile
from app.scheduling import recurrence, services
from app.scheduling.models import Lesson, LessonAttendee, MakeupCredit, RecurringSeries
from app.scheduling.services.common import closures_between

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
            placement = services.Placement(teacher=teacher, students=(student,), room=room_of.get(email))
            series, _lessons = services.create_series(
                studio, None, placement,
                services.Pattern(day_of_week=weekday, start_time=at,
                                 duration_minutes=student.default_lesson_minutes, start_date=start),
                today=today,
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
                services.reschedule_lesson(studio, None, lesson, start=moved, notify=False)
            except Conflict:
                pass  # a clash only means the demo keeps the lesson where it was
    classmates = (sam, _student(studio, "Anika", "Patel"), _student(studio, "Hana", "Tanaka"))
    group_students = [s for s in classmates if s]
    if teacher is not None and group_students:
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
        start = recurrence.local_to_utc(saturday, time(13, 30), tz)
        group = services.Placement(teacher=teacher, students=tuple(group_students), lesson_type="group",
                                   room=rooms["Studio A"], notes="Theory and ear training class")
        services.schedule_lesson(studio, None, group, start=start, end=start + timedelta(minutes=60))
        recital_day = saturday + timedelta(weeks=3)
        start = recurrence.local_to_utc(recital_day, time(16, 0), tz)
        recital = services.Placement(teacher=teacher, students=tuple(group_students), lesson_type="recital",
                                     room=rooms["Recital Hall"], rate=0, notes="Spring recital")
        services.schedule_lesson(studio, None, recital, start=start, end=start + timedelta(minutes=90))
    if student_user is not None:
        tomorrow = today + timedelta(days=1)
        start = recurrence.local_to_utc(tomorrow, time(11, 0), tz)
        services.reserve_room(studio, student_user, room=rooms["Practice Room 1"], start=start,
                              end=start + timedelta(hours=1), notes="Scales and recital piece", now=now)


def seed_schedule(studio, size="small", progress=None, *, months=12):
    """Everything the calendar shows in the demo studio."""
    now = utcnow()
    today = local_today(studio, now)
    rng = random.Random(4)  # seeded demo data, no secret # nosec B311
    rooms = seed_rooms(studio)
    seed_closures(studio, today)
    seed_series(studio, rooms, today)
    seed_history(studio, rng, now)
    seed_coming_weeks(studio, rooms, today, now)
    if size == "large":
        if progress:
            progress("a year of lessons")
        seed_large_schedule(studio, today, months=months, now=now)
    db.session.flush()


# ------------------------------------------------------------------ the large demo (bench)

LARGE_ROOMS = [
    # name, capacity, equipment; the first three also host the Saturday group classes
    ("Ensemble Room", 12, ["Grand piano", "Music stands", "Chairs"]),
    ("Theory Classroom", 16, ["Whiteboard", "Digital pianos", "Projector"]),
    ("Band Room", 10, ["Drum kit", "Amplifiers", "PA system"]),
    ("Percussion Room", 4, ["Drum kit", "Marimba"]),
    ("Voice Studio", 4, ["Upright piano", "Mirror"]),
    *[(f"Room {number}", 3, ["Upright piano", "Music stands"]) for number in range(101, 109)],
]
GROUP_ROOMS = 3
LESSON_HOURS = (14 * 60, 21 * 60)  # private lessons, Monday to Saturday afternoons
GROUP_STARTS = (9 * 60 + 30, 10 * 60 + 45, 12 * 60)  # group classes, Saturday mornings, an hour
MAKEUP_HOURS = (10 * 60, 17 * 60)  # make-up lessons, on Sundays
GROUP_CLASSES = ("Theory and ear training", "Chamber ensemble", "Rock band workshop",
                 "Young voices choir", "Sight-reading club", "Jazz combo")
GROUP_RATE = Decimal("20.00")
GROUP_SIZE = 6
WHOLE_YEAR = 0.7  # students enrolled all year; the others join week by week
LATE_REASONS = ("Sick this morning", "Stuck at school", "Car trouble", "Family emergency")
STUDIO_REASONS = ("Teacher unwell", "Teacher away at a competition")
MAKEUPS_BOOKED = 0.75  # of the make-up credits; the others stay available or expire


def seed_past_closures(studio, first_day, today):
    """The breaks of the past year, so that the year of lessons has its holidays."""
    for year in (today.year - 1, today.year):
        spring = recurrence.first_on_or_after(date(year, 4, 1), 0)
        thanksgiving = _thanksgiving(year)
        for name, first, last in (("Spring break", spring, spring + timedelta(days=4)),
                                  ("Thanksgiving", thanksgiving, thanksgiving + timedelta(days=1)),
                                  ("Winter break", date(year, 12, 24), date(year + 1, 1, 1))):
            if first >= first_day and last < today:
                services.create_closure(studio, None, name=name, start_date=first, end_date=last,
                                        cancel_lessons=False)


def _weekly_slots(studio):
    """(student, weekday, minute of day) for every active student without a series, packed
    back to back into their teacher's afternoons; teachers with series of their own (the
    demo teachers) keep their calendar."""
    busy_teachers = select(RecurringSeries.teacher_id).where(RecurringSeries.studio_id == studio.id)
    students = db.session.execute(select(
        Student.id, Student.primary_teacher_id, Student.default_lesson_minutes,
        Student.default_lesson_rate, Student.family_id,
    ).where(
        Student.studio_id == studio.id, Student.is_active.is_(True), Student.primary_teacher_id.is_not(None),
        Student.primary_teacher_id.not_in(busy_teachers),
    ).order_by(Student.primary_teacher_id, Student.id)).all()
    next_slot, slots = {}, []
    for student in students:
        weekday, minute = next_slot.get(student.primary_teacher_id, (0, LESSON_HOURS[0]))
        if minute + student.default_lesson_minutes > LESSON_HOURS[1]:
            weekday, minute = weekday + 1, LESSON_HOURS[0]
        if weekday > 5:
            continue  # this teacher's week is full
        next_slot[student.primary_teacher_id] = (weekday, minute + student.default_lesson_minutes)
        slots.append((student, weekday, minute))
    return slots


def _room_plan(slots, room_ids):
    """{(teacher, weekday): room}: each room has one teacher a day, so rooms never overlap;
    the lessons of teachers without a room that day are online."""
    teachers_by_day = {}
    for student, weekday, _minute in slots:
        day = teachers_by_day.setdefault(weekday, [])
        if student.primary_teacher_id not in day:
            day.append(student.primary_teacher_id)
    plan = {}
    for weekday, teachers in teachers_by_day.items():
        shift = weekday * len(room_ids) % len(teachers)  # a different set of teachers each day
        for room_id, teacher_id in zip(room_ids, teachers[shift:] + teachers[:shift], strict=False):
            plan[teacher_id, weekday] = room_id
    return plan


class LargeCalendar:
    """The large demo's year of lessons, built in memory and written with bulk inserts.

    Private lessons fill Monday–Saturday afternoons, group classes Saturday mornings and
    make-up lessons Sundays, so a teacher, a student or a room is never booked twice.
    Past lessons were mostly taught; some were cancelled in time, a few late (earning a
    make-up credit, most of them used), a few by the studio, and some students did not come.
    """

    def __init__(self, studio, first_day, until, now, rng):
        self.studio_id, self.first_day, self.until, self.now, self.rng = studio.id, first_day, until, now, rng
        self.tz = studio_zone(studio)
        self.admin_id = db.session.scalar(select(User.id).where(User.email == "admin@demo.test"))
        self.expiry = timedelta(days=studio.makeup_credit_expiry_days or 60)
        self.late_outcome = "makeup_credit" if studio.makeup_credits_enabled else "charged"
        self.closed = {closure.start_date + timedelta(days=n)
                       for closure in closures_between(studio, first_day, until)
                       for n in range((closure.end_date - closure.start_date).days + 1)}
        self.moments, self.sundays = {}, {}
        self.series, self.lessons, self.attendees, self.credits, self.audit = [], [], [], [], []
        self.late = []  # (lesson cancelled late, student id, family id)
        self.defaults = {
            "studio_id": self.studio_id, "student_id": None, "room_id": None, "location": "",
            "online_url": "", "lesson_type": "private", "status": "scheduled", "rate": None, "notes": "",
            "series_id": None, "occurrence_date": None, "is_exception": False, "rescheduled_from_id": None,
            "cancellation_reason": "", "cancelled_by_id": None, "cancelled_at": None,
            "cancellation_outcome": None, "attendance_taken_at": None, "billed_line_item_id": None,
            "reminder_sent_at": None, "created_by_id": self.admin_id,
        }

    # ------------------------------------------------------------ time

    def moment(self, day, minute):
        """UTC instant of a studio-local day and minute of the day (cached: few distinct)."""
        key = (day, minute)
        if key not in self.moments:
            self.moments[key] = recurrence.local_to_utc(day, time(minute // 60, minute % 60), self.tz)
        return self.moments[key]

    def days(self, first, weekday):
        """Open days on `weekday` from `first` through the end of the calendar."""
        day = recurrence.first_on_or_after(first, weekday)
        while day <= self.until:
            if day not in self.closed:
                yield day
            day += timedelta(weeks=1)

    # ------------------------------------------------------------ rows

    def lesson(self, **fields):
        row = {**self.defaults, "id": uuid.uuid4(), **fields}
        self.lessons.append(row)
        return row

    def attend(self, lesson, student_id, attendance):
        self.attendees.append({
            "id": uuid.uuid4(), "studio_id": self.studio_id, "lesson_id": lesson["id"],
            "student_id": student_id, "attendance": attendance, "created_at": lesson["created_at"],
            "updated_at": lesson["updated_at"],
        })

    def cancel(self, lesson, reason, at, outcome="no_charge"):
        """The columns `cancel_lesson` sets; every attendee is excused."""
        at = max(at, lesson["created_at"])
        lesson.update(status="cancelled", cancellation_reason=reason, cancelled_by_id=self.admin_id,
                      cancelled_at=at, cancellation_outcome=outcome, updated_at=at)
        return "excused"

    def take_attendance(self, lesson, status):
        taken = min(lesson["end_at"] + timedelta(minutes=self.rng.randint(5, 240)), self.now)
        lesson.update(status=status, attendance_taken_at=taken, updated_at=taken)

    # ------------------------------------------------------------ private lessons

    def add_series(self, student, teacher_id, weekday, minute, rate, room_id, online_url, start_date):
        created = self.moment(start_date - timedelta(days=3), 10 * 60)
        series_id = uuid.uuid4()
        self.series.append({
            "id": series_id, "studio_id": self.studio_id, "teacher_id": teacher_id,
            "student_id": student.id, "room_id": room_id, "frequency": "weekly", "day_of_week": weekday,
            "start_time": time(minute // 60, minute % 60), "duration_minutes": student.default_lesson_minutes,
            "start_date": start_date, "end_date": None, "lesson_type": "private", "location": "",
            "online_url": online_url, "rate": rate, "notes": "", "generated_until": self.until,
            "ended_at": None, "created_by_id": self.admin_id, "created_at": created, "updated_at": created,
        })
        length = timedelta(minutes=student.default_lesson_minutes)
        for day in self.days(start_date, weekday):
            start = self.moment(day, minute)
            lesson = self.lesson(
                teacher_id=teacher_id, student_id=student.id, room_id=room_id, online_url=online_url,
                start_at=start, end_at=start + length, rate=rate, series_id=series_id, occurrence_date=day,
                created_at=created, updated_at=created)
            self.attend(lesson, student.id, self.settle_private(lesson, student))

    def settle_private(self, lesson, student):
        """What became of a private lesson; returns the student's attendance."""
        start, roll, rng = lesson["start_at"], self.rng.random(), self.rng
        hours = lambda low, high: timedelta(hours=rng.randint(low, high))
        if lesson["end_at"] >= self.now:
            if roll < 0.01 and start - self.now > timedelta(days=3):
                return self.cancel(lesson, rng.choice(CANCEL_REASONS), self.now - hours(1, 48))
            return "pending"
        if roll < 0.04:
            return self.cancel(lesson, rng.choice(CANCEL_REASONS), start - hours(26, 170))
        if roll < 0.055:
            self.late.append((lesson, student.id, student.family_id))
            return self.cancel(lesson, rng.choice(LATE_REASONS), start - hours(2, 20), self.late_outcome)
        if roll < 0.065:
            return self.cancel(lesson, rng.choice(STUDIO_REASONS), start - hours(3, 30))
        if roll < 0.075:
            self.take_attendance(lesson, "no_show")
            return "absent"
        self.take_attendance(lesson, "completed")
        return "present"

    # ------------------------------------------------------------ group classes

    def add_group(self, teacher_id, student_ids, room_id, minute, title):
        created = self.moment(self.first_day - timedelta(days=7), 10 * 60)
        for day in self.days(self.first_day, 5):
            start = self.moment(day, minute)
            lesson = self.lesson(
                teacher_id=teacher_id, student_id=student_ids[0] if len(student_ids) == 1 else None,
                room_id=room_id, start_at=start, end_at=start + timedelta(hours=1), lesson_type="group",
                rate=GROUP_RATE, notes=title, created_at=created, updated_at=created)
            for student_id, attendance in zip(student_ids, self.settle_group(lesson, len(student_ids)),
                                              strict=True):
                self.attend(lesson, student_id, attendance)

    def settle_group(self, lesson, size):
        if lesson["end_at"] >= self.now:
            return ["pending"] * size
        if self.rng.random() < 0.02:
            self.cancel(lesson, STUDIO_REASONS[0], lesson["start_at"] - timedelta(hours=20))
            return ["excused"] * size
        self.take_attendance(lesson, "completed")
        return [self.rng.choices(("present", "absent", "excused"), (18, 1, 1))[0] for _ in range(size)]

    # ------------------------------------------------------------ make-ups

    def add_makeups(self, room_ids, online_urls):
        """What late cancellations left behind: an audit entry and a make-up credit each; most
        credits are used by a make-up lesson on one of the next Sundays (as `schedule_lesson`
        with the credit books it: a free make-up lesson)."""
        for cancelled, student_id, family_id in self.late:
            at = cancelled["cancelled_at"]
            self.audit.append({
                "id": uuid.uuid4(), "studio_id": self.studio_id, "actor_id": self.admin_id,
                "action": "lesson.cancelled_late", "target_type": "Lesson", "target_id": cancelled["id"],
                "details": {"outcome": self.late_outcome, "reason": cancelled["cancellation_reason"]},
                "created_at": at, "updated_at": at,
            })
            if self.late_outcome != "makeup_credit":
                continue
            credit = {
                "id": uuid.uuid4(), "studio_id": self.studio_id, "family_id": family_id,
                "student_id": student_id, "source_lesson_id": cancelled["id"], "expires_at": at + self.expiry,
                "used_by_lesson_id": None, "used_at": None, "created_at": at, "updated_at": at,
            }
            self.credits.append(credit)
            if self.rng.random() < MAKEUPS_BOOKED:
                self.book_makeup(credit, cancelled, room_ids, online_urls)

    def book_makeup(self, credit, cancelled, room_ids, online_urls):
        teacher_id, student_id = cancelled["teacher_id"], credit["student_id"]
        length = cancelled["end_at"] - cancelled["start_at"]
        minutes = int(length.total_seconds() // 60)
        day = cancelled["occurrence_date"] + timedelta(days=2)
        day = recurrence.first_on_or_after(day, 6)
        for sunday in (day, day + timedelta(weeks=1), day + timedelta(weeks=2)):
            minute = self.sundays.get(("teacher", teacher_id, sunday), MAKEUP_HOURS[0])
            if sunday in self.closed or ("student", student_id, sunday) in self.sundays \
                    or minute + minutes > MAKEUP_HOURS[1]:
                continue
            start = self.moment(sunday, minute)
            if sunday > self.until or start + length > credit["expires_at"]:
                return
            room_id = next((r for r in room_ids if self.sundays.get(("room", r, sunday), 0) <= minute), None)
            self.sundays["teacher", teacher_id, sunday] = minute + minutes
            self.sundays["student", student_id, sunday] = minute + minutes
            if room_id is not None:
                self.sundays["room", room_id, sunday] = minute + minutes
            booked = min(credit["created_at"] + timedelta(days=1), self.now)
            lesson = self.lesson(
                teacher_id=teacher_id, student_id=student_id, room_id=room_id,
                online_url="" if room_id else online_urls[teacher_id], start_at=start, end_at=start + length,
                lesson_type="makeup", rate=Decimal("0.00"), created_at=booked, updated_at=booked)
            if lesson["end_at"] < self.now:
                self.take_attendance(lesson, "completed")
            self.attend(lesson, student_id, "present" if lesson["status"] == "completed" else "pending")
            credit.update(used_by_lesson_id=lesson["id"], used_at=booked, updated_at=booked)
            return

    def write(self):
        for model, rows in ((RecurringSeries, self.series), (Lesson, self.lessons),
                            (LessonAttendee, self.attendees), (MakeupCredit, self.credits),
                            (AuditLog, self.audit)):
            bulk_insert(model, rows)


def seed_large_schedule(studio, today, *, months=12, now=None, seed=11):
    """A year of lessons for every student without a series (bench data): weekly series
    from `months` months back through the end of next month, students joining through the
    year, group classes and make-up lessons. Built in memory, written with bulk inserts."""
    now = now or utcnow()
    rng = random.Random(seed)  # seeded demo data, no secret # nosec B311
    first_day = add_months(month_start(today), -months)
    until = month_end(add_months(today, 1))
    seed_past_closures(studio, first_day, today)
    rooms = [services.create_room(studio, None, name=name, capacity=capacity, equipment=equipment,
                                  is_bookable=False) for name, capacity, equipment in LARGE_ROOMS]
    room_ids = [room.id for room in rooms]
    slots = _weekly_slots(studio)
    if not slots:
        return
    room_plan = _room_plan(slots, room_ids)
    rates = dict(db.session.execute(select(TeacherProfile.id, TeacherProfile.hourly_rate).where(
        TeacherProfile.studio_id == studio.id)).all())
    online_urls = {teacher_id: f"https://meet.example.com/harmony-{str(teacher_id)[:8]}"
                   for teacher_id in rates}
    calendar = LargeCalendar(studio, first_day, until, now, rng)
    past_weeks = max(2, (today - first_day).days // 7)
    whole_year = {}
    for student, weekday, minute in slots:
        teacher_id = student.primary_teacher_id
        rate = student.default_lesson_rate
        if rate is None and rates.get(teacher_id) is not None:
            rate = prorate(rates[teacher_id], student.default_lesson_minutes)
        joins = 0 if rng.random() < WHOLE_YEAR else rng.randrange(1, past_weeks)
        if not joins:
            whole_year.setdefault(teacher_id, []).append(student.id)
        room_id = room_plan.get((teacher_id, weekday))
        calendar.add_series(student, teacher_id, weekday, minute, rate, room_id,
                            "" if room_id else online_urls[teacher_id],
                            first_day + timedelta(weeks=joins))
    group_places = [(room_id, minute) for room_id in room_ids[:GROUP_ROOMS] for minute in GROUP_STARTS]
    for n, (teacher_id, (room_id, minute)) in enumerate(zip(list(whole_year)[::8], group_places,
                                                          strict=False)):
        members = rng.sample(whole_year[teacher_id], min(GROUP_SIZE, len(whole_year[teacher_id])))
        calendar.add_group(teacher_id, members, room_id, minute, GROUP_CLASSES[n % len(GROUP_CLASSES)])
    calendar.add_makeups(room_ids, online_urls)
    calendar.write()
