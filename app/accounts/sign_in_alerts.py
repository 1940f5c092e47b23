"""Telling an account's owner that someone keeps failing to sign in as them."""
from app.accounts.services import find_user_by_email
from app.core.db import utcnow
from app.core.links import public_url
from app.extensions import db
from app.messaging.services import send_templated

SUBJECT = "Failed sign-ins to your Cadenza account"


def warn_of_failed_sign_ins(email, address, failures):
    """Queue an email to the active account with this email (if any): `failures` sign-ins
    failed in the past hour, the latest now from `address`; how to change the password.

    Called from a failed sign-in, whose request answers 401/422 and so rolls back: the email
    is committed here, or it would be rolled back with the request.
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return None
    when = utcnow().strftime("%d %B %Y at %H:%M UTC").lstrip("0")
    email = send_templated(
        user.email, SUBJECT, "sign_in_alert", first_name=user.first_name, email=user.email,
        failures=failures, when=when, address=address,
        account_page=public_url("account.profile"))
    db.session.commit()
    return email
