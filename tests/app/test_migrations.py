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


def test_name_search_migration_fills_existing_rows(empty_database):
    """Rows stored before the name search columns existed get their search text and sort key on upgrade."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "TESTING": True})
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO district (id, name, lat, lon) VALUES (1, 'Eving', 51.55, 7.467)"))
            conn.execute(
                sa.text(
                    "INSERT INTO senior (first_name, last_name, birth_on, street, postal_code, city, district_id,"
                    " phone, languages, has_dementia, status, created_at, updated_at) VALUES ('Ayşe', 'Öztürk',"
                    " '1941-03-09', 'Nordmarkt 5', '44145', 'Dortmund', 1, '0231-12 34', 'Deutsch', false, 'aktiv',"
                    " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO pflegekasse (name, ik, created_at, updated_at)"
                    " VALUES ('BKK Würth', '260326822', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            senior = conn.execute(sa.text("SELECT search_text, sort_name FROM senior")).one()
            kasse = conn.execute(sa.text("SELECT search_text, sort_name FROM pflegekasse")).one()
        db.engine.dispose()
    assert senior.sort_name == "ozturk ayse"
    assert {"ayse", "ozturk", "oeztuerk", "02311234", "44145"} <= set(senior.search_text.split())
    assert kasse.sort_name == "bkkwurth" and "bkk wurth" in kasse.search_text and "260326822" in kasse.search_text


def test_revisions_are_unique_and_form_one_line():
    """Two sessions landing the same migration number would fork the history: every revision once, one head."""
    import re
    from pathlib import Path

    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    revisions, parents = [], []
    for path in sorted(versions.glob("*.py")):
        text = path.read_text()
        revisions.append(re.search(r"^revision = ['\"](\w+)['\"]", text, re.M)[1])
        parents.append(re.search(r"^down_revision = (?:['\"](\w+)['\"]|None)", text, re.M)[1])
    assert len(set(revisions)) == len(revisions), sorted(r for r in revisions if revisions.count(r) > 1)
    assert len(set(revisions) - set(parents)) == 1  # one head
    assert len(set(parents)) == len(parents)  # no revision has two children


def test_outbox_mails_queued_before_the_message_id_get_one_on_upgrade(empty_database):
    """A mail waiting in the outbox during the upgrade is sent later with a Message-ID of its own."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "TESTING": True})
    with app.app_context():
        upgrade(revision="0017")
        with db.engine.begin() as conn:
            for recipient in ("a@example.org", "b@example.org"):
                conn.execute(
                    sa.text(
                        "INSERT INTO outbox_message (kind, recipient, subject, body_text, status, attempts,"
                        " next_attempt_at, created_at) VALUES ('x', :to, 'Betreff', 'Text', 'pending', 0,"
                        " '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
                    ),
                    {"to": recipient},
                )
        upgrade()
        with db.engine.connect() as conn:
            ids = conn.execute(sa.text("SELECT message_id FROM outbox_message ORDER BY id")).scalars().all()
        db.engine.dispose()
    assert ids == ["<outbox-1.vor-migration@begleitservice>", "<outbox-2.vor-migration@begleitservice>"]


def test_abtretung_columns_move_into_the_history(empty_database):
    """A senior's one Abtretung (given, revoked) becomes the first period of the history; the columns go."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "TESTING": True})
    with app.app_context():
        upgrade(revision="0020")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO district (id, name, lat, lon) VALUES (1, 'Eving', 51.55, 7.467)"))
            for name, given, revoked in (("Abel", "'2025-03-01'", "'2026-02-01'"), ("Brandt", "NULL", "NULL")):
                conn.execute(
                    sa.text(
                        "INSERT INTO senior (first_name, last_name, birth_on, street, postal_code, city, district_id,"
                        " languages, has_dementia, status, abtretung_on, abtretung_revoked_on, created_at,"
                        f" updated_at) VALUES ('Anna', '{name}', '1941-03-09', 'Nordmarkt 5', '44145', 'Dortmund', 1,"
                        f" 'Deutsch', false, 'aktiv', {given}, {revoked}, '2026-01-01 00:00:00',"
                        " '2026-01-01 00:00:00')"
                    )
                )
        upgrade()
        with db.engine.connect() as conn:
            periods = conn.execute(
                sa.text(
                    "SELECT s.last_name, a.given_on, a.document_on, a.revoked_on FROM abtretung_period a"
                    " JOIN senior s ON s.id = a.senior_id"
                )
            ).all()
            columns = {c["name"] for c in sa.inspect(conn).get_columns("senior")}
            triggers = _trigger_count(conn)
        db.engine.dispose()
    assert [(p[0], str(p[1]), str(p[2]), str(p[3])) for p in periods] == [
        ("Abel", "2025-03-01", "2025-03-01", "2026-02-01")
    ]
    assert not {"abtretung_on", "abtretung_revoked_on"} & columns
    assert triggers >= 2  # the pairing triggers survive (senior was altered in place, not recreated)
