"""The bell's services: a member's inbox in one studio, unread counts, marking read, the email
choices, and the live event that refreshes the member's other open tabs."""
import pytest
from sqlalchemy import func, select

from app.core import events
from app.core.errors import NotFound, ValidationFailed
from app.extensions import db
from app.messaging import services
from app.messaging.models import Notification, OutboxEmail


class Recorder:
    """A broker that keeps what it is sent."""

    def __init__(self):
        self.sent = []

    def send(self, event):
        self.sent.append(event)


@pytest.fixture()
def published():
    recorder = Recorder()
    previous = events.set_broker(recorder)
    yield recorder.sent
    events.set_broker(previous)


@pytest.fixture()
def people(make):
    studio = make.studio(name="Bell Studio")
    other = make.studio(name="Elsewhere")
    parent = make.member(studio, "parent")
    admin = make.member(studio, "admin")
    db.session.flush()
    return type("People", (), {"studio": studio, "other": other, "parent": parent, "admin": admin})


def _emails():
    return db.session.scalar(select(func.count(OutboxEmail.id)))


def test_inbox_lists_a_members_own_notifications_of_the_studio_newest_first(people):
    studio, parent = people.studio, people.parent
    first = services.notify(studio, [parent], "invoice_sent", "First")[0]
    second = services.notify(studio, [parent], "payment_received", "Second")[0]
    services.notify(studio, [people.admin], "cancellation_requested", "Not hers", email=False)
    services.notify(people.other, [parent], "invoice_sent", "Another studio's")
    first.created_at = first.created_at.replace(year=2020)
    db.session.flush()

    titles = [n.title for n in db.session.scalars(services.inbox(parent, studio))]

    assert titles == ["Second", "First"]
    assert services.unread_count(parent, studio) == 2
    assert services.unread_count(parent, people.other) == 1
    assert [n.id for n in db.session.scalars(services.inbox(parent, studio, is_read=False))] == [
        second.id, first.id]


def test_mark_read_marks_once_and_tells_the_members_other_tabs(people, published):
    studio, parent = people.studio, people.parent
    notification = services.notify(studio, [parent], "invoice_sent", "Invoice")[0]
    db.session.commit()
    published.clear()

    services.mark_read(parent, notification)
    db.session.commit()
    services.mark_read(parent, notification)  # already read: nothing changes, nothing is sent
    db.session.commit()

    assert notification.is_read and notification.read_at is not None
    assert services.unread_count(parent, studio) == 0
    assert [(e["users"], e["event"]) for e in published] == [([str(parent.id)], "notification")]


def test_nobody_marks_or_reads_another_members_notification(people):
    studio = people.studio
    theirs = services.notify(studio, [people.admin], "cancellation_requested", "Admin's", email=False)[0]

    with pytest.raises(NotFound):
        services.notification_of(people.parent, studio, theirs.id)
    with pytest.raises(NotFound):
        services.mark_read(people.parent, theirs)
    with pytest.raises(NotFound):
        services.notification_of(people.admin, people.other, theirs.id)  # another studio
    with pytest.raises(NotFound):
        services.notification_of(people.admin, studio, "not-an-id")
    assert not theirs.is_read


def test_mark_all_read_marks_only_the_members_unread_of_the_studio(people, published):
    studio, parent = people.studio, people.parent
    services.notify(studio, [parent], "invoice_sent", "One")
    services.notify(studio, [parent], "invoice_sent", "Two")
    elsewhere = services.notify(people.other, [parent], "invoice_sent", "Elsewhere")[0]
    admins = services.notify(studio, [people.admin], "cancellation_requested", "Admin's", email=False)[0]
    db.session.commit()
    published.clear()

    assert services.mark_all_read(parent, studio) == 2
    db.session.commit()
    assert services.mark_all_read(parent, studio) == 0
    db.session.commit()

    db.session.expire_all()
    assert services.unread_count(parent, studio) == 0
    assert not db.session.get(Notification, elsewhere.id).is_read
    assert not db.session.get(Notification, admins.id).is_read
    assert len(published) == 1 and published[0]["users"] == [str(parent.id)]


def test_a_rolled_back_read_sends_no_event(people, published):
    notification = services.notify(people.studio, [people.parent], "invoice_sent", "Invoice")[0]
    db.session.commit()
    published.clear()

    services.mark_read(people.parent, notification)
    db.session.rollback()

    assert published == []


def test_email_choices_change_whether_an_email_is_queued(people):
    studio, parent = people.studio, people.parent
    assert services.email_choices(parent)["note_shared"] is False  # off by default
    before = _emails()
    services.notify(studio, [parent], "note_shared", "A note")
    assert _emails() == before

    assert services.set_email_preferences(parent, {"note_shared": True})["note_shared"] is True
    services.notify(studio, [parent], "note_shared", "Another note", link="/lessons/x")
    assert _emails() == before + 1

    services.set_email_preferences(parent, {"checkout_approved": False})  # on by default
    services.notify(studio, [parent], "checkout_approved", "Approved")
    assert _emails() == before + 1
    assert parent.preferences["email_notifications"] == {"note_shared": True, "checkout_approved": False}


def test_email_false_never_emails_whatever_the_choice(people):
    services.set_email_preferences(people.admin, {"cancellation_requested": True})
    before = _emails()
    services.notify(people.studio, [people.admin], "cancellation_requested", "Asked", email=False)
    assert _emails() == before


def test_types_emailed_elsewhere_are_not_chosen(people):
    with pytest.raises(ValidationFailed) as refused:
        services.set_email_preferences(people.parent, {"invoice_sent": True})
    assert "invoice_sent" in refused.value.field_errors["notification_preferences"][0]


def test_the_account_page_offers_each_role_the_types_it_is_told(people):
    assert set(services.email_choices(people.admin, "admin")) == {"new_message", "cancellation_requested"}
    assert "cancellation_requested" not in services.email_choices(people.parent, "parent")
    assert set(services.email_choices(people.parent)) == set(services.EMAIL_CHOICES)


def test_family_user_ids_are_the_students_and_guardians_logins_with_a_membership(make):
    studio = make.studio()
    parent = make.member(studio, "parent")
    kid_user = make.member(studio, "student")
    gone = make.member(studio, "parent")
    gone.memberships[0].is_active = False
    family = make.family(studio, guardians=[parent, gone])
    make.guardian(family, email="nologin@example.test")
    kid = make.student(studio, family, user=kid_user)
    sibling = make.student(studio, family)
    other_family = make.family(studio, guardians=[make.member(studio, "parent")])
    make.student(studio, other_family)
    db.session.flush()

    assert set(services.family_user_ids(studio, student_ids=[kid.id])) == {parent.id, kid_user.id}
    assert set(services.family_user_ids(studio, student_ids=[sibling.id])) == {parent.id}
    assert set(services.family_user_ids(studio, family_ids=[family.id])) == {parent.id}
    assert services.family_user_ids(studio) == []


def test_link_to_is_a_path_also_outside_a_request(app):
    with app.app_context():
        assert services.link_to("messaging.notifications") == "/notifications"
