"""Vorschläge: a coordinator computes proposals, reads their reasons and the unserved, accepts one, rejects one."""

import re
import threading
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from begleitservice.matches import runner
from tests.factories import make_request, make_senior, make_volunteer

pytestmark = pytest.mark.browser

MO, MI = 0, 2
RESULT = "Bestmögliche Verteilung: 2 von 3 Anfragen können vermittelt werden"


@pytest.fixture
def people(app_ctx, monkeypatch):
    """A fixed day (Wed 4 Nov 2026), two volunteers, two servable requests and one nobody can serve (Turkish)."""
    for key, value in {
        "TODAY": date(2026, 11, 4),
        "NOW": datetime(2026, 11, 4, 9, 0, tzinfo=UTC),
        "MATCH_RUN_SYNC": True,
        "MATCH_TIME_LIMIT_S": 5.0,
    }.items():
        monkeypatch.setitem(app_ctx.config, key, value)
    make_volunteer(first_name="Anna", last_name="Albers", availability=((MO, 9 * 60, 17 * 60),))
    make_volunteer(first_name="Bernd", last_name="Brandt", gender="m", availability=((MI, 9 * 60, 17 * 60),))
    make_request(senior=make_senior(first_name="Hilde", last_name="Montag"), windows=((MO, 9 * 60, 12 * 60),))
    make_request(senior=make_senior(first_name="Grete", last_name="Mittwoch"), windows=((MI, 9 * 60, 12 * 60),))
    make_request(
        senior=make_senior(first_name="Ayse", last_name="Yilmaz"),
        languages="Türkisch",
        windows=((MO, 9 * 60, 12 * 60), (MI, 9 * 60, 12 * 60)),
    )
    yield app_ctx
    for run_id in list(runner.THREADS):  # no thread may still write when the tables are emptied
        runner.wait(run_id, timeout=30)


def _open_matches(page):
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Vorschläge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vorschläge")


def _card(page, senior_name):
    """The proposal card of one senior."""
    return page.get_by_role("article").filter(has=page.get_by_role("link", name=senior_name))


def test_compute_accept_and_reject_proposals(logged_in_page, people):
    page = logged_in_page
    _open_matches(page)
    expect(page.get_by_text("Noch keine Berechnung.")).to_be_visible()
    page.get_by_role("button", name="Vorschläge berechnen").click()

    expect(page.get_by_text(RESULT)).to_be_visible()
    expect(page.get_by_role("heading", name="Vorschläge (2)")).to_be_visible()
    monday = _card(page, "Hilde Montag")
    expect(monday.get_by_role("link", name="Anna Albers")).to_be_visible()
    expect(monday).to_contain_text("Montag 09:00–11:00")
    expect(monday.get_by_role("listitem").filter(has_text="bietet Besuchsdienst an")).to_be_visible()
    expect(monday.get_by_role("listitem").filter(has_text="wohnt im Stadtbezirk Eving")).to_be_visible()
    wednesday = _card(page, "Grete Mittwoch")
    expect(wednesday.get_by_role("link", name="Bernd Brandt")).to_be_visible()

    expect(page.get_by_role("heading", name="Nicht vermittelt (1)")).to_be_visible()
    unserved = page.get_by_role("row", name="Ayse Yilmaz")
    expect(unserved).to_contain_text("niemand spricht Türkisch")

    start = monday.get_by_label("Beginn")
    expect(start).to_have_value("2026-11-09")  # the next Monday is offered
    start.fill("2026-11-16")
    monday.get_by_role("button", name="Annehmen").click()
    expect(page.get_by_role("status")).to_have_text("Begleitung Anna Albers ↔ Hilde Montag angelegt.")
    monday = _card(page, "Hilde Montag")
    expect(monday).to_contain_text("angenommen (Clara Koordinatorin)")
    expect(monday.get_by_role("button", name="Annehmen")).to_have_count(0)

    grete = _card(page, "Grete Mittwoch")
    grete.get_by_text("Ablehnen …").click()
    grete.get_by_role("button", name="Ablehnen", exact=True).click()  # without a reason: refused, nothing changes
    expect(_card(page, "Grete Mittwoch").get_by_label("Grund der Ablehnung")).to_have_accessible_description(
        re.compile("Bitte kurz den Grund angeben")
    )
    _card(page, "Grete Mittwoch").get_by_label("Grund der Ablehnung").fill("Kennt ihn aus der Nachbarschaft")
    _card(page, "Grete Mittwoch").get_by_role("button", name="Ablehnen", exact=True).click()
    expect(page.get_by_role("status").first).to_have_text(
        "Vorschlag Bernd Brandt für Grete Mittwoch abgelehnt; dieses Paar wird nicht mehr vorgeschlagen. "
        "„Ablehnung zurücknehmen“ macht das rückgängig."
    )
    grete = _card(page, "Grete Mittwoch")
    expect(grete).to_contain_text("abgelehnt (Clara Koordinatorin)")
    expect(grete).to_contain_text("Vom Team abgelehnt von Clara Koordinatorin: „Kennt ihn aus der Nachbarschaft“")
    expect(grete.get_by_role("button", name="Annehmen")).to_have_count(0)
    grete.get_by_role("button", name="Ablehnung zurücknehmen").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Ablehnung von Bernd Brandt für Grete Mittwoch zurückgenommen."
    )
    expect(_card(page, "Grete Mittwoch").get_by_role("button", name="Annehmen")).to_be_visible()

    _card(page, "Hilde Montag").get_by_role("link", name="zur Begleitung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anna Albers ↔ Hilde Montag")
    expect(page.locator("dl.facts")).to_contain_text("16.11.2026")


