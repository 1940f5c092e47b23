"""List counts are counted once per change of the rows they count, and the lessons API keeps
its rendered pages and calendars the same way (core/versions.py): the `count` and the page stay right after
every kind of write, from this process or another, and an unchanged list is not counted or
rendered again."""
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.core import versions
from app.core.bulk import bulk_insert
from app.extensions import db
from app.scheduling.models import Lesson, LessonAttendee
from tests.conftest import api_login, bearer, counted

ROOT = Path(__file__).resolve().parents[2]


def _counts(seen):
    return [s for s in seen if s.lstrip().upper().startswith("SELECT COUNT(*)")]


@pytest.fixture()
def lessons(app, client, make, studio_setup):
    """A studio with three lessons and an admin's API headers."""
    studio = studio_setup.studio
    teacher = make.teacher(studio)
    student = make.student(studio)
    start = datetime(2031, 3, 3, 15, tzinfo=timezone.utc)
    made = [make.lesson(studio, teacher, [student], start=start + timedelta(days=n)) for n in range(3)]
    db.session.commit()
    headers = bearer(api_login(client, studio_setup.users["admin"].email))

    def page(query="", as_headers=headers):
        response = client.get(f"/api/v1/lessons{query}", headers=as_headers)
        assert response.status_code == 200, response.json
        return response.json

    def count(query=""):
        return page(query)["count"]

    return type("Lessons", (), {"studio": studio, "teacher": teacher, "student": student, "made": made,
                                "start": start, "count": staticmethod(count), "page": staticmethod(page),
                                "headers": headers})


def test_an_unchanged_list_is_counted_once(app, lessons):
    with counted(app) as first:
        assert lessons.count() == 3
    with counted(app) as second:
        assert lessons.count() == 3
    assert len(_counts(first)) == 1 and _counts(second) == []


def test_orm_writes_move_the_count(lessons, make):
    assert lessons.count() == 3 and lessons.count("?status=cancelled") == 0
    make.lesson(lessons.studio, lessons.teacher, [lessons.student], start=lessons.start - timedelta(days=7))
    db.session.commit()
    assert lessons.count() == 4
    lessons.made[0].status = "cancelled"  # an update
    db.session.commit()
    assert lessons.count("?status=cancelled") == 1
    attendees = select(LessonAttendee.id).where(LessonAttendee.studio_id == lessons.studio.id)
    assert versions.count(attendees, lessons.studio.id) == 4
    db.session.commit()
    db.session.delete(lessons.made[1])  # a delete, and the attendee rows the database drops with it
    db.session.commit()
    assert lessons.count() == 3
    # PostgreSQL drops the attendee rows with their lesson (SQLite keeps them): the kept count
    # of attendees, which the ORM never saw change, follows what the database did.
    direct = db.session.scalar(select(func.count()).select_from(attendees.subquery()))
    assert versions.count(attendees, lessons.studio.id) == direct


def test_api_writes_move_the_count(lessons, client):
    assert lessons.count() == 3
    booked = client.post("/api/v1/lessons", headers=lessons.headers, json={
        "teacher": str(lessons.teacher.id), "student": str(lessons.student.id),
        "scheduled_start": "2031-04-01T15:00:00Z", "duration_minutes": 30})
    assert booked.status_code == 201, booked.json
    assert lessons.count() == 4
    cancelled = client.post(f"/api/v1/lessons/{booked.json['id']}/cancel", headers=lessons.headers,
                            json={"reason": "ill"})
    assert cancelled.status_code == 200, cancelled.json
    assert lessons.count("?status=cancelled") == 1


def test_bulk_inserts_and_statements_move_the_count(lessons):
    assert lessons.count() == 3 and lessons.count("?status=no_show") == 0
    template = {"studio_id": lessons.studio.id, "teacher_id": lessons.teacher.id, "status": "scheduled",
                "lesson_type": "private", "location": "", "online_url": "", "notes": ""}
    bulk_insert(Lesson, [{**template, "start_at": lessons.start + timedelta(days=30 + n),
                          "end_at": lessons.start + timedelta(days=30 + n, minutes=30)} for n in range(2)])
    db.session.commit()
    assert lessons.count() == 5
    db.session.execute(update(Lesson).where(Lesson.studio_id == lessons.studio.id,
                                            Lesson.id == lessons.made[2].id).values(status="no_show"))
    db.session.commit()
    assert lessons.count("?status=no_show") == 1
    # A statement that names no studio moves the versions of the studios whose rows it changed.
    db.session.execute(update(Lesson).where(Lesson.id == lessons.made[1].id).values(status="no_show"))
    db.session.commit()
    assert lessons.count("?status=no_show") == 2


def test_a_transaction_sees_its_own_uncommitted_rows_and_keeps_no_count_of_them(ctx, lessons, make):
    studio = lessons.studio
    everything = select(Lesson.id).where(Lesson.studio_id == studio.id)
    assert versions.count(everything, studio.id) == 3
    make.lesson(studio, lessons.teacher, [lessons.student], start=lessons.start - timedelta(days=14))
    assert versions.count(everything, studio.id) == 4  # flushed, not committed
    db.session.rollback()
    assert versions.count(everything, studio.id) == 3


WRITER = """
import os, uuid
from datetime import datetime, timezone
from app import create_app
from app.extensions import db
from app.scheduling.models import Lesson
app = create_app("testing", SQLALCHEMY_DATABASE_URI=os.environ["WRITER_DATABASE"])
with app.app_context():
    db.session.add(Lesson(studio_id=uuid.UUID(os.environ["WRITER_STUDIO"]),
                          teacher_id=uuid.UUID(os.environ["WRITER_TEACHER"]),
                          start_at=datetime(2031, 6, 2, 15, tzinfo=timezone.utc),
                          end_at=datetime(2031, 6, 2, 16, tzinfo=timezone.utc)))
    db.session.commit()
"""


