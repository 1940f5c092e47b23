"""Signing in and out, the profile and its sign-ins, studio settings and members, the
dashboard: every route × every caller. Sign-in routes are public by design and listed here
with what every caller gets."""
import pytest

from tests.factories import PASSWORD
from tests.security.authorization.engine import (
    ALL,
    DENY,
    DONE,
    LOGIN,
    REBUILD,
    RELOGIN,
    M,
    Row,
    api,
    cases,
    check,
    page,
)
from tests.security.authorization.world import unique


def signup_form(ids):
    return {"studio_name": unique("Studio "), "first_name": "Ada", "last_name": "Lovelace",
            "email": f"{unique('founder')}@example.test", "password": "a-good-password",
            "timezone": "America/New_York"}


def profile_form(ids):
    return {"first_name": "Pat", "last_name": "Doe", "email": ids.email}


STUDIO_FORM = {
    "name": "Harmony Test Studio", "timezone": "America/New_York", "currency": "USD",
    "locale": "en_US", "tax_rate": "8.25", "invoice_prefix": "INV", "invoice_due_days": "14",
    "late_fee": "0.00", "billing_mode": "after_attended", "cancellation_notice_hours": "24",
    "makeup_credit_expiry_days": "60", "lesson_buffer_minutes": "0",
}
SAME_PASSWORD = {"current_password": PASSWORD, "new_password": PASSWORD}

