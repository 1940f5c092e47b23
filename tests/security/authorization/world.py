"""The populated studio every authorization table runs against.

Who is who (the matrix's roles are the first six logins; `other` acts with this studio's ids):

- `teacher` (Theo) teaches `kid` and `child`; `colleague` (Clara, a teacher with a login that
  no matrix role uses) teaches `stranger`.
- `parent` is the guardian (`guardian`) of the Bennett family: `kid` (who signs in as
  `student`) and `child` (no login). The Okafor family (`other_family`, guardian `parent2`)
  has `stranger`. `empty_family` has nobody.
- Records come in pairs: ours (the Bennett children's, Theo's) and theirs (the Okafor child's,
  Clara's), so that "another family's" and "a colleague's" are rows of their own.
- `other` is an admin of the Elsewhere studio, which has a teacher, family, student, lesson,
  teaching records and an invoice of its own (`foreign_*` ids).

Rows name objects by `{name}`. Names in `FRESH` are created anew for every request, for
writes that would change what later rows see (deletes, state changes); the others are built
once per test module.
"""
import itertools
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from app.core import jobs
from app.extensions import db
from tests.factories import PASSWORD, TIMEZONE, Maker

_slot = itertools.count(1)


def _hour_ahead():
    """A future start no other lesson of the module uses (two hours apart)."""
    base = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return base + timedelta(days=3, hours=2 * next(_slot))


def _hour_before():
    base = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return base - timedelta(days=1, hours=2 * next(_slot))


def iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_start():
    """A free future start time for bodies that book lessons or rooms."""
    return _hour_ahead()


def unique(prefix="x"):
    return f"{prefix}{next(_slot)}"


class Ref(str):
    """An id for a path, with the ids of related objects as attributes (`{new_line.invoice}`)."""

    def __new__(cls, value, **related):
        ref = super().__new__(cls, str(value))
        for name, other in related.items():
            setattr(ref, name, str(other))
        return ref


FRESH = frozenset({
    "new_lesson", "new_colleague_lesson", "new_past_lesson", "new_colleague_past_lesson",
    "new_group_lesson", "new_series", "new_colleague_series", "new_student_reservation",
    "new_teacher_reservation", "new_request", "new_credit", "new_colleague_credit", "new_room",
    "new_closure", "new_note", "new_colleague_note", "new_goal", "new_colleague_goal",
    "new_practice", "new_colleague_practice", "new_plan", "new_private_plan",
    "new_colleague_plan", "new_colleague_private_plan", "new_draft",
    "new_sent", "new_payment", "new_line", "new_family", "new_student", "new_teacher",
    "new_guardian", "new_parent_guardian",
    "new_member", "new_invitation", "new_sign_in", "new_import", "feed_token",
    "new_admin_sign_in", "invitation_token", "refresh_token", "new_admin_member", "reset_token",
    "new_item", "new_checkout", "new_approved_checkout", "new_out_checkout",  # inventory
    "new_resource", "new_colleague_resource", "new_book", "new_loan", "new_returned_loan",  # library
    "new_notification", "new_admin_notification",  # notifications
    "new_api_key",  # developer
    "new_webhook",  # webhooks
    "new_oauth_app", "new_oauth_grant", "new_own_oauth_grant",  # third-party apps
})


