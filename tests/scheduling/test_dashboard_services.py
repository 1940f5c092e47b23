"""The staff dashboard's scheduling side: today's agenda in the studio's day, lessons waiting
for attendance, bulk "mark all present", and open cancellation requests."""
from datetime import date, timedelta

import pytest
import time_machine

from app.core.errors import Conflict, NotFound, PermissionDenied
from app.core.tenancy import Principal
from app.extensions import db
from app.scheduling import services
from app.scheduling.access import managed_lessons
from app.scheduling.dashboard import group_by_day, staff_context

DAY = date(2030, 3, 5)  # a Tuesday, New York on UTC-5


def _principal(sched, user, role):
    return Principal(user=user, studio=sched.studio, role=role)


def _lesson(sched, day, hour, teacher=None, students=None, **fields):
    return sched.make.lesson(sched.studio, teacher or sched.teacher, students or [sched.student],
                             start=sched.at(day, hour), **fields)


def test_the_agenda_is_the_studios_local_day(sched):
    late_evening = _lesson(sched, DAY, 22)  # 03:00 UTC on the 6th
    next_morning = _lesson(sched, DAY + timedelta(days=1), 9)
    previous_night = _lesson(sched, DAY - timedelta(days=1), 20)  # 01:00 UTC on the 5th
    admin = _principal(sched, sched.admin, "admin")
    with time_machine.travel(sched.at(DAY, 23, 30)):  # already the 6th in UTC
        context = staff_context(admin)
    assert context["today"] == DAY
    assert context["today_lessons"] == [late_evening]
    assert next_morning not in context["today_lessons"] and previous_night not in context["today_lessons"]


def test_missing_attendance_is_ended_scheduled_unbilled_lessons_by_day_and_teacher(sched):
    ended = _lesson(sched, DAY, 9)
    colleague = _lesson(sched, DAY, 10, teacher=sched.other_teacher, students=[sched.sibling])
    yesterday = _lesson(sched, DAY - timedelta(days=1), 15)
    _lesson(sched, DAY, 13)  # still to come today
    _lesson(sched, DAY - timedelta(days=2), 9, status="completed")
    _lesson(sched, DAY - timedelta(days=2), 10, status="cancelled")
    billed = _lesson(sched, DAY - timedelta(days=2), 11)
    billed.billed_line_item_id = billed.id
    _lesson(sched, DAY - timedelta(days=30), 9)  # older than the window
    db.session.flush()
    admin = _principal(sched, sched.admin, "admin")
    now = sched.at(DAY, 12)
    lessons, older = services.missing_attendance(admin, now, days=14)
    assert lessons == [yesterday, ended, colleague] and older == 1
    days = group_by_day(sched.studio, lessons)
    assert [d.day for d in days] == [DAY, DAY - timedelta(days=1)]
    assert [(teacher.id, items) for teacher, items in days[0].teachers] == [
        (sched.other_teacher.id, [colleague]), (sched.teacher.id, [ended])]  # Clara before Theo
    mine, _ = services.missing_attendance(admin, now, teacher_id=sched.teacher.id, days=14)
    assert mine == [yesterday, ended]


def test_a_teachers_dashboard_holds_only_their_own_lessons(sched, make):
    own = _lesson(sched, DAY, 9)
    _lesson(sched, DAY, 10, teacher=sched.other_teacher, students=[sched.sibling])
    theirs_today = _lesson(sched, DAY, 15, teacher=sched.other_teacher, students=[sched.sibling])
    own_later = _lesson(sched, DAY, 16)
    own_request_lesson = _lesson(sched, DAY + timedelta(days=3), 9)
    other_request_lesson = _lesson(sched, DAY + timedelta(days=3), 10, teacher=sched.other_teacher,
                                   students=[sched.sibling])
    with time_machine.travel(sched.at(DAY - timedelta(days=1), 9)):
        mine = services.request_cancellation(sched.studio, sched.parent, own_request_lesson, "Trip")
        services.request_cancellation(sched.studio, sched.parent, other_request_lesson, "Trip")
    teacher = _principal(sched, sched.teacher.user, "teacher")
    with time_machine.travel(sched.at(DAY, 12)):
        context = staff_context(teacher)
    assert context["today_lessons"] == [own, own_later]
    assert theirs_today not in context["today_lessons"]
    assert [d.lessons for d in context["attendance_days"]] == [[own]]
    assert context["requests"] == [mine] and context["requests_count"] == 1
    with time_machine.travel(sched.at(DAY, 12)):
        admin_context = staff_context(_principal(sched, sched.admin, "admin"))
    assert admin_context["requests_count"] == 2 and len(admin_context["today_lessons"]) == 4


def test_mark_present_marks_exactly_the_lessons_given(sched):
    group = _lesson(sched, DAY, 9, students=[sched.student, sched.sibling], lesson_type="group")
    single = _lesson(sched, DAY, 11)
    left_alone = _lesson(sched, DAY, 10, teacher=sched.other_teacher, students=[sched.sibling])
    no_show = _lesson(sched, DAY - timedelta(days=1), 9)
    with time_machine.travel(sched.at(DAY, 12)):
        services.mark_no_show(sched.studio, sched.admin, no_show)
        marked = services.mark_present(sched.studio, sched.admin, [group, single, no_show])
    assert marked == [group, single]
    assert group.status == single.status == "completed"
    assert group.attendance_taken_at is not None
    assert {a.attendance for a in group.attendees} == {"present"}
    assert no_show.status == "no_show" and no_show.attendees[0].attendance == "absent"
    assert left_alone.status == "scheduled" and left_alone.attendees[0].attendance == "pending"


def test_mark_present_is_all_or_nothing(sched):
    ended = _lesson(sched, DAY, 9)
    tomorrow = _lesson(sched, DAY + timedelta(days=1), 9)
    with time_machine.travel(sched.at(DAY, 12)), pytest.raises(Conflict):
        services.mark_present(sched.studio, sched.admin, [ended, tomorrow])
    assert ended.status == "scheduled" and ended.attendance_taken_at is None
    billed = _lesson(sched, DAY, 10)
    billed.billed_line_item_id = billed.id
    with time_machine.travel(sched.at(DAY, 12)), pytest.raises(Conflict):
        services.mark_present(sched.studio, sched.admin, [ended, billed])
    assert ended.status == "scheduled"


def test_a_teacher_may_bulk_mark_only_their_own_lessons(app, sched, make):
    own = _lesson(sched, DAY, 9)
    colleague = _lesson(sched, DAY, 10, teacher=sched.other_teacher, students=[sched.sibling])
    foreign_studio = make.studio(name="Elsewhere")
    foreign = make.lesson(foreign_studio, make.teacher(foreign_studio), [make.student(foreign_studio)])
    db.session.flush()
    from flask import g

    g.web_principal = _principal(sched, sched.teacher.user, "teacher")
    assert managed_lessons([str(own.id)]) == [own]
    with pytest.raises(PermissionDenied):
        managed_lessons([str(own.id), str(colleague.id)])
    with pytest.raises(NotFound):
        managed_lessons([str(own.id), str(foreign.id)])
    with pytest.raises(NotFound):
        managed_lessons([str(own.id), "not-an-id"])
    with pytest.raises(NotFound):
        managed_lessons([])
    g.web_principal = _principal(sched, sched.admin, "admin")
    assert managed_lessons([str(colleague.id), str(own.id)]) == [own, colleague]
