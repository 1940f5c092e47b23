"""Demo teaching records for Harmony Music Studio: notes on completed lessons, goals with a
progress history, a small lesson-plan library, and practice logs for the past weeks."""
import random
import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.core.bulk import bulk_insert
from app.core.db import utcnow
from app.core.timeutil import local_today, studio_zone
from app.extensions import db
from app.people.models import Student, TeacherProfile
from app.scheduling.models import Lesson, LessonAttendee
from app.teaching import services
from app.teaching.models import Goal, GoalProgress, LessonNote, PracticeLog

DEMO_TEACHERS = ("teacher@demo.test", "clara.piano@demo.test", "miguel.guitar@demo.test",
                 "priya.violin@demo.test")
NOTE_WEEKS = 6

NOTES = [
    dict(summary="Lovely focus today. We polished the **left-hand** accompaniment and worked on "
                 "a steady pulse with the metronome at 72.",
         topics_covered=["Left-hand accompaniment", "Metronome work at 72 bpm"],
         assignments=["Hands separately, bars 1–16, 10 minutes a day", "Metronome at 72, then 80"],
         strengths=["Steady rhythm", "Good posture"], challenges=["Evenness in fast passages"],
         practice_target_minutes=120),
    dict(summary="We started a new piece and read through the first page together. Sight-reading "
                 "is getting quicker.",
         topics_covered=["New piece: first page", "Sight-reading"],
         assignments=["Read through page 1 slowly every day", "Mark the tricky bars in pencil"],
         strengths=["Reading"], challenges=["Counting rests"], practice_target_minutes=90),
    dict(summary="Scales and arpeggios in two octaves; dynamics in the recital piece are "
                 "much more expressive.",
         topics_covered=["Scales in two octaves", "Dynamics"],
         assignments=["G and D major scales, hands together", "Play the recital piece for someone at home"],
         strengths=["Expressive dynamics"], challenges=["Thumb crossings"], practice_target_minutes=150),
    dict(summary="Theory check-in: intervals and key signatures. Then a relaxed run of the "
                 "whole piece.",
         topics_covered=["Intervals", "Key signatures"],
         assignments=["Theory worksheet 4", "Full run-through twice this week"],
         strengths=["Quick with intervals"], challenges=["Remembering sharps in D major"]),
]
PARENT_ONLY = ("Sam seemed tired and a little discouraged today. A short chat at home about "
               "practising at a regular time (before screens) would help a lot.")

PLANS = [
    ("First lessons at the piano", "piano", True,
     "## Goals\n- Posture, hand shape, finding C\n- Five-finger patterns\n\n## Activities\n"
     "1. Black-key groups game\n2. *Hot Cross Buns* by ear\n3. Rhythm clapping (quarters, halves)"),
    ("Suzuki Book 1: Twinkle variations", "violin", True,
     "## Warm-up\n- Bow holds on a pencil\n\n## Piece\n1. Variation A on open strings\n"
     "2. Add fingers 1–3 on A and E\n\n## Home\nTen Twinkles a day with a parent."),
    ("Open chords and strumming", "guitar", True,
     "## This lesson\n- G, C, D, Em\n- Down-down-up-up-down-up\n\n"
     "## Song\nA three-chord song of the student's choice."),
    ("Intervals by ear", "theory", True,
     "Sing and recognise seconds, thirds and fifths with reference songs.\n\n"
     "| Interval | Song |\n|---|---|\n| Perfect 5th | *Twinkle* |\n| Major 3rd | *Oh When the Saints* |"),
    ("Exam prep checklist (RCM Level 3)", "piano", False,
     "- Repertoire: 3 pieces\n- Etudes: 2\n- Technique: scales, chords, arpeggios\n"
     "- Ear tests, sight-reading"),
]