def test_threaded_run_shows_its_running_state_and_the_page_refreshes_to_the_result(logged_in_page, people, monkeypatch):
    monkeypatch.setitem(people.config, "MATCH_RUN_SYNC", False)
    release = threading.Event()
    compute = runner.compute

    def held(**kwargs):
        assert release.wait(30)
        return compute(**kwargs)

    monkeypatch.setattr(runner, "compute", held)
    page = logged_in_page
    _open_matches(page)
    page.get_by_role("button", name="Vorschläge berechnen").click()

    expect(page.get_by_text("Berechnung läuft … seit")).to_be_visible()
    expect(page.get_by_role("button", name="Vorschläge berechnen")).to_have_count(0)
    release.set()
    # Nobody clicks: the page reloads itself every 2 seconds until the result is there.
    expect(page.get_by_text(RESULT)).to_be_visible(timeout=20_000)
    expect(_card(page, "Hilde Montag").get_by_role("button", name="Annehmen")).to_be_visible()
    expect(page.get_by_role("row", name="Ayse Yilmaz")).to_contain_text("niemand spricht Türkisch")
    expect(page.get_by_role("button", name="Vorschläge berechnen")).to_be_visible()


def test_an_alternative_is_accepted_instead_of_the_first_choice(logged_in_page, app_ctx, monkeypatch):
    """Two volunteers can visit Hilde on Monday: the card shows the second as a further option with its reasons, and
    accepting it creates the Begleitung with that volunteer."""
    for key, value in {
        "TODAY": date(2026, 11, 4),
        "NOW": datetime(2026, 11, 4, 9, 0, tzinfo=UTC),
        "MATCH_RUN_SYNC": True,
        "MATCH_TIME_LIMIT_S": 5.0,
    }.items():
        monkeypatch.setitem(app_ctx.config, key, value)
    make_volunteer(first_name="Anna", last_name="Albers", availability=((MO, 9 * 60, 17 * 60),))
    make_volunteer(first_name="Carla", last_name="Cramer", availability=((MO, 9 * 60, 17 * 60),))
    make_request(senior=make_senior(first_name="Hilde", last_name="Montag"), windows=((MO, 9 * 60, 12 * 60),))
    page = logged_in_page
    _open_matches(page)
    page.get_by_role("button", name="Vorschläge berechnen").click()

    card = _card(page, "Hilde Montag")
    chosen = card.get_by_role("link").filter(has_text=re.compile("Albers|Cramer")).first.inner_text()  # 1st choice
    other = "Carla Cramer" if chosen == "Anna Albers" else "Anna Albers"
    card.get_by_text("1 weitere Möglichkeit").click()
    option = card.get_by_role("listitem").filter(has=page.get_by_role("link", name=other))
    expect(option).to_contain_text("Montag 09:00–11:00")
    option.get_by_role("button", name=f"Stattdessen {other} annehmen").click()
    expect(page.get_by_role("status")).to_have_text(f"Begleitung {other} ↔ Hilde Montag angelegt.")
    for run_id in list(runner.THREADS):
        runner.wait(run_id, timeout=30)
