"""Fixtures in layers: a database per backend and session, an app on it, a clean database per test.

Every test that uses ``app`` runs on SQLite, and once more on PostgreSQL when TEST_DATABASE_URL is set. On
PostgreSQL each test session creates its own database on that server and drops it at the end, so the suite
neither needs nor disturbs anything already there.
"""

import os
import uuid

import pytest
import sqlalchemy as sa
from flask import g
from sqlalchemy.engine import make_url

from begleitservice import create_app
from begleitservice.config import database_url
from begleitservice.extensions import db
from begleitservice.reference import ensure_reference_data

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _postgres_admin_engine():
    url = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    return url, sa.create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session", params=BACKENDS)
def database(request, tmp_path_factory):
    """A fresh, empty database URL for this test session on one backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url, admin = _postgres_admin_engine()
    name = f"bs_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def app(database, tmp_path_factory):
    """The app on the session's database, with the schema created from the models."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test-secret",
            "SERVER_NAME": "localhost",
            "MAIL_SUPPRESS_SEND": False,
            # Every test logs in from 127.0.0.1: the rate limits are tested with their own app (test_security_logins)
            "RATELIMIT_ENABLED": False,
            # Tests move the service clock by days or years under a logged-in client; test_security_sessions
            # checks the idle timeout with its own value.
            "SESSION_IDLE_MINUTES": 10**9,
            # A billing run started on the page runs in the request; test_accounting_jobs runs it in the background
            "BILLING_RUN_SYNC": True,
        }
    )

    @app.teardown_request
    def _forget_login(_exc):
        # Tests keep one app context open, which requests reuse; drop Flask-Login's per-request cache so
        # each client is seen as itself, as it would be with a fresh context per request in production.
        g.pop("_login_user", None)
        g.pop("committed", None)  # the error page's "was anything saved" flag (a login now commits its audit row)
        g.pop("csrf_token", None)  # Flask-WTF's per-request token: each client has its own in its session

    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    """An app context with an empty database plus the reference data (districts, Aktionsräume)."""
    with app.app_context():
        ensure_reference_data()
        db.session.commit()
        yield app
        db.session.rollback()
        db.session.remove()
        _empty_all_tables()


def _empty_all_tables() -> None:
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture
def built_pages(app_ctx, monkeypatch):
    """Every page built anew (the page cache off): for tests that count what building a page costs."""
    monkeypatch.setitem(app_ctx.config, "PAGE_CACHE_SECONDS", 0)


@pytest.fixture
def client(app_ctx):
    """A test client (not logged in)."""
    return app_ctx.test_client()


@pytest.fixture
def login(app_ctx):
    """Log a fresh test client in with a given role: ``login("coordinator")`` → client."""
    from tests.factories import make_user

    def _login(role: str = "coordinator"):
        user = make_user(role=role)
        client = app_ctx.test_client()
        client.get("/login")  # as a browser would: the login form gives the session its form token
        response = client.post("/login", data={"email": user.email, "password": "richtig-geheim-123"})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


@pytest.fixture
def coordinator(login):
    """A test client logged in as coordinator."""
    return login("coordinator")


def pytest_report_header(config):
    return f"database backends: {', '.join(BACKENDS)} (default app database: {database_url()})"


@pytest.fixture
def collide(app_ctx):
    """Send requests at the same instant, each from its own thread with its own test client (so its own app
    context, session and database connection), as clicks of several browsers would arrive.

    ``collide(client, [lambda c: c.post(...), ...])`` → the responses in the order of the calls. The clients carry
    the cookies (the login) of ``client``; pass a list of clients to mix users. Nothing may be left uncommitted
    in the test's own session while they run (on SQLite that would hold the write lock).
    """
    import threading

    def _collide(clients, calls):
        if not isinstance(clients, list):
            clients = [clients] * len(calls)
        db.session.commit()  # the test's own transaction must not hold locks the requests wait for
        start = threading.Barrier(len(calls))
        responses: list = [None] * len(calls)
        errors: list[BaseException] = []

        def work(index: int) -> None:
            own = app_ctx.test_client()
            for cookie in ("session", "remember_token"):
                if (value := clients[index].get_cookie(cookie)) is not None:
                    own.set_cookie(cookie, value.value, domain=value.domain)
            try:
                start.wait(10)
                responses[index] = calls[index](own)
            except BaseException as error:  # reported by the test
                errors.append(error)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        db.session.expire_all()
        return responses

    return _collide


@pytest.fixture
def sample_ids(app_ctx):
    """One object of each kind, so every page with an id has something to show."""
    from tests.factories import make_appointment, make_pflegekasse, make_request, make_senior, make_user

    kasse = make_pflegekasse()
    senior = make_senior(pflegegrad=2, pflegekasse=kasse)
    appointment = make_appointment()
    request = make_request(senior=senior)
    ids = {
        "pflegekasse": kasse.id,
        "kasse": kasse.id,
        "senior": senior.id,
        "volunteer": appointment.pairing.volunteer_id,
        "pairing": appointment.pairing_id,
        "appointment": appointment.id,
        "request": request.id,
        "user": make_user(role="accounting").id,
        "item": request.id,
        "slug": "anfragen",
    }
    return ids