# (title, description, progress steps every two weeks; 100 achieves the goal)
GOALS = {
    ("Sam", "Bennett"): [
        ("Play Für Elise from memory", "The complete A section, then the B section.", [10, 25, 40, 55, 70]),
        ("All major scales up to 2 sharps", "Hands together, two octaves.", [0, 15, 30])],
    ("Lily", "Bennett"): [
        ("C major scale hands together", "One octave, steady quarter notes.", [20, 50, 80]),
        ("Perform at the winter recital", "", [30, 60, 100])],
    ("Jakub", "Kowalski"): [("Chopin Prelude in E minor", "", [20, 45])],
    ("Chidi", "Okafor"): [("Suzuki Book 2", "Start Book 2 by spring.", [10, 35])],
    ("Minh", "Nguyen"): [("Barre chords", "F and B♭ cleanly.", [25, 50])],
}


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _student(studio, first, last):
    return db.session.scalar(select(Student).where(
        Student.studio_id == studio.id, Student.first_name == first, Student.last_name == last))


def seed_notes(studio, rng, now):
    """Notes on the demo teachers' completed lessons of the last weeks: most shown to parents
    and students; some for parents only; Sam's second-latest note is hidden from him."""
    teachers = {u.id: u for u in (_user(e) for e in DEMO_TEACHERS) if u is not None}
    profiles = select(TeacherProfile.id).where(TeacherProfile.studio_id == studio.id,
                                               TeacherProfile.user_id.in_(teachers))
    lessons = db.session.scalars(select(Lesson).where(
        Lesson.studio_id == studio.id, Lesson.status == "completed", Lesson.teacher_id.in_(profiles),
        Lesson.start_at >= now - timedelta(weeks=NOTE_WEEKS)).order_by(Lesson.start_at)).unique().all()
    sam = _student(studio, "Sam", "Bennett")
    sam_lessons = [lesson for lesson in lessons if sam is not None and sam.id in lesson.student_ids]
    hidden_from_sam = sam_lessons[-2].id if len(sam_lessons) >= 2 else None
    for index, lesson in enumerate(lessons):
        author = teachers.get(lesson.teacher.user_id)
        if author is None:
            continue
        fields = dict(NOTES[index % len(NOTES)])
        if lesson.id == hidden_from_sam:
            fields.update(summary=PARENT_ONLY, visible_to_student=False, visible_to_parent=True)
        elif index % 7 == 3:
            fields.update(visible_to_parent=False)
        for student in lesson.students:
            services.create_note(studio, author, lesson, student=student.id, **fields)


def seed_goals(studio, now):
    teacher = _user("teacher@demo.test")
    for (first, last), goals in GOALS.items():
        student = _student(studio, first, last)
        if student is None:
            continue
        author = student.primary_teacher.user if student.primary_teacher else teacher
        for title, description, steps in goals:
            start = now - timedelta(weeks=2 * len(steps))
            goal = services.create_goal(studio, author, student, title=title, description=description,
                                        target_date=(now + timedelta(weeks=10)).date(),
                                        progress_percentage=steps[0], now=start)
            for n, progress in enumerate(steps[1:], start=1):
                services.update_goal(studio, author, goal, progress_percentage=progress,
                                     progress_note=f"Week {2 * n}: steady progress.",
                                     now=start + timedelta(weeks=2 * n))


def seed_plans(studio):
    author = _user("teacher@demo.test")
    plans = [services.create_plan(studio, author, title=title, specialty=specialty, content=content,
                                  is_public=public) for title, specialty, public, content in PLANS]
    upcoming = db.session.scalars(select(Lesson).where(
        Lesson.studio_id == studio.id, Lesson.status == "scheduled", Lesson.start_at > utcnow(),
        Lesson.teacher.has(user_id=author.id)).order_by(Lesson.start_at).limit(2)).unique().all()
    for lesson in upcoming:
        services.attach_plan(studio, author, lesson, plans[0])


