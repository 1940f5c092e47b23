"""Conflict detection: a teacher, any student or a room booked twice at once (SPEC §3).

One check covers any number of candidate times (a single lesson, or every occurrence of a
new series) with four queries: the teacher's, the students' and the room's lessons and the
room's reservations near the candidates. Each query asks only for bookings that overlap one
of the candidate windows (an OR of index ranges), so a busy teacher's year of lessons is
never read to place a new weekly series. Cancelled lessons and reservations never conflict.
The studio's buffer minutes keep a teacher's and a room's lessons apart.
"""
import bisect
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, or_, select

from app.core.errors import Conflict as ConflictError
from app.core.schemas import UTC_FORMAT
from app.extensions import db
from app.scheduling.models import MAX_DURATION, Lesson, LessonAttendee, RoomReservation


@dataclass(frozen=True)
class Clash:
    """One conflict: what clashes (teacher/student/room) with which lesson or reservation."""

    type: str
    start: object
    end: object
    lesson_id: object = None
    reservation_id: object = None
    student_id: object = None
    day: object = None  # the candidate's occurrence date, for series

    def as_dict(self):
        data = {"type": self.type}
        if self.lesson_id is not None:
            data["lesson_id"] = str(self.lesson_id)
        if self.reservation_id is not None:
            data["reservation_id"] = str(self.reservation_id)
        if self.student_id is not None:
            data["student_id"] = str(self.student_id)
        data["scheduled_start"] = self.start.strftime(UTC_FORMAT)
        data["scheduled_end"] = self.end.strftime(UTC_FORMAT)
        if self.day is not None:
            data["date"] = self.day.isoformat()
        return data


class BookingConflict(ConflictError):
    """409: the time clashes with other bookings. It carries the Clash objects: the API
    answers them as SPEC's `conflicts` list, pages describe them in words."""

    def __init__(self, detail, clashes):
        self.clashes = tuple(clashes)
        super().__init__(detail, extra={"conflicts": [c.as_dict() for c in self.clashes]})


@dataclass
class BusyTimes:
    """Busy intervals of one kind, sorted by start, searchable by time."""

    kind: str
    items: list = field(default_factory=list)  # (start, end, lesson_id, reservation_id, student_id)
    starts: list = field(default_factory=list)
    longest: timedelta = timedelta(0)  # the longest interval: how far back an overlap may start

    def finish(self):
        self.items.sort(key=lambda item: item[0])
        self.starts = [item[0] for item in self.items]
        self.longest = max((item[1] - item[0] for item in self.items), default=timedelta(0))

    def add(self, item):
        """Insert a booking in start order."""
        at = bisect.bisect_right(self.starts, item[0])
        self.starts.insert(at, item[0])
        self.items.insert(at, item)
        self.longest = max(self.longest, item[1] - item[0])

    def overlapping(self, start, end, pad, day):
        # Anything overlapping starts before end + pad and after start - pad - its duration.
        after, before = start - pad, end + pad
        lo = bisect.bisect_right(self.starts, after - self.longest)
        hi = bisect.bisect_left(self.starts, before)
        if lo >= hi:  # most candidates of a generated year: nothing near
            return []
        return [Clash(self.kind, b_start, b_end, lesson_id, reservation_id, student_id, day)
                for b_start, b_end, lesson_id, reservation_id, student_id in self.items[lo:hi]
                if b_start < before and b_end > after]


def merged_windows(candidates, pad):
    """[(earliest start, latest start, earliest end)] of what may overlap the candidates:
    a booking overlaps (start, end) when it starts before end + pad and ends after
    start - pad, so it starts after start - pad - MAX_DURATION. Touching windows merge."""
    windows = []
    for start, end, _day in sorted(candidates, key=lambda c: c[0]):
        low, high, ends_after = start - pad - MAX_DURATION, end + pad, start - pad
        if windows and low <= windows[-1][1]:
            previous = windows[-1]
            windows[-1] = (previous[0], max(previous[1], high), min(previous[2], ends_after))
        else:
            windows.append((low, high, ends_after))
    return windows


