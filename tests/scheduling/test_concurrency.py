"""On PostgreSQL two requests for the same slot can never both succeed (SPEC §3)."""

import threading
from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db
from tests.scheduling.conftest import bearer_for

PARALLEL = 20


@pytest.mark.postgres
def test_twenty_parallel_bookings_of_one_slot_make_exactly_one_lesson(app, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes writers; the race needs PostgreSQL")
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(days=5)
    students = [world.make.student(world.studio, world.family) for _ in range(PARALLEL)]
    headers = bearer_for(world.admin)
    db.session.commit()
    bodies = [
        {
            "teacher": str(world.teacher.id),
            "student": str(s.id),
            "room": str(world.room.id),
            "scheduled_start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_minutes": 30,
        }
        for s in students
    ]
    barrier = threading.Barrier(PARALLEL)
    statuses = []

    def book(body):
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post("/api/v1/lessons", json=body, headers=headers).status_code)

    threads = [threading.Thread(target=book, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201] + [409] * (PARALLEL - 1)
    response = app.test_client().get(f"/api/v1/lessons?teacher={world.teacher.id}", headers=headers)
    assert response.json["count"] == 1
