"""Invitations: a member invited by email, and the invitation accepted."""
import hashlib
import secrets

from flask import current_app
from sqlalchemy import select

from app.accounts.models import Invitation, Membership
from app.accounts.passwords import hash_password
from app.accounts.services.users import (
    create_user,
    find_user_by_email,
    normalize_email,
    validate_email,
    validate_password,
)
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.links import public_url
from app.core.permissions import ASSIGNABLE_ROLES
from app.extensions import db
from app.messaging.services import send_templated

# ---------------------------------------------------------------- invitations

def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def invite_member(studio, actor, email, role, *, first_name=""):
    """Create an invitation and queue its email. Returns (invitation, link)."""
    email = validate_email(email)
    if role not in ASSIGNABLE_ROLES:
        raise ValidationFailed(field_errors={"role": ["Choose admin, teacher, parent or student."]})
    existing = find_user_by_email(email)
    if existing is not None and existing.membership_in(studio.id) is not None:
        raise Conflict("This person is already a member of the studio.",
                       field_errors={"email": ["Already a member of this studio."]})
    now = utcnow()
    for old in db.session.scalars(select(Invitation).where(
        Invitation.studio_id == studio.id, Invitation.email == email,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
    )):
        old.revoked_at = now  # one live link per address
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        studio_id=studio.id, email=email, role=role, token_hash=_token_hash(token),
        invited_by_id=actor.id, expires_at=now + current_app.config["INVITATION_TTL"],
    )
    db.session.add(invitation)
    db.session.flush()
    link = public_url("auth.accept_invitation", token=token)
    send_templated(
        email, f"{actor.full_name} invited you to {studio.name} on Cadenza", "invitation",
        studio=studio, inviter=actor.full_name, role=role, link=link,
        first_name=(first_name or "").strip(),  # a form field left out of the POST is None
        days=current_app.config["INVITATION_TTL"].days,
    )
    audit.record(studio, actor, "member.invited", invitation, email=email, role=role)
    return invitation, link


def pending_invitations(studio):
    return db.session.scalars(select(Invitation).where(
        Invitation.studio_id == studio.id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow(),
    ).order_by(Invitation.created_at.desc())).all()


def revoke_invitation(studio, actor, invitation):
    if invitation.studio_id != studio.id:
        raise NotFound("Invitation not found.")
    invitation.revoked_at = utcnow()
    audit.record(studio, actor, "member.invitation_revoked", invitation, email=invitation.email)
    db.session.flush()


def find_invitation(token):
    """A pending invitation for this token, or NotFound."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _token_hash(token or ""))
    )
    if invitation is None or not invitation.is_pending:
        raise NotFound("This invitation link is not valid any more. Ask for a new one.")
    return invitation


def accept_invitation(token, *, user=None, first_name="", last_name="", password=None):
    """Join the studio: as the signed-in `user`, or as a new account with `password` (which
    also claims the account, without a password, of a teacher added before they joined)."""
    invitation = find_invitation(token)
    if user is None:
        waiting = find_user_by_email(invitation.email)  # added as a teacher before joining
        if waiting is not None and waiting.password_hash:
            raise ValidationFailed("An account with this email exists. Sign in to accept.")
        errors = {}
        if not (first_name or "").strip():
            errors["first_name"] = ["Enter your first name."]
        try:
            validate_password(password, invitation.email)
        except ValidationFailed as exc:
            errors.update(exc.field_errors)
        if errors:
            raise ValidationFailed(field_errors=errors)
        if waiting is None:
            user = create_user(invitation.email, password, first_name=first_name, last_name=last_name)
        else:
            user = waiting
            user.first_name, user.last_name = first_name.strip(), (last_name or "").strip()
            user.password_hash = hash_password(password)
    elif normalize_email(user.email) != invitation.email:
        raise PermissionDenied(f"This invitation is for {invitation.email}.")
    membership = user.membership_in(invitation.studio_id)
    if membership is None:
        membership = Membership(studio_id=invitation.studio_id, user_id=user.id, role=invitation.role)
        db.session.add(membership)
    invitation.accepted_at = utcnow()
    db.session.flush()
    db.session.refresh(user)
    return user, membership
