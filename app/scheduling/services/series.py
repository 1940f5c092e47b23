"""Recurring series ("recurring patterns"): create, edit, end, and extend the horizon.

A series creates real lesson rows: all of them when it has an end date, else up to a rolling
horizon (26 weeks) that a daily job extends. Each lesson remembers the occurrence it fulfils
(`occurrence_date`), so regeneration never doubles a date that was cancelled, moved or taught.
Edits change untouched occurrences only (scheduled, not billed, not edited on their own).
"""
import bisect
import logging
import uuid
from datetime import time, timedelta
from operator import itemgetter

from sqlalchemy import or_, select

from app.accounts.models import Studio
from app.core import validation
from app.core.bulk import write_batches
from app.core.db import utcnow, uuid7s
from app.core.errors import Conflict, ValidationFailed
from app.core.timeutil import local_today, studio_zone, to_local
from app.extensions import db
from app.scheduling import recurrence
from app.scheduling.models import (
    FREQUENCIES,
    LESSON_TYPES,
    MAX_DURATION,
    Lesson,
    LessonAttendee,
    RecurringSeries,
    RoomReservation,
)
from app.scheduling.services import bell
from app.scheduling.services.availability import booking_warnings
from app.scheduling.services.booking import LessonChanges, Pattern, Placement
from app.scheduling.services.common import (
    closed_checker,
    default_rate,
    lock_resources,
    money,
    resolve_room,
    resolve_student,
    resolve_teacher,
    validate_duration_minutes,
    validate_interval,
)
from app.scheduling.services.conflicts import BusyTimes, Clash, find_clashes, raise_if_clashes
from app.scheduling.services.lessons import (
    Booking,
    NeedsConfirmation,
    cancel_lesson,
    new_lesson,
    update_lesson,
    validate_place,
)

log = logging.getLogger(__name__)
NO_PAD = timedelta(0)
SERIES_TYPES = tuple(t for t in LESSON_TYPES if t != "makeup")
EDITABLE = ("teacher", "room", "frequency", "day_of_week", "start_time", "duration_minutes",
            "end_date", "lesson_type", "location", "online_url", "rate", "notes")
SCHEDULE_FIELDS = ("teacher", "room", "frequency", "day_of_week", "start_time",
                   "duration_minutes", "end_date")


# ---------------------------------------------------------------- validation

def _validate_pattern(frequency, day_of_week, start_time, duration_minutes, start_date, end_date,
                      lesson_type):
    errors = validation.FieldErrors()
    errors.check("frequency", validation.choice, frequency, choices=FREQUENCIES)
    if day_of_week is None:
        errors.add("day_of_week", "Choose the day of the week.")
    elif isinstance(day_of_week, bool) or not isinstance(day_of_week, int) or not 0 <= day_of_week <= 6:
        errors.add("day_of_week", "Choose a day from monday to sunday.")
    if not isinstance(start_time, time):
        errors.add("time", "Enter the lesson's start time, like 16:00.")
    if start_date is None:
        errors.add("start_date", "Enter the date of the first lesson.")
    errors.check("lesson_type", validation.choice, lesson_type, choices=SERIES_TYPES)
    errors.raise_if_any()
    validate_duration_minutes(duration_minutes)
    if end_date is not None and end_date < start_date:
        raise ValidationFailed("The end date is before the start date.",
                               field_errors={"end_date": ["Must be on or after the start date."]})
    if end_date is not None and (end_date - start_date).days > recurrence.MAX_SERIES_DAYS:
        raise ValidationFailed(field_errors={"end_date": ["A series can run for at most three years; "
                                                          "leave the end date empty to keep it going."]})


def _planned(studio, pattern, first_day, until, *, today=None):
    """Occurrences of a pattern dict from first_day through until, closures skipped."""
    if until < first_day:
        return []
    closed = closed_checker(studio, first_day, until)
    try:
        return recurrence.occurrences(
            pattern["frequency"], pattern["day_of_week"], pattern["start_time"],
            timedelta(minutes=pattern["duration_minutes"]), pattern["start_date"], until,
            studio_zone(studio), closed=lambda day: closed(day) is not None, from_date=first_day,
        )
    except recurrence.NonexistentLocalTime as exc:
        day = exc.moment.date()
        raise ValidationFailed(
            f"{pattern['start_time']:%H:%M} does not exist on {day:%Y-%m-%d} in {studio.timezone}: "
            "the clocks move forward that night. Pick another time.",
            field_errors={"time": [f"{pattern['start_time']:%H:%M} does not exist on {day:%Y-%m-%d} "
                                   "(daylight saving time starts)."]},
        ) from exc


