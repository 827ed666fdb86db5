"""A coordinator logs in with a real browser; a wrong password says so in German."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_pflegekasse, make_user

pytestmark = pytest.mark.browser


def test_wrong_password_shows_german_message(page):
    user = make_user(role="coordinator")
    page.goto("/")
    assert "/login" in page.url
    page.get_by_label("E-Mail").fill(user.email)
    page.get_by_label("Passwort").fill("falsch-falsch-falsch")
    page.get_by_role("button", name="Anmelden").click()
    assert page.get_by_role("alert").inner_text() == "E-Mail oder Passwort ist falsch."


def test_coordinator_creates_pflegekasse_wrong_ik_first(logged_in_page):
    page = logged_in_page
    assert "Clara Koordinatorin" in page.locator("header").inner_text()
    page.get_by_role("link", name="Pflegekassen").click()
    page.get_by_role("link", name="Neue Pflegekasse").click()
    page.get_by_label("Name").fill("Knappschaft")
    page.get_by_label("Institutionskennzeichen (IK)").fill("260326821")
    page.get_by_role("button", name="Speichern").click()
    # expect() waits for the answer to the POST; page.content() during the navigation may read an empty page
    expect(page.get_by_text("Die Prüfziffer des Institutionskennzeichens (IK) stimmt nicht")).to_be_visible()
    page.get_by_label("Institutionskennzeichen (IK)").fill("260326822")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", name="Knappschaft")).to_be_visible()
    expect(page.get_by_text("Pflegekasse „Knappschaft“ gespeichert.")).to_be_visible()


def test_ik_taken_by_another_kasse_is_refused(logged_in_page):
    make_pflegekasse(name="AOK NordWest", ik="100696012")
    page = logged_in_page
    page.goto("/pflegekassen/neu")
    page.get_by_label("Name").fill("Doppelt")
    page.get_by_label("Institutionskennzeichen (IK)").fill("100696012")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Dieses IK ist schon bei „AOK NordWest“ eingetragen.")).to_be_visible()
