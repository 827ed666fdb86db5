"""Accounts: forgotten password through a real mail (aiosmtpd), invitation, own password change, the password
policy everywhere a password is set, TOTP second factor with recovery codes and the required setup."""

import html
import re
from urllib.parse import urlsplit

import pyotp
import pytest
import sqlalchemy as sa

from begleitservice.auth.passwords import password_problem
from begleitservice.cli.users import create_user
from begleitservice.extensions import db
from begleitservice.mail.sender import send_pending
from begleitservice.models import AuditEvent, OutboxMessage, User
from tests.app.test_scheduling_support import smtp_fixture, text_of  # noqa: F401 (fixtures)
from tests.factories import make_user

PASSWORD = "richtig-geheim-123"
NEW_PASSWORD = "Kaffee-Regen-Fahrrad-7"
RESET_SENT = "Wenn zu dieser E-Mail-Adresse ein Zugang besteht, haben wir soeben einen Link"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def link_in(message, path: str) -> str:
    """The path of the first link to ``path`` in the mail's text."""
    for url in re.findall(r"https?://\S+", text_of(message)):
        if path in url:
            return urlsplit(url).path
    raise AssertionError(f"no {path} link in: {text_of(message)}")


def logs_in(client, email: str, password: str) -> bool:
    """Whether a login with these credentials gets to the dashboard (no second factor)."""
    response = client.post("/login", data={"email": email, "password": password})
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/"


def audit_details(action: str) -> list[str]:
    db.session.expire_all()
    query = sa.select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


# --- forgotten password ------------------------------------------------------------------------------------------


def test_login_page_offers_the_reset(client):
    assert "Passwort vergessen?" in page(client.get("/login"))


