"""`flask seed-demo` as `make run` calls it: it seeds once, leaves fresh planner statistics
(on PostgreSQL after a VACUUM outside any transaction) and is a no-op on a seeded database."""
from sqlalchemy import func, select, text

from app.accounts.models import User
from app.extensions import db


def test_seed_demo_seeds_once_and_analyzes(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Seeded Harmony Music Studio" in result.output
    db.session.remove()
    admins = select(func.count()).select_from(User).where(User.email == "admin@demo.test")
    assert db.session.scalar(admins) == 1
    if db.engine.dialect.name == "postgresql":
        analyzed = db.session.scalar(text(
            "SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relname = 'lesson' AND schemaname = current_schema()"))
    else:
        analyzed = db.session.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'lesson'")) > 0
    assert analyzed
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "already has data" in again.output
