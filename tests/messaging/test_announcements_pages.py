"""Announcement pages: compose, review and send (without JavaScript), the live count, the list,
the page families open from their notification, and the unsubscribe page."""
import re

from app.extensions import db
from app.messaging.models import Announcement, Notification, OutboxEmail
from app.messaging.services import announcements as service
from app.messaging.services import send_announcement
from tests.conftest import PASSWORD, csrf_token, post_form, web_login
from tests.messaging.announcement_world import build

TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]+)"|name="token" value="([^"]+)"')


def signed_in(client, user):
    web_login(client, user.email, PASSWORD)
    return client


def compose(client, **fields):
    data = {"subject": "Recital", "body": "Sunday at **3**.", "audience": "families",
            "teacher": "", "instrument": "", "day": "", **fields}
    return post_form(client, "/announcements/new", data)


def test_an_admin_reviews_then_sends_and_a_second_submit_sends_nothing(make, client):
    w = build(make)
    signed_in(client, w.admin)

    review = compose(client, action="review", audience="instrument", instrument="piano")

    html = review.get_data(as_text=True)
    assert review.status_code == 200
    assert "This goes to 2 families (3 emails)." in html
    assert "Send to 3 people" in html
    assert "<strong>3</strong>" in html
    token = next(filter(None, TOKEN_RE.search(html).groups()))
    sent = compose(client, action="send", audience="instrument", instrument="piano", token=token)
    again = compose(client, action="send", audience="instrument", instrument="piano", token=token)

    assert sent.status_code == again.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(Announcement)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxEmail)) == 3
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Piano students and families" in page and "3 (0 delivered)" in page


def test_compose_shows_the_errors_next_to_their_fields(make, client):
    w = build(make)
    signed_in(client, w.admin)

    answer = compose(client, action="review", subject="", audience="teacher_students")

    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="subject-error"' in html
    assert 'id="teacher-error"' in html and "Choose a teacher of the studio." in html


def test_the_live_count_follows_the_audience(make, client):
    w = build(make)
    signed_in(client, w.admin)

    day = client.get(f"/announcements/preview?audience=day&day={w.day.isoformat()}",
                     headers={"HX-Request": "true"}).get_data(as_text=True)
    teachers = client.get("/announcements/preview?audience=teachers").get_data(as_text=True)
    missing = client.get("/announcements/preview?audience=day").get_data(as_text=True)

    assert "This goes to 1 family (2 emails)." in day
    assert "1 guardian has no login" in day
    assert "This goes to 2 teachers (2 emails)." in teachers
    assert "Enter a date as YYYY-MM-DD." in missing


def test_a_teachers_form_goes_to_their_own_students_whatever_it_posts(make, client):
    w = build(make)
    signed_in(client, w.theo.user)

    page = client.get("/announcements/new").get_data(as_text=True)
    sent = compose(client, action="send", audience="teacher_students", teacher=str(w.clara.id))

    assert "your students and their families" in page
    assert sent.status_code == 302
    announcement = db.session.scalar(db.select(Announcement))
    assert announcement.audience_value == str(w.theo.id)


def test_a_parent_opens_what_they_received_read_only(make, client):
    w = build(make)
    sent = send_announcement(w.studio, w.admin, subject="Closed Monday", body="Snow day.",
                             audience="families")
    db.session.commit()
    signed_in(client, w.parent)
    link = db.session.scalar(db.select(Notification.link).where(Notification.user_id == w.parent.id))

    page = client.get(link)
    listed = client.get("/announcements").get_data(as_text=True)

    assert link == f"/announcements/{sent.id}"
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Snow day." in html and "Delivery" not in html and "People reached" not in html
    assert "Closed Monday" in listed and "Recipients" not in listed
    assert client.get("/announcements/new").status_code == 302


def test_the_sidebar_offers_announcements_to_staff_only(make, client):
    w = build(make)

    admin_home = signed_in(client, w.admin).get("/").get_data(as_text=True)
    parent_client = client.application.test_client()
    parent_home = signed_in(parent_client, w.parent).get("/").get_data(as_text=True)

    assert 'href="/announcements"' in admin_home
    assert 'href="/announcements"' not in parent_home


def test_the_unsubscribe_page_asks_then_unsubscribes_and_can_undo(make, client):
    w = build(make)
    token = service.unsubscribe_token(w.parent)
    db.session.commit()

    asked = client.get(f"/unsubscribe/{token}").get_data(as_text=True)
    done = client.post(f"/unsubscribe/{token}", data={"action": "unsubscribe"}).get_data(as_text=True)
    db.session.expire_all()
    unsubscribed = service.is_unsubscribed(db.session.get(type(w.parent), w.parent.id))
    undone = client.post(f"/unsubscribe/{token}", data={"action": "resubscribe"}).get_data(as_text=True)
    db.session.expire_all()

    assert "Stop emailing announcements" in asked and w.parent.email in asked
    assert "You are unsubscribed." in done and unsubscribed
    assert "emailed to" in undone and "again" in undone
    assert not service.is_unsubscribed(db.session.get(type(w.parent), w.parent.id))


def test_the_compose_form_needs_its_csrf_token(make, client):
    w = build(make)
    signed_in(client, w.admin)
    csrf_token(client, "/announcements/new")

    answer = post_form(client, "/announcements/new", {"csrf_token": None, "subject": "x",
                                                      "body": "y", "audience": "teachers",
                                                      "action": "send"})

    assert answer.status_code in (400, 422)
    assert db.session.scalar(db.select(Announcement.id)) is None
