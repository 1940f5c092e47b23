"""Telling an account's owner that someone keeps failing to sign in as them."""
from app.accounts.services import find_user_by_email
from app.core.db import utcnow
from app.core.links import public_url
from app.extensions import db
from app.messaging.services import queue_email

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
    account_page = public_url("account.profile")
    greeting = f"Hello {user.first_name}," if user.first_name else "Hello,"
    body = (
        f"{greeting}\n\n"
        f"There have been {failures} failed attempts to sign in to your Cadenza account "
        f"({user.email}) in the past hour. The latest was on {when}, from the address {address}.\n\n"
        "If that was you, wait a few minutes and try again: sign-ins from an address with many "
        "failures are paused for a short while. Your own devices can still sign in as usual.\n\n"
        "If it was not you, someone may be guessing your password. Sign in and choose a new "
        f"password on your account page, under Password:\n{account_page}\n"
        "Changing it signs you out everywhere else. If you cannot sign in, ask an "
        "administrator of your studio for help.\n"
    )
    email = queue_email(user.email, SUBJECT, body)
    db.session.commit()
    return email