def seed_practice(studio, rng):
    """Three weeks of practice for the Bennett children and a few others."""
    today = local_today(studio)
    parent = _user("parent@demo.test")
    names = [("Sam", "Bennett"), ("Lily", "Bennett"), ("Jakub", "Kowalski"), ("Hana", "Tanaka"),
             ("Chidi", "Okafor"), ("Minh", "Nguyen")]
    pieces = [["Für Elise"], ["Scales", "Minuet in G"], ["Sonatina op. 36 no. 1"], ["Arpeggios"]]
    for first, last in names:
        student = _student(studio, first, last)
        if student is None:
            continue
        recorder = student.user or parent if last == "Bennett" else None
        for days_ago in range(21):
            if rng.random() < 0.35:
                continue
            services.record_practice(studio, recorder, student, date=today - timedelta(days=days_ago),
                                     minutes=rng.choice((15, 20, 25, 30, 30, 45)),
                                     pieces=rng.choice(pieces), note="", today=today)


def seed_teaching(studio, size="small", progress=None):
    """Everything the teaching pages show in the demo studio."""
    rng = random.Random(5)  # seeded demo data, no secret # nosec B311
    now = utcnow()
    seed_notes(studio, rng, now)
    seed_goals(studio, now)
    seed_plans(studio)
    seed_practice(studio, rng)
    if size == "large":
        if progress:
            progress("lesson notes")
        seed_large_notes(studio, now)
        seed_large_goals(studio, now)
    db.session.flush()


# ------------------------------------------------------------------ the large demo (bench)

LARGE_NOTES = NOTES + [
    dict(summary="Worked on **tone**: long notes, slow bows and breathing. Then the middle "
                 "section of the piece, which is nearly secure.",
         topics_covered=["Tone production", "Middle section"],
         assignments=["Long notes, five minutes a day", "Middle section three times, slowly"],
         strengths=["Listening to the sound"], challenges=["Keeping the tempo steady"],
         practice_target_minutes=120),
    dict(summary="A great week of practice shows! We moved on to the next piece and set up "
                 "a plan for the recital.",
         topics_covered=["New piece", "Recital plan"],
         assignments=["Learn the first eight bars", "Listen to a recording twice"],
         strengths=["Consistent practice"], challenges=[], practice_target_minutes=150),
    dict(summary="Rhythm focus: clapping and counting aloud, then playing with the backing "
                 "track. Ended with an improvisation game.",
         topics_covered=["Counting aloud", "Backing track", "Improvisation"],
         assignments=["Clap the rhythm before playing", "Play along with the track"],
         strengths=["Creativity"], challenges=["Dotted rhythms"], practice_target_minutes=90),
    dict(summary="Short lesson energy-wise. We reviewed last week's assignment and kept "
                 "the new material light.",
         topics_covered=["Review"], assignments=["Same as last week"], strengths=["Effort"],
         challenges=["Focus"], practice_target_minutes=60),
]
NOTE_SHARE = 0.75  # of the taught lessons have a note for each attending student
GOAL_TITLES = [
    ("Learn a recital piece", "Memorised and performed for the family."),
    ("Scales up to three sharps", "Hands together (or both directions), steady tempo."),
    ("Sight-read a page a week", ""),
    ("Prepare the spring exam", "Repertoire, technique and ear tests."),
    ("Play with a backing track", "Stay in time for a whole song."),
    ("Practise five days a week", "Twenty minutes or more each day."),
]
PRACTICE_PIECES = [["Scales"], ["Recital piece"], ["Etude", "Scales"], ["New piece"], ["Sight-reading"]]


