"""One refresh token presented by 20 clients at once (PostgreSQL, a thread and a connection
each): exactly one rotation succeeds. The others are replays of a rotated token, so the
sign-in they belong to ends and no access token of it works any more."""
import pytest
from sqlalchemy import func, select

from app.accounts.models import RefreshToken
from app.extensions import db
from tests.concurrency import parallel
from tests.conftest import api_login, bearer

pytestmark = pytest.mark.postgres
THREADS = 20


def test_one_refresh_token_rotates_once_under_twenty_simultaneous_refreshes(app, client, make):
    studio = make.studio()
    user = make.member(studio, "teacher")
    db.session.commit()
    tokens = api_login(client, user.email)

    def refresh(c):
        return c.post("/api/v1/auth/refresh", json={"refresh": tokens["refresh"]})

    responses = parallel(app, [refresh] * THREADS)

    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    assert statuses == [200] + [401] * (THREADS - 1)
    (winner,) = [r for r in responses if r.status_code == 200]
    assert client.get("/api/v1/users/me", headers=bearer(winner.json)).status_code == 401
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(RefreshToken).where(
        RefreshToken.revoked_at.is_(None))) == 0
