"""The page cache (begleitservice.pages): a kept page is served again only while nothing it may show has changed."""

import re
import threading

import pytest
import sqlalchemy as sa

from begleitservice import pages
from begleitservice.extensions import db
from begleitservice.models import User
from tests.factories import make_senior, make_user, make_volunteer


@pytest.fixture
def statements(app):
    """``statements(client, url)`` → (response text, SQL statements the request sent)."""

    def _count(client, url: str) -> tuple[str, int]:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with app.app_context():  # a session of its own, as in production
                response = client.get(url)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        assert response.status_code == 200
        return response.get_data(as_text=True), len(seen)

    return _count


def _kept(client, statements, url: str, *, kept: int = 2) -> str:
    """Request ``url`` until it is served from the cache (the first request of a session has no CSRF token yet)."""
    statements(client, url)
    built, _ = statements(client, url)
    again, kept_count = statements(client, url)
    assert again == built
    assert kept_count == kept  # the login and the generation (and what a view adds to its key)
    return again


def test_a_kept_list_is_built_anew_after_a_write(app_ctx, coordinator, statements):
    make_volunteer(first_name="Anna", last_name="Albers")
    db.session.commit()
    assert "Albers" in _kept(coordinator, statements, "/volunteers/")
    assert "Brinkmann" not in _kept(coordinator, statements, "/volunteers/")

    make_volunteer(first_name="Berta", last_name="Brinkmann")
    db.session.commit()

    page, count = statements(coordinator, "/volunteers/")
    assert "Brinkmann" in page and "Albers" in page
    assert count > 2


def test_a_write_by_another_connection_or_process_counts(app_ctx, coordinator, statements):
    volunteer = make_volunteer(first_name="Anna", last_name="Albers")
    db.session.commit()
    _kept(coordinator, statements, "/volunteers/")

    with db.engine.begin() as conn:  # as the scheduler or a CLI command would write: Core, no ORM session
        conn.execute(sa.text("UPDATE volunteer SET last_name = 'Ahlers' WHERE id = :id"), {"id": volunteer.id})

    page, _ = statements(coordinator, "/volunteers/")
    assert "Ahlers" in page and "Albers" not in page


def test_a_rolled_back_write_and_a_look_at_a_senior_keep_the_page(app_ctx, coordinator, statements):
    senior = make_senior(first_name="Greta", last_name="Gerlach")
    db.session.commit()
    _kept(coordinator, statements, "/seniors/")
    before = pages.generation()

    with db.engine.connect() as conn:
        conn.execute(sa.text("UPDATE senior SET last_name = 'Anders' WHERE id = :id"), {"id": senior.id})
        conn.rollback()
    coordinator.get(f"/seniors/{senior.id}")  # records the look in the audit trail, which no kept page shows

    db.session.rollback()
    assert pages.generation() == before
    page, count = statements(coordinator, "/seniors/")
    assert "Gerlach" in page and count == 2


def test_a_flash_message_shows_once_and_is_never_kept(app_ctx, coordinator, statements):
    make_volunteer(last_name="Albers")
    db.session.commit()
    _kept(coordinator, statements, "/volunteers/")
    with coordinator.session_transaction() as session:
        session["_flashes"] = [("success", "Albers gespeichert.")]

    assert "Albers gespeichert." in coordinator.get("/volunteers/").get_data(as_text=True)
    assert "Albers gespeichert." not in coordinator.get("/volunteers/").get_data(as_text=True)


def test_every_session_gets_its_own_page(app_ctx, login, statements):
    make_volunteer(last_name="Albers")
    db.session.commit()
    first, second = login("coordinator"), login("coordinator")
    mine = _kept(first, statements, "/volunteers/")

    theirs = _kept(second, statements, "/volunteers/")  # kept for the second session too, but its own page

    token = re.compile(r'name="csrf_token" value="([^"]+)"')
    assert token.search(mine).group(1) != token.search(theirs).group(1)
    one, other = db.session.scalars(sa.select(User.name).where(User.role == "coordinator").order_by(User.id))
    assert f"{one} (" in mine and f"{other} (" not in mine
    assert f"{other} (" in theirs and f"{one} (" not in theirs


