"""Import on the page: choose a file, see the dry run, import, find the people in the list."""

from playwright.sync_api import expect

from tests.app.test_cli import VOLUNTEER_HEADER


def test_upload_dry_run_and_import(logged_in_page, tmp_path):
    page = logged_in_page
    table = tmp_path / "ehrenamt.csv"
    table.write_text(VOLUNTEER_HEADER + "Jürgen;Kötter;juergen@example.org;m;Hörde;ja;2024-03-01;Mo 9:00-12:00;4,5\n")
    page.goto("/volunteers/")
    page.get_by_role("link", name="Import/Export").click()
    page.get_by_label("Datei (CSV oder XLSX)").set_input_files(str(table))
    page.get_by_role("button", name="Prüfen (Probelauf)").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Probelauf: alle 1 Zeilen sind in Ordnung (1 neu, 0 zu aktualisieren). Nichts gespeichert."
    )
    page.get_by_role("button", name="Jetzt importieren").click()
    expect(page.get_by_role("status").first).to_have_text("Ehrenamtliche: 1 neu angelegt, 0 aktualisiert.")
    expect(page.get_by_role("link", name="Kötter, Jürgen")).to_be_visible()