def seed_large_notes(studio, now, *, share=NOTE_SHARE, seed=13):
    """Notes on most taught lessons, one per present student, written by the teacher within
    hours of the lesson; one in twenty is for parents only, one in twenty for the student."""
    rng = random.Random(seed)  # seeded demo data, no secret # nosec B311
    authors = dict(db.session.execute(select(TeacherProfile.id, TeacherProfile.user_id).where(
        TeacherProfile.studio_id == studio.id)).all())
    written = set(db.session.execute(select(LessonNote.lesson_id, LessonNote.student_id).where(
        LessonNote.studio_id == studio.id)).all())
    taught = db.session.execute(
        select(Lesson.id, Lesson.teacher_id, Lesson.end_at, LessonAttendee.student_id)
        .join(LessonAttendee, LessonAttendee.lesson_id == Lesson.id)
        .where(Lesson.studio_id == studio.id, Lesson.status == "completed", Lesson.end_at < now,
               LessonAttendee.attendance == "present")).all()
    rows = []
    for lesson_id, teacher_id, end_at, student_id in taught:
        if rng.random() >= share or (lesson_id, student_id) in written:
            continue
        at = min(end_at + timedelta(minutes=rng.randint(10, 600)), now)
        audience = rng.random()
        rows.append({
            "id": uuid.uuid4(), "studio_id": studio.id, "lesson_id": lesson_id, "student_id": student_id,
            "author_id": authors.get(teacher_id), "practice_target_minutes": None, "topics_covered": [],
            "assignments": [], "strengths": [], "challenges": [], **rng.choice(LARGE_NOTES),
            "visible_to_student": audience >= 0.05, "visible_to_parent": not 0.05 <= audience < 0.1,
            "created_at": at, "updated_at": at,
        })
    bulk_insert(LessonNote, rows)


def seed_large_goals(studio, now, *, seed=17):
    """Goals for about a third of the students, each with a history of progress every two
    weeks (reaching 100% achieves it), and four weeks of practice logs for half of them."""
    rng = random.Random(seed)  # seeded demo data, no secret # nosec B311
    today, tz = local_today(studio), studio_zone(studio)
    students = db.session.execute(
        select(Student.id, TeacherProfile.user_id)
        .join(TeacherProfile, TeacherProfile.id == Student.primary_teacher_id)
        .where(Student.studio_id == studio.id, Student.is_active.is_(True)).order_by(Student.id)).all()
    goals, steps, logs = [], [], []
    for student_id, author_id in students:
        if rng.random() < 0.35:
            for title, description in rng.sample(GOAL_TITLES, rng.choice((1, 1, 2))):
                _large_goal(studio, rng, now, student_id, author_id, title, description, goals, steps)
        if rng.random() < 0.5:
            for days_ago in range(28):
                if rng.random() < 0.5:
                    day = today - timedelta(days=days_ago)
                    at = datetime.combine(day, time(19), tzinfo=tz)  # logged in the evening
                    logs.append({
                        "id": uuid.uuid4(), "studio_id": studio.id, "student_id": student_id,
                        "practice_date": day, "minutes": rng.choice((10, 15, 20, 25, 30, 30, 45, 60)),
                        "pieces": rng.choice(PRACTICE_PIECES), "note": "", "recorded_by_id": None,
                        "created_at": min(at, now), "updated_at": min(at, now),
                    })
    bulk_insert(Goal, goals)
    bulk_insert(GoalProgress, steps)
    bulk_insert(PracticeLog, logs)


def _large_goal(studio, rng, now, student_id, author_id, title, description, goals, steps):
    """One goal and its history, as `create_goal` and each `update_goal` record them."""
    count = rng.randint(1, 5)
    progress = sorted(rng.sample(range(0, 101, 5), count))
    if rng.random() < 0.2:
        progress[-1] = 100
    started = now - timedelta(weeks=2 * count)
    achieved = progress[-1] == 100
    goal_id = uuid.uuid4()
    last = started + timedelta(weeks=2 * (count - 1))
    goals.append({
        "id": goal_id, "studio_id": studio.id, "student_id": student_id, "title": title,
        "description": description, "target_date": (now + timedelta(weeks=rng.randint(4, 20))).date(),
        "progress_percentage": progress[-1], "status": "achieved" if achieved else "active",
        "achieved_at": last if achieved else None, "created_by_id": author_id,
        "created_at": started, "updated_at": last,
    })
    for n, value in enumerate(progress):
        at = started + timedelta(weeks=2 * n)
        steps.append({
            "id": uuid.uuid4(), "studio_id": studio.id, "goal_id": goal_id, "progress": value,
            "status": "achieved" if value == 100 else "active",
            "note": "Goal set." if n == 0 else f"Week {2 * n}: steady progress.",
            "recorded_by_id": author_id, "recorded_at": at, "created_at": at, "updated_at": at,
        })
