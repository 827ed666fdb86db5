"""Sessions end for good: a copied cookie stops working after logout, a new password, deactivation, a role change."""

from datetime import UTC, datetime, timedelta

import pytest

from begleitservice.extensions import db
from tests.factories import make_user

PASSWORD = "richtig-geheim-123"
START = datetime(2026, 11, 30, 9, tzinfo=UTC)


def _logged_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def _copy(app, client):
    """Another browser with the same session cookie (stolen, or the same user elsewhere)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _refused(client) -> bool:
    response = client.get("/seniors/")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _admin_saves(app, user, **changes):
    """The admin page saves ``user`` with ``changes`` (other fields as they are)."""
    admin = _logged_in(app, make_user(role="admin"))
    data = {"name": user.name, "email": user.email, "role": user.role} | changes
    if data.pop("is_active", user.is_active):
        data["is_active"] = "y"
    response = admin.post(f"/admin/benutzer/{user.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_copied_cookie_stops_working_after_logout(app_ctx):
    user = make_user()
    browser = _logged_in(app_ctx, user)
    thief = _copy(app_ctx, browser)
    elsewhere = _logged_in(app_ctx, user)
    assert not _refused(thief) and not _refused(elsewhere)
    browser.post("/logout")
    assert _refused(thief) and _refused(browser) and _refused(elsewhere)
    assert not _refused(_logged_in(app_ctx, user))  # a new login works


def test_one_users_logout_leaves_the_others_logged_in(app_ctx):
    first, second = _logged_in(app_ctx, make_user()), _logged_in(app_ctx, make_user())
    first.post("/logout")
    assert not _refused(second)


def test_a_new_password_ends_every_session(app_ctx):
    user = make_user(role="accounting")
    browser = _logged_in(app_ctx, user)
    thief = _copy(app_ctx, browser)
    new = "ein-ganz-neues-passwort"
    changed = browser.post("/konto/passwort", data={"current": PASSWORD, "password": new, "repeat": new})
    assert changed.status_code == 302
    assert _refused(thief)
    assert not _refused(browser)  # the session that changed it goes on


def test_a_password_set_through_the_reset_link_ends_every_session(app_ctx):
    from begleitservice.auth.tokens import make_token

    user = make_user()
    thief = _copy(app_ctx, _logged_in(app_ctx, user))
    new = "ein-ganz-neues-passwort"
    link = f"/passwort-neu/{make_token('reset', user)}"
    assert app_ctx.test_client().post(link, data={"password": new, "repeat": new}).status_code == 302
    assert _refused(thief)


def test_a_password_changed_anywhere_ends_every_session(app_ctx):
    """Not only the admin page: any code that sets a new password (own change, reset link, CLI)."""
    user = make_user()
    thief = _copy(app_ctx, _logged_in(app_ctx, user))
    user.set_password("noch-ein-neues-passwort")
    db.session.commit()
    assert _refused(thief)


def test_deactivation_ends_every_session(app_ctx):
    user = make_user()
    browser = _logged_in(app_ctx, user)
    _admin_saves(app_ctx, user, is_active=False)
    assert _refused(_copy(app_ctx, browser))
    _admin_saves(app_ctx, user, is_active=True)
    assert _refused(_copy(app_ctx, browser))  # reactivated: the old cookie stays dead


def test_a_role_change_ends_every_session(app_ctx):
    user = make_user(role="coordinator")
    thief = _copy(app_ctx, _logged_in(app_ctx, user))
    _admin_saves(app_ctx, user, role="accounting")
    assert _refused(thief)


def test_saving_a_user_without_changes_keeps_the_sessions(app_ctx):
    user = make_user()
    browser = _logged_in(app_ctx, user)
    _admin_saves(app_ctx, user, name="Neuer Name")
    assert not _refused(browser)


@pytest.fixture
def clock_at(app_ctx, monkeypatch):
    """A 30-minute idle timeout and a movable service clock."""
    monkeypatch.setitem(app_ctx.config, "SESSION_IDLE_MINUTES", 30)

    def _at(minutes: int):
        monkeypatch.setitem(app_ctx.config, "NOW", START + timedelta(minutes=minutes))

    return _at


def test_an_idle_session_ends_with_a_german_message(app_ctx, clock_at):
    user = make_user()
    clock_at(0)
    browser = _logged_in(app_ctx, user)
    clock_at(29)
    assert not _refused(browser)
    clock_at(29 + 29)
    assert not _refused(browser)  # each request starts the 30 minutes anew
    clock_at(29 + 29 + 31)
    assert _refused(browser)
    page = browser.get("/login").get_data(as_text=True)
    assert "Sie wurden nach 30 Minuten ohne Aktivität abgemeldet." in page
    clock_at(29 + 29 + 32)
    assert _refused(browser)  # and stays ended
