"""Models and migrations agree, and every migration goes down and up again."""
import os
import uuid

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db


def test_models_and_migrations_do_not_drift(app):
    """Fails when a model changes without a migration (run `flask db migrate`, then read it)."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True})
        differences = compare_metadata(context, db.metadata)

    assert differences == [], "models and migrations differ:\n" + "\n".join(map(str, differences))


def _table_names(engine):
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def _downgrade_and_upgrade(url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        flask_migrate.upgrade()
        assert _table_names(db.engine) == set(db.metadata.tables)

        flask_migrate.downgrade(revision="base")
        assert _table_names(db.engine) == set()

        flask_migrate.upgrade()
        assert _table_names(db.engine) == set(db.metadata.tables)
        db.engine.dispose()


def test_downgrade_to_base_and_upgrade_on_a_fresh_sqlite_file(tmp_path):
    _downgrade_and_upgrade(f"sqlite:///{tmp_path / 'fresh.db'}")


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_downgrade_to_base_and_upgrade_on_a_fresh_postgresql_schema():
    url = os.environ["TEST_DATABASE_URL"]
    schema = f"migrations_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        _downgrade_and_upgrade(scoped.render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
