"""Pages of threads: the inbox (unread ones highlighted, search by subject), a new thread
(the recipient picker offers only the people the caller may write to), and the thread with
its reply form.

Opening a thread marks it read. The open thread reloads its messages on the live event
`sse:message` of its own thread (any other thread's event is filtered out), the inbox on any
of them; without the live stream both are right on reload. A reply sent with htmx comes back
as the messages partial, the reply in it.
"""
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import login_required

from app.core import htmx
from app.core.errors import DomainError
from app.core.navigation import register_badge
from app.core.pagination import paginate
from app.core.permissions import can, requires
from app.core.tenancy import current_principal
from app.core.views import form_failed, form_status, html_page, page_number, render, text_arg
from app.library import services as library
from app.messaging import access, policies
from app.messaging.models import Message, Thread
from app.messaging.services import threads as services
from app.messaging.views import messaging_bp
from app.messaging.views.thread_forms import NewThreadForm, ReplyForm

MESSAGES_SHOWN = 50  # the newest messages of a thread on its page; older ones a page back


def _unread_badge():
    principal = current_principal()
    if principal is None or principal.studio is None or not can("messages.view"):
        return 0
    return services.unread_thread_count(principal)


@messaging_bp.record_once
def _register_badge(state):
    register_badge("messaging.inbox", _unread_badge, refresh="messaging.unread_badge",
                   event="message")


@messaging_bp.route("/messages")
@login_required
@requires("messages.view")
def inbox():
    """The threads the member takes part in, latest activity first."""
    principal = current_principal()
    q = text_arg("q")
    stmt = services.thread_inbox(principal, search=q or None)
    stmt = stmt.order_by(Thread.last_message_at.desc(), Thread.id.desc())
    page = html_page(stmt)
    page["results"] = services.thread_entries(principal, page["results"])
    return render("messaging/inbox.html", "messaging/_thread_list.html", page=page, q=q,
                  may_write=can("messages.write"))


@messaging_bp.route("/messages/badge")
@login_required
@requires("messages.view")
def unread_badge():
    """The sidebar's unread count alone, for its own refresh."""
    item = {"badge": _unread_badge(), "badge_url": url_for("messaging.unread_badge"),
            "badge_event": "message"}
    return htmx.add_vary(make_response(render_template("_nav_badge.html", item=item)))


def _picker(form):
    form.participants.choices = [
        (str(user.id), f"{user.full_name} ({role_label(role)})")
        for user, role in policies.contacts()]
    form.resources.choices = library.resource_choices()


def role_label(role):
    return {"owner": "office", "admin": "office"}.get(role, role)


@messaging_bp.route("/messages/new", methods=["GET", "POST"])
@login_required
@requires("messages.write")
def new_thread():
    form = NewThreadForm()
    _picker(form)
    if request.method == "GET" and request.args.get("to"):
        form.participants.data = request.args.getlist("to")
    if form.validate_on_submit():
        try:
            thread = services.create_thread(current_principal(), form.subject.data,
                                            form.participants.data, form.body.data,
                                            form.resources.data or ())
        except DomainError as exc:
            form_failed(form, exc, aliases={"initial_message": "body"})
        else:
            flash("Your message is sent.", "success")
            return redirect(url_for("messaging.thread", thread_id=thread.id))
    return render("messaging/new_thread.html", status=form_status(form), form=form)


def _conversation(thread):
    """The page of messages shown (the newest MESSAGES_SHOWN, or older ones with ?page=),
    oldest first, and the attachments the caller may open."""
    principal = current_principal()
    stmt = services.thread_messages(thread).order_by(None).order_by(
        Message.created_at.desc(), Message.id.desc())
    number = page_number()
    page = paginate(stmt, {"page": number, "page_size": MESSAGES_SHOWN})
    page["results"] = list(reversed(page["results"]))
    page.update(number=number)
    return {"conversation": page, "attachments": services.attachments_of(principal, page["results"]),
            "me": principal.user.id}


def _reply_form(blank=False):
    form = ReplyForm(formdata=None) if blank else ReplyForm()
    form.resources.choices = library.resource_choices()
    return form


@messaging_bp.route("/messages/<thread_id>")
@login_required
@requires("messages.view")
def thread(thread_id):
    """The thread, marked read as it opens."""
    thread = access.visible_thread(thread_id)
    principal = current_principal()
    services.mark_thread_read(principal, thread)
    return render("messaging/thread.html", thread=thread, form=_reply_form(),
                  may_write=can("messages.write"), **_conversation(thread))


@messaging_bp.route("/messages/<thread_id>/messages")
@login_required
@requires("messages.view")
def thread_messages(thread_id):
    """The messages alone, for the live refresh of an open thread (read as shown)."""
    thread = access.visible_thread(thread_id)
    services.mark_thread_read(current_principal(), thread)
    return render("messaging/_messages.html", thread=thread, **_conversation(thread))


@messaging_bp.route("/messages/<thread_id>/reply", methods=["POST"])
@login_required
@requires("messages.write")
def reply(thread_id):
    thread = access.visible_thread(thread_id)
    principal = current_principal()
    form = _reply_form()
    if form.validate_on_submit():
        try:
            services.post_message(principal, thread, form.body.data, form.resources.data or ())
        except DomainError as exc:
            form_failed(form, exc)
        else:
            services.mark_thread_read(principal, thread)
            if htmx.is_htmx():
                return render("messaging/_conversation.html", thread=thread, form=_reply_form(blank=True),
                              may_write=True, **_conversation(thread))
            return redirect(url_for("messaging.thread", thread_id=thread.id))
    return render("messaging/thread.html", "messaging/_conversation.html", status=422,
                  thread=thread, form=form, may_write=True, **_conversation(thread))
