"""Bulk operations of the bench, each timed through the real services.

The year of recurring lessons and the CSV import run in a scratch database of their own
(instance/bench/scratch.db, or the cadenza_bench_scratch database on PostgreSQL; rebuilt
each run): a new studio with 60 teachers and 3,000
students, so that neither operation finds its work already done by the demo data.
"""
import csv
import io
import os
import subprocess
import sys
import time
from datetime import time as clock
from datetime import timedelta

SCRATCH_TEACHERS = 60
SCRATCH_STUDENTS = 3000
IMPORT_ROWS = 3000
DAY_START, DAY_END = 14 * 60, 21 * 60  # lesson slots from 14:00 to 21:00, Monday to Saturday


def auto_invoicing(app, ids):
    """Plan, then create, a month of invoices for every family, in a transaction rolled back.
    The demo's past months are billed already, so the run bills next month's scheduled
    lessons in advance (`in_advance` mode) for all families."""
    from sqlalchemy import select

    from app.accounts.models import Studio, User
    from app.billing.services import generation
    from app.extensions import db

    results = []
    with app.test_request_context():
        studio = db.session.get(Studio, ids["studio"])
        actor = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
        first = (ids["today"].replace(day=1) + timedelta(days=32)).replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        try:
            studio.billing_mode = "in_advance"
            db.session.flush()
            started = time.perf_counter()
            plan = generation.plan_invoices(studio, first, last)
            planned = time.perf_counter() - started
            plan = generation.generate_invoices(studio, actor, first, last, plan=plan)
            db.session.flush()
            seconds = time.perf_counter() - started
            lines = sum(len(f.lines) for f in plan.families)
            created = sum(1 for f in plan.families if getattr(f, "invoice", None) is not None)
            results.append((f"Auto-invoice all families, {first:%B %Y}, in advance (rolled back)",
                            seconds, f"{created:,} draft invoices, {lines:,} lines "
                                     f"(planning {planned:.1f} s of it)"))
        finally:
            db.session.rollback()
    return results


def _scratch_app(scratch, root):
    """A fresh, migrated database (`scratch`, a bench backend) for one studio of teachers
    and students."""
    scratch.reset()
    env = dict(os.environ, DATABASE_URL=scratch.url, FLASK_APP="wsgi.py")
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=root, env=env,  # noqa: S603
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from app import create_app

    return create_app(SQLALCHEMY_DATABASE_URI=scratch.url, RATELIMIT_ENABLED=False)


def _scratch_studio(password):
    from app.accounts import services as accounts
    from app.extensions import db
    from app.people.demo import seed_large

    owner = accounts.create_user("owner@scratch.test", password, first_name="Scratch", last_name="Owner")
    studio = accounts.create_studio(owner, "Scratch Studio")
    seed_large(studio, password, teacher_count=SCRATCH_TEACHERS, student_count=SCRATCH_STUDENTS)
    db.session.commit()
    return studio, owner


