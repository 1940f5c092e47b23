"""Accounts services: users, studios and memberships, invitations, password resets (they
flush, never commit).

This package's __all__ is what the other domains may use of accounts (with its models).
Browser sessions and API token families are in `sign_ins`, which the accounts pages, the
API's authentication and the app factory use.
"""
from app.accounts.services.invitations import (
    accept_invitation,
    find_invitation,
    invite_member,
    pending_invitations,
    revoke_invitation,
)
from app.accounts.services.logos import (
    LOGO_CONTENT_TYPE,
    MAX_LOGO_BYTES,
    remove_studio_logo,
    set_studio_logo,
)
from app.accounts.services.password_resets import (
    PASSWORD_RESET_SENT,
    find_password_reset,
    request_password_reset,
    reset_link_lifetime,
    reset_password,
)
from app.accounts.services.studios import (
    DETAIL_FIELDS,
    STUDIO_FIELDS,
    active_memberships,
    change_member_role,
    create_studio,
    dismiss_checklist,
    list_members,
    membership_for,
    set_member_active,
    sign_up,
    slugify,
    transfer_ownership,
    update_studio,
)
from app.accounts.services.users import (
    EMAIL_RE,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PROFILE_FIELDS,
    authenticate,
    change_password,
    create_user,
    ensure_email_free,
    find_user_by_email,
    normalize_email,
    set_password,
    update_profile,
    validate_email,
    validate_password,
)

__all__ = [
    "DETAIL_FIELDS", "EMAIL_RE", "LOGO_CONTENT_TYPE", "MAX_LOGO_BYTES", "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH", "PASSWORD_RESET_SENT", "PROFILE_FIELDS", "STUDIO_FIELDS",
    "accept_invitation", "active_memberships", "authenticate", "change_member_role",
    "change_password", "create_studio", "create_user", "dismiss_checklist", "ensure_email_free",
    "find_invitation", "find_password_reset", "find_user_by_email", "invite_member",
    "list_members", "membership_for", "normalize_email", "pending_invitations",
    "remove_studio_logo", "request_password_reset", "reset_link_lifetime", "reset_password",
    "revoke_invitation", "set_member_active", "set_password", "set_studio_logo", "sign_up",
    "slugify", "transfer_ownership", "update_profile", "update_studio", "validate_email",
    "validate_password",
]
