"""Announcements: whom each audience reaches, what sending writes (in-app, one email per
address with List-Unsubscribe), unsubscribing, sending once, who may send, and the API."""
import uuid
from email import message_from_string

import pytest

from app.core.errors import PermissionDenied, ValidationFailed
from app.extensions import db
from app.messaging.models import Announcement, Notification, OutboxEmail
from app.messaging.services import announcements as service
from app.messaging.services import deliver_pending, send_announcement
from app.messaging.services.outbox import build_message
from tests.conftest import api_login, bearer
from tests.messaging.announcement_world import build


@pytest.fixture()
def w(make):
    return build(make)


def emails(*users):
    return {user.email.lower() for user in users}


def expected(w, audience):
    """Who each audience should reach, written out by hand from the world's story:
    (addresses emailed, members told in-app, families, guardians without an account)."""
    bennett = emails(w.parent, w.student)        # Gran has no account: not emailed
    okafor = emails(w.parent2)                   # Chidi has no login
    teachers = emails(w.theo.user, w.clara.user)
    members = emails(w.owner, w.admin, w.theo.user, w.clara.user, w.parent, w.parent2,
                     w.parent3, w.parent4, w.student)
    return {
        "everyone": (members, members, 2, 1),
        "families": (bennett | okafor, bennett | okafor, 2, 1),
        "teachers": (teachers, teachers, 0, 0),
        "theo": (bennett | okafor, bennett | okafor, 2, 1),  # Chidi: a lesson with Theo ahead
        "clara": (okafor, okafor, 1, 0),
        "piano": (bennett | okafor, bennett | okafor, 2, 1),  # "Piano", "piano ", not archived
        "violin": (emails(w.parent), emails(w.parent), 1, 1),  # Lily has no login
        "day": (bennett, bennett, 1, 1),  # Chidi's lesson that day is cancelled
    }[audience]


def target(w, audience):
    return {"theo": ("teacher_students", str(w.theo.id)),
            "clara": ("teacher_students", str(w.clara.id)),
            "piano": ("instrument", "PIANO"), "violin": ("instrument", "Violin"),
            "day": ("day", w.day.isoformat())}.get(audience, (audience, ""))


AUDIENCE_CASES = ("everyone", "families", "teachers", "theo", "clara", "piano", "violin", "day")


@pytest.mark.parametrize("case", AUDIENCE_CASES)
def test_each_audience_reaches_whom_its_rule_names(w, case):
    audience, value = target(w, case)
    _value, resolved = service.audience_target(w.studio, audience, value)

    reach = service.resolve_audience(w.studio, audience, resolved)

    addresses, members, families, without_account = expected(w, case)
    assert set(reach.emails) == addresses
    assert {u.email for u in reach.users.values() if u.id in reach.members} == members
    assert len(reach.family_ids) == families
    assert reach.without_account == without_account


@pytest.mark.parametrize("case", AUDIENCE_CASES)
def test_the_preview_counts_what_sending_queues(w, case):
    audience, value = target(w, case)
    preview = service.preview_audience(w.studio, w.admin, audience, value)

    sent = send_announcement(w.studio, w.admin, subject="Recital", body="On **Sunday**.",
                             audience=audience, audience_value=value)

    queued = db.session.scalars(db.select(OutboxEmail.to_address)).all()
    told = db.session.scalars(db.select(Notification.user_id).where(
        Notification.notification_type == "announcement")).all()
    assert len(queued) == len(set(queued)) == preview["emails"]
    assert len(told) == preview["in_app"] == sent.recipient_count
    assert sent.recipient_count == preview["recipient_count"]
    assert set(queued) == expected(w, case)[0]


def test_a_deactivated_member_and_a_deactivated_account_are_left_out(w):
    from app.accounts.models import Membership

    db.session.scalar(db.select(Membership).where(Membership.user_id == w.parent2.id)).is_active = False
    w.student.is_active = False
    db.session.flush()

    reach = service.resolve_audience(w.studio, "families", None)

    assert set(reach.emails) == emails(w.parent)


def test_every_email_carries_a_one_click_unsubscribe(w, client):
    send_announcement(w.studio, w.admin, subject="Closed Monday", body="Snow.",
                      audience="families")
    db.session.commit()
    email = db.session.scalar(db.select(OutboxEmail).where(OutboxEmail.to_address == w.parent.email))

    link = email.headers["List-Unsubscribe"]
    assert link.startswith("<http://localhost/unsubscribe/") and link.endswith(">")
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = link[1:-1]
    assert url in email.body_text and url in email.body_html
    assert "<strong>" not in email.body_text and "Snow." in email.body_html

    # RFC 8058: the mail client POSTs this body, with no session and no CSRF token.
    answer = client.post(url.removeprefix("http://localhost"),
                         data={"List-Unsubscribe": "One-Click"})

    assert answer.status_code == 200
    db.session.expire_all()
    assert service.is_unsubscribed(db.session.get(type(w.parent), w.parent.id))