def _weekly_slots(students):
    """(student, weekday, start time) for each student, back to back per teacher."""
    cursor = {}
    for student in students:
        weekday, minute = cursor.get(student.primary_teacher_id, (0, DAY_START))
        if minute + student.default_lesson_minutes > DAY_END:
            weekday, minute = weekday + 1, DAY_START
        if weekday > 5:
            continue
        cursor[student.primary_teacher_id] = (weekday, minute + student.default_lesson_minutes)
        yield student, weekday, clock(minute // 60, minute % 60)


def year_of_series(app, password, sample=300):
    """A year of weekly lessons for every student of a new studio, as the recurring-lesson
    generator makes them: one weekly pattern per student (inserted first, untimed), then
    `extend_many` generates the lessons with its clash checks and bulk inserts. For
    comparison, `sample` patterns booked one at a time through `create_series` (what the
    booking form does: validated, clash-checked, lessons added), rolled back."""
    import uuid

    from sqlalchemy import func, insert, select

    from app.core.timeutil import local_today
    from app.extensions import db
    from app.people.models import Student
    from app.scheduling import services
    from app.scheduling.models import Lesson, RecurringSeries
    from app.scheduling.services.series import extend_many

    results = []
    with app.test_request_context():
        studio, owner = _scratch_studio(password)
        students = db.session.scalars(select(Student).where(Student.studio_id == studio.id)
                                      .order_by(Student.primary_teacher_id, Student.id)).all()
        today = local_today(studio)
        start = today - timedelta(days=today.weekday())
        end = start + timedelta(weeks=52) - timedelta(days=1)
        slots = list(_weekly_slots(students))

        started = time.perf_counter()
        for student, weekday, at in slots[:sample]:
            services.create_series(
                studio, owner, services.Placement(teacher=student.primary_teacher_id, students=(student.id,)),
                services.Pattern(day_of_week=weekday, start_time=at,
                                 duration_minutes=student.default_lesson_minutes, start_date=start,
                                 end_date=end),
                today=today)
        db.session.flush()
        seconds = time.perf_counter() - started
        booked = db.session.scalar(select(func.count()).select_from(Lesson)
                                   .where(Lesson.studio_id == studio.id))
        db.session.rollback()
        results.append((f"Book {sample} weekly patterns for a year one at a time (booking service, "
                        "rolled back)", seconds, f"{booked:,} lessons, {1000 * seconds / sample:.0f} ms "
                        "a pattern"))

        db.session.execute(insert(RecurringSeries), [{
            "id": uuid.uuid4(), "studio_id": studio.id, "teacher_id": student.primary_teacher_id,
            "student_id": student.id, "frequency": "weekly", "day_of_week": weekday, "start_time": at,
            "duration_minutes": student.default_lesson_minutes, "start_date": start, "end_date": end,
            "lesson_type": "private", "rate": student.default_lesson_rate,
        } for student, weekday, at in slots])
        patterns = db.session.scalars(select(RecurringSeries)
                                      .where(RecurringSeries.studio_id == studio.id)).all()
        started = time.perf_counter()
        created = extend_many(studio, patterns, today=today, until=end)
        db.session.commit()
        seconds = time.perf_counter() - started
    results.append(("Generate a year of weekly lessons for 3,000 students (recurring-lesson generator, "
                    "committed)", seconds, f"{len(patterns):,} patterns, {len(created):,} lessons"))
    return results


def _import_file(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Student First Name", "Student Last Name", "Student Email", "Parent Email",
                     "Parent Name", "Instrument", "Lesson length", "Date of Birth"])
    for n in range(rows):
        family = n // 2
        writer.writerow([f"Kid{n}", f"Imported{family}", f"kid{n}@import.test",
                         f"parent{family}@import.test", f"Pat Imported{family}", "piano", "30",
                         "2012-05-31"])
    return out.getvalue().encode()


def csv_import(app):
    """Preview, then commit, a 3,000-row families-and-students file (two children a family)."""
    from sqlalchemy import select

    from app.accounts.models import Studio, User
    from app.extensions import db
    from app.people import services

    data = _import_file(IMPORT_ROWS)
    with app.test_request_context():
        studio = db.session.scalar(select(Studio).where(Studio.name == "Scratch Studio"))
        owner = db.session.scalar(select(User).where(User.email == "owner@scratch.test"))
        started = time.perf_counter()
        batch = services.preview_import(studio, owner, data, "families.csv")
        previewed = time.perf_counter() - started
        services.commit_import(studio, owner, batch)
        db.session.commit()
        seconds = time.perf_counter() - started
        summary = batch.summary
    return [(f"Import a {IMPORT_ROWS:,}-row families CSV (preview + commit)", seconds,
             f"{summary.get('create', 0):,} students created (preview {previewed:.1f} s of it)")]


def run(app, ids, scratch_backend, root, password):
    results = auto_invoicing(app, ids)
    scratch = _scratch_app(scratch_backend, root)
    results += year_of_series(scratch, password)
    results += csv_import(scratch)
    return results
