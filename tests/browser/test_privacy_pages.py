"""Datenschutz: a coordinator downloads a senior's Art. 15 export and erases a senior without invoices."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import make_request, make_senior

pytestmark = pytest.mark.browser


def _open_senior(page, listed_name):
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Senior:innen").click()
    page.get_by_role("link", name=listed_name).click()


def test_access_export_downloads_the_seniors_data_as_json(logged_in_page):
    senior = make_senior(first_name="Hildegard", last_name="Brinkmann", phone="0231 123456")
    make_request(senior=senior, languages="Polnisch")
    make_senior(first_name="Otto", last_name="Anders")
    page = logged_in_page
    _open_senior(page, "Brinkmann, Hildegard")

    with page.expect_download() as info:
        page.get_by_role("link", name="Auskunft (Art. 15) herunterladen").click()
    download = info.value
    assert download.suggested_filename.startswith(f"auskunft-senior-{senior.id}-")
    assert download.suggested_filename.endswith(".json")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    person = data["person"]
    assert (person["first_name"], person["last_name"], person["phone"]) == ("Hildegard", "Brinkmann", "0231 123456")
    assert [r["languages"] for r in data["anfragen"]] == ["Polnisch"]
    assert "Anders" not in json.dumps(data, ensure_ascii=False)

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Datenschutz").click()
    row = page.get_by_role("row", name=f"Senior:in Nr. {senior.id}")
    expect(row).to_contain_text("Auskunft (Art. 15)")
    expect(row).to_contain_text("Download")


def test_erasure_without_invoices_removes_the_senior_after_confirmation(logged_in_page):
    senior = make_senior(first_name="Hildegard", last_name="Brinkmann")
    make_request(senior=senior)
    senior_id = senior.id
    make_senior(first_name="Otto", last_name="Anders")
    page = logged_in_page
    _open_senior(page, "Brinkmann, Hildegard")
    page.get_by_role("link", name="Löschung beantragen (Art. 17)").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Löschung beantragen (Art. 17 DSGVO): Hildegard Brinkmann"
    )
    expect(page.get_by_text("Diese Person wird sofort und vollständig gelöscht.")).to_be_visible()
    page.get_by_label("Eingang des Antrags (z. B. Brief vom …, Anruf)").fill("Brief der Tochter vom 02.11.2026")
    page.get_by_role("button", name="Endgültig löschen").click()
    expect(page.get_by_role("alert")).to_contain_text("Es wurde nichts gespeichert.")
    confirm = page.get_by_label("Der Antrag liegt vor und die antragstellende Person ist geprüft.")
    expect(confirm).to_have_accessible_description("Bitte bestätigen Sie den Antrag.")
    expect(page.get_by_label("Eingang des Antrags (z. B. Brief vom …, Anruf)")).to_have_value(
        "Brief der Tochter vom 02.11.2026"
    )

    confirm.check()
    page.get_by_role("button", name="Endgültig löschen").click()
    expect(page.get_by_role("status")).to_have_text(
        "Hildegard Brinkmann und alle Daten zu dieser Person wurden gelöscht."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Senior:innen")
    expect(page.get_by_role("link", name="Anders, Otto")).to_be_visible()
    expect(page.get_by_role("link", name="Brinkmann, Hildegard")).to_have_count(0)
    page.get_by_label("Status").select_option(label="alle")
    page.get_by_role("button", name="Filtern").click()
    expect(page.get_by_role("link", name="Anders, Otto")).to_be_visible()
    expect(page.get_by_role("link", name="Brinkmann, Hildegard")).to_have_count(0)

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Anfragen").click()
    expect(page.get_by_text("Brinkmann")).to_have_count(0)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Datenschutz").click()
    row = page.get_by_role("row", name=f"Senior:in Nr. {senior_id}")
    expect(row).to_contain_text("gelöscht (Art. 17)")
    expect(row).to_contain_text("Brief der Tochter vom 02.11.2026")
