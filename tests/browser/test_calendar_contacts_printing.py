"""In the browser: a calendar month navigated with a holiday, a contact logged and shown as last contact, and the
printed duty plan (print media: no navigation, the table readable)."""

import os
from datetime import date, time
from pathlib import Path

from playwright.sync_api import expect

from tests.factories import make_appointment, make_pairing, make_senior, make_volunteer

SHOTS = os.environ.get("PRINT_SHOTS")  # a folder: keep screenshots and the PDF to look at


def _keep(page, name: str, *, pdf: bool = False) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    Path(f"{SHOTS}/{name}.html").write_text(page.content())
    if pdf:
        page.pdf(path=f"{SHOTS}/{name}.pdf", format="A4", print_background=True)


def test_calendar_month_navigates_and_shows_a_holiday_and_visits(logged_in_page, app_ctx):
    page = logged_in_page
    app_ctx.config["TODAY"] = date(2026, 11, 20)
    try:
        anna = make_volunteer(first_name="Anna", last_name="Müller")
        pairing = make_pairing(volunteer=anna, senior=make_senior(first_name="Ida", last_name="Ahrens"))
        make_appointment(pairing=pairing, on=date(2026, 12, 22), planned_start=time(10), planned_end=time(12))

        page.goto(f"/volunteers/{anna.id}")
        page.get_by_role("link", name="Kalender", exact=True).click()
        expect(page.locator("caption")).to_have_text("November 2026 – Anna Müller")
        page.get_by_role("link", name="Nächster Monat »").click()
        expect(page.locator("caption")).to_have_text("Dezember 2026 – Anna Müller")
        christmas = page.locator("#tag-2026-12-25")
        expect(christmas).to_contain_text("Feiertag: Erster Weihnachtstag")
        expect(page.locator("#tag-2026-12-22")).to_contain_text("10:00–12:00 Ida A.")
        expect(page.get_by_role("columnheader", name="Montag")).to_be_visible()
        _keep(page, "kalender-dezember")
        page.get_by_role("link", name="Wochenansicht").click()
        expect(page.locator("caption")).to_contain_text("KW 49/2026")
        page.get_by_role("link", name="Heute").click()
        expect(page.locator("caption")).to_contain_text("KW 47/2026")
    finally:
        app_ctx.config["TODAY"] = None


def test_logged_contact_appears_as_last_contact_in_the_list(logged_in_page, app_ctx):
    page = logged_in_page
    app_ctx.config["TODAY"] = date(2026, 12, 3)
    try:
        ida = make_senior(first_name="Ida", last_name="Ahrens")
        page.goto(f"/seniors/{ida.id}")
        page.get_by_role("link", name="Kontakte").click()
        page.get_by_label("Weg").select_option(label="Telefon")
        page.get_by_label("Mit wem").fill("Tochter Ute")
        page.get_by_label("Notiz").fill("Besuchszeit auf Dienstag verlegt")
        page.get_by_role("button", name="Kontakt speichern").click()
        expect(page.get_by_text("Kontakt gespeichert.")).to_be_visible()
        expect(page.get_by_role("cell", name="Besuchszeit auf Dienstag verlegt")).to_be_visible()
        page.goto("/seniors/")
        row = page.get_by_role("row").filter(has_text="Ahrens")
        expect(row.get_by_role("link", name="03.12.2026")).to_be_visible()
    finally:
        app_ctx.config["TODAY"] = None