def _until(studio, series_end, today):
    """Generate through the end date, or through the rolling horizon without one."""
    return series_end if series_end is not None else recurrence.horizon(today)


def _pattern(series):
    return {name: getattr(series, name) for name in (
        "frequency", "day_of_week", "start_time", "duration_minutes", "start_date", "end_date")}


# ---------------------------------------------------------------- create

def create_series(studio, actor, placement: Placement, repeats: Pattern, *, today=None,
                  confirm_warnings=True):
    """Create a series of one student's lessons (`placement.students` holds that student)
    and its lessons. Every occurrence is checked first: when any clashes, nothing is created
    and the 409 names all clashes (each with its date). Warnings (such as the first lesson
    falling outside the teacher's availability) end up in `series.warnings`, or raise
    NeedsConfirmation with `confirm_warnings=False`."""
    teacher = resolve_teacher(studio, placement.teacher)
    if len(placement.students) > 1:
        raise ValidationFailed(field_errors={"student": ["A recurring pattern has one student."]})
    student = resolve_student(studio, placement.students[0] if placement.students else None)
    room = resolve_room(studio, placement.room)
    lesson_type, location, online_url = placement.lesson_type, placement.location, placement.online_url
    if lesson_type is None:
        lesson_type = student.default_lesson_type
    start_date, end_date, duration_minutes = repeats.start_date, repeats.end_date, repeats.duration_minutes
    _validate_pattern(repeats.frequency, repeats.day_of_week, repeats.start_time, duration_minutes,
                      start_date, end_date, lesson_type)
    validate_place(location, online_url)
    today = today or local_today(studio)
    pattern = repeats.as_dict()
    until = _until(studio, end_date, today)
    planned = _planned(studio, pattern, start_date, until)
    if end_date is not None and not planned:
        raise ValidationFailed("No lesson falls between the start and end dates (closures included).",
                               field_errors={"end_date": ["No lesson falls in this range."]})
    warnings = _first_warnings(studio, teacher, room, planned)
    if warnings and not confirm_warnings:
        raise NeedsConfirmation(warnings)
    lock_resources(studio, teacher_ids=[teacher.id], student_ids=[student.id],
                   room_ids=[room.id] if room else [])
    raise_if_clashes(find_clashes(
        studio, [(o.start, o.end, o.day) for o in planned], teacher_id=teacher.id,
        student_ids=[student.id], room_id=room.id if room else None,
    ), what="This series")
    rate = money(placement.rate)
    if rate is None:
        rate = default_rate(teacher, [student], duration_minutes)
    series = RecurringSeries(
        id=uuid.uuid4(), studio_id=studio.id, teacher_id=teacher.id, student_id=student.id,
        room_id=room.id if room else None, lesson_type=lesson_type, location=location or "",
        online_url=online_url or "", rate=rate, notes=placement.notes or "", generated_until=until,
        created_by_id=getattr(actor, "id", None), **pattern,
    )
    series.teacher, series.student, series.room = teacher, student, room
    db.session.add(series)
    each = _series_placement(series)
    lessons = [_occurrence_lesson(studio, actor, series, o, each) for o in planned]
    db.session.flush()
    series.warnings = warnings
    bell.series_scheduled(studio, actor, series, lessons)
    return series, lessons


def _first_warnings(studio, teacher, room, planned):
    """Availability and capacity are weekly, so the first occurrence speaks for all."""
    if not planned:
        return []
    first = planned[0]
    return booking_warnings(studio, teacher, first.start, first.end, room=room)


def _series_placement(series):
    """What every lesson of `series` is booked as (built once per series, not per lesson)."""
    return Placement(teacher=series.teacher, students=(series.student,),
                     lesson_type=series.lesson_type, room=series.room, location=series.location,
                     online_url=series.online_url, rate=series.rate, notes=series.notes)


def _occurrence_lesson(studio, actor, series, occurrence, placement):
    return new_lesson(studio, actor, placement, occurrence.start, occurrence.end, series=series,
                      occurrence_date=occurrence.day)


# ---------------------------------------------------------------- edit

def _series_lessons(series, from_day):
    return db.session.scalars(select(Lesson).where(
        Lesson.studio_id == series.studio_id, Lesson.series_id == series.id,
        Lesson.occurrence_date >= from_day,
    ).order_by(Lesson.start_at)).all()


