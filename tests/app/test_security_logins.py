"""Logins: rate limits per address (429, German), lockout per e-mail, the same work for every e-mail, a record."""

import uuid

import pytest
import redis

from begleitservice import create_app
from begleitservice.appointments.links.tokens import make_token
from begleitservice.extensions import db
from begleitservice.models import User
from begleitservice.security.logins import _stand_in, login_recorded
from tests.factories import make_appointment, make_user

PASSWORD = "richtig-geheim-123"
LOCKED = "Zu viele fehlgeschlagene Anmeldeversuche."
WRONG = "E-Mail oder Passwort ist falsch."
TOO_MANY = "Zu viele Anfragen in kurzer Zeit."


@pytest.fixture
def limited_app(app_ctx):
    """The app on the test database with the rate limits switched on (small ones) and fresh counters."""
    apps = []

    def _make(**config):
        settings = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app_ctx.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "3/minute",
            "LINK_RATE_LIMIT": "4/minute",
        }
        apps.append(create_app(settings | config))
        return apps[-1]

    yield _make
    for each in apps:
        with each.app_context():
            db.engine.dispose()


def _login(client, email, password=PASSWORD, address="10.0.0.1"):
    data = {"email": email, "password": password}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address})


def test_the_login_answers_429_in_german_after_the_limit(limited_app):
    user = make_user()
    client = limited_app().test_client()
    assert [_login(client, user.email, "falsch").status_code for _ in range(3)] == [200, 200, 200]
    refused = _login(client, user.email)
    assert refused.status_code == 429
    assert TOO_MANY in refused.get_data(as_text=True) and "per 1 minute" not in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["Cache-Control"] == "no-store"
    assert _login(client, user.email, address="10.0.0.2").status_code == 302  # another address has its own budget


def test_showing_the_login_page_is_not_limited(limited_app):
    client = limited_app().test_client()
    assert {client.get("/login").status_code for _ in range(6)} == {200}


def test_the_volunteer_links_share_one_limit_per_address(limited_app):
    app = limited_app()
    appointment = make_appointment()
    with app.app_context():
        token = make_token("confirm", appointment.id)
    client = app.test_client()
    urls = [f"/link/bestaetigen/{token}", "/link/absagen/kaputt", "/link/stunden/kaputt", "/kalender/x.ics"]
    assert [client.get(url).status_code for url in urls] == [200, 400, 400, 404]
    refused = client.get(f"/link/bestaetigen/{token}")
    assert refused.status_code == 429 and TOO_MANY in refused.get_data(as_text=True)


def test_five_failures_lock_the_account_even_for_the_right_password(app_ctx, client):
    user = make_user()
    answers = [_login(client, user.email, "falsch").get_data(as_text=True) for _ in range(5)]
    assert all(WRONG in page for page in answers[:4]) and LOCKED in answers[4]
    locked = _login(client, user.email)
    assert locked.status_code == 200 and LOCKED in locked.get_data(as_text=True)
    assert "in 15 Minuten" in locked.get_data(as_text=True)
    other = make_user()
    assert _login(client, other.email).status_code == 302  # the lockout is per account, not per address


def test_an_unknown_e_mail_is_locked_the_same_way(app_ctx, client):
    answers = [_login(client, "niemand@example.org", "falsch").get_data(as_text=True) for _ in range(6)]
    assert all(WRONG in page for page in answers[:4]) and LOCKED in answers[4] and LOCKED in answers[5]


def test_a_successful_login_clears_the_failures(app_ctx, client):
    user = make_user()
    for _ in range(4):
        _login(client, user.email, "falsch")
    assert _login(client, user.email).status_code == 302
    pages = [_login(app_ctx.test_client(), user.email, "falsch").get_data(as_text=True) for _ in range(4)]
    assert all(WRONG in page for page in pages)