def test_an_unsubscribed_address_is_skipped_next_time_but_still_told_in_app(w):
    service.set_announcement_emails(w.parent, False)

    preview = service.preview_audience(w.studio, w.admin, "families", "")
    sent = send_announcement(w.studio, w.admin, subject="Recital", body="Sunday.",
                             audience="families")

    queued = set(db.session.scalars(db.select(OutboxEmail.to_address)))
    assert queued == emails(w.student, w.parent2)
    assert preview["unsubscribed"] == 1 and preview["emails"] == 2
    assert db.session.scalar(db.select(Notification.id).where(
        Notification.user_id == w.parent.id, Notification.link == f"/announcements/{sent.id}"))


def test_subscribing_again_brings_the_emails_back(w):
    service.set_announcement_emails(w.parent, False)
    service.set_announcement_emails(w.parent, True)

    assert service.preview_audience(w.studio, w.admin, "families", "")["emails"] == 3


def test_a_forged_unsubscribe_token_is_not_found(w, client):
    token = service.unsubscribe_token(w.parent)
    db.session.commit()

    assert client.get(f"/unsubscribe/{token}x").status_code == 404
    assert client.post(f"/unsubscribe/{token[:-2]}").status_code == 404
    assert client.get(f"/unsubscribe/{token}").status_code == 200


def test_the_same_form_sent_twice_sends_once(w):
    token = str(uuid.uuid4())
    first = send_announcement(w.studio, w.admin, subject="Hi", body="Once.",
                              audience="families", announcement_id=token)
    again = send_announcement(w.studio, w.admin, subject="Hi", body="Once.",
                              audience="families", announcement_id=token)

    assert again.id == first.id
    assert db.session.scalar(db.select(db.func.count()).select_from(Announcement)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxEmail)) == 3


def test_another_studios_form_token_is_refused(w):
    token = str(uuid.uuid4())
    send_announcement(w.other, w.other_admin, subject="Hi", body="There.", audience="families",
                      announcement_id=token)

    with pytest.raises(ValidationFailed):
        send_announcement(w.studio, w.admin, subject="Hi", body="Here.", audience="families",
                          announcement_id=token)


def test_a_teacher_announces_to_their_own_students_only(w):
    own = send_announcement(w.studio, w.theo.user, subject="Scales", body="Practise.",
                            audience="teacher_students", audience_value=str(w.theo.id))
    assert own.recipient_count == 3

    for audience, value in (("teacher_students", str(w.clara.id)), ("families", ""),
                            ("instrument", "piano"), ("day", w.day.isoformat())):
        with pytest.raises(PermissionDenied):
            send_announcement(w.studio, w.theo.user, subject="x", body="y", audience=audience,
                              audience_value=value)
        with pytest.raises(PermissionDenied):
            service.preview_audience(w.studio, w.theo.user, audience, value)


@pytest.mark.parametrize("who", ["parent", "student"])
def test_families_do_not_announce(w, who):
    with pytest.raises(PermissionDenied):
        send_announcement(w.studio, getattr(w, who), subject="x", body="y", audience="families")


@pytest.mark.parametrize("audience, value, field", [
    ("families", "x", "audience_value"),
    ("teacher_students", "", "audience_value"),
    ("teacher_students", "not-an-id", "audience_value"),
    ("instrument", "", "audience_value"),
    ("day", "2026-02-30", "audience_value"),
    ("nobody", "", "audience"),
])
def test_a_bad_audience_is_refused_on_its_field(w, audience, value, field):
    with pytest.raises(ValidationFailed) as error:
        send_announcement(w.studio, w.admin, subject="x", body="y", audience=audience,
                          audience_value=value)
    assert field in error.value.field_errors


def test_an_audience_that_reaches_nobody_is_refused(w):
    with pytest.raises(ValidationFailed) as error:
        send_announcement(w.studio, w.admin, subject="x", body="y", audience="instrument",
                          audience_value="theremin")
    assert "audience" in error.value.field_errors


def test_another_studios_teacher_is_no_audience(w, make):
    from tests.factories import Maker

    foreign_teacher = Maker().teacher(w.other)
    with pytest.raises(ValidationFailed):
        service.preview_audience(w.studio, w.admin, "teacher_students", str(foreign_teacher.id))