def _near(column_start, column_end, windows):
    return or_(*(and_(column_start > low, column_start < high, column_end > ends_after)
                 for low, high, ends_after in windows))


def _lesson_rows(studio, windows, exclude):
    stmt = select(Lesson.id, Lesson.start_at, Lesson.end_at).where(
        Lesson.studio_id == studio.id, Lesson.status != "cancelled",
        _near(Lesson.start_at, Lesson.end_at, windows),
    )
    if exclude:
        stmt = stmt.where(Lesson.id.not_in(list(exclude)))
    return stmt


def _collect(studio, windows, *, teacher_id, student_ids, room_id, exclude_lessons,
             exclude_reservations):
    busy = {kind: BusyTimes(kind) for kind in ("teacher", "student", "room", "reservation")}
    if teacher_id:
        stmt = _lesson_rows(studio, windows, exclude_lessons)
        for row in db.session.execute(stmt.where(Lesson.teacher_id == teacher_id)):
            busy["teacher"].items.append((row.start_at, row.end_at, row.id, None, None))
    if student_ids:
        stmt = _lesson_rows(studio, windows, exclude_lessons).join(
            LessonAttendee, LessonAttendee.lesson_id == Lesson.id
        ).add_columns(LessonAttendee.student_id).where(
            LessonAttendee.studio_id == studio.id, LessonAttendee.student_id.in_(list(student_ids))
        )
        for row in db.session.execute(stmt):
            busy["student"].items.append((row.start_at, row.end_at, row.id, None, row.student_id))
    if room_id:
        stmt = _lesson_rows(studio, windows, exclude_lessons)
        for row in db.session.execute(stmt.where(Lesson.room_id == room_id)):
            busy["room"].items.append((row.start_at, row.end_at, row.id, None, None))
        stmt = select(RoomReservation.id, RoomReservation.start_at, RoomReservation.end_at).where(
            RoomReservation.studio_id == studio.id, RoomReservation.room_id == room_id,
            RoomReservation.status == "confirmed",
            _near(RoomReservation.start_at, RoomReservation.end_at, windows),
        )
        if exclude_reservations:
            stmt = stmt.where(RoomReservation.id.not_in(list(exclude_reservations)))
        for row in db.session.execute(stmt):
            busy["reservation"].items.append((row.start_at, row.end_at, None, row.id, None))
    for kind in busy.values():
        kind.finish()
    return busy


def find_clashes(studio, candidates, *, teacher_id=None, student_ids=(), room_id=None,
                 exclude_lessons=(), exclude_reservations=(), buffered=True):
    """All clashes of `candidates` [(start, end, day-or-None), ...], in candidate order.

    `buffered` applies the studio's buffer minutes between lessons of the same teacher or
    room (room reservations are for practice and need no changeover).
    """
    if not candidates:
        return []
    pad = timedelta(minutes=studio.lesson_buffer_minutes or 0) if buffered else timedelta(0)
    busy = _collect(studio, merged_windows(candidates, pad), teacher_id=teacher_id, student_ids=student_ids,
                    room_id=room_id, exclude_lessons=exclude_lessons,
                    exclude_reservations=exclude_reservations)
    clashes = []
    for start, end, day in candidates:
        clashes.extend(busy["teacher"].overlapping(start, end, pad, day))
        clashes.extend(busy["student"].overlapping(start, end, timedelta(0), day))
        clashes.extend(busy["room"].overlapping(start, end, pad, day))
        for clash in busy["reservation"].overlapping(start, end, timedelta(0), day):
            clashes.append(Clash("room", clash.start, clash.end, None, clash.reservation_id,
                                 None, day))
    return clashes


def raise_if_clashes(clashes, what="This time"):
    """409 naming every clash: {"detail", "code": "CONFLICT", "conflicts": [...]}."""
    if not clashes:
        return
    kinds = sorted({c.type for c in clashes}, key=("teacher", "student", "room").index)
    detail = f"{what} conflicts with other bookings ({', '.join(kinds)})."
    raise BookingConflict(detail, clashes)