@pytest.fixture
def hash_checks(monkeypatch):
    """Count the password hash checks of every user object, stand-in included."""
    calls = []
    original = User.check_password

    def counting(self, password):
        calls.append(self.id)
        return original(self, password)

    monkeypatch.setattr(User, "check_password", counting)
    return calls


def test_every_attempt_costs_exactly_one_hash_check(app_ctx, client, hash_checks):
    user = make_user()
    inactive = make_user(is_active=False)
    cases = [
        (user.email, PASSWORD, 302),
        (user.email, "falsch", 200),
        ("unbekannt@example.org", PASSWORD, 200),
        (inactive.email, PASSWORD, 200),
    ]
    for email, password, status in cases:
        before = len(hash_checks)
        assert _login(app_ctx.test_client(), email, password).status_code == status
        assert len(hash_checks) - before == 1, email
    for _ in range(6):  # into and beyond the lockout: still one check each
        before = len(hash_checks)
        _login(client, "gesperrt@example.org", "falsch")
        assert len(hash_checks) - before == 1
    assert hash_checks.count(None) == 1 + 6  # the stand-in for unknown e-mails has no id


def test_the_stand_in_hash_costs_what_a_real_one_costs(app_ctx):
    user = make_user()
    method = user.password_hash.split("$", 1)[0]  # e.g. scrypt:32768:8:1
    assert _stand_in().password_hash.split("$", 1)[0] == method
    assert not _stand_in().check_password(PASSWORD)


def test_every_attempt_is_recorded_for_the_audit_trail(app_ctx, client):
    user = make_user()
    seen = []

    def listen(app, **attempt):
        seen.append((attempt["email"], attempt["user"].id if attempt["user"] else None, attempt["reason"]))

    with login_recorded.connected_to(listen):
        _login(client, user.email, "falsch")
        _login(client, "unbekannt@example.org", "falsch")
        _login(client, user.email)
    assert seen == [
        (user.email, user.id, "wrong"),
        ("unbekannt@example.org", None, "wrong"),
        (user.email, user.id, "ok"),
    ]


def test_the_limits_are_shared_through_redis(limited_app):
    """Two workers (apps) on one Redis count together; the keys carry the configured prefix and are removed."""
    prefix = f"bs-test-{uuid.uuid4().hex[:12]}"
    server = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    settings = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "RATELIMIT_KEY_PREFIX": prefix}
    first, second = limited_app(**settings), limited_app(**settings)
    user = make_user()
    try:
        assert _login(first.test_client(), user.email, "falsch").status_code == 200
        assert _login(second.test_client(), user.email, "falsch").status_code == 200
        assert _login(first.test_client(), user.email, "falsch").status_code == 200
        assert _login(second.test_client(), user.email).status_code == 429
        assert server.keys(f"*{prefix}*"), "nothing was counted in Redis"
        for _ in range(2):  # the lockout counts there too: five failures in all, from both workers
            _login(first.test_client(), user.email, "falsch", address="10.0.0.7")
            _login(second.test_client(), user.email, "falsch", address="10.0.0.8")
        page = _login(first.test_client(), user.email, address="10.0.0.9").get_data(as_text=True)
        assert LOCKED in page
    finally:
        keys = server.keys(f"*{prefix}*")
        if keys:
            server.delete(*keys)
        assert not server.keys(f"*{prefix}*")
        server.close()


def test_without_redis_logins_still_work_and_are_still_limited(limited_app, caplog):
    """Redis down: the limits and the lockout count per process instead of refusing every login (logged)."""
    app = limited_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")  # nothing listens on port 1
    user = make_user()
    client = app.test_client()
    assert _login(client, user.email).status_code == 302
    answers = [_login(client, "niemand@example.org", "falsch", address=f"10.0.1.{n}") for n in range(5)]
    assert LOCKED in answers[-1].get_data(as_text=True)
    assert "rate limit storage unreachable" in caplog.text
    assert [_login(client, user.email, "falsch", address="10.0.2.1").status_code for _ in range(4)][-1] == 429
