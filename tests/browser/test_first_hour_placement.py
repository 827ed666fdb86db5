"""A coordinator's first hour, part 2: a request for a senior, its status, a pairing from it, a visit recorded."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.factories import make_pflegekasse, make_request, make_senior, make_volunteer

pytestmark = pytest.mark.browser


def _local_today(app):
    """Today's date where the service is (the pages count past and upcoming appointments from it)."""
    return datetime.now(ZoneInfo(app.config["APP_TIMEZONE"])).date()


def _table_after(page, heading):
    """The table under the h2 that starts with ``heading``."""
    return page.locator(f"h2:text-matches('^{heading}') + .table-wrap")


def _nav(page, name):
    return page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name=name)


def pick(page, label: str, typed: str, value: str, hint: str | None = None) -> None:
    """Type part of a name, wait for the suggestion, then take it (as choosing from the list does). Types only once
    the page has loaded: under load, text typed before suggest.js listens asks for no suggestions."""
    page.wait_for_load_state("load")
    box = page.get_by_label(label)
    box.fill(typed)
    option = page.locator(f"#{box.get_attribute('list')} option[value='{value}']")
    expect(option).to_have_count(1)
    if hint is not None:
        expect(option).to_have_attribute("label", hint)
    box.fill(value)


def test_request_for_senior_with_pflegegrad_refuses_besuchsdienst(logged_in_page, app_ctx):
    make_senior(first_name="Hildegard", last_name="Brinkmann", pflegegrad=2, pflegekasse=make_pflegekasse())
    page = logged_in_page
    _nav(page, "Anfragen").click()
    page.get_by_role("link", name="Neue Anfrage").click()
    pick(page, "Senior:in", "Brink", "Brinkmann, Hildegard", "Eving · Pflegegrad 2")
    service = page.get_by_label("Angebot")
    service.select_option(label="Besuchsdienst")
    page.get_by_label("Gewünschte Zeitfenster").fill("Di 10:00-12:00; Do 14:00-16:00")
    page.get_by_label("Quelle").select_option(label="Seniorenbüro Eving")
    page.get_by_role("button", name="Speichern").click()

    expect(page.get_by_role("alert")).to_contain_text("Es wurde nichts gespeichert.")
    expect(service).to_have_accessible_description(
        "Der Besuchsdienst ist nur für Menschen ohne Pflegegrad; Hildegard Brinkmann hat Pflegegrad 2. "
        "Bitte „Häusliche Entlastung“ wählen."
    )
    expect(page.get_by_label("Gewünschte Zeitfenster")).to_have_value("Di 10:00-12:00; Do 14:00-16:00")
    expect(page.get_by_label("Quelle")).to_have_value("Seniorenbüro Eving")

    service.select_option(label="Häusliche Entlastung")
    # The request came in three weeks ago (by phone): it is overdue, so the start page's inbox lists it.
    page.get_by_label("Eingegangen am").fill((_local_today(app_ctx) - timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_have_text("Anfrage für Hildegard Brinkmann gespeichert.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anfrage: Hildegard Brinkmann")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Häusliche Entlastung")
    expect(facts).to_contain_text("Dienstag 10:00–12:00")

    _nav(page, "Übersicht").click()
    open_requests = page.locator("table", has=page.get_by_role("columnheader", name="Wartezeit"))
    row = open_requests.get_by_role("row", name="Hildegard Brinkmann")
    expect(row).to_contain_text("Häusliche Entlastung")
    expect(row).to_contain_text("21 Tage")

    _nav(page, "Anfragen").click()
    page.get_by_role("link", name="Brinkmann, Hildegard").click()
    page.get_by_label("Neuer Status").select_option(label="vorgeschlagen")
    page.get_by_label("Bemerkung").fill("Herrn Kowalski angefragt")
    page.get_by_role("button", name="Status setzen").click()
    expect(page.get_by_role("status")).to_have_text("Status auf „vorgeschlagen“ gesetzt.")
    history = page.locator("table", has=page.get_by_role("columnheader", name="Bemerkung"))
    expect(history.get_by_role("row", name="Herrn Kowalski angefragt")).to_contain_text("Clara Koordinatorin")

    _nav(page, "Anfragen").click()
    expect(page.get_by_role("row", name="Brinkmann, Hildegard")).to_contain_text("vorgeschlagen")


def test_pairing_from_request_then_a_visit_is_recorded(logged_in_page, app_ctx):
    senior = make_senior(first_name="Hildegard", last_name="Brinkmann", pflegegrad=2, pflegekasse=make_pflegekasse())
    make_request(senior=senior, service="entlastung", windows=((1, 10 * 60, 12 * 60),), minutes_per_visit=90)
    make_volunteer(first_name="Jürgen", last_name="Kowalski", offers_entlastung=True)
    make_volunteer(first_name="Uwe", last_name="Albers", offers_entlastung=False)
    today = _local_today(app_ctx)
    starts_on, visit_on = today - timedelta(days=14), today - timedelta(days=3)
    page = logged_in_page

    _nav(page, "Anfragen").click()
    page.get_by_role("link", name="Brinkmann, Hildegard").click()
    page.get_by_role("link", name="Begleitung anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neue Begleitung")
    expect(page.get_by_label("Senior:in")).to_have_value("Brinkmann, Hildegard")
    expect(page.get_by_label("Wöchentliche Termine")).to_have_value("Di 10:00-11:30")
    pick(page, "Ehrenamtliche:r", "Alb", "Albers, Uwe", "Eving · aktiv · ohne Basisqualifizierung")
    page.get_by_label("Beginn").fill(starts_on.isoformat())
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_label("Ehrenamtliche:r")).to_have_accessible_description(
        "Uwe Albers bietet „Häusliche Entlastung“ nicht an und hat keine Basisqualifizierung."
    )
    expect(page.get_by_label("Beginn")).to_have_value(starts_on.isoformat())

    pick(page, "Ehrenamtliche:r", "Kowal", "Kowalski, Jürgen")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_have_text("Begleitung Jürgen Kowalski ↔ Hildegard Brinkmann angelegt.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jürgen Kowalski ↔ Hildegard Brinkmann")
    expect(page.locator("dl.facts")).to_contain_text("Dienstag 10:00–11:30")

    pairing_url = page.url
    page.locator("dl.facts").get_by_role("link", name="vom").click()
    expect(page.locator("dl.facts")).to_contain_text("vermittelt")
    expect(page.get_by_role("link", name="Begleitung anlegen")).to_have_count(0)
    expect(page.get_by_role("link", name="Jürgen Kowalski seit")).to_be_visible()
    _nav(page, "Übersicht").click()
    expect(page.locator("#anfragen")).to_have_count(0)

    page.goto(pairing_url)
    page.get_by_label("Datum").fill(visit_on.isoformat())
    page.get_by_label("Beginn").fill("15:00")
    page.get_by_label("Ende").fill("16:30")
    page.get_by_label("Bemerkung").fill("Arzttermin begleiten")
    page.get_by_role("button", name="Termin hinzufügen").click()
    shown_date = visit_on.strftime("%d.%m.%Y")
    expect(page.get_by_role("status")).to_have_text(f"Einzeltermin am {shown_date} eingetragen.")

    row = page.get_by_role("row", name=shown_date)
    expect(row).to_contain_text("Einzeltermin")
    expect(row).to_contain_text("Arzttermin begleiten")
    row.get_by_label("Status").select_option(label="stattgefunden")
    row.get_by_label("Tatsächliche Minuten").fill("95")
    row.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_have_text(f"Termin am {shown_date} gespeichert.")
    row = page.get_by_role("row", name=shown_date)
    expect(row.get_by_label("Status")).to_have_value("stattgefunden")
    expect(row.get_by_role("cell").last).to_have_text("1,58")

    page.get_by_role("link", name="Hildegard Brinkmann").click()
    expect(_table_after(page, "Begleitungen").get_by_role("row", name="Jürgen Kowalski")).to_contain_text("aktiv")
    last = _table_after(page, "Letzte Termine")
    expect(last.get_by_role("row", name=shown_date)).to_contain_text("stattgefunden")
    expect(last.get_by_role("row", name=shown_date)).to_contain_text("1,58")

    page.goto(pairing_url)
    page.locator("dl.facts").get_by_role("link", name="Jürgen Kowalski").click()
    pairings = _table_after(page, "Begleitungen")
    expect(pairings.get_by_role("row", name="Hildegard Brinkmann")).to_contain_text("Häusliche Entlastung")
    last = _table_after(page, "Letzte Termine")
    expect(last.get_by_role("row", name=shown_date)).to_contain_text("stattgefunden")
    expect(last.get_by_role("row", name=shown_date)).to_contain_text("1,58")