def test_a_write_in_another_process_moves_this_processes_count(app, lessons):
    assert lessons.count() == 3
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WRITER_DATABASE": url,
           "WRITER_STUDIO": str(lessons.studio.id), "WRITER_TEACHER": str(lessons.teacher.id)}
    subprocess.run(  # noqa: S603 - our own interpreter and script # nosec B603
        [sys.executable, "-c", WRITER], cwd=ROOT, env=env, check=True, timeout=120)
    assert lessons.count() == 4


def test_lists_over_unversioned_tables_are_counted_every_time(ctx, studio_setup):
    from app.accounts.models import RefreshToken

    tokens = select(RefreshToken.id)
    assert versions.count(tokens, studio_setup.studio.id) == versions.count(tokens, studio_setup.studio.id)
    counting = select(func.count()).select_from(tokens.subquery())
    assert versions._versioned_tables(counting, counting._generate_cache_key()) is None


# ---------------------------------------------------------------- kept pages of the lessons API

def test_an_unchanged_page_is_rendered_once(app, lessons):
    with counted(app) as first:
        rendered = lessons.page()
    with counted(app) as second:
        assert lessons.page() == rendered
    assert any("FROM lesson" in statement for statement in first)
    assert not any("FROM lesson" in statement for statement in second)  # the user, the versions
    assert len(second) == 2


def test_renaming_the_teacher_shows_on_the_kept_page(lessons):
    assert lessons.page()["results"][0]["teacher"]["first_name"] != "Renamed"
    lessons.teacher.user.first_name = "Renamed"  # an ORM update of a row with no studio_id
    db.session.commit()
    assert {row["teacher"]["first_name"] for row in lessons.page()["results"]} == {"Renamed"}
    db.session.execute(update(User).where(User.id == lessons.teacher.user_id).values(last_name="Again"))
    db.session.commit()
    assert {row["teacher"]["full_name"] for row in lessons.page()["results"]} == {"Renamed Again"}


def test_a_new_studio_timezone_moves_the_days_of_a_kept_page(lessons):
    day = "?start_date=2031-03-03&end_date=2031-03-03"  # the first lesson: 15:00 UTC that day
    lessons.studio.timezone = "UTC"
    db.session.commit()
    assert lessons.count(day) == 1
    lessons.studio.timezone = "Pacific/Kiritimati"  # UTC+14: 05:00 the next day
    db.session.commit()
    assert lessons.count(day) == 0


def test_each_caller_gets_a_page_of_their_own(client, lessons, studio_setup):
    teacher = bearer(api_login(client, studio_setup.users["teacher"].email))
    assert all("rate" in row for row in lessons.page()["results"])  # an admin sees rates
    assert all("rate" not in row for row in lessons.page(as_headers=teacher)["results"])
    assert all("rate" in row for row in lessons.page()["results"])
    host = client.get("/api/v1/lessons?page_size=1", headers=lessons.headers,
                      base_url="http://studio.example.test").json
    assert host["next"].startswith("http://studio.example.test/api/v1/lessons?")


def test_counts_over_studios_and_their_members_follow_their_changes(ctx, studio_setup):
    from app.accounts.models import Membership, Studio

    studio, admin = studio_setup.studio, studio_setup.users["admin"]
    renamed = select(Studio.id).where(Studio.id == studio.id, Studio.name == "Renamed")
    zeds = select(User.id).join(Membership, Membership.user_id == User.id).where(
        Membership.studio_id == studio.id, User.first_name == "Zed")
    assert versions.count(renamed, studio.id) == 0 and versions.count(zeds, studio.id) == 0
    studio.name, admin.first_name = "Renamed", "Zed"
    db.session.commit()
    assert versions.count(renamed, studio.id) == 1 and versions.count(zeds, studio.id) == 1


# ---------------------------------------------------------------- kept calendars

def _calendar(client, lessons, headers=None):
    response = client.get("/api/v1/lessons/calendar?start=2031-03-03&end=2031-03-09",
                          headers=headers or lessons.headers)
    assert response.status_code == 200, response.json
    return response.json


def test_an_unchanged_calendar_is_built_once_and_follows_every_change(app, client, lessons):
    with counted(app) as first:
        events = _calendar(client, lessons)
    with counted(app) as second:
        assert _calendar(client, lessons) == events
    assert len(events) == 3 and any("FROM lesson" in statement for statement in first)
    assert len(second) == 2 and not any("FROM lesson" in statement for statement in second)

    lessons.student.first_name = "Renamed"  # a student's name is each event's title
    db.session.commit()
    titles = {event["title"] for event in _calendar(client, lessons)}
    assert titles == {f"Renamed {lessons.student.last_name}"}
    response = client.post(f"/api/v1/lessons/{lessons.made[0].id}/cancel", headers=lessons.headers,
                           json={"reason": "Snow"})
    assert response.status_code == 200, response.json
    statuses = [event["status"] for event in _calendar(client, lessons)]
    assert statuses == ["cancelled", "scheduled", "scheduled"]


def test_each_caller_gets_a_calendar_of_their_own(client, lessons, studio_setup):
    teacher = bearer(api_login(client, studio_setup.users["teacher"].email))
    assert all("rate" in event for event in _calendar(client, lessons))  # an admin sees rates
    as_teacher = _calendar(client, lessons, teacher)
    assert len(as_teacher) == 3 and all("rate" not in event for event in as_teacher)
    assert all("rate" in event for event in _calendar(client, lessons))