def test_the_day_and_the_age_limit(app_ctx, coordinator, statements, monkeypatch):
    make_user(role="coordinator", name="Zweite Koordinatorin")
    db.session.commit()
    monkeypatch.setitem(app_ctx.config, "TODAY", "2026-11-02")
    assert "Stand: 02.11.2026" in _kept(coordinator, statements, "/")

    monkeypatch.setitem(app_ctx.config, "TODAY", "2026-11-03")
    page, count = statements(coordinator, "/")
    assert "Stand: 03.11.2026" in page and count > 2

    _kept(coordinator, statements, "/")
    later = pages.time.monotonic() + app_ctx.config["PAGE_CACHE_SECONDS"] + 1
    monkeypatch.setattr(pages.time, "monotonic", lambda: later)
    _, count = statements(coordinator, "/")
    assert count > 2


def test_switched_off(app_ctx, coordinator, statements, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "PAGE_CACHE_SECONDS", 0)
    coordinator.get("/volunteers/")
    _, first = statements(coordinator, "/volunteers/")
    _, second = statements(coordinator, "/volunteers/")
    assert first == second > 2


def test_a_page_built_while_a_write_commits_is_not_kept_past_it(app_ctx, coordinator, statements):
    """The writer has written but not committed while the page is built: after the commit the page shows it."""
    volunteer = make_volunteer(last_name="Albers").id
    db.session.commit()
    coordinator.get("/")  # the session's form token: from now on its pages are kept
    inserted, release, failures = threading.Event(), threading.Event(), []

    def writer():
        try:
            with app_ctx.app_context(), db.engine.connect() as conn:
                conn.execute(sa.text("UPDATE volunteer SET last_name = 'Brinkmann' WHERE id = :id"), {"id": volunteer})
                inserted.set()
                release.wait(30)
                conn.commit()
        except BaseException as error:  # reported below
            failures.append(error)
            inserted.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert inserted.wait(30)
    page, count = statements(coordinator, "/volunteers/?status=")  # built and kept under the generation before
    assert "Brinkmann" not in page and "Albers" in page and count > 2
    release.set()
    thread.join(30)
    assert not failures, failures

    page, _ = statements(coordinator, "/volunteers/?status=")
    assert "Brinkmann" in page


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("SELECT * FROM volunteer", False),
        ("  select 1", False),
        ("BEGIN IMMEDIATE", False),
        ("INSERT INTO volunteer (id) VALUES (1)", True),
        ('INSERT INTO "audit_event" (id) VALUES (1)', False),
        ("INSERT INTO audit_event (id) VALUES (1)", False),
        ("UPDATE appointment SET status = 'bestaetigt'", True),
        ("DELETE FROM outbox_message WHERE id = 1", True),
        ("DELETE FROM audit_event WHERE at < '2020-01-01'", True),
        ("WITH x AS (SELECT 1) SELECT * FROM x", False),
        ("WITH x AS (UPDATE senior SET status = 'aktiv' RETURNING id) SELECT * FROM x", True),
        ('TRUNCATE "volunteer"', True),
        ("CREATE TABLE t (id int)", True),
    ],
)
def test_what_counts_as_a_write(statement, writes):
    assert pages.is_write(statement) is writes


def test_the_audit_trail_shows_a_look_at_a_senior_at_once(app_ctx, login, statements):
    admin = login("admin")
    senior = make_senior(first_name="Greta", last_name="Gerlach")
    db.session.commit()
    before = _kept(admin, statements, "/admin/protokoll/?action=view", kept=3)
    assert "Gerlach" not in before

    admin.get(f"/seniors/{senior.id}")  # recorded in the audit trail, which raises no generation

    page, count = statements(admin, "/admin/protokoll/?action=view")
    assert "Gerlach" in page and count > 3
