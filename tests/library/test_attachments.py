"""Resources on lesson notes and lesson plans, through the teaching API: the note's family
sees what is attached, and only that."""
import io
from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db
from tests.conftest import api_login, bearer
from tests.library.conftest import pdf_bytes, wav_bytes


@pytest.fixture()
def tokens(client, lib):
    cache = {}

    def headers(role):
        if role not in cache:
            cache[role] = bearer(api_login(client, lib.users[role].email))
        return cache[role]

    return headers


def _upload(client, headers, title, data=None, name="f.pdf", **fields):
    response = client.post("/api/v1/resources", headers=headers, content_type="multipart/form-data",
                           data={"title": title, "file": (io.BytesIO(data or pdf_bytes()), name),
                                 **fields})
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_a_note_carries_resources_to_the_family(client, lib, make, tokens):
    past = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    kid = lib.students["kid"]
    lesson = make.lesson(lib.studio, kid.primary_teacher, [kid], start=past, status="completed")
    db.session.commit()
    teacher = tokens("teacher")
    recording = _upload(client, teacher, "Take", wav_bytes(), name="take.wav")
    chart = _upload(client, teacher, "Chart", is_public="true")
    created = client.post("/api/v1/lesson-notes", headers=teacher, json={
        "lesson": str(lesson.id), "summary": "Good", "resources": [recording, chart]})
    assert created.status_code == 201, created.json
    assert {r["id"] for r in created.json["resources"]} == {recording, chart}
    note = created.json["id"]
    for role in ("parent", "student"):
        seen = client.get(f"/api/v1/lesson-notes/{note}", headers=tokens(role)).json
        assert {r["id"] for r in seen["resources"]} == {recording, chart}
        assert client.get(f"/api/v1/resources/{recording}/download", headers=tokens(role)).status_code == 200
    assert client.get(f"/api/v1/resources/{recording}", headers=tokens("parent2")).status_code == 404

    cleared = client.patch(f"/api/v1/lesson-notes/{note}", headers=teacher, json={"resources": [chart]})
    assert [r["id"] for r in cleared.json["resources"]] == [chart]


def test_unknown_resources_are_a_field_error(client, lib, make, tokens):
    past = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    kid = lib.students["kid"]
    lesson = make.lesson(lib.studio, kid.primary_teacher, [kid], start=past, status="completed")
    db.session.commit()
    other_studio_resource = "00000000-0000-4000-8000-000000000000"
    response = client.post("/api/v1/lesson-notes", headers=tokens("teacher"), json={
        "lesson": str(lesson.id), "summary": "Good", "resources": [other_studio_resource]})
    assert response.status_code == 400 and "resources" in response.json["field_errors"]


def test_a_plan_lists_its_resources(client, lib, tokens):
    teacher = tokens("teacher")
    chart = _upload(client, teacher, "Chart")
    plan = client.post("/api/v1/lesson-plans", headers=teacher,
                       json={"title": "Scales week", "resources": [chart]})
    assert plan.status_code == 201, plan.json
    assert [r["title"] for r in plan.json["resources"]] == ["Chart"]
    page = client.get(f"/api/v1/lesson-plans/{plan.json['id']}", headers=teacher).json
    assert [r["id"] for r in page["resources"]] == [chart]
    emptied = client.patch(f"/api/v1/lesson-plans/{plan.json['id']}", headers=teacher,
                           json={"resources": []})
    assert emptied.json["resources"] == []
