"""The demo studio shows scheduling in use (SPEC §6)."""
from sqlalchemy import func, select

from app.core.db import utcnow
from app.demo import seed
from app.extensions import db
from app.people.models import Student
from app.scheduling.models import (
    CancellationRequest,
    Lesson,
    LessonAttendee,
    MakeupCredit,
    RecurringSeries,
    Room,
    RoomReservation,
    StudioClosure,
)


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_has_rooms_closures_series_and_a_lived_in_calendar(ctx):
    studio = seed()
    db.session.flush()
    now = utcnow()
    mine = Lesson.studio_id == studio.id
    assert _count(Room, Room.studio_id == studio.id) >= 5
    assert _count(StudioClosure, StudioClosure.studio_id == studio.id) >= 1
    assert _count(RecurringSeries, RecurringSeries.studio_id == studio.id) >= 15
    assert _count(Lesson, mine, Lesson.start_at < now, Lesson.status == "completed") > 50
    assert _count(Lesson, mine, Lesson.status == "cancelled") >= 3
    assert _count(Lesson, mine, Lesson.status == "no_show") == 1
    assert _count(Lesson, mine, Lesson.start_at > now, Lesson.status == "scheduled") > 100
    assert _count(Lesson, mine, Lesson.lesson_type == "group") == 1
    assert _count(MakeupCredit, MakeupCredit.studio_id == studio.id) >= 1
    assert _count(CancellationRequest, CancellationRequest.status == "pending") == 1
    assert _count(RoomReservation, RoomReservation.studio_id == studio.id) == 1
    bennetts = db.session.scalars(select(Student).where(Student.studio_id == studio.id,
                                                        Student.last_name == "Bennett")).all()
    for child in bennetts:
        taught = db.session.scalars(select(Lesson).join(LessonAttendee).where(
            LessonAttendee.student_id == child.id, Lesson.series_id.is_not(None))).all()
        assert taught and {lesson.teacher.user.email for lesson in taught} == {"teacher@demo.test"}
