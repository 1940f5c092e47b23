"""Threads: the rule of who writes to whom, participants only, unread counts, sanitised
Markdown, attachments, and the API and pages over them."""
import pytest
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.extensions import db
from app.messaging import policies
from app.messaging.models import Message, Notification, ThreadParticipant
from app.messaging.services import threads as services
from tests.conftest import api_login, bearer, post_form, web_login
from tests.messaging import threads_world
from tests.query_counts import assert_flat


@pytest.fixture()
def w(make):
    return threads_world.build(make)


def contact_ids(principal):
    return set(db.session.scalars(policies.contactable_user_ids(principal)))


def ids(w, *names):
    return {w.users[name].id for name in names}


# ---------------------------------------------------------------- the rule

def test_parent_writes_to_the_office_their_childrens_teachers_and_their_own_family(w):
    assert contact_ids(w.p["parent"]) == ids(w, "owner", "admin", "teacher", "lena", "student")


def test_parent_cannot_write_to_another_family_or_a_teacher_of_none_of_their_children(w):
    assert not policies.may_write_to(w.p["parent"], [w.users["parent2"]])
    assert not policies.may_write_to(w.p["parent"], [w.users["colleague"]])
    assert not policies.may_write_to(w.p["parent"], [w.users["teacher"], w.users["parent2"]])
    assert policies.may_write_to(w.p["parent"], [w.users["teacher"], w.users["admin"]])


def test_student_writes_to_their_teachers_and_the_office_only(w):
    assert contact_ids(w.p["student"]) == ids(w, "owner", "admin", "teacher")


def test_staff_write_to_anyone_in_the_studio_but_not_elsewhere(w):
    everyone = ids(w, "owner", "admin", "teacher", "lena", "colleague", "parent", "parent2",
                   "student")
    for name in ("owner", "admin", "teacher"):
        assert contact_ids(w.p[name]) == everyone - ids(w, name)
    assert w.users["other"].id not in contact_ids(w.p["admin"])
    assert not policies.may_write_to(w.p["admin"], [w.users["other"]])


def test_inactive_members_are_not_written_to(w):
    from app.accounts.models import Membership

    membership = db.session.scalar(select(Membership).where(
        Membership.user_id == w.users["teacher"].id))
    membership.is_active = False
    db.session.flush()
    assert w.users["teacher"].id not in contact_ids(w.p["parent"])


def test_creating_a_thread_outside_the_rule_is_a_field_error(w):
    with pytest.raises(ValidationFailed) as refused:
        services.create_thread(w.p["parent"], "Hi", [w.users["parent2"].id], "Hello")
    assert "participants" in refused.value.field_errors
    with pytest.raises(ValidationFailed) as refused:
        services.create_thread(w.p["student"], "Hi", [w.users["lena"].id], "Hello")
    assert "participants" in refused.value.field_errors


def test_a_thread_needs_someone_besides_its_author_and_words(w):
    for participants, subject, body, field in (
            ([], "Hi", "Hello", "participants"), ([w.users["parent"].id], "Hi", "Hello", "participants"),
            ([w.users["admin"].id], "  ", "Hello", "subject"),
            ([w.users["admin"].id], "Hi", " ", "initial_message")):
        with pytest.raises(ValidationFailed) as refused:
            services.create_thread(w.p["parent"], subject, participants, body)
        assert field in refused.value.field_errors


# ---------------------------------------------------------------- reading and unread

def test_participants_only_see_a_thread_and_the_author_takes_part(w):
    thread = services.create_thread(w.p["parent"], "Sam's lesson", [w.users["teacher"].id],
                                    "Can we move Tuesday?")
    seen = {name for name in ("owner", "admin", "teacher", "lena", "parent", "parent2", "student")
            if db.session.scalar(policies.visible_threads(w.p[name]).where(
                policies.Thread.id == thread.id))}
    assert seen == {"teacher", "parent"}
    assert not db.session.scalar(policies.visible_threads(w.p["other"]))


