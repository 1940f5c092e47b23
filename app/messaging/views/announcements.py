"""Announcement pages: the list, composing (audience, a live count of whom it reaches, then a
review page that sends), an announcement's page (families open it from their notification),
and the unsubscribe page an email's link and its List-Unsubscribe header open.

Composing works without JavaScript: every audience's input is on the page and the one of the
chosen audience is used; with it, only that input shows and the count follows each change.
"""
import uuid

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.errors import DomainError, PermissionDenied
from app.core.forms import DateField
from app.core.permissions import can, requires
from app.core.richtext import render_markdown
from app.core.tenancy import current_principal, current_studio, get_or_404
from app.core.views import denied_writes_redirect, form_failed, html_page, render
from app.extensions import csrf, db
from app.messaging.models import AUDIENCES, Announcement, OutboxEmail
from app.messaging.services import announcements as service
from app.messaging.views import messaging_bp

VALUE_FIELDS = {"teacher_students": "teacher", "instrument": "instrument", "day": "day"}
AUDIENCE_HINTS = {
    "everyone": "Every member of the studio: staff, teachers and families.",
    "families": "The guardians of every active family, and its students who sign in.",
    "teachers": "Every active teacher.",
    "teacher_students": "The students of one teacher, and their families.",
    "instrument": "The students who play one instrument, and their families.",
    "day": "The families with a lesson on one day.",
}


class AnnouncementForm(FlaskForm):
    token = HiddenField()
    subject = StringField("Subject", validators=[DataRequired("Write a subject."),
                                                 Length(max=service.MAX_SUBJECT)])
    body = TextAreaField("Message", validators=[DataRequired("Write the announcement."),
                                                Length(max=service.MAX_BODY)],
                         description="Markdown works: **bold**, *italic*, lists and links.",
                         render_kw={"rows": 8})
    audience = RadioField("Send to", choices=[(a, service.AUDIENCE_LABELS[a]) for a in AUDIENCES],
                          default="families")
    teacher = SelectField("Teacher", validate_choice=False)
    instrument = SelectField("Instrument", validate_choice=False)
    day = DateField("Day", validators=[Optional()])

    def audience_value(self):
        """The chosen audience's value, from its own input."""
        name = VALUE_FIELDS.get(self.audience.data)
        if name == "day":
            return self.day.data.isoformat() if self.day.data else ""
        return (getattr(self, name).data or "") if name else ""


def _form(choices):
    form = AnnouncementForm()
    form.teacher.choices = [("", "Choose a teacher")] + choices["teachers"]
    form.instrument.choices = [("", "Choose an instrument")] + [(i, i) for i in choices["instruments"]]
    if not choices["any_audience"]:
        # A teacher writes to their own students: the audience is fixed.
        form.audience.data = "teacher_students"
        form.teacher.data = str(choices["own_teacher"].id) if choices["own_teacher"] else ""
    if not form.token.data:
        form.token.data = str(uuid.uuid4())
    return form


def _choices():
    return service.audience_choices(current_studio(), current_user)


def _preview(audience, value):
    """(summary, error) of whom an audience reaches, for the count beside the form."""
    try:
        return service.preview_audience(current_studio(), current_user, audience or "", value), None
    except DomainError as exc:
        return None, " ".join([m for ms in exc.field_errors.values() for m in ms] or [exc.detail])


def _check_audience(form):
    try:
        service.audience_target(current_studio(), form.audience.data or "", form.audience_value())
    except DomainError as exc:
        form_failed(form, exc, aliases=_aliases(form))


def _aliases(form):
    return {"audience_value": VALUE_FIELDS.get(form.audience.data, "audience")}


def _compose(form, choices, status=200):
    summary, error = _preview(form.audience.data, form.audience_value())
    return render("messaging/announcement_compose.html", status=status, form=form,
                  choices=choices, hints=AUDIENCE_HINTS, summary=summary,
                  error=error if status != 200 else None, audience=form.audience.data)


# ------------------------------------------------------------------ list and page