class World:
    """Ids (strings) of the module's studio, and the logins of its roles."""

    def __init__(self):
        make = self.make = Maker()
        studio = make.studio(name="Harmony Test Studio", tax_rate=Decimal("8.25"),
                             invoice_prefix="INV", invoice_due_days=14)
        users = {role: make.member(studio, role) for role in ("owner", "admin", "parent", "student")}
        teacher = make.teacher(studio, first_name="Theo", last_name="Marsh", hourly_rate=60)
        colleague = make.teacher(studio, first_name="Clara", last_name="Weiss", hourly_rate=45)
        users["teacher"], users["colleague"] = teacher.user, colleague.user
        users["parent2"] = make.member(studio, "parent")
        family = make.family(studio, guardians=[users["parent"]], name="Bennett Family")
        other_family = make.family(studio, guardians=[users["parent2"]], name="Okafor Family")
        empty_family = make.family(studio, name="Empty Family")
        kid = make.student(studio, family, first_name="Sam", last_name="Bennett",
                           user=users["student"], email=users["student"].email,
                           primary_teacher=teacher, default_lesson_rate=Decimal("45.00"))
        child = make.student(studio, family, first_name="Lily", last_name="Bennett",
                             primary_teacher=teacher, default_lesson_rate=Decimal("32.00"))
        stranger = make.student(studio, other_family, first_name="Chidi", last_name="Okafor",
                                primary_teacher=colleague, default_lesson_rate=Decimal("35.00"))
        room = make.room(studio, name="Room A", capacity=3)
        practice_room = make.room(studio, name="Practice 1", is_bookable=True)
        closure = make.closure(studio, date(2031, 1, 1))

        past = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=2)
        lesson = make.lesson(studio, teacher, [kid], start=_hour_ahead())
        colleague_lesson = make.lesson(studio, colleague, [stranger], start=_hour_ahead())
        lesson_x = make.lesson(studio, teacher, [kid], start=past, status="completed")
        fresh_x = make.lesson(studio, teacher, [kid], start=past - timedelta(days=21), status="completed")
        lesson_y = make.lesson(studio, colleague, [stranger], start=past + timedelta(hours=2),
                               status="completed")
        fresh_y = make.lesson(studio, colleague, [stranger], start=past - timedelta(days=21),
                              status="completed")
        shared = make.note(lesson_x, summary="Great scales today.", author=teacher.user)
        note_y = make.note(lesson_y, summary="Arpeggios.", author=colleague.user)
        goal_x = make.goal(kid, title="Für Elise", progress_percentage=40)
        goal_y = make.goal(stranger, title="Y goal", progress_percentage=10)
        plan_public = make.plan(studio, teacher.user, title="Public scales plan", is_public=True)
        plan_private = make.plan(studio, teacher.user, title="Theo's private plan")
        colleague_plan_public = make.plan(studio, colleague.user, title="Clara's plan", is_public=True)
        colleague_plan_private = make.plan(studio, colleague.user, title="Clara's private plan")
        practice_x = make.practice(kid, minutes=25)
        practice_y = make.practice(stranger, minutes=15)
        admin = users["admin"]
        draft = make.invoice(studio, family, actor=admin)
        sent = make.invoice(studio, family, send=True, actor=admin)
        payment = make.payment(studio, sent, "10.00", actor=admin)
        other_sent = make.invoice(studio, other_family, send=True, actor=admin)
        other_payment = make.payment(studio, other_sent, "5.00", actor=admin)
        job = jobs.start_job(studio, admin, "auto_invoice", period_start=date(2025, 1, 1),
                             period_end=date(2025, 1, 31), family=None)

        foreign = make.studio(name="Elsewhere")
        users["other"] = make.member(foreign, "admin")
        foreign_teacher = make.teacher(foreign)
        foreign_family = make.family(foreign, name="Foreign Family")
        foreign_student = make.student(foreign, foreign_family, first_name="Zed")
        foreign_lesson = make.lesson(foreign, foreign_teacher, [foreign_student], start=past,
                                     status="completed")
        foreign_note = make.note(foreign_lesson, summary="Foreign note")
        foreign_invoice = make.invoice(foreign, foreign_family, send=True, actor=users["other"])
        db.session.flush()

        self.studio_id, self.foreign_id = str(studio.id), str(foreign.id)
        self.emails = {name: user.email for name, user in users.items()}
        self.user_ids = {name: str(user.id) for name, user in users.items()}
        named = dict(
            own_teacher=teacher, other_teacher=colleague, family=family, parent_family=family,
            other_family=other_family, empty_family=empty_family, kid=kid, child=child,
            stranger=stranger, room=room, practice_room=practice_room, closure=closure,
            lesson=lesson, colleague_lesson=colleague_lesson, lesson_x=lesson_x, fresh_x=fresh_x,
            fresh_y=fresh_y, lesson_y=lesson_y, shared=shared, note_y=note_y, goal_x=goal_x, goal_y=goal_y,
            plan_public=plan_public, plan_private=plan_private,
            colleague_plan_public=colleague_plan_public,
            colleague_plan_private=colleague_plan_private, practice_x=practice_x,
            practice_y=practice_y, draft=draft, sent=sent, payment=payment, other_sent=other_sent,
            other_payment=other_payment, job=job, guardian=family.guardians[0],
            foreign_teacher=foreign_teacher,
            foreign_family=foreign_family, foreign_student=foreign_student,
            foreign_lesson=foreign_lesson, foreign_note=foreign_note, foreign_invoice=foreign_invoice,
        )
        self.ids = {name: str(obj.id) for name, obj in named.items()}
        self.ids["missing"] = str(uuid.uuid4())
        self.ids["studio"] = self.studio_id
        self.ids.update(self._inventory_world(studio, foreign, kid, stranger, users))  # inventory
        self.ids.update(self._library_world(studio, foreign, kid, stranger, users))  # library
        self.ids.update(self._developer_world(studio, foreign, users))  # API keys
        self.ids.update(self._webhooks_world(studio, foreign, users))  # webhooks
        db.session.commit()

    # ------------------------------------------------------------ objects made per request

    def fresh(self, name, role):
        """Create the fresh object `name` (for `role`, when it is the caller's own)."""
        obj = getattr(self, f"_{name}")(role)
        db.session.commit()
        return obj if isinstance(obj, Ref) else Ref(obj if isinstance(obj, (str, uuid.UUID)) else obj.id)

    def _get(self, model, name):
        return db.session.get(model, uuid.UUID(self.ids[name]))

    def _studio(self):
        from app.accounts.models import Studio

        return db.session.get(Studio, uuid.UUID(self.studio_id))

    def _user(self, name):
        from app.accounts.models import User

        return db.session.get(User, uuid.UUID(self.user_ids[name]))

    def _teacher(self, mine=True):
        from app.people.models import TeacherProfile

        return self._get(TeacherProfile, "own_teacher" if mine else "other_teacher")

    def _student(self, name):
        from app.people.models import Student

        return self._get(Student, name)

    def _family(self, name):
        from app.people.models import Family

        return self._get(Family, name)

    def _lesson_of(self, mine=True, past=False, **fields):
        teacher = self._teacher(mine)
        student = self._student("kid" if mine else "stranger")
        start = _hour_before() if past else _hour_ahead()
        return self.make.lesson(self._studio(), teacher, [student], start=start, **fields)

    def _new_lesson(self, role):
        return self._lesson_of(True)

    def _new_colleague_lesson(self, role):
        return self._lesson_of(False)

    def _new_past_lesson(self, role):
        return self._lesson_of(True, past=True)

    def _new_colleague_past_lesson(self, role):
        return self._lesson_of(False, past=True)

    def _new_group_lesson(self, role):
        students = [self._student("kid"), self._student("child")]
        return self.make.lesson(self._studio(), self._teacher(), students, start=_hour_before(),
                                lesson_type="group")

    def _series(self, mine):
        from app.scheduling import services

        day = (datetime.now(timezone.utc) + timedelta(days=400 + next(_slot))).date()
        series, _ = services.create_series(
            self._studio(), self._user("admin"),
            services.Placement(teacher=self._teacher(mine),
                               students=(self._student("kid" if mine else "stranger"),)),
            services.Pattern(day_of_week=day.weekday(), start_time=time(next(_slot) % 12 + 8),
                             duration_minutes=30, start_date=day, end_date=day))
        return series

    def _new_series(self, role):
        return self._series(True)

    def _new_colleague_series(self, role):
        return self._series(False)

    def _reservation(self, user):
        from app.scheduling import services
        from app.scheduling.models import Room

        start = _hour_ahead()
        room = db.session.get(Room, uuid.UUID(self.ids["practice_room"]))
        return services.reserve_room(self._studio(), self._user(user), room=room, start=start,
                                     end=start + timedelta(minutes=30))

    def _new_student_reservation(self, role):
        return self._reservation("student")

    def _new_teacher_reservation(self, role):
        return self._reservation("teacher")

    def _new_request(self, role):
        from app.scheduling import services

        return services.request_cancellation(self._studio(), self._user("parent"),
                                             self._lesson_of(True), "Trip")

    def _credit(self, student):
        from app.scheduling.models import MakeupCredit

        student = self._student(student)
        credit = MakeupCredit(studio_id=student.studio_id, family_id=student.family_id,
                              student_id=student.id,
                              expires_at=datetime.now(timezone.utc) + timedelta(days=30))
        db.session.add(credit)
        db.session.flush()
        return credit

    def _new_credit(self, role):
        return self._credit("kid")

    def _new_colleague_credit(self, role):
        return self._credit("stranger")

    def _new_room(self, role):
        return self.make.room(self._studio())

    def _new_closure(self, role):
        return self.make.closure(self._studio(), date(2031, 3, 1) + timedelta(days=next(_slot)))

    def _note(self, mine):
        lesson = self._lesson_of(mine, past=True, status="completed")
        author = self._user("teacher" if mine else "colleague")
        return self.make.note(lesson, summary="Fresh note", author=author)

    def _new_note(self, role):
        return self._note(True)

    def _new_colleague_note(self, role):
        return self._note(False)

    def _new_goal(self, role):
        return self.make.goal(self._student("kid"))

    def _new_colleague_goal(self, role):
        return self.make.goal(self._student("stranger"))

    def _new_practice(self, role):
        return self.make.practice(self._student("kid"), minutes=20)

    def _new_colleague_practice(self, role):
        return self.make.practice(self._student("stranger"), minutes=20)

    def _new_plan(self, role):
        return self.make.plan(self._studio(), self._user("teacher"), is_public=True)

    def _new_private_plan(self, role):
        return self.make.plan(self._studio(), self._user("teacher"))

    def _new_colleague_plan(self, role):
        return self.make.plan(self._studio(), self._user("colleague"), is_public=True)

    def _new_colleague_private_plan(self, role):
        return self.make.plan(self._studio(), self._user("colleague"))

    def _new_draft(self, role):
        return self.make.invoice(self._studio(), self._family("family"), actor=self._user("admin"))

    def _new_sent(self, role):
        return self.make.invoice(self._studio(), self._family("family"), send=True,
                                 actor=self._user("admin"))

    def _new_payment(self, role):
        invoice = self._new_sent(role)
        return self.make.payment(self._studio(), invoice, "10.00", actor=self._user("admin"))

    def _new_line(self, role):
        invoice = self._new_draft(role)
        return Ref(invoice.line_items[0].id, invoice=invoice.id)

    def _new_family(self, role):
        return self.make.family(self._studio(), name=unique("Family "))

    def _new_student(self, role):
        return self.make.student(self._studio(), self._family("family"), primary_teacher=self._teacher())

    def _new_teacher(self, role):
        return self.make.teacher(self._studio())

    def _new_guardian(self, role):
        return self.make.guardian(self._family("family"), first_name="Gran", last_name="Bennett",
                                 email=f"{unique('gran')}@example.test")

    def _new_parent_guardian(self, role):
        """A guardian who signs in (a parent member), who can become the primary contact."""
        return self.make.guardian(self._family("family"), user=self.make.member(self._studio(), "parent"))

    def _new_member(self, role, member_role="parent"):
        from app.accounts.models import Membership

        user = self.make.member(self._studio(), member_role)
        return db.session.scalar(db.select(Membership).where(Membership.user_id == user.id))

    def _new_admin_member(self, role):
        return self._new_member(role, "admin")

    def _new_invitation(self, role):
        from app.accounts import services

        invitation, _ = services.invite_member(self._studio(), self._user("admin"),
                                               f"{unique('invitee')}@example.test", "parent")
        return invitation

    def _new_sign_in(self, role):
        """Another sign-in of the caller's own user (anonymous: of the admin)."""
        from app.accounts.services.sign_ins import start_sign_in

        name = {"anonymous": "admin"}.get(role, role)
        return start_sign_in(self._user(name), "browser")

    def _new_admin_sign_in(self, role):
        from app.accounts.services.sign_ins import start_sign_in

        return start_sign_in(self._user("admin"), "browser")

    def _invitation_token(self, role):
        from app.accounts import services

        _invitation, link = services.invite_member(
            self._studio(), self._user("admin"), f"{unique('invitee')}@example.test", "parent")
        return link.rsplit("/", 1)[1]

    def _reset_token(self, role):
        """The token of a password reset link emailed to a user of no studio (using it
        changes no role's password)."""
        from app.accounts import services
        from app.messaging.models import OutboxEmail

        email = f"{unique('forgetful')}@example.test"
        services.create_user(email, PASSWORD)
        services.request_password_reset(email)
        body = db.session.scalar(db.select(OutboxEmail.body_text).where(OutboxEmail.to_address == email))
        return body.split("/reset-password/", 1)[1].split()[0]

    def _refresh_token(self, role):
        """A refresh token of a fresh API sign-in of the admin."""
        from app.accounts import authn
        from tests.factories import PASSWORD

        return authn.login(self.emails["admin"], PASSWORD)["refresh"]

    def _new_import(self, role):
        from app.people.services import preview_import

        data = b"student_first_name,student_last_name,family_name\nNew,Pupil,Pupil Family\n"
        return preview_import(self._studio(), self._user("admin"), data, "students.csv")

    def _feed_token(self, role):
        from app.scheduling.services.feeds import create_feed

        _feed, token = create_feed(self._studio(), self._user("parent"))
        return token


    # ------------------------------------------------------------ inventory (items, checkouts)

    def _inventory_world(self, studio, foreign, kid, stranger, users):
        """A borrowable violin and a staff-only amp; a checkout of ours (kid) and theirs
        (stranger); another studio's item."""
        from app.inventory import services as inventory

        admin = users["admin"]
        violin = inventory.create_item(studio, admin, name="Violin", quantity=5)
        amp = inventory.create_item(studio, admin, name="Amp", category="equipment",
                                    is_borrowable=False)
        ours = inventory.request_checkout(studio, users["parent"], violin, kid)
        theirs = inventory.request_checkout(studio, users["parent2"], violin, stranger)
        foreign_item = inventory.create_item(foreign, users["other"], name="Foreign violin")
        return {"violin": str(violin.id), "amp": str(amp.id), "our_checkout": str(ours.id),
                "their_checkout": str(theirs.id), "foreign_item": str(foreign_item.id)}

    def _new_notification(self, role):
        """An unread notification of the caller's own, in the caller's studio."""
        from app.accounts.models import Studio
        from app.messaging import services as messaging

        user = self._user("admin" if role == "anonymous" else role)
        studio = db.session.get(Studio, uuid.UUID(self.foreign_id)) if role == "other" else self._studio()
        return messaging.notify(studio, [user], "invoice_sent", "Invoice sent", link="/invoices",
                                email=False)[0]

    def _new_admin_notification(self, role):
        """An unread notification of this studio's admin (nobody else's to read)."""
        return self._new_notification("admin")

    # ------------------------------------------------------------ API keys

    def _developer_world(self, studio, foreign, users):
        """A key of this studio and one of the other studio."""
        from app.developer import services as developer

        key, _secret = developer.create_api_key(studio, users["admin"], name="Website",
                                                scopes=["read"])
        foreign_key, _secret = developer.create_api_key(foreign, users["other"], name="Theirs",
                                                        scopes=["read"])
        return {"api_key": str(key.id), "foreign_api_key": str(foreign_key.id)}

    def _webhooks_world(self, studio, foreign, users):
        """An endpoint of this studio with one delivery, and one of the other studio."""
        from app.webhooks import services as webhooks

        ours = webhooks.create_endpoint(studio, users["admin"], url="https://example.com/hooks",
                                        events=["invoice.paid"])
        delivery = webhooks.send_test_event(studio, users["admin"], ours)
        theirs = webhooks.create_endpoint(foreign, users["other"], url="https://example.org/h",
                                          events=["invoice.paid"])
        foreign_delivery = webhooks.send_test_event(foreign, users["other"], theirs)
        return {"webhook": str(ours.id), "webhook_delivery": str(delivery.id),
                "foreign_webhook": str(theirs.id), "foreign_webhook_delivery": str(foreign_delivery.id)}

    def _new_webhook(self, role):
        from app.webhooks import services as webhooks

        return webhooks.create_endpoint(self._studio(), self._user("admin"),
                                        url="https://example.com/new", events=["lesson.created"])

    def _new_api_key(self, role):
        from app.developer import services as developer

        return developer.create_api_key(self._studio(), self._user("admin"), name=unique("Key "),
                                        scopes=["read"])[0]

    def _new_item(self, role):
        from app.inventory import services as inventory

        return inventory.create_item(self._studio(), self._user("admin"), name=unique("Item "))

    def _new_checkout(self, role):
        """A waiting request of ours on a fresh item."""
        from app.inventory import services as inventory

        item = self._new_item(role)
        return inventory.request_checkout(self._studio(), self._user("parent"), item,
                                          self._student("kid"))

    def _new_approved_checkout(self, role):
        from app.inventory import services as inventory

        return inventory.approve_checkout(self._studio(), self._user("admin"),
                                          self._new_checkout(role))

    def _new_out_checkout(self, role):
        from app.inventory import services as inventory

        checkout = self._new_checkout(role)
        return inventory.approve_checkout(self._studio(), self._user("admin"), checkout,
                                          hand_out=True)

    # ------------------------------------------------------------ library (resources, loans)

    def _resource(self, studio, user, role, title, visibility="private", shared_with=()):
        """A PDF resource uploaded by `user` (acting as `role`), shared with `shared_with`."""
        import io

        from flask import g
        from werkzeug.datastructures import FileStorage

        from app.core.tenancy import Principal
        from app.library import services as library
        from tests.library.conftest import pdf_bytes

        g.web_principal = Principal(user=user, studio=studio, role=role)
        try:
            upload = FileStorage(io.BytesIO(pdf_bytes(title)), filename="score.pdf")
            resource = library.create_resource(studio, user, title=title, upload=upload,
                                               visibility=visibility)
            if shared_with:
                library.share_resource(studio, user, resource, list(shared_with),
                                       shareable={s.id for s in shared_with})
        finally:
            g.pop("web_principal", None)
        return resource

    def _library_world(self, studio, foreign, kid, stranger, users):
        """Theo's private PDF, one shared with kid, a studio-wide one; Clara's private one and
        one shared with stranger; a book with a copy lent to kid and one to stranger;
        another studio's resource."""
        from app.library import services as library

        teacher, colleague = users["teacher"], users["colleague"]
        mine = self._resource(studio, teacher, "teacher", "Theo private")
        ours = self._resource(studio, teacher, "teacher", "Theo shared", shared_with=[kid])
        public = self._resource(studio, teacher, "teacher", "Studio score", visibility="studio")
        theirs = self._resource(studio, colleague, "teacher", "Clara private")
        their_shared = self._resource(studio, colleague, "teacher", "Clara shared",
                                      shared_with=[stranger])
        book = library.create_resource(studio, users["admin"], title="Suzuki Book 1",
                                       resource_type="physical", copies=50, visibility="studio")
        our_loan = library.lend_copy(studio, users["admin"], book, kid)
        their_loan = library.lend_copy(studio, users["admin"], book, stranger)
        foreign_resource = self._resource(foreign, users["other"], "admin", "Foreign score",
                                          visibility="studio")
        return {"res_private": str(mine.id), "res_shared": str(ours.id),
                "res_studio": str(public.id), "res_colleague": str(theirs.id),
                "res_their_shared": str(their_shared.id), "book": str(book.id),
                "our_loan": str(our_loan.id), "their_loan": str(their_loan.id),
                "foreign_resource": str(foreign_resource.id)}

    def _new_resource(self, role):
        return self._resource(self._studio(), self._user("teacher"), "teacher", unique("Score "))

    def _new_colleague_resource(self, role):
        return self._resource(self._studio(), self._user("colleague"), "teacher", unique("Score "))

    def _new_book(self, role):
        from app.library import services as library

        return library.create_resource(self._studio(), self._user("admin"), title=unique("Book "),
                                       resource_type="physical", copies=2)

    def _new_loan(self, role):
        from app.library import services as library
        from app.library.models import Resource

        book = db.session.get(Resource, uuid.UUID(self.ids["book"]))
        return library.lend_copy(self._studio(), self._user("admin"), book, self._student("kid"))

    def _new_returned_loan(self, role):
        from app.library import services as library

        loan = self._new_loan(role)
        return library.return_copy(self._studio(), self._user("admin"), loan)

    # ------------------------------------------------------------ third-party apps (OAuth)

    def _oauth_app_in(self, studio, user):
        from app.oauth import services as oauth

        app, _secret = oauth.register_app(studio, user, name=unique("App "),
                                          redirect_uris=["https://app.example.test/cb"],
                                          scopes=["read"])
        return app

    def _oauth_grant_of(self, studio, user):
        from app.oauth.models import OAuthGrant

        grant = OAuthGrant(studio_id=studio.id, app_id=self._oauth_app_in(studio, user).id,
                           user_id=user.id, scopes="read")
        db.session.add(grant)
        db.session.flush()
        return grant

    def _new_oauth_app(self, role):
        return self._oauth_app_in(self._studio(), self._user("admin"))

    def _new_oauth_grant(self, role):
        """An authorization the admin gave an app of this studio."""
        return self._oauth_grant_of(self._studio(), self._user("admin"))

    def _new_own_oauth_grant(self, role):
        """An authorization of the caller's own (anonymous: the admin's), in their studio."""
        from app.accounts.models import Studio

        name = {"anonymous": "admin"}.get(role, role)
        studio = (db.session.get(Studio, uuid.UUID(self.foreign_id)) if role == "other"
                  else self._studio())
        return self._oauth_grant_of(studio, self._user(name))

def local_slot(zone_name=TIMEZONE):
    """A free future date and wall-clock time in the studio's timezone, for page forms."""
    from app.core.timeutil import zone

    moment = _hour_ahead().astimezone(zone(zone_name))
    return moment.date().isoformat(), moment.strftime("%H:%M")