def update_series(studio, actor, series, *, effective_from=None, today=None, **changes):
    """Change a series from `effective_from` (default: today) on. Untouched lessons move,
    change or disappear with the pattern; dates the new pattern adds get lessons; past,
    completed, cancelled, billed or individually edited lessons are never touched.
    A shortened end date cancels the scheduled lessons after it."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if not series.is_active:
        raise Conflict("This series has ended; create a new one instead.")
    today = today or local_today(studio)
    effective_from = max(effective_from or today, series.start_date)
    if "teacher" in changes:
        changes["teacher"] = resolve_teacher(studio, changes["teacher"])
    if "room" in changes:
        changes["room"] = resolve_room(studio, changes["room"])
    pattern = {**_pattern(series), **{k: v for k, v in changes.items() if k in _pattern(series)}}
    _validate_pattern(pattern["frequency"], pattern["day_of_week"], pattern["start_time"],
                      pattern["duration_minutes"], pattern["start_date"], pattern["end_date"],
                      changes.get("lesson_type", series.lesson_type))
    validate_place(changes.get("location", series.location), changes.get("online_url", series.online_url))
    teacher = changes.get("teacher", series.teacher)
    room = changes.get("room", series.room)
    until = pattern["end_date"] if pattern["end_date"] is not None else max(
        series.generated_until or today, recurrence.horizon(today))
    existing = _series_lessons(series, effective_from)
    untouched = {lesson.occurrence_date: lesson for lesson in existing if lesson.is_untouched}
    taken = {lesson.occurrence_date for lesson in existing if not lesson.is_untouched}
    planned = [o for o in _planned(studio, pattern, effective_from, until) if o.day not in taken]
    lock_resources(studio, teacher_ids=[teacher.id], student_ids=[series.student_id],
                   room_ids=[room.id] if room else [])
    raise_if_clashes(find_clashes(
        studio, [(o.start, o.end, o.day) for o in planned], teacher_id=teacher.id,
        student_ids=[series.student_id], room_id=room.id if room else None,
        exclude_lessons=[lesson.id for lesson in untouched.values()],
    ), what="The changed series")
    _apply_series_fields(series, changes, pattern, teacher, room)
    series.generated_until = until
    each = _series_placement(series)
    for occurrence in planned:
        lesson = untouched.pop(occurrence.day, None)
        if lesson is None:
            _occurrence_lesson(studio, actor, series, occurrence, each)
        else:
            _retime(lesson, series, occurrence)
    _drop_leftovers(studio, actor, series, untouched.values(), pattern["end_date"], existing)
    db.session.flush()
    return series


def _apply_series_fields(series, changes, pattern, teacher, room):
    for name, value in pattern.items():
        setattr(series, name, value)
    series.teacher, series.teacher_id = teacher, teacher.id
    series.room, series.room_id = room, room.id if room else None
    for name in ("lesson_type", "location", "online_url", "notes"):
        if name in changes:
            setattr(series, name, changes[name] or "")
    if "rate" in changes:
        series.rate = money(changes["rate"])


def _retime(lesson, series, occurrence):
    lesson.start_at, lesson.end_at = occurrence.start, occurrence.end
    lesson.teacher, lesson.teacher_id = series.teacher, series.teacher_id
    lesson.room, lesson.room_id = series.room, series.room_id
    for name in ("lesson_type", "location", "online_url", "rate", "notes"):
        setattr(lesson, name, getattr(series, name))


def _drop_leftovers(studio, actor, series, leftovers, end_date, existing):
    """Untouched lessons the new pattern no longer has are removed; after a shortened end
    date every scheduled, unbilled lesson is cancelled instead ("ending cancels")."""
    leftovers = list(leftovers)
    if end_date is not None:
        for lesson in existing:
            if lesson.occurrence_date > end_date and lesson.status == "scheduled" and not lesson.is_billed:
                # Not announced lesson by lesson: ending a series cancels up to months of them.
                cancel_lesson(studio, actor, lesson, "Series ended", initiated_by="studio",
                              notify=False)
        leftovers = [lesson for lesson in leftovers if lesson.occurrence_date <= end_date]
    for lesson in leftovers:
        db.session.delete(lesson)


def update_following(studio, actor, lesson, edit: LessonChanges, *, confirm_warnings=True):
    """"This and following": change the lesson's series from this lesson's occurrence on.
    A new start moves the pattern's weekday and time; a new end its duration. Returns the
    booking of the series' first lesson from that date."""

    changes = edit.given()
    start, end = changes.pop("start", None), changes.pop("end", None)
    students, lesson_type = changes.pop("students", None), changes.pop("lesson_type", None)
    if lesson.series is None:
        raise ValidationFailed(field_errors={"apply_to": ["This lesson is not part of a recurring pattern."]})
    if lesson.status != "scheduled":
        state = lesson.status.replace("_", "-")
        raise Conflict(f"This lesson is {state}; only scheduled lessons can be changed.")
    if students is not None or lesson_type is not None:
        raise ValidationFailed(field_errors={"apply_to": [
            "Students and lesson type change for this lesson only; edit the pattern for more."]})
    new_start = start or lesson.start_at
    new_end = end or new_start + (lesson.end_at - lesson.start_at)
    validate_interval(new_start, new_end)
    local = to_local(studio, new_start)
    pattern = {"day_of_week": local.weekday(), "start_time": local.time().replace(tzinfo=None),
               "duration_minutes": int((new_end - new_start).total_seconds() // 60)}
    effective_from = lesson.occurrence_date or to_local(studio, lesson.start_at).date()
    teacher = resolve_teacher(studio, changes["teacher"]) if "teacher" in changes else lesson.series.teacher
    warnings = booking_warnings(studio, teacher, new_start, new_end)
    if warnings and not confirm_warnings:
        raise NeedsConfirmation(warnings)
    if not lesson.is_untouched:
        update_lesson(studio, actor, lesson, LessonChanges(start=new_start, end=new_end, **changes))
    series = update_series(studio, actor, lesson.series, effective_from=effective_from,
                           **pattern, **changes)
    first = db.session.scalar(select(Lesson).where(
        Lesson.studio_id == studio.id, Lesson.series_id == series.id, Lesson.status == "scheduled",
        Lesson.occurrence_date >= effective_from,
    ).order_by(Lesson.start_at).limit(1))
    return Booking(first or lesson, warnings)


# ---------------------------------------------------------------- end

def end_series(studio, actor, series, *, now=None):
    """End a series today: its future scheduled lessons are cancelled; the past stays."""
    if not series.is_active:
        return series
    now = now or utcnow()
    today = local_today(studio, now)
    series.end_date = max(series.start_date, min(series.end_date or today, today))
    series.ended_at = now
    future = db.session.scalars(select(Lesson).where(
        Lesson.studio_id == studio.id, Lesson.series_id == series.id,
        Lesson.status == "scheduled", Lesson.start_at > now,
    )).all()
    for lesson in future:
        if not lesson.is_billed:
            # Not announced lesson by lesson: ending a series cancels up to months of them.
            cancel_lesson(studio, actor, lesson, "Series ended", initiated_by="studio", now=now,
                          notify=False)
    db.session.flush()
    return series


# ---------------------------------------------------------------- rolling horizon

def extend_series(studio, series, *, today=None):
    """Generate the occurrences between the series' horizon and today's horizon. Run by a
    job, so clashes and DST gaps skip that one occurrence (logged) instead of failing.
    Returns the new lessons' ids."""
    return extend_many(studio, [series], today=today)


def extend_many(studio, series_list, *, today=None, until=None):
    """Extend the horizon of many series of one studio at once (to `until`, by default
    today's horizon): one read of the bookings over the span they need, clashes checked in
    memory (lessons generated in this run included), new lessons and attendees inserted in
    bulk. Returns the new lessons' ids."""
    horizon = until or recurrence.horizon(today or local_today(studio))
    work = []
    for series in series_list:
        until = horizon if series.end_date is None else min(horizon, series.end_date)
        start = max(series.start_date, (series.generated_until or series.start_date - timedelta(days=1))
                    + timedelta(days=1))
        if series.is_active and start <= until:
            work.append((series, start, until))
    if not work:
        return []
    first_day, last_day = min(w[1] for w in work), max(w[2] for w in work)
    planner = _OccurrencePlanner(studio, closed_checker(studio, first_day, last_day))
    taken = _taken_occurrences(studio, [w[0].id for w in work], first_day)
    planned = [(series, [o for o in planner.occurrences(series, start, until)
                         if o.day not in taken.get(series.id, ())])
               for series, start, until in work]
    busy = _BookingsInSpan(studio, [o for _s, occurrences in planned for o in occurrences])
    now, jobs, candidates = utcnow(), [], []
    for series, occurrences in planned:
        attendee = {"studio_id": studio.id, "student_id": series.student_id, "attendance": "pending",
                    "created_at": now, "updated_at": now}
        # The series' template row, and its teacher's, student's and room's bookings, once.
        job = len(jobs)
        jobs.append((series.id, _row_template(studio, series, now), attendee, busy.of_series(series)))
        candidates += ((o.start, job, o) for o in occurrences)
    # In time order, so bookings join their lists at the end and the new lessons get ids in
    # the order of their start: every index on either takes them at its right edge.
    candidates.sort(key=itemgetter(0, 1))
    for series, _start, until in work:
        series.generated_until = until
    created = []
    write_batches(_new_rows(jobs, candidates, created))
    return created


GENERATED_BATCH = 20_000  # lessons per bulk insert


def _new_rows(jobs, candidates, created):
    """(model, rows) batches of the lessons and attendees of `candidates` that clash with
    nothing, in time order; their ids are added to `created`. Uses no session: on
    PostgreSQL it runs while the database writes the previous batch."""
    lesson_ids, attendee_ids = iter(uuid7s(len(candidates))), iter(uuid7s(len(candidates)))
    lessons, attendees = [], []
    for _start, job, occurrence in candidates:
        series_id, template, attendee, its = jobs[job]
        clashes = its.clashes(occurrence)
        if clashes:
            log.warning("series %s: %s skipped, it clashes with %s", series_id, occurrence.day,
                        [c.as_dict() for c in clashes])
            continue
        lesson_id = next(lesson_ids)
        lessons.append({**template, "id": lesson_id, "start_at": occurrence.start,
                        "end_at": occurrence.end, "occurrence_date": occurrence.day})
        attendees.append({**attendee, "id": next(attendee_ids), "lesson_id": lesson_id})
        its.add(occurrence, lesson_id)
        created.append(lesson_id)
        if len(lessons) == GENERATED_BATCH:
            yield Lesson, lessons
            yield LessonAttendee, attendees
            lessons, attendees = [], []
    if lessons:
        yield Lesson, lessons
        yield LessonAttendee, attendees



def _taken_occurrences(studio, series_ids, first_day):
    """{series id: {occurrence dates that already have a lesson}} from first_day on."""
    taken = {}
    for chunk in range(0, len(series_ids), 500):
        rows = db.session.execute(select(Lesson.series_id, Lesson.occurrence_date).where(
            Lesson.studio_id == studio.id, Lesson.series_id.in_(series_ids[chunk:chunk + 500]),
            Lesson.occurrence_date >= first_day,
        ))
        for series_id, day in rows:
            taken.setdefault(series_id, set()).add(day)
    return taken


def _row_template(studio, series, now):
    """The columns `new_lesson` would set that every lesson of the series shares."""
    return {
        "studio_id": studio.id, "teacher_id": series.teacher_id, "student_id": series.student_id,
        "room_id": series.room_id, "location": series.location or "", "online_url": series.online_url or "",
        "lesson_type": series.lesson_type, "status": "scheduled", "rate": money(series.rate),
        "notes": series.notes or "", "series_id": series.id, "is_exception": False, "created_by_id": None,
        "created_at": now, "updated_at": now,
    }


class _BookingsInSpan:
    """Every booking of a studio near a set of candidate times, by teacher, student and
    room, read with three queries and kept up to date as lessons are added."""

    def __init__(self, studio, candidates):
        self.pad = timedelta(minutes=studio.lesson_buffer_minutes or 0)
        self.busy = {"teacher": {}, "student": {}, "room": {}, "reservation": {}}
        if not candidates:
            return
        low = min(o.start for o in candidates) - self.pad - MAX_DURATION
        high = max(o.end for o in candidates) + self.pad
        live = (Lesson.studio_id == studio.id, Lesson.status != "cancelled",
                Lesson.start_at > low, Lesson.start_at < high)
        for row in db.session.execute(select(Lesson.id, Lesson.teacher_id, Lesson.room_id,
                                             Lesson.start_at, Lesson.end_at).where(*live)):
            self._append("teacher", row.teacher_id, (row.start_at, row.end_at, row.id, None, None))
            if row.room_id is not None:
                self._append("room", row.room_id, (row.start_at, row.end_at, row.id, None, None))
        for row in db.session.execute(select(Lesson.id, Lesson.start_at, Lesson.end_at,
                                             LessonAttendee.student_id)
                                      .join(LessonAttendee, LessonAttendee.lesson_id == Lesson.id)
                                      .where(LessonAttendee.studio_id == studio.id, *live)):
            self._append("student", row.student_id, (row.start_at, row.end_at, row.id, None, row.student_id))
        for row in db.session.execute(select(RoomReservation.id, RoomReservation.room_id,
                                             RoomReservation.start_at, RoomReservation.end_at).where(
                RoomReservation.studio_id == studio.id, RoomReservation.status == "confirmed",
                RoomReservation.start_at > low, RoomReservation.start_at < high)):
            self._append("reservation", row.room_id, (row.start_at, row.end_at, None, row.id, None))
        for kinds in self.busy.values():
            for busy in kinds.values():
                busy.finish()

    def _append(self, kind, key, item):
        self._busy(kind, key).items.append(item)

    def _busy(self, kind, key):
        busy = self.busy[kind].get(key)
        if busy is None:
            busy = self.busy[kind][key] = BusyTimes(kind)
        return busy

    def of_series(self, series):
        return _SeriesBookings(self, series.teacher_id, series.student_id, series.room_id)


class _SeriesBookings:
    """What one series' new lessons must not overlap: its teacher's, its student's and its
    room's bookings (the series' own new lessons included as they are added)."""

    def __init__(self, bookings, teacher_id, student_id, room_id):
        self.pad, self.student_id = bookings.pad, student_id
        self.teacher = bookings._busy("teacher", teacher_id)
        self.student = bookings._busy("student", student_id)
        self.room = self.reservations = None
        if room_id is not None:
            self.room = bookings._busy("room", room_id)
            self.reservations = bookings._busy("reservation", room_id)

    def clashes(self, occurrence):
        day, start, end = occurrence
        found = self.teacher.overlapping(start, end, self.pad, day)
        found += self.student.overlapping(start, end, NO_PAD, day)
        if self.room is not None:
            found += self.room.overlapping(start, end, self.pad, day)
            found += [Clash("room", c.start, c.end, None, c.reservation_id, None, day)
                      for c in self.reservations.overlapping(start, end, NO_PAD, day)]
        return found

    def add(self, occurrence, lesson_id):
        item = (occurrence.start, occurrence.end, lesson_id, None, None)
        self.teacher.add(item)
        self.student.add((*item[:4], self.student_id))
        if self.room is not None:
            self.room.add(item)


class _OccurrencePlanner:
    """The occurrences of many series of one studio. Series that share a pattern (the same
    frequency, weekday and dates) share one recurrence rule, and series that share a
    wall-clock time and length share each day's occurrence: thousands of weekly lessons
    come from a few dozen distinct slots."""

    def __init__(self, studio, closed):
        self.tz = studio_zone(studio)
        self.closed = closed
        self._dates, self._slots = {}, {}

    def occurrences(self, series, start, until):
        key = (series.frequency, series.day_of_week, series.start_date, until)
        days = self._dates.get(key)
        if days is None:
            days = self._dates[key] = [
                day for day in recurrence.occurrence_dates(*key) if self.closed(day) is None]
        wall_time, duration = series.start_time, series.duration
        for day in days[bisect.bisect_left(days, start):]:
            occurrence = self._occurrence(day, wall_time, duration)
            if occurrence is None:
                log.warning("series %s: %s skipped, %s falls into a DST gap", series.id, day, wall_time)
                continue
            yield occurrence

    def _occurrence(self, day, wall_time, duration):
        """The occurrence at `wall_time` on `day`, None in a DST gap."""
        key = (day, wall_time, duration)
        if key not in self._slots:
            try:
                begin = recurrence.local_to_utc(day, wall_time, self.tz)
                self._slots[key] = recurrence.Occurrence(day, begin, begin + duration)
            except recurrence.NonexistentLocalTime:
                self._slots[key] = None
        return self._slots[key]


def extend_all_series(now=None):
    """The horizon job: extend every active series of every studio. Returns lessons created."""
    created = 0
    for studio in db.session.scalars(select(Studio)).all():
        today = local_today(studio, now)
        horizon = recurrence.horizon(today)
        due = db.session.scalars(select(RecurringSeries).where(
            RecurringSeries.studio_id == studio.id, RecurringSeries.ended_at.is_(None),
            RecurringSeries.generated_until < horizon,
            or_(RecurringSeries.end_date.is_(None),
                RecurringSeries.end_date > RecurringSeries.generated_until),
        )).all()
        created += len(extend_many(studio, due, today=today))
    return created