@messaging_bp.route("/announcements")
@login_required
@requires("announcements.view")
def announcements():
    """Sent announcements, newest first (families: those they received)."""
    stmt = service.visible_announcements().order_by(Announcement.sent_at.desc(), Announcement.id.desc())
    page = html_page(stmt)
    return render("messaging/announcements.html", "messaging/_announcement_list.html", page=page,
                  labels=service.audience_labels(current_studio(), page["results"]),
                  staff=can("announcements.send"))


@messaging_bp.route("/announcements/<announcement_id>")
@login_required
@requires("announcements.view")
def announcement(announcement_id):
    """An announcement; its audience and delivery for managers and its sender."""
    item = get_or_404(Announcement, announcement_id, stmt=service.visible_announcements())
    studio = current_studio()
    delivery = {}
    if service.may_see_audience(item, current_principal()):
        delivery = dict(db.session.execute(
            select(OutboxEmail.status, func.count()).where(
                OutboxEmail.studio_id == studio.id,
                OutboxEmail.dedupe_key.like(f"announcement:{item.id}:%"))
            .group_by(OutboxEmail.status)).all())
    return render("messaging/announcement.html", announcement=item,
                  label=service.describe_audience(studio, item.audience, item.audience_value),
                  staff_view=service.may_see_audience(item, current_principal()), delivery=delivery)


# ------------------------------------------------------------------ composing


@messaging_bp.route("/announcements/new", methods=["GET", "POST"])
@login_required
@requires("announcements.send")
@denied_writes_redirect(back=lambda: url_for("messaging.announcements"))
def new_announcement():
    """Write, review, send: the first POST shows whom it reaches, the second sends it."""
    choices = _choices()
    form = _form(choices)
    action = request.form.get("action", "review")
    if request.method == "GET" or action == "edit":
        return _compose(form, choices)
    if not form.validate_on_submit():
        _check_audience(form)  # its error shows beside the others
        return _compose(form, choices, 422)
    studio = current_studio()
    try:
        if action == "send":
            sent = service.send_announcement(
                studio, current_user, subject=form.subject.data, body=form.body.data,
                audience=form.audience.data, audience_value=form.audience_value(),
                announcement_id=form.token.data)
        else:
            summary = service.preview_audience(studio, current_user, form.audience.data,
                                               form.audience_value())
    except PermissionDenied:
        raise
    except DomainError as exc:
        form_failed(form, exc, aliases=_aliases(form))
        return _compose(form, choices, 422)
    if action == "send":
        flash(f"“{sent.subject}” is sent to {sent.recipient_count} "
              f"{'person' if sent.recipient_count == 1 else 'people'}.", "success")
        return redirect(url_for("messaging.announcement", announcement_id=sent.id))
    if not summary["recipient_count"]:
        form.audience.errors = [*form.audience.errors, "Nobody in this audience can be reached yet."]
        return _compose(form, choices, 422)
    return render("messaging/announcement_review.html", form=form, summary=summary,
                  body_html=render_markdown(form.body.data),
                  label=service.describe_audience(studio, form.audience.data, form.audience_value()))


@messaging_bp.route("/announcements/preview")
@login_required
@requires("announcements.send")
def announcement_preview():
    """The count of whom the chosen audience reaches (the compose page's live preview)."""
    choices = _choices()
    audience = request.args.get("audience", "")
    value = request.args.get(VALUE_FIELDS.get(audience, ""), "")
    if not choices["any_audience"]:
        audience = "teacher_students"
        value = str(choices["own_teacher"].id) if choices["own_teacher"] else ""
    summary, error = _preview(audience, value)
    return render("messaging/_announcement_preview.html", summary=summary, error=error,
                  audience=audience)


# ------------------------------------------------------------------ unsubscribing


@messaging_bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority; mail clients POST one-click (RFC 8058) without a session
def unsubscribe(token):
    """GET asks; POST unsubscribes (also the one-click POST a mail client sends), or with
    `action=resubscribe` turns announcement emails on again."""
    user = service.user_for_unsubscribe(token)
    done = None
    if request.method == "POST":
        wanted = request.form.get("action") == "resubscribe"
        service.set_announcement_emails(user, wanted)
        done = "resubscribed" if wanted else "unsubscribed"
    return render("messaging/unsubscribe.html", email=user.email, done=done,
                  unsubscribed=service.is_unsubscribed(user), token=token)
