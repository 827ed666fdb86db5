"""The migrations upgrade an empty database to exactly the models, on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from begleitservice import create_app
from begleitservice.extensions import db


@pytest.fixture
def empty_database(database, tmp_path):
    """An empty database on the session's backend (a separate file on SQLite, a fresh schema on PostgreSQL)."""
    if database.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    engine = sa.create_engine(database, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS migtest CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA migtest"))
    url = sa.engine.make_url(database).update_query_dict({"options": "-csearch_path=migtest"})
    yield url.render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS migtest CASCADE"))
    engine.dispose()


def test_upgrade_matches_models_and_downgrade_empties(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            triggers = _trigger_count(conn)
        assert diff == [], f"models and migrations differ: {diff}"
        assert triggers >= 2
        downgrade(revision="base")
        with db.engine.connect() as conn:
            remaining = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def _trigger_count(conn) -> int:
    if conn.dialect.name == "sqlite":
        return conn.execute(sa.text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")).scalar()
    return conn.execute(
        sa.text("SELECT count(*) FROM information_schema.triggers WHERE trigger_schema = current_schema()")
    ).scalar()