def test_no_audience_reaches_into_another_studio(w):
    for case in AUDIENCE_CASES:
        audience, value = target(w, case)
        _value, resolved = service.audience_target(w.studio, audience, value)
        reach = service.resolve_audience(w.studio, audience, resolved)
        assert not set(reach.emails) & emails(w.other_admin, w.other_parent)


def test_an_announcement_is_delivered_over_smtp_with_its_unsubscribe_headers(
        app, w, mail_config, smtp_server):
    send_announcement(w.studio, w.admin, subject="Spring recital", body="Bring *flowers*.",
                      audience="instrument", audience_value="violin")
    db.session.commit()

    assert deliver_pending() == (1, 0)
    smtp_server.mailbox.wait_for(1)
    [message] = smtp_server.mailbox.messages
    assert message["To"] == w.parent.email
    assert message["Subject"] == "Spring recital"
    assert message["List-Unsubscribe"].startswith("<http://localhost/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = {part.get_content_type(): part.get_payload(decode=True).decode()
             for part in message.walk() if not part.is_multipart()}
    assert "Bring *flowers*." in parts["text/plain"]
    assert "<em>flowers</em>" in parts["text/html"]
    assert message["List-Unsubscribe"][1:-1] in parts["text/plain"]


def test_the_built_message_keeps_the_headers(w):
    send_announcement(w.studio, w.admin, subject="Hi", body="There.", audience="teachers")
    email = db.session.scalars(db.select(OutboxEmail)).first()

    parsed = message_from_string(build_message(email).as_string())

    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# ------------------------------------------------------------------ the API


def _headers(client, user):
    return bearer(api_login(client, user.email))


def test_api_sends_previews_lists_and_reads(w, client):
    headers = _headers(client, w.admin)
    body = {"audience": "instrument", "audience_value": "piano"}

    preview = client.post("/api/v1/announcements/preview", json=body, headers=headers)
    sent = client.post("/api/v1/announcements", headers=headers,
                       json={**body, "subject": "Piano day", "body": "Bring music."})

    assert preview.status_code == 200
    assert preview.json["emails"] == 3 and preview.json["families"] == 2
    assert preview.json["without_account"] == 1
    assert sent.status_code == 201, sent.json
    assert sent.json["recipient_count"] == preview.json["recipient_count"] == 3
    assert sent.json["sent_by"]["full_name"] == "Ada Admin"
    listed = client.get("/api/v1/announcements", headers=headers).json
    assert listed["count"] == 1 and listed["results"][0]["id"] == sent.json["id"]
    assert client.get(f"/api/v1/announcements/{sent.json['id']}", headers=headers).status_code == 200


def test_a_family_reads_what_it_received_without_the_audience(w, client):
    send_announcement(w.studio, w.admin, subject="Violin", body="For Lily.",
                      audience="instrument", audience_value="violin")
    other = send_announcement(w.studio, w.admin, subject="Clara's", body="For Chidi.",
                              audience="teacher_students", audience_value=str(w.clara.id))
    db.session.commit()
    headers = _headers(client, w.parent)

    listed = client.get("/api/v1/announcements", headers=headers).json

    assert [a["subject"] for a in listed["results"]] == ["Violin"]
    assert "recipient_count" not in listed["results"][0]
    assert "audience_value" not in listed["results"][0]
    assert client.get(f"/api/v1/announcements/{other.id}", headers=headers).status_code == 404


def test_api_refuses_a_teacher_writing_to_a_colleagues_students(w, client):
    answer = client.post("/api/v1/announcements", headers=_headers(client, w.theo.user),
                         json={"subject": "x", "body": "y", "audience": "teacher_students",
                               "audience_value": str(w.clara.id)})

    assert answer.status_code == 403
    assert answer.json["code"] == "FORBIDDEN"
    assert not db.session.scalar(db.select(OutboxEmail.id))


def test_api_refuses_parents(w, client):
    answer = client.post("/api/v1/announcements", headers=_headers(client, w.parent),
                         json={"subject": "x", "body": "y", "audience": "families"})

    assert answer.status_code == 403


def test_api_hides_another_studios_announcements(w, client):
    sent = send_announcement(w.studio, w.admin, subject="Ours", body="Only.", audience="families")
    db.session.commit()
    headers = _headers(client, w.other_admin)

    assert client.get(f"/api/v1/announcements/{sent.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/announcements", headers=headers).json["count"] == 0


def test_api_reports_a_blank_subject_on_its_field(w, client):
    answer = client.post("/api/v1/announcements", headers=_headers(client, w.admin),
                         json={"subject": "  ", "body": "y", "audience": "families"})

    assert answer.status_code == 400
    assert "subject" in answer.json["field_errors"]