def test_unread_counts_per_participant_and_mark_read(w):
    thread = services.create_thread(w.p["parent"], "Sam", [w.users["teacher"].id,
                                                           w.users["admin"].id], "One")
    services.post_message(w.p["parent"], thread, "Two")
    services.post_message(w.p["teacher"], thread, "Three")
    count = {name: services.thread_entry(w.p[name], thread).unread_count
             for name in ("parent", "teacher", "admin")}
    assert count == {"parent": 1, "teacher": 2, "admin": 3}
    assert services.unread_thread_count(w.p["admin"]) == 1
    services.mark_thread_read(w.p["admin"], thread)
    assert services.thread_entry(w.p["admin"], thread).unread_count == 0
    assert services.unread_thread_count(w.p["admin"]) == 0
    services.post_message(w.p["teacher"], thread, "Four")
    assert services.thread_entry(w.p["admin"], thread).unread_count == 1
    assert services.thread_entry(w.p["admin"], thread).last_message.body == "Four"


def test_markdown_is_sanitised(w):
    thread = services.create_thread(
        w.p["parent"], "Hi", [w.users["admin"].id],
        "**Bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    message = db.session.scalar(select(Message).where(Message.thread_id == thread.id))
    assert "<strong>Bold</strong>" in message.body_html
    for bad in ("<script", "javascript:", "onerror", "<img"):
        assert bad not in message.body_html


def test_a_new_message_notifies_the_others_without_email(w):
    from app.messaging.models import OutboxEmail

    thread = services.create_thread(w.p["parent"], "Hi", [w.users["teacher"].id], "Hello")
    told = db.session.scalars(select(Notification).where(
        Notification.notification_type == "new_message")).all()
    assert [n.user_id for n in told] == [w.users["teacher"].id]
    assert told[0].link == f"/messages/{thread.id}"
    assert db.session.scalar(select(OutboxEmail.id)) is None


def test_the_notification_of_a_message_reads_as_plain_text_not_markdown(w):
    services.create_thread(w.p["parent"], "Recital", [w.users["teacher"].id],
                           "The recital is on **Sunday**.\n\n- Bring *the Minuet*\n- Arrive early")
    told = db.session.scalar(select(Notification).where(
        Notification.notification_type == "new_message"))
    assert told.message == "Recital: The recital is on Sunday. Bring the Minuet Arrive early"


def test_the_inbox_lists_the_latest_activity_first_and_searches_subjects(w):
    first = services.create_thread(w.p["parent"], "Piano books", [w.users["admin"].id], "One")
    second = services.create_thread(w.p["parent"], "Recital dates", [w.users["admin"].id], "Two")
    services.post_message(w.p["admin"], first, "Reply")
    order = services.thread_inbox(w.p["parent"]).order_by(
        policies.Thread.last_message_at.desc())
    assert [t.id for t in db.session.scalars(order)] == [first.id, second.id]
    found = db.session.scalars(services.thread_inbox(w.p["parent"], search="RECITAL")).all()
    assert [t.id for t in found] == [second.id]
    unread = db.session.scalars(services.thread_inbox(w.p["parent"], unread=True)).all()
    assert [t.id for t in unread] == [first.id]


# ---------------------------------------------------------------- attachments

def _resource(w, visibility, shared_with=()):
    import io

    from flask import g
    from werkzeug.datastructures import FileStorage

    from app.library import services as library
    from tests.library.conftest import pdf_bytes

    g.web_principal = w.p["teacher"]
    try:
        resource = library.create_resource(
            w.studio, w.users["teacher"], title=f"Score {visibility}",
            upload=FileStorage(io.BytesIO(pdf_bytes("x")), filename="score.pdf"),
            visibility=visibility)
        if shared_with:
            library.share_resource(w.studio, w.users["teacher"], resource, list(shared_with),
                                   shareable={s.id for s in shared_with})
    finally:
        g.pop("web_principal", None)
    return resource


def test_attachments_every_participant_can_open_are_kept(w):
    public = _resource(w, "studio")
    shared = _resource(w, "private", shared_with=[w.sam])
    thread = services.create_thread(w.p["teacher"], "Practice", [w.users["parent"].id,
                                                                 w.users["student"].id],
                                    "Here", [public.id, shared.id])
    message = db.session.scalar(select(Message).where(Message.thread_id == thread.id))
    seen = services.attachments_of(w.p["parent"], [message])[message.id]
    assert {r.id for r in seen} == {public.id, shared.id}


def test_a_resource_a_participant_cannot_open_is_refused(w):
    private = _resource(w, "private")
    with pytest.raises(ValidationFailed) as refused:
        services.create_thread(w.p["teacher"], "Practice", [w.users["parent"].id], "Here",
                               [private.id])
    assert "resources" in refused.value.field_errors
    theirs = _resource(w, "private", shared_with=[w.sam])
    with pytest.raises(ValidationFailed):
        services.create_thread(w.p["teacher"], "Practice", [w.users["parent2"].id], "Here",
                               [theirs.id])


# ---------------------------------------------------------------- API

def _api(client, w, name):
    return bearer(api_login(client, w.users[name].email))


def test_api_create_list_read_reply_and_mark_read(client, w):
    parent, teacher = _api(client, w, "parent"), _api(client, w, "teacher")
    created = client.post("/api/v1/threads", headers=parent, json={
        "subject": "Question about lesson schedule",
        "participants": [str(w.users["teacher"].id)], "initial_message": "Hi, *Theo*"})
    assert created.status_code == 201, created.json
    thread_id = created.json["id"]
    assert {p["id"] for p in created.json["participants"]} == {
        str(w.users["parent"].id), str(w.users["teacher"].id)}
    listed = client.get("/api/v1/threads", headers=teacher).json
    assert listed["count"] == 1
    assert listed["results"][0]["unread_count"] == 1
    assert listed["results"][0]["last_message"]["preview"] == "Hi, Theo"
    reply = client.post(f"/api/v1/threads/{thread_id}/messages", headers=teacher,
                        json={"body": "Sure <script>x</script>"})
    assert reply.status_code == 201
    assert "<script" not in reply.json["body_html"]
    messages = client.get(f"/api/v1/threads/{thread_id}/messages", headers=parent).json
    assert [m["body"] for m in messages["results"]] == ["Hi, *Theo*", "Sure <script>x</script>"]
    newest = client.get(f"/api/v1/threads/{thread_id}/messages?ordering=-created_at",
                        headers=parent).json
    assert newest["results"][0]["body"].startswith("Sure")
    read = client.post(f"/api/v1/threads/{thread_id}/read", headers=teacher)
    assert read.status_code == 200 and read.json["unread_count"] == 0
    assert client.get(f"/api/v1/threads/{thread_id}", headers=parent).json["unread_count"] == 1


def test_api_refuses_another_family_with_a_field_error(client, w):
    response = client.post("/api/v1/threads", headers=_api(client, w, "parent"), json={
        "subject": "Hi", "participants": [str(w.users["parent2"].id)], "initial_message": "Hi"})
    assert response.status_code == 400
    assert "participants" in response.json["field_errors"]


def test_api_nobody_reads_a_thread_they_are_not_in(client, w):
    thread = services.create_thread(w.p["parent"], "Private", [w.users["teacher"].id], "Hi")
    db.session.commit()
    for name in ("admin", "owner", "lena", "parent2", "student", "other"):
        headers = _api(client, w, name)
        for path in (f"/api/v1/threads/{thread.id}", f"/api/v1/threads/{thread.id}/messages"):
            assert client.get(path, headers=headers).status_code == 404, (name, path)
        assert client.post(f"/api/v1/threads/{thread.id}/messages", headers=headers,
                           json={"body": "x"}).status_code == 404
        assert client.post(f"/api/v1/threads/{thread.id}/read", headers=headers).status_code == 404
        assert client.get("/api/v1/threads", headers=headers).json["count"] == 0


def test_api_contacts_follow_the_rule(client, w):
    contacts = client.get("/api/v1/threads/contacts", headers=_api(client, w, "student")).json
    assert {c["id"] for c in contacts["results"]} == {
        str(i) for i in ids(w, "owner", "admin", "teacher")}


def test_api_thread_list_query_count_is_flat(app, client, w):
    headers = _api(client, w, "admin")

    def grow(n):
        with app.test_request_context():
            for i in range(n):
                thread = services.create_thread(w.p["parent"], f"T{i}", [w.users["admin"].id,
                                                                         w.users["teacher"].id], "Hi")
                services.post_message(w.p["teacher"], thread, "Reply")
            db.session.commit()

    assert_flat(app, lambda: client.get("/api/v1/threads", headers=headers), grow)


# ---------------------------------------------------------------- pages

def test_pages_inbox_new_thread_and_reply(client, w):
    web_login(client, w.users["parent"].email)
    assert "No messages yet" in client.get("/messages").get_data(as_text=True)
    form = client.get("/messages/new").get_data(as_text=True)
    assert "Theo" in form and "Clara" not in form and w.users["parent2"].email not in form
    response = post_form(client, "/messages/new", {
        "participants": str(w.users["teacher"].id), "subject": "Tuesday", "body": "Can we *move* it?"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    thread_path = response.headers["Location"]
    page = client.get(thread_path).get_data(as_text=True)
    assert "<em>move</em>" in page
    reply = post_form(client, f"{thread_path}/reply", {"body": "Thanks!"},
                      token_path=thread_path, headers={"HX-Request": "true"})
    assert reply.status_code == 200
    assert "Thanks!" in reply.get_data(as_text=True)
    assert 'id="conversation"' in reply.get_data(as_text=True)


def test_pages_refuse_another_family_next_to_the_field(client, w):
    web_login(client, w.users["parent"].email)
    response = post_form(client, "/messages/new", {
        "participants": str(w.users["parent2"].id), "subject": "Hi", "body": "Hi"})
    assert response.status_code == 422
    assert "field-error" in response.get_data(as_text=True)


def test_pages_a_thread_of_others_is_404(client, w):
    thread = services.create_thread(w.p["parent"], "Private", [w.users["teacher"].id], "Hi")
    db.session.commit()
    web_login(client, w.users["admin"].email)
    assert client.get(f"/messages/{thread.id}").status_code == 404
    assert client.get(f"/messages/{thread.id}/messages").status_code == 404
    assert client.get("/messages/not-a-uuid").status_code == 404


def test_opening_a_thread_marks_it_read_and_the_badge_counts(client, w):
    thread = services.create_thread(w.p["parent"], "Hi", [w.users["teacher"].id], "Hello")
    db.session.commit()
    web_login(client, w.users["teacher"].email)
    inbox = client.get("/messages").get_data(as_text=True)
    assert "thread-item unread" in inbox
    assert '<span class="badge">1</span>' in client.get("/messages/badge").get_data(as_text=True)
    client.get(f"/messages/{thread.id}")
    participant = db.session.scalar(select(ThreadParticipant).where(
        ThreadParticipant.user_id == w.users["teacher"].id))
    assert participant.last_read_at is not None
    assert "thread-item unread" not in client.get("/messages").get_data(as_text=True)


def test_the_open_thread_reloads_on_its_own_live_event_only(client, w):
    thread = services.create_thread(w.p["parent"], "Hi", [w.users["teacher"].id], "Hello")
    db.session.commit()
    web_login(client, w.users["teacher"].email)
    page = client.get(f"/messages/{thread.id}").get_data(as_text=True)
    # Its own event name, not a trigger filter (htmx evaluates those, which the CSP forbids).
    assert f'hx-trigger="sse:message-{thread.id}, sse:catch-up"' in page
    assert "hx-trigger=\"sse:message[" not in page


def test_inbox_page_query_count_is_flat(app, client, w):
    web_login(client, w.users["admin"].email)

    def grow(n):
        with app.test_request_context():
            for i in range(n):
                thread = services.create_thread(w.p["parent"], f"T{i}", [w.users["admin"].id], "Hi")
                services.post_message(w.p["admin"], thread, "Reply")
            db.session.commit()

    assert_flat(app, lambda: client.get("/messages"), grow)
