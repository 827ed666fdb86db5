"""A coordinator's first hour, part 1: a Pflegekasse, a senior with Pflegegrad, a volunteer for the Entlastung."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WRONG_KVNR = "A123456789"
RIGHT_KVNR = "A123456780"


def test_senior_with_pflegegrad_needs_a_valid_kvnr(logged_in_page):
    page = logged_in_page
    page.get_by_role("link", name="Pflegekassen").click()
    page.get_by_role("link", name="Neue Pflegekasse").click()
    page.get_by_label("Name").fill("Knappschaft")
    page.get_by_label("Institutionskennzeichen (IK)").fill("260326822")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", name="Knappschaft")).to_be_visible()

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Senior:innen").click()
    page.get_by_role("link", name="Neue Senior:in").click()
    page.get_by_label("Vorname").fill("Hildegard")
    page.get_by_label("Nachname").fill("Brinkmann")
    page.get_by_label("Geburtsdatum").fill("1941-03-12")
    page.get_by_label("Straße und Hausnummer").fill("Deutsche Straße 12")
    page.get_by_label("PLZ").fill("44339")
    page.get_by_label("Stadtbezirk").select_option(label="Eving")
    page.get_by_label("Pflegegrad", exact=True).select_option(label="2")
    page.get_by_label("Pflegekasse").select_option(label="Knappschaft (IK 260326822)")
    kvnr = page.get_by_label("Versichertennummer (KVNR)")
    kvnr.fill(WRONG_KVNR)
    page.get_by_role("button", name="Speichern").click()

    nothing_saved = "Bitte prüfen Sie die markierten Felder. Es wurde nichts gespeichert."
    expect(page.get_by_role("alert")).to_have_text(nothing_saved)
    message = "Die Prüfziffer der Versichertennummer stimmt nicht – bitte die Nummer prüfen."
    expect(kvnr).to_have_accessible_description(message)
    expect(kvnr).to_have_attribute("aria-invalid", "true")
    # What was typed is still there, so only the KVNR needs fixing.
    expect(page.get_by_label("Nachname")).to_have_value("Brinkmann")
    expect(page.get_by_label("Pflegegrad", exact=True)).to_have_value("2")
    expect(kvnr).to_have_value(WRONG_KVNR)

    list_tab = page.context.new_page()
    list_tab.goto("/seniors/")
    expect(list_tab.get_by_role("cell", name="Keine Senior:innen gefunden.")).to_be_visible()
    expect(list_tab.get_by_text("Brinkmann")).to_have_count(0)
    list_tab.close()

    kvnr.fill(RIGHT_KVNR)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hildegard Brinkmann")
    expect(page.get_by_role("status")).to_have_text("„Hildegard Brinkmann“ gespeichert.")
    billing = page.locator("section", has=page.get_by_role("heading", name="Abrechnung"))
    expect(billing).to_contain_text(RIGHT_KVNR)
    expect(billing).to_contain_text("Knappschaft (IK 260326822)")

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Senior:innen").click()
    row = page.get_by_role("row", name="Brinkmann, Hildegard")
    expect(row).to_contain_text(RIGHT_KVNR)
    expect(row).to_contain_text("Knappschaft")


def test_entlastung_volunteer_needs_basisqualifizierung_then_availability_is_edited(logged_in_page):
    page = logged_in_page
    page.get_by_role("link", name="Ehrenamtliche", exact=True).click()
    page.get_by_role("link", name="Neue Ehrenamtliche").click()
    page.get_by_label("Vorname").fill("Jürgen")
    page.get_by_label("Nachname").fill("Kowalski")
    page.get_by_label("E-Mail").fill("juergen.kowalski@example.org")
    page.get_by_label("Geschlecht").select_option(label="männlich")
    page.get_by_label("Häusliche Entlastung").check()
    page.get_by_label("Wohnbezirk").select_option(label="Hörde")
    page.get_by_label("Verfügbar").fill("Mo 09:00-12:00")
    page.get_by_role("button", name="Speichern").click()

    date_field = page.get_by_label("Basisqualifizierung am")
    expect(page.get_by_role("alert")).to_contain_text("Es wurde nichts gespeichert.")
    expect(date_field).to_have_accessible_description(
        "Für die Häusliche Entlastung ist die Basisqualifizierung nötig: bitte das Datum eintragen."
    )
    expect(page.get_by_label("Häusliche Entlastung")).to_be_checked()
    expect(page.get_by_label("Verfügbar")).to_have_value("Mo 09:00-12:00")

    date_field.fill("2024-03-01")
    page.get_by_label("Nachweis der Basisqualifizierung").fill("AnFöVO-2024-117")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jürgen Kowalski")
    expect(page.get_by_role("status")).to_have_text("Jürgen Kowalski angelegt.")
    facts = page.locator("main")
    expect(facts).to_contain_text("01.03.2024 (AnFöVO-2024-117)")
    expect(facts).to_contain_text("Montag 09:00–12:00")

    page.get_by_role("link", name="Bearbeiten").click()
    expect(page.get_by_label("Verfügbar")).to_have_value("Mo 09:00-12:00")
    page.get_by_label("Verfügbar").fill("Mo 09:00-12:00; Do 14:00-17:30")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_have_text("Jürgen Kowalski gespeichert.")
    expect(facts).to_contain_text("Montag 09:00–12:00")
    expect(facts).to_contain_text("Donnerstag 14:00–17:30")

    page.get_by_role("link", name="Ehrenamtliche", exact=True).click()
    expect(page.get_by_role("row", name="Kowalski")).to_contain_text("Häusliche Entlastung")


def test_unreadable_availability_is_refused_in_german(logged_in_page):
    page = logged_in_page
    page.goto("/volunteers/neu")
    page.get_by_label("Vorname").fill("Ayse")
    page.get_by_label("Nachname").fill("Demir")
    page.get_by_label("E-Mail").fill("ayse.demir@example.org")
    page.get_by_label("Besuchsdienst").check()
    page.get_by_label("Wohnbezirk").select_option(label="Eving")
    page.get_by_label("Verfügbar").fill("montags vormittags")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Es wurde nichts gespeichert.")
    expect(page.locator(".field.has-error", has=page.get_by_label("Verfügbar"))).to_contain_text("Mo 09:00")
    page.goto("/volunteers/")
    expect(page.get_by_text("Demir")).to_have_count(0)
