"""The signing key: no public default, a private development key, an explicit key in production, rotation."""

import os
import stat
import subprocess
import sys

import pytest
from flask.sessions import SecureCookieSessionInterface

from begleitservice import create_app
from begleitservice.appointments.links.tokens import LinkError, load_token, make_token
from begleitservice.config import SettingsError
from begleitservice.extensions import db
from tests.codescan import ROOT
from tests.factories import make_user

OLD_PUBLIC_KEY = "entwicklung-nicht-fuer-produktion"  # the default every copy of the code used to share


def _app(database: str, tmp_path, **config):
    settings = {"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": None, "SECRET_KEY_FILE": tmp_path / "secret_key"}
    settings["WTF_CSRF_ENABLED"] = False
    return create_app(settings | config)


def _signed(app, key: str, payload: dict) -> str:
    """A session cookie value with ``payload`` signed by ``key`` the way Flask signs its sessions."""
    original = app.secret_key
    app.secret_key = key
    try:
        return SecureCookieSessionInterface().get_signing_serializer(app).dumps(payload)
    finally:
        app.secret_key = original


def test_without_a_key_a_private_random_key_is_made_once_and_kept(tmp_path):
    first = _app("sqlite://", tmp_path)
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) == 64 and first.config["SECRET_KEY"] != OLD_PUBLIC_KEY
    assert _app("sqlite://", tmp_path).config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert _app("sqlite://", tmp_path / "other").config["SECRET_KEY"] != first.config["SECRET_KEY"]


@pytest.mark.parametrize("variable", ["BEGLEITSERVICE_ENV", "FLASK_ENV"])
def test_production_without_a_key_refuses_to_start(monkeypatch, tmp_path, variable):
    monkeypatch.setenv(variable, "production")
    with pytest.raises(SettingsError, match="SECRET_KEY fehlt") as error:
        _app("sqlite://", tmp_path)
    assert "expected an explicit SECRET_KEY in production" in str(error.value)
    assert not (tmp_path / "secret_key").exists()
    assert _app("sqlite://", tmp_path, SECRET_KEY="ein-langer-eigener-schluessel").config["PRODUCTION"]


def test_gunicorn_without_a_key_refuses_to_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "BEGLEITSERVICE_ENV", "FLASK_ENV")}
    env |= {"BEGLEITSERVICE_INSTANCE": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    gunicorn = [sys.executable, "-m", "gunicorn", "--check-config", "wsgi:app"]
    refused = subprocess.run(gunicorn, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert "SECRET_KEY fehlt" in refused.stdout + refused.stderr
    assert not (tmp_path / "secret_key").exists()
    started = subprocess.run(gunicorn, cwd=ROOT, env=env | {"SECRET_KEY": "x" * 40}, capture_output=True, timeout=120)
    assert started.returncode == 0, started.stderr


def test_a_cookie_forged_with_the_old_public_key_is_refused(app_ctx, tmp_path):
    admin = make_user(role="admin")
    app = _app(app_ctx.config["SQLALCHEMY_DATABASE_URI"], tmp_path, TESTING=True)
    try:
        client = app.test_client()
        client.post("/login", data={"email": admin.email, "password": "richtig-geheim-123"})
        with client.session_transaction() as session:
            payload = dict(session)
        assert payload["_user_id"] == str(admin.id)

        genuine = app.test_client()
        genuine.set_cookie("session", _signed(app, app.config["SECRET_KEY"], payload))
        assert genuine.get("/seniors/").status_code == 200  # the same payload with the right key opens the page

        forged = app.test_client()
        forged.set_cookie("session", _signed(app, OLD_PUBLIC_KEY, payload))
        response = forged.get("/seniors/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    finally:
        with app.app_context():
            db.engine.dispose()


def test_after_a_rotation_old_links_open_but_old_sessions_do_not(app_ctx, tmp_path):
    admin = make_user(role="admin")
    old = _app(app_ctx.config["SQLALCHEMY_DATABASE_URI"], tmp_path, SECRET_KEY="alter-schluessel", TESTING=True)
    new = _app(
        app_ctx.config["SQLALCHEMY_DATABASE_URI"],
        tmp_path,
        SECRET_KEY="neuer-schluessel",
        LINK_KEY_FALLBACKS=["alter-schluessel"],
        TESTING=True,
    )
    dropped = _app(app_ctx.config["SQLALCHEMY_DATABASE_URI"], tmp_path, SECRET_KEY="neuer-schluessel")
    try:
        with old.app_context():
            token = make_token("confirm", 7, volunteer_id=3)
        with new.app_context():
            assert load_token("confirm", token).appointment_id == 7
        with dropped.app_context(), pytest.raises(LinkError, match="invalid"):
            load_token("confirm", token)  # once the fallback is dropped, the old links are dead

        client = old.test_client()
        client.post("/login", data={"email": admin.email, "password": "richtig-geheim-123"})
        assert client.get("/seniors/").status_code == 200
        moved = new.test_client()
        moved.set_cookie("session", client.get_cookie("session").value)
        response = moved.get("/seniors/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    finally:
        for each in (old, new, dropped):
            with each.app_context():
                db.engine.dispose()
