"""The emails the app writes, delivered through a real SMTP server: every link starts with
PUBLIC_BASE_URL (whatever Host the request came with), and the reset link works."""
import re
from datetime import timedelta

import pytest

from app.accounts import services as accounts
from app.core.db import utcnow
from app.extensions import db
from app.messaging.services import deliver_pending
from app.scheduling import services as scheduling

BASE = "https://music.example.com/studio"
LINK_RE = re.compile(r"https?://[^\s]+")


@pytest.fixture()
def public_base(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE + "/")


def delivered(app, smtp_server, count):
    with app.app_context():
        assert deliver_pending() == (count, 0)
    smtp_server.mailbox.wait_for(count)
    return {message["To"]: message for message in smtp_server.mailbox.messages}


def text(message):
    return message.get_body(("plain",)).get_content()


def links(message):
    return LINK_RE.findall(text(message))


def test_a_reset_link_is_delivered_on_the_public_address_and_works(
        app, client, make, mail_config, smtp_server, public_base):
    user = make.member(make.studio(), "parent", first_name="Rosa")
    db.session.commit()

    answer = client.post("/api/v1/auth/password-reset", json={"email": user.email},
                         headers={"Host": "attacker.example.net"})

    assert answer.status_code == 202
    message = delivered(app, smtp_server, 1)[user.email]
    assert message["Subject"] == "Choose a new Cadenza password"
    [link] = links(message)
    assert link.startswith(f"{BASE}/reset-password/")
    path = link.removeprefix(BASE)
    assert client.get(path).status_code == 200
    token = path.rsplit("/", 1)[1]
    assert client.post("/api/v1/auth/password-reset/confirm",
                       json={"token": token, "password": "a-new-password"}).status_code == 204


def test_lesson_notices_invitations_and_invoices_link_to_the_public_address(
        app, make, mail_config, smtp_server, public_base):
    studio = make.studio(name="Harmony Test Studio")
    admin = make.member(studio, "admin")
    parent = make.member(studio, "parent")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh")
    family = make.family(studio, guardians=[parent], name="Bennett")
    student = make.student(studio, family, first_name="Sam", last_name="Bennett")
    lesson = make.lesson(studio, teacher, [student],
                         start=utcnow().replace(microsecond=0) + timedelta(days=3))
    scheduling.cancel_lesson(studio, admin, lesson, "Snow day", initiated_by="studio")
    accounts.invite_member(studio, admin, "newcomer@example.test", "teacher")
    db.session.commit()

    messages = delivered(app, smtp_server, 2)

    notice = messages[parent.email]
    assert notice["Subject"].startswith("Lesson cancelled: ")
    assert "with Theo Marsh" in text(notice)
    assert links(notice) == [f"{BASE}/"]
    [invitation_link] = links(messages["newcomer@example.test"])
    assert invitation_link.startswith(f"{BASE}/invitations/")


def test_invoice_links_use_the_public_address(app, make, mail_config, smtp_server, public_base):
    studio = make.studio()
    family = make.family(studio, billing_email="bills@example.test")
    invoice = make.invoice(studio, family, send=True)
    db.session.commit()

    message = delivered(app, smtp_server, 1)["bills@example.test"]

    assert links(message) == [f"{BASE}/invoices/{invoice.id}", f"{BASE}/invoices/{invoice.id}/pdf"]
