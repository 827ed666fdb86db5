"""A coordinator types a Turkish name on a German keyboard: the search finds it, and a second record warns."""

from datetime import date

import pytest
from playwright.sync_api import expect

from begleitservice.extensions import db
from tests.factories import make_senior

pytestmark = pytest.mark.browser


def test_search_without_turkish_letters_then_duplicate_warning_and_tick(logged_in_page):
    stored = make_senior(first_name="Ayşe", last_name="Öztürk", birth_on=date(1941, 3, 9))
    make_senior(first_name="Emre", last_name="Çelik")
    db.session.commit()
    page = logged_in_page

    page.goto("/seniors/")
    page.get_by_label("Suche").fill("ayse ozturk")
    page.get_by_label("Suche").press("Enter")
    expect(page.get_by_role("link", name="Öztürk, Ayşe")).to_be_visible()
    expect(page.get_by_text("Çelik")).to_have_count(0)

    page.goto("/seniors/neu")
    page.get_by_label("Vorname").fill("Ayse")
    page.get_by_label("Nachname").fill("Ozturk")
    page.get_by_label("Geburtsdatum").fill("1941-03-09")
    page.get_by_label("Straße und Hausnummer").fill("Hafenstraße 3")
    page.get_by_label("PLZ").fill("44147")
    page.get_by_label("Stadtbezirk").select_option(label="Innenstadt-Nord")
    page.get_by_role("button", name="Speichern").click()

    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("Vielleicht ist diese Person schon angelegt.")
    expect(warning.get_by_role("link", name="Ayşe Öztürk")).to_have_attribute("href", f"/seniors/{stored.id}")
    expect(page.get_by_label("Nachname")).to_have_value("Ozturk")

    page.get_by_label("Trotzdem speichern – es ist eine andere Person").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_have_text("„Ayse Ozturk“ gespeichert.")