def test_reset_end_to_end_through_a_real_mail(client, smtp):
    user = make_user(email="anna@example.org", name="Anna Schmidt")
    response = client.post("/passwort-vergessen", data={"email": "Anna@Example.org"})
    assert response.status_code == 302
    assert RESET_SENT in page(client.get("/login"))
    send_pending()
    (message,) = smtp.to("anna@example.org")
    assert message["Subject"] == "Passwort zurücksetzen – Seniorenbegleitservice"
    assert "gilt 60 Minuten" in text_of(message)
    path = link_in(message, "/passwort-neu/")

    form = page(client.get(path))
    assert "Neues Passwort festlegen" in form and "anna@example.org" in form
    response = client.post(path, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Ihr Passwort ist gespeichert" in page(client.get("/login"))
    assert logs_in(client.application.test_client(), "anna@example.org", NEW_PASSWORD)
    assert not logs_in(client.application.test_client(), "anna@example.org", PASSWORD)

    again = client.get(path)
    assert again.status_code == 400
    assert "Der Link wurde schon benutzt oder gilt nicht mehr." in page(again)
    refused = client.post(path, data={"password": "Noch-ein-Passwort-99", "repeat": "Noch-ein-Passwort-99"})
    assert refused.status_code == 400
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    assert audit_details("password") == ["Link zum Zurücksetzen verschickt", "über den Link zurückgesetzt"]


def test_unknown_address_gets_the_same_answer_and_no_mail(client, smtp):
    make_user(email="anna@example.org")
    known = client.post("/passwort-vergessen", data={"email": "anna@example.org"}, follow_redirects=True)
    unknown = client.post("/passwort-vergessen", data={"email": "niemand@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert RESET_SENT in page(known) and RESET_SENT in page(unknown)
    db.session.expire_all()
    assert [m.recipient for m in db.session.scalars(sa.select(OutboxMessage))] == ["anna@example.org"]


def test_a_deactivated_account_gets_no_reset_mail(client):
    make_user(email="alt@example.org", is_active=False)
    client.post("/passwort-vergessen", data={"email": "alt@example.org"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_expired_and_tampered_links_are_refused(client, app_ctx, monkeypatch):
    from begleitservice.auth.tokens import make_token

    user = make_user()
    token = make_token("reset", user)
    tampered = client.get(f"/passwort-neu/{token[:-2]}xx")
    assert tampered.status_code == 400 and "Der Link ist ungültig." in page(tampered)
    foreign = client.get(f"/einladung/{token}")
    assert foreign.status_code == 400
    monkeypatch.setitem(app_ctx.config, "PASSWORD_RESET_MAX_AGE_MINUTES", -1)
    expired = client.get(f"/passwort-neu/{token}")
    assert expired.status_code == 400 and "Der Link ist abgelaufen." in page(expired)


def test_the_new_password_must_follow_the_policy_and_match(client):
    from begleitservice.auth.tokens import make_token

    user = make_user(email="anna@example.org")
    path = f"/passwort-neu/{make_token('reset', user)}"
    weak = page(client.post(path, data={"password": "passwort12345", "repeat": "passwort12345"}))
    assert "Dieses Passwort ist zu verbreitet und leicht zu erraten." in weak
    typo = page(client.post(path, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD + "x"}))
    assert "Die beiden Eingaben stimmen nicht überein." in typo
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


# --- password policy ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, message",
    [
        ("1234567890", "Das Passwort braucht mindestens 12 Zeichen (hier 10)."),
        (" " * 12, "Das Passwort besteht aus zu wenigen verschiedenen Zeichen."),
        ("aaaabbbbaaaa", "Das Passwort besteht aus zu wenigen verschiedenen Zeichen."),
        ("123456789012", "Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes."),
        ("Passwort2026!", "Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes."),
        ("Borussia!1909", "Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes."),
        ("anna.schmidt@example.org", "Das Passwort darf nicht Ihre E-Mail-Adresse enthalten."),
        ("anna.schmidt-2026", "Das Passwort darf nicht Ihre E-Mail-Adresse enthalten."),
        ("x" * 201, "Das Passwort darf höchstens 200 Zeichen haben."),
    ],
)
def test_policy_messages(password, message):
    assert password_problem(password, email="anna.schmidt@example.org") == message


def test_policy_accepts_a_good_passphrase():
    assert password_problem(NEW_PASSWORD, email="anna.schmidt@example.org") is None


def test_command_line_applies_the_policy(app_ctx):
    runner = app_ctx.test_cli_runner()
    weak = runner.invoke(create_user, ["--email", "a@example.org", "--name", "A", "--password", "1234567890"])
    assert weak.exit_code == 1 and "mindestens 12 Zeichen" in weak.output
    common = runner.invoke(create_user, ["--email", "a@example.org", "--name", "A", "--password", "qwertzuiop123"])
    assert common.exit_code == 1 and "zu verbreitet" in common.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    good = runner.invoke(create_user, ["--email", "a@example.org", "--name", "A", "--password", NEW_PASSWORD])
    assert good.exit_code == 0, good.output


# --- own password --------------------------------------------------------------------------------------------------


def test_change_own_password_asks_for_the_current_one(app_ctx, client):
    make_user(email="anna@example.org")
    assert logs_in(client, "anna@example.org", PASSWORD)
    wrong = page(
        client.post(
            "/konto/passwort", data={"current": "falsch-falsch-1", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
        )
    )
    assert "Das bisherige Passwort stimmt nicht." in wrong
    weak = page(
        client.post("/konto/passwort", data={"current": PASSWORD, "password": "1234567890", "repeat": "1234567890"})
    )
    assert "Das Passwort braucht mindestens 12 Zeichen (hier 10)." in weak
    done = client.post("/konto/passwort", data={"current": PASSWORD, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert done.status_code == 302
    assert "Ihr Passwort ist geändert." in page(client.get("/konto"))
    assert logs_in(app_ctx.test_client(), "anna@example.org", NEW_PASSWORD)
    assert not logs_in(app_ctx.test_client(), "anna@example.org", PASSWORD)


# --- invitation ----------------------------------------------------------------------------------------------------


def test_admin_invites_a_new_user_who_sets_the_password_by_link(app_ctx, login, smtp):
    admin = login("admin")
    form = page(admin.get("/admin/benutzer/neu"))
    assert 'name="password"' not in form
    data = {"name": "Neue Kollegin", "email": "neu@example.org", "role": "coordinator", "is_active": "y"}
    response = admin.post("/admin/benutzer/neu", data=data)
    assert response.status_code == 302
    assert "Die Einladung an neu@example.org ist unterwegs." in page(admin.get("/admin/benutzer"))
    user = db.session.scalar(sa.select(User).where(User.email == "neu@example.org"))
    assert not user.has_password
    assert not logs_in(app_ctx.test_client(), "neu@example.org", "")

    send_pending()
    (message,) = smtp.to("neu@example.org")
    assert message["Subject"] == "Ihr Zugang zum Seniorenbegleitservice"
    assert "Koordination" in text_of(message) and "gilt 7 Tage" in text_of(message)
    path = link_in(message, "/einladung/")
    fresh = app_ctx.test_client()
    assert "Zugang einrichten" in page(fresh.get(path))
    weak = page(fresh.post(path, data={"password": "neu@example.org", "repeat": "neu@example.org"}))
    assert "Das Passwort darf nicht Ihre E-Mail-Adresse enthalten." in weak
    assert fresh.post(path, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code == 302
    assert logs_in(app_ctx.test_client(), "neu@example.org", NEW_PASSWORD)
    assert fresh.get(path).status_code == 400


# --- second factor ---------------------------------------------------------------------------------------------------


def set_up_totp(client) -> tuple[str, list[str]]:
    """Set up TOTP for the logged-in client with a code pyotp computes; returns (secret, recovery codes)."""
    setup = page(client.get("/konto/zwei-faktor"))
    assert "<svg" in setup and "QR-Code" in setup
    key = re.search(r'<code class="key">([A-Z2-7 ]+)</code>', setup).group(1).replace(" ", "")
    wrong = page(client.post("/konto/zwei-faktor", data={"code": "000000"}))
    assert "Der Code stimmt nicht." in wrong
    done = page(client.post("/konto/zwei-faktor", data={"code": pyotp.TOTP(key).now()}))
    assert "Sie werden nur dieses eine Mal angezeigt." in done
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", done)
    assert len(codes) == 10
    return key, codes


def test_totp_login_with_a_code_from_pyotp(app_ctx, client):
    user = make_user(email="anna@example.org")
    assert logs_in(client, "anna@example.org", PASSWORD)
    key, _codes = set_up_totp(client)
    db.session.refresh(user)
    assert user.totp_secret == key

    other = app_ctx.test_client()
    response = other.post("/login", data={"email": "anna@example.org", "password": PASSWORD})
    assert urlsplit(response.headers["Location"]).path == "/login/code"
    assert other.get("/").status_code == 302  # not logged in before the code
    wrong = page(other.post("/login/code", data={"code": "123456"}))
    assert "Der Code stimmt nicht" in wrong
    # the code of the next time step (clocks a little off) is accepted too; the setup used the current one
    code = pyotp.TOTP(key).at(int(__import__("time").time()) + 30)
    assert urlsplit(other.post("/login/code", data={"code": code}).headers["Location"]).path == "/"
    assert other.get("/").status_code == 200
    assert "falscher Code (zweiter Faktor)" in [
        e.detail for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "login_failed"))
    ]
    replay = app_ctx.test_client()
    replay.post("/login", data={"email": "anna@example.org", "password": PASSWORD})
    assert "Der Code stimmt nicht" in page(replay.post("/login/code", data={"code": code}))


def test_a_recovery_code_works_once(app_ctx, client):
    make_user(email="anna@example.org")
    assert logs_in(client, "anna@example.org", PASSWORD)
    _key, codes = set_up_totp(client)

    first = app_ctx.test_client()
    first.post("/login", data={"email": "anna@example.org", "password": PASSWORD})
    response = first.post("/login/code", data={"code": codes[3].upper().replace("-", " ")})
    assert urlsplit(response.headers["Location"]).path == "/"
    assert "es bleiben 9" in page(first.get("/"))

    second = app_ctx.test_client()
    second.post("/login", data={"email": "anna@example.org", "password": PASSWORD})
    assert "Der Code stimmt nicht" in page(second.post("/login/code", data={"code": codes[3]}))
    assert second.get("/").status_code == 302


def test_required_second_factor_leads_admins_to_the_setup(app_ctx, client, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "TOTP_REQUIRED", True)
    make_user(email="chefin@example.org", role="admin")
    make_user(email="buchhaltung@example.org", role="accounting")
    response = client.post("/login", data={"email": "chefin@example.org", "password": PASSWORD})
    assert urlsplit(response.headers["Location"]).path == "/konto/zwei-faktor"
    blocked = client.get("/seniors/")
    assert blocked.status_code == 302 and urlsplit(blocked.headers["Location"]).path == "/konto/zwei-faktor"
    set_up_totp(client)
    assert client.get("/seniors/").status_code == 200
    assert "bleibt eingeschaltet" in page(client.post("/konto/zwei-faktor/aus", follow_redirects=True))
    assert logs_in(app_ctx.test_client(), "buchhaltung@example.org", PASSWORD)  # accounting: not required


def test_admin_resets_a_lost_second_factor(app_ctx, client, login):
    user = make_user(email="anna@example.org")
    assert logs_in(client, "anna@example.org", PASSWORD)
    set_up_totp(client)
    admin = login("admin")
    assert admin.post(f"/admin/benutzer/{user.id}/zwei-faktor-zuruecksetzen").status_code == 302
    assert logs_in(app_ctx.test_client(), "anna@example.org", PASSWORD)
    assert "von der Administration zurückgesetzt" in audit_details("second_factor")