def test_printed_duty_plan_hides_the_navigation_and_keeps_the_table(logged_in_page, app_ctx):
    page = logged_in_page
    anna = make_volunteer(first_name="Anna", last_name="Müller", phone="0170 123")
    ida = make_senior(first_name="Ida", last_name="Ahrens", street="Nordmarkt 5", postal_code="44145", phone="0231 55")
    pairing = make_pairing(volunteer=anna, senior=ida)
    for day in (1, 8, 15, 22, 29):
        make_appointment(pairing=pairing, on=date(2026, 12, day), note="Einkauf" if day == 8 else None)

    page.goto(f"/druck/einsatzplan/{anna.id}?monat=2026-12")
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_hidden()
    expect(page.get_by_role("button", name="Drucken")).to_be_hidden()
    expect(page.get_by_role("link", name="Zurück zu Anna Müller")).to_be_hidden()
    table = page.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(6)
    expect(table.get_by_role("row").nth(2)).to_contain_text("Nordmarkt 5")
    expect(page.get_by_role("heading", name="Einsatzplan Dezember 2026")).to_be_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
    _keep(page, "einsatzplan-druck", pdf=True)


def test_every_page_prints_without_navigation_and_filters(logged_in_page, app_ctx):
    page = logged_in_page
    pairing = make_pairing()
    for day in (7, 8, 24):
        make_appointment(pairing=pairing, on=date(2026, 12, day))
    page.emulate_media(media="print")
    pages = {
        "senioren": "/seniors/",
        "termine": "/termine/?von=2026-12-07",
        "kalender": "/kalender/?datum=2026-12-01",
        "teamsitzung": "/druck/begleitungen?bezirk=Eving",
    }
    for name, url in pages.items():
        page.goto(url)
        expect(page.locator(".topbar")).to_be_hidden()
        expect(page.locator("form.filters")).to_be_hidden()
        expect(page.locator("table").first).to_be_visible()
        _keep(page, f"{name}-druck", pdf=True)


def test_printed_address_sheet_for_a_stand_in(logged_in_page, app_ctx):
    page = logged_in_page
    ida = make_senior(
        first_name="Ida",
        last_name="Ahrens",
        street="Nordmarkt 5",
        postal_code="44145",
        phone="0231 55",
        contact_name="Ute Ahrens",
        contact_relation="Tochter",
        contact_phone="0171 9",
        care_notes="Hund im Haus, bitte klingeln und warten",
    )
    pairing = make_pairing(volunteer=make_volunteer(first_name="Anna", last_name="Müller"), senior=ida)
    visit = make_appointment(pairing=pairing, on=date(2026, 12, 8), cover_volunteer=make_volunteer(first_name="Bert"))

    page.goto(f"/termine/{visit.id}")
    page.get_by_role("link", name="Adressblatt drucken").click()
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Adressblatt für den Besuch am Dienstag, 08.12.2026")).to_be_visible()
    expect(page.get_by_text("Nordmarkt 5, 44145 Dortmund")).to_be_visible()
    expect(page.get_by_text("Ute Ahrens (Tochter), Telefon 0171 9")).to_be_visible()
    expect(page.get_by_role("link", name="Zurück zum Termin")).to_be_hidden()
    _keep(page, "adressblatt-druck", pdf=True)


def test_busy_service_month_shows_counts_that_lead_to_the_day(logged_in_page, app_ctx, monkeypatch):
    page = logged_in_page
    monkeypatch.setitem(app_ctx.config, "CALENDAR_MAX_VISITS", 2)
    for district in ("Hombruch", "Eving"):
        pairing = make_pairing(senior=make_senior(district_name=district))
        for hour in (9, 14):
            make_appointment(
                pairing=pairing, on=date(2026, 12, 9), planned_start=time(hour), planned_end=time(hour + 1)
            )

    page.goto("/kalender/?datum=2026-12-01")
    expect(page.get_by_text("zu viele Termine, um sie einzeln zu zeigen")).to_be_visible()
    _keep(page, "kalender-zahlen")
    page.locator("#tag-2026-12-09").get_by_role("link", name="4 Termine").click()
    expect(page.get_by_role("heading", name="Termine KW 50/2026: 07.12.–13.12.2026")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Mi 09.12.")).to_be_visible()
    expect(page.get_by_text("4 Termine")).to_be_visible()
