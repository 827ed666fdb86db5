"""In the browser, tablet-sized: the Demenzgruppen list leads to a group, its session, and the attendance is
recorded with large touch targets; the staffing proposal is computed and accepted."""

import os
from datetime import date
from pathlib import Path

from playwright.sync_api import expect

from begleitservice.extensions import db
from begleitservice.groups import operations as ops
from tests.factories import make_group, make_senior, make_volunteer

SHOTS = os.environ.get("PRINT_SHOTS")  # a folder: keep screenshots to look at


def _keep(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_attendance_on_a_tablet_and_staffing_proposal(logged_in_page, app_ctx, monkeypatch):
    page = logged_in_page
    monkeypatch.setitem(app_ctx.config, "TODAY", date(2026, 11, 20))  # restored afterwards, never removed
    group = make_group(name="Café Vergissmeinnicht")
    people = []
    for first, last in (("Ida", "Ahrens"), ("Karl", "Becker"), ("Luise", "Claßen")):
        participant = ops.enrol(group, make_senior(first_name=first, last_name=last, pflegegrad=2, kvnr=None))
        ops.admit(participant, starts_on=date(2026, 11, 4))
        people.append(participant)
    volunteer = make_volunteer(first_name="Vera", last_name="Voss", offers_demenzgruppe=True, district_name="Hörde")
    make_volunteer(first_name="Walter", last_name="Wolf", offers_demenzgruppe=True, district_name="Hörde")
    (session,), _ = ops.generate_sessions(group, first=date(2026, 11, 18), last=date(2026, 11, 18))
    ops.add_to_roster(session, volunteer)
    ops.generate_sessions(group, first=date(2026, 12, 1), last=date(2026, 12, 31))
    db.session.commit()

    page.goto("/")
    page.get_by_role("link", name="Demenzgruppen").first.click()
    _keep(page, "gruppen-liste")
    page.get_by_role("link", name="Café Vergissmeinnicht").click()
    expect(page.get_by_role("heading", name="Teilnehmende (3)")).to_be_visible()
    _keep(page, "gruppe")
    page.get_by_role("link", name="18.11.2026").click()
    for participant, mark in zip(people, ("anwesend", "entschuldigt", "anwesend"), strict=True):
        row = page.locator("fieldset", has_text=participant.senior.last_name)
        row.get_by_label(mark, exact=True).check()
    _keep(page, "anwesenheit")
    page.get_by_role("button", name="Anwesenheit speichern").click()
    expect(page.get_by_text("Anwesenheit gespeichert.")).to_be_visible()
    expect(page.locator("fieldset", has_text="Becker").get_by_label("entschuldigt", exact=True)).to_be_checked()

    page.goto("/gruppen/einsatzplan?monat=2026-12")
    page.get_by_role("button", name="Vorschlag berechnen").click()
    expect(page.get_by_text("bewiesen bester Vorschlag")).to_be_visible()
    _keep(page, "einsatzplan")
    page.get_by_role("button", name="Ausgewählte Einteilungen übernehmen").click()
    expect(page.get_by_text("Einteilungen übernommen.")).to_be_visible()
