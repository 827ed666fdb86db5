"""Accounting sees billing fields but no care data; an admin creates a user who can log in and out."""

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from begleitservice.extensions import db
from begleitservice.models import OutboxMessage
from tests.factories import make_pflegekasse, make_senior, make_user

pytestmark = pytest.mark.browser

PASSWORD = "richtig-geheim-123"


def _log_in(page, email, password=PASSWORD):
    """Log in through the login form as a person would."""
    page.goto("/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def test_accounting_sees_billing_fields_but_not_care_notes(page):
    senior = make_senior(
        first_name="Hildegard",
        last_name="Brinkmann",
        pflegegrad=3,
        kvnr="A123456780",
        pflegekasse=make_pflegekasse(name="Knappschaft", ik="260326822"),
        abtretung_on=date(2025, 2, 1),
        consent_on=date(2025, 2, 1),
        consent_scope="Pflegegrad und Abrechnung",
        has_dementia=True,
        care_notes="Hört schlecht, bitte lange klingeln.",
    )
    user = make_user(role="accounting", name="Bernd Buchhaltung")
    _log_in(page, user.email)
    expect(page.locator("header")).to_contain_text("Bernd Buchhaltung (Buchhaltung)")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav.get_by_role("link")).to_have_text(
        ["Übersicht", "Senior:innen", "Pflegekassen", "Abrechnung", "Berichte"]
    )

    nav.get_by_role("link", name="Senior:innen").click()
    row = page.get_by_role("row", name="Brinkmann, Hildegard")
    expect(row).to_contain_text("A123456780")
    expect(row).to_contain_text("Knappschaft")
    expect(page.get_by_role("columnheader", name="Demenz")).to_have_count(0)
    expect(page.get_by_role("link", name="Neue Senior:in")).to_have_count(0)

    row.get_by_role("link", name="Brinkmann, Hildegard").click()
    billing = page.locator("section", has=page.get_by_role("heading", name="Abrechnung"))
    expect(billing).to_contain_text("A123456780")
    expect(billing).to_contain_text("Knappschaft (IK 260326822)")
    expect(billing).to_contain_text("ab 01.02.2025 (Erklärung vom 01.02.2025)")
    expect(billing).to_contain_text("Pflegegrad und Abrechnung")
    main = page.locator("main")
    expect(main).to_contain_text("Geburtsdatum")
    expect(main).not_to_contain_text("Hört schlecht")
    expect(main).not_to_contain_text("Demenz")
    expect(page.get_by_role("link", name="Bearbeiten")).to_have_count(0)

    for path in ("/volunteers/", f"/seniors/{senior.id}/bearbeiten", "/requests/", "/pairings/"):
        response = page.goto(path)
        assert response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Fehler 403")
        expect(page.locator("main")).to_contain_text("Für diese Seite fehlt Ihnen die Berechtigung.")


def test_admin_creates_user_who_logs_in_and_out(page):
    admin = make_user(role="admin", name="Anna Admin")
    _log_in(page, admin.email)
    page.get_by_role("link", name="Benutzer").click()
    page.get_by_role("link", name="Neuer Benutzer").click()
    expect(page.get_by_label("Zugang aktiv")).to_be_checked()
    page.get_by_label("Name").fill("Kemal Yıldız")
    page.get_by_label("E-Mail").fill("Kemal.Yildiz@Example.org")
    page.get_by_label("Rolle").select_option(label="Koordination")
    expect(page.get_by_label("Passwort")).to_have_count(0)  # the new user chooses it through the invitation
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_have_text(
        "Benutzer „Kemal Yıldız“ gespeichert. Die Einladung an kemal.yildiz@example.org ist unterwegs."
    )
    row = page.get_by_role("row", name="Kemal Yıldız")
    expect(row).to_contain_text("kemal.yildiz@example.org")
    expect(row).to_contain_text("Koordination")
    expect(row).to_contain_text("aktiv")

    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("status")).to_have_text("Sie sind abgemeldet.")
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()

    db.session.expire_all()
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == "kemal.yildiz@example.org"))
    page.goto(urlsplit(re.search(r"https?://\S+/einladung/\S+", mail.body_text).group(0)).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Zugang einrichten")
    page.get_by_label("Neues Passwort", exact=True).fill("kurz-1234")
    page.get_by_label("Neues Passwort wiederholen").fill("kurz-1234")
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.get_by_label("Neues Passwort", exact=True)).to_have_accessible_description(
        re.compile("Das Passwort braucht mindestens 12 Zeichen")
    )
    page.get_by_label("Neues Passwort", exact=True).fill("sonnenblume-44139")
    page.get_by_label("Neues Passwort wiederholen").fill("sonnenblume-44139")
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.get_by_role("status")).to_have_text(
        "Ihr Passwort ist gespeichert. Bitte melden Sie sich jetzt damit an."
    )

    _log_in(page, "kemal.yildiz@example.org", "sonnenblume-44139")
    expect(page.get_by_role("heading", level=1)).to_have_text("Übersicht")
    expect(page.locator("header")).to_contain_text("Kemal Yıldız (Koordination)")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav.get_by_role("link", name="Ehrenamtliche")).to_be_visible()
    expect(nav.get_by_role("link", name="Benutzer")).to_have_count(0)
    assert page.goto("/admin/benutzer").status == 403

    page.goto("/")
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("status")).to_have_text("Sie sind abgemeldet.")
    page.goto("/seniors/")
    assert "/login" in page.url
    expect(page.get_by_role("status")).to_have_text("Bitte melden Sie sich an.")
    expect(page.locator("header")).to_have_count(0)
