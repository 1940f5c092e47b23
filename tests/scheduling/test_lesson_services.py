"""Lessons: the conflict matrix, bad input, cancel policy, reschedule, attendance, make-ups."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.messaging.models import OutboxEmail
from app.people.models import TeacherAvailability
from app.scheduling import services
from app.scheduling.models import MakeupCredit

DAY = date(2030, 3, 5)  # a Tuesday in the future, before that year's DST change (UTC-5)


def _book(s, teacher=None, students=None, start=None, minutes=30, makeup_credit=None,
          confirm_warnings=True, **fields):
    start = start or s.at(DAY, 16)
    placement = services.Placement(teacher=teacher or s.teacher, students=tuple(students or [s.student]),
                                   **fields)
    return services.schedule_lesson(s.studio, s.admin, placement, start=start,
                                    end=start + timedelta(minutes=minutes), makeup_credit=makeup_credit,
                                    confirm_warnings=confirm_warnings)


# ---------------------------------------------------------------- conflicts


@pytest.mark.parametrize(
    "who, expected",
    [
        ("same teacher", "teacher"),
        ("same student", "student"),
        ("same room", "room"),
    ],
)
def test_overlaps_are_refused_and_named(sched, who, expected):
    existing = _book(sched, room=sched.room).lesson
    other = {
        "same teacher": {"students": [sched.sibling]},
        "same student": {"teacher": sched.other_teacher},
        "same room": {"teacher": sched.other_teacher, "students": [sched.sibling], "room": sched.room},
    }[who]
    with pytest.raises(Conflict) as caught:
        _book(sched, start=sched.at(DAY, 16, 15), **other)
    assert caught.value.extra["conflicts"][0]["type"] == expected
    assert caught.value.extra["conflicts"][0]["lesson_id"] == str(existing.id)


def test_a_group_lesson_clashes_with_any_of_its_students(sched):
    _book(sched, teacher=sched.other_teacher, students=[sched.sibling])
    with pytest.raises(Conflict) as caught:
        _book(sched, students=[sched.student, sched.sibling], lesson_type="group")
    assert [(c["type"], c["student_id"]) for c in caught.value.extra["conflicts"]] == [
        ("student", str(sched.sibling.id))
    ]


def test_back_to_back_lessons_do_not_clash(sched):
    _book(sched)
    _book(sched, start=sched.at(DAY, 16, 30), students=[sched.sibling])


def test_the_studio_buffer_keeps_a_teachers_lessons_apart(sched):
    sched.studio.lesson_buffer_minutes = 10
    _book(sched)
    with pytest.raises(Conflict):
        _book(sched, start=sched.at(DAY, 16, 35), students=[sched.sibling])
    _book(sched, start=sched.at(DAY, 16, 40), students=[sched.sibling])
    # A student may go straight from one teacher to another.
    _book(sched, start=sched.at(DAY, 16, 30), teacher=sched.other_teacher)


def test_cancelled_lessons_never_conflict(sched):
    lesson = _book(sched, room=sched.room).lesson
    services.cancel_lesson(sched.studio, sched.admin, lesson, "Sick")
    _book(sched, room=sched.room)


def test_a_room_reservation_blocks_lessons_in_that_room(sched):
    sched.room.is_bookable = True
    reservation = services.reserve_room(
        sched.studio, sched.admin, room=sched.room, start=sched.at(DAY, 16), end=sched.at(DAY, 17)
    )
    with pytest.raises(Conflict) as caught:
        _book(sched, room=sched.room)
    assert caught.value.extra["conflicts"] == [
        {
            "type": "room",
            "reservation_id": str(reservation.id),
            "scheduled_start": "2030-03-05T21:00:00Z",
            "scheduled_end": "2030-03-05T22:00:00Z",
        }
    ]


def test_a_location_naming_a_room_books_that_room(sched):
    lesson = _book(sched, location="room a").lesson
    assert lesson.room_id == sched.room.id and lesson.location == ""


@pytest.mark.parametrize("minutes", [0, -30, 3, 13 * 60, 24 * 60 + 1])
def test_bad_durations_are_refused(sched, minutes):
    with pytest.raises(ValidationFailed):
        _book(sched, minutes=minutes)


def test_private_lessons_have_exactly_one_student(sched):
    with pytest.raises(ValidationFailed) as caught:
        _book(sched, students=[sched.student, sched.sibling], lesson_type="private")
    assert "students" in caught.value.field_errors


def test_several_students_without_a_type_make_a_group_lesson(sched):
    assert _book(sched, students=[sched.student, sched.sibling]).lesson.lesson_type == "group"


@pytest.mark.parametrize(
    "field, value", [("teacher", "nope"), ("room", "00000000-0000-0000-0000-000000000000")]
)
def test_unknown_references_are_field_errors(sched, field, value):
    with pytest.raises(ValidationFailed) as caught:
        _book(sched, **{field: value})
    assert list(caught.value.field_errors) == [field]


def test_a_student_of_another_studio_is_unknown(sched, make):
    other = make.student(make.studio())
    with pytest.raises(ValidationFailed) as caught:
        _book(sched, students=[other.id])
    assert caught.value.field_errors == {"student": ["Unknown student."]}


# ---------------------------------------------------------------- availability


def test_booking_outside_availability_warns_but_books(sched):
    db.session.add(
        TeacherAvailability(
            studio_id=sched.studio.id,
            teacher_id=sched.teacher.id,
            weekday=1,
            start_time=time(15),
            end_time=time(18),
        )
    )
    inside = _book(sched)
    assert inside.warnings == []
    outside = _book(sched, start=sched.at(DAY, 19), students=[sched.sibling])
    assert outside.lesson.id and "outside Theo Marsh's availability" in outside.warnings[0]
    with pytest.raises(services.NeedsConfirmation):
        _book(sched, start=sched.at(DAY, 20), students=[sched.sibling], confirm_warnings=False)


def test_free_slots_avoid_lessons_and_closed_days(sched):
    db.session.add(
        TeacherAvailability(
            studio_id=sched.studio.id,
            teacher_id=sched.teacher.id,
            weekday=1,
            start_time=time(15),
            end_time=time(17),
        )
    )
    _book(sched, start=sched.at(DAY, 15, 30))
    sched.make.closure(sched.studio, DAY + timedelta(weeks=1))
    slots = services.free_slots(sched.studio, sched.teacher, DAY, DAY + timedelta(weeks=1), 30)
    local = [s.astimezone(sched.tz).strftime("%a %H:%M") for s, _e in slots]
    assert local == ["Tue 15:00", "Tue 16:00", "Tue 16:30"]


# ---------------------------------------------------------------- cancel


def test_cancelling_with_notice_costs_nothing(sched):
    lesson = _book(sched).lesson
    with time_machine.travel(lesson.start_at - timedelta(days=3)):
        services.cancel_lesson(sched.studio, sched.parent, lesson, "Holiday")
    assert (lesson.status, lesson.cancellation_outcome, lesson.cancellation_reason) == (
        "cancelled",
        "no_charge",
        "Holiday",
    )
    assert db.session.scalar(select(MakeupCredit.id)) is None


def test_a_late_cancellation_earns_a_makeup_credit_that_expires(sched):
    lesson = _book(sched).lesson
    with time_machine.travel(lesson.start_at - timedelta(hours=2)):
        services.cancel_lesson(sched.studio, sched.admin, lesson, "Sick")
    credit = db.session.scalar(select(MakeupCredit))
    assert lesson.cancellation_outcome == "makeup_credit"
    assert (credit.family_id, credit.student_id, credit.source_lesson_id) == (
        sched.family.id,
        sched.student.id,
        lesson.id,
    )
    assert credit.expires_at - lesson.cancelled_at == timedelta(days=sched.studio.makeup_credit_expiry_days)


def test_a_late_cancellation_is_charged_when_credits_are_off(sched):
    sched.studio.makeup_credits_enabled = False
    lesson = _book(sched).lesson
    with time_machine.travel(lesson.start_at - timedelta(hours=2)):
        services.cancel_lesson(sched.studio, sched.admin, lesson, "Forgot")
    assert lesson.cancellation_outcome == "charged"


def test_the_studio_cancelling_late_never_charges(sched):
    lesson = _book(sched).lesson
    with time_machine.travel(lesson.start_at - timedelta(hours=2)):
        services.cancel_lesson(sched.studio, sched.admin, lesson, "Teacher ill", initiated_by="studio")
    assert lesson.cancellation_outcome == "no_charge"


def test_only_scheduled_lessons_can_be_cancelled(sched):
    lesson = _book(sched).lesson
    services.cancel_lesson(sched.studio, sched.admin, lesson)
    with pytest.raises(Conflict):
        services.cancel_lesson(sched.studio, sched.admin, lesson)


# ---------------------------------------------------------------- make-up lessons


def test_a_makeup_lesson_uses_the_credit_and_cancelling_it_gives_it_back(sched):
    lesson = _book(sched).lesson
    with time_machine.travel(lesson.start_at - timedelta(hours=2)):
        services.cancel_lesson(sched.studio, sched.admin, lesson, "Sick")
    credit = db.session.scalar(select(MakeupCredit))
    makeup = _book(
        sched, start=sched.at(DAY + timedelta(days=2), 16), lesson_type="makeup", makeup_credit=credit.id
    ).lesson
    assert credit.used_by_lesson_id == makeup.id and makeup.rate == Decimal("0.00")
    with pytest.raises(ValidationFailed):
        _book(
            sched, start=sched.at(DAY + timedelta(days=3), 16), lesson_type="makeup", makeup_credit=credit.id
        )
    services.cancel_lesson(sched.studio, sched.admin, makeup, "Still sick")
    assert credit.used_by_lesson_id is None and makeup.cancellation_outcome == "no_charge"


def test_a_lesson_that_uses_a_credit_is_a_makeup_lesson_whatever_its_type_said(sched):
    lesson = _book(sched).lesson
    with time_machine.travel(lesson.start_at - timedelta(hours=2)):
        services.cancel_lesson(sched.studio, sched.admin, lesson, "Sick")
    credit = db.session.scalar(select(MakeupCredit))
    makeup = _book(sched, start=sched.at(DAY + timedelta(days=2), 16), lesson_type="private",
                   makeup_credit=credit.id).lesson
    assert makeup.lesson_type == "makeup" and credit.used_by_lesson_id == makeup.id


def test_a_credit_is_for_its_own_student(sched):
    lesson = _book(sched).lesson
    with time_machine.travel(lesson.start_at - timedelta(hours=2)):
        services.cancel_lesson(sched.studio, sched.admin, lesson, "Sick")
    credit = db.session.scalar(select(MakeupCredit))
    with pytest.raises(ValidationFailed):
        _book(sched, students=[sched.sibling], lesson_type="makeup", makeup_credit=credit.id)


# ---------------------------------------------------------------- reschedule


def test_rescheduling_creates_the_new_lesson_and_frees_the_old_slot(sched):
    old = _book(sched, room=sched.room).lesson
    new = services.reschedule_lesson(sched.studio, sched.admin, old, start=sched.at(DAY, 18)).lesson
    assert new.rescheduled_from_id == old.id and new.duration_minutes == 30 and new.room_id == sched.room.id
    assert (old.status, old.cancellation_reason, old.cancellation_outcome) == (
        "cancelled",
        "rescheduled",
        "no_charge",
    )
    _book(sched, students=[sched.sibling], room=sched.room)  # the old slot is free


def test_a_reschedule_onto_a_busy_time_changes_nothing(sched):
    old = _book(sched).lesson
    _book(sched, start=sched.at(DAY, 18), students=[sched.sibling])
    with pytest.raises(Conflict):
        services.reschedule_lesson(sched.studio, sched.admin, old, start=sched.at(DAY, 18, 15))
    assert old.status == "scheduled"


def test_a_cancelled_lesson_cannot_be_rescheduled(sched):
    old = _book(sched).lesson
    services.cancel_lesson(sched.studio, sched.admin, old)
    with pytest.raises(Conflict):
        services.reschedule_lesson(sched.studio, sched.admin, old, start=sched.at(DAY, 18))


def test_rescheduling_onto_its_own_time_shifted_slightly_is_fine(sched):
    old = _book(sched).lesson
    new = services.reschedule_lesson(sched.studio, sched.admin, old, start=sched.at(DAY, 16, 15)).lesson
    assert new.start_at == sched.at(DAY, 16, 15)


# ---------------------------------------------------------------- attendance


def test_group_attendance_is_per_student(sched):
    lesson = _book(sched, students=[sched.student, sched.sibling], lesson_type="group").lesson
    with time_machine.travel(lesson.end_at):
        services.complete_lesson(sched.studio, sched.teacher.user, lesson, {sched.sibling.id: "absent"})
    assert lesson.status == "completed"
    assert {a.student_id: a.attendance for a in lesson.attendees} == {
        sched.student.id: "present",
        sched.sibling.id: "absent",
    }


def test_attendance_is_refused_before_the_lessons_day_and_for_cancelled_lessons(sched):
    lesson = _book(sched).lesson
    with time_machine.travel(lesson.start_at - timedelta(days=2)), pytest.raises(Conflict):
        services.complete_lesson(sched.studio, sched.admin, lesson)
    services.cancel_lesson(sched.studio, sched.admin, lesson)
    with time_machine.travel(lesson.end_at), pytest.raises(Conflict):
        services.mark_no_show(sched.studio, sched.admin, lesson)


def test_no_show_and_undo(sched):
    lesson = _book(sched).lesson
    with time_machine.travel(lesson.end_at):
        services.mark_no_show(sched.studio, sched.admin, lesson)
        assert lesson.status == "no_show" and lesson.attendees[0].attendance == "absent"
        services.reopen_lesson(sched.studio, sched.admin, lesson)
    assert lesson.status == "scheduled" and lesson.attendees[0].attendance == "pending"


def test_billed_lessons_are_never_changed(sched):
    lesson = _book(sched).lesson
    lesson.billed_line_item_id = lesson.id
    with pytest.raises(Conflict):
        services.cancel_lesson(sched.studio, sched.admin, lesson)
    with pytest.raises(Conflict):
        services.update_lesson(sched.studio, sched.admin, lesson,
                               services.LessonChanges(start=sched.at(DAY, 18)))


# ---------------------------------------------------------------- requests and reminders


def test_a_parents_request_uses_the_time_it_was_made(sched):
    lesson = _book(sched).lesson
    with time_machine.travel(lesson.start_at - timedelta(days=2)):
        request = services.request_cancellation(sched.studio, sched.parent, lesson, "Concert")
        with pytest.raises(Conflict):
            services.request_cancellation(sched.studio, sched.parent, lesson, "Again")
    with time_machine.travel(lesson.start_at - timedelta(hours=1)):
        services.approve_request(sched.studio, sched.admin, request)
    assert request.status == "approved" and lesson.status == "cancelled"
    assert lesson.cancellation_outcome == "no_charge"  # asked two days ahead
    with pytest.raises(Conflict):
        services.decline_request(sched.studio, sched.admin, request)


def test_reminders_go_out_once_per_lesson(sched):
    sched.student.email = "sam@example.test"
    lesson = _book(sched).lesson
    with time_machine.travel(lesson.start_at - timedelta(hours=20)):
        first = services.send_due_reminders()
        again = services.send_due_reminders()
    addresses = set(db.session.scalars(select(OutboxEmail.to_address)))
    assert first == 2 and again == 0
    assert addresses == {"sam@example.test", sched.parent.email}
    assert lesson.reminder_sent_at is not None


def test_cancelling_a_lesson_settles_the_open_request(sched):
    lesson = _book(sched).lesson
    with time_machine.travel(lesson.start_at - timedelta(days=2)):
        request = services.request_cancellation(sched.studio, sched.parent, lesson, "Concert")
        services.reschedule_lesson(sched.studio, sched.admin, lesson, start=sched.at(DAY, 18))
    assert (request.status, request.response) == ("approved", "The lesson was moved.")


# ---------------------------------------------------------------- the student's defaults


def test_without_an_end_the_lesson_lasts_the_students_default_length(sched):
    sched.student.default_lesson_minutes = 45
    placement = services.Placement(teacher=sched.teacher, students=(sched.student,))
    lesson = services.schedule_lesson(sched.studio, sched.admin, placement, start=sched.at(DAY, 16),
                                      end=None).lesson
    assert lesson.end_at - lesson.start_at == timedelta(minutes=45)


def test_a_group_without_an_end_lasts_the_first_students_default_length(sched):
    sched.student.default_lesson_minutes = 60
    sched.sibling.default_lesson_minutes = 30
    placement = services.Placement(teacher=sched.teacher, students=(sched.student, sched.sibling),
                                   lesson_type="group")
    lesson = services.schedule_lesson(sched.studio, sched.admin, placement, start=sched.at(DAY, 16),
                                      end=None).lesson
    assert lesson.end_at - lesson.start_at == timedelta(minutes=60)


@pytest.mark.parametrize("minutes, rate", [(45, "45.00"), (30, "30.00"), (60, "60.00"), (50, "50.00")])
def test_the_students_rate_is_for_their_default_length_and_pro_rata_otherwise(sched, minutes, rate):
    sched.student.default_lesson_minutes = 45
    sched.student.default_lesson_rate = Decimal("45.00")
    assert _book(sched, minutes=minutes).lesson.rate == Decimal(rate)


def test_the_pro_rata_rate_rounds_half_up_to_the_cent(sched):
    sched.student.default_lesson_minutes = 45
    sched.student.default_lesson_rate = Decimal("40.00")
    assert _book(sched, minutes=20).lesson.rate == Decimal("17.78")