ROWS = [
    # ------------------------------------------------------------------ API: auth (public)
    Row("POST", "/api/v1/auth/login", api(ALL, 200, other=200, anonymous=200),
        lambda ids: {"email": ids.email, "password": PASSWORD}),
    Row("POST", "/api/v1/auth/login", api((), 401, denied=401, other=401, anonymous=401),
        lambda ids: {"email": ids.email, "password": "wrong-password"}, label="wrong password"),
    Row("POST", "/api/v1/auth/refresh", api(ALL, 200, other=200, anonymous=200),
        lambda ids: {"refresh": ids["refresh_token"]}),
    Row("POST", "/api/v1/auth/logout", api(ALL, 204, other=204, anonymous=204),
        lambda ids: {"refresh": ids["refresh_token"]}),
    Row("POST", "/api/v1/auth/password-reset", api(ALL, 202, other=202, anonymous=202),
        lambda ids: {"email": f"{unique('forgetful')}@example.test"}),
    Row("POST", "/api/v1/auth/password-reset/confirm", api(ALL, 204, other=204, anonymous=204),
        lambda ids: {"token": ids["reset_token"], "password": "a-good-password"}),
    Row("POST", "/api/v1/auth/password-reset/confirm", api((), 400, denied=400, other=400, anonymous=400),
        {"token": "not-a-token", "password": "a-good-password"}, label="unknown token"),
    # ------------------------------------------------------------------ API: users, studios
    Row("GET", "/api/v1/users/me", api(ALL, 200, other=200)),
    Row("PATCH", "/api/v1/users/me", api(ALL, 200, other=200), {"first_name": "Pat"}),
    Row("POST", "/api/v1/users/me/password", api(ALL, 204, other=204), SAME_PASSWORD, after=RELOGIN),
    Row("GET", "/api/v1/studios", api(ALL, 200, other=200)),
    Row("GET", "/api/v1/studios/current", api(ALL, 200, other=200)),
    Row("PATCH", "/api/v1/studios/current", api(M, 200, other=200), {"tax_rate": "8.25"}),
    # ------------------------------------------------------------------ pages: sign in, up, out
    Row("GET", "/login", page((), 200, denied=DONE, other=DONE, anonymous=200)),
    Row("POST", "/login", page((), 200, denied=DONE, other=DONE, anonymous=DONE),
        lambda ids: {"email": ids.email, "password": PASSWORD}, after=RELOGIN),
    Row("POST", "/logout", page((), 200, denied=LOGIN, other=LOGIN), after=RELOGIN),
    Row("GET", "/signup", page(ALL, 200, other=200, anonymous=200)),
    Row("POST", "/signup", page(ALL, DONE, other=DONE, anonymous=DONE), signup_form, after=RELOGIN),
    Row("GET", "/forgot-password", page(ALL, 200, other=200, anonymous=200)),
    Row("POST", "/forgot-password", page(ALL, DONE, other=DONE, anonymous=DONE),
        lambda ids: {"email": f"{unique('forgetful')}@example.test"}),
    Row("GET", "/forgot-password/sent", page(ALL, 200, other=200, anonymous=200)),
    Row("GET", "/reset-password/{reset_token}", page(ALL, 200, other=200, anonymous=200)),
    Row("GET", "/reset-password/not-a-token", page((), 200, hidden=ALL, other=404, anonymous=404),
        label="unknown token"),
    Row("POST", "/reset-password/{reset_token}", page(ALL, DONE, other=DONE, anonymous=DONE),
        {"password": "a-good-password"}, after=RELOGIN),
    Row("GET", "/invitations/{invitation_token}", page(ALL, 200, other=200, anonymous=200)),
    Row("GET", "/invitations/not-a-token", page((), 200, hidden=ALL, other=404, anonymous=404),
        label="unknown token"),
    Row("POST", "/invitations/{invitation_token}", page(ALL, DONE, other=DONE, anonymous=DONE),
        {"first_name": "Ivy", "password": "a-good-password"}, after=RELOGIN),
    # ------------------------------------------------------------------ pages: the signed-in user
    Row("GET", "/", page(ALL, 200, other=200)),
    Row("GET", "/account/", page(ALL, 200, other=200)),
    Row("POST", "/account/", page(ALL, DONE, other=DONE), profile_form),
    Row("POST", "/account/password", page(ALL, DONE, other=DONE), SAME_PASSWORD, after=RELOGIN),
    Row("POST", "/account/sessions/{new_sign_in}/end", page(ALL, DONE, other=DONE)),
    Row("POST", "/account/sessions/{new_admin_sign_in}/end", page((), 200, hidden=ALL, other=404, admin=DONE),
        label="someone else's"),
    Row("POST", "/account/sessions/end-all", page((), 200, denied=LOGIN, other=LOGIN), after=RELOGIN),
    Row("POST", "/account/studio", page(ALL, DONE, other=DENY), {"studio_id": "{studio}"}),
    # ------------------------------------------------------------------ pages: studio settings
    Row("GET", "/settings/studio", page(M, 200, other=200)),
    Row("POST", "/settings/studio", page(M, DONE, other=DONE), STUDIO_FORM),
    Row("GET", "/settings/studio/logo", page((), 200, hidden=ALL, other=404), label="no logo yet"),
    Row("POST", "/settings/checklist/dismiss", page(M, DONE, other=DONE)),
    Row("GET", "/settings/teaching", page(M, 200, other=200)),
    Row("POST", "/settings/teaching", page(M, DONE, other=DONE), {"teaches": "y"}),
    Row("GET", "/settings/members", page(M, 200, other=200)),
    Row("POST", "/settings/members/invite", page(M, DONE, other=DONE),
        lambda ids: {"email": f"{unique('invitee')}@example.test", "role": "parent",
                     "family_name": unique("Family ")}),
    Row("POST", "/settings/members/{new_member}/role", page(M, DONE), {"role": "student"}),
    Row("POST", "/settings/members/{new_member}/deactivate", page(M, DONE)),
    Row("POST", "/settings/members/{new_member}/activate", page(M, DONE)),
    Row("POST", "/settings/members/{new_admin_member}/transfer-ownership", page(("owner",), DONE, other=DENY),
        after=REBUILD),
    Row("POST", "/settings/invitations/{new_invitation}/revoke", page(M, DONE)),
]


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
