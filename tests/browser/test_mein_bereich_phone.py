"""'Mein Bereich' on a phone (390 px, touch): ask for the link on a link page, open it, take a decline back,
correct hours, report an absence; the schedule and the coordinators' inbox follow."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from begleitservice.appointments import operations
from begleitservice.appointments.links.tokens import link_url
from begleitservice.extensions import db
from begleitservice.models import Appointment, OutboxMessage, VolunteerAbsence
from tests.factories import make_appointment, make_pairing, make_senior, make_volunteer

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 30 November 2026, 8:00 in Dortmund


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def world(app_ctx, monkeypatch):
    """Jürgen visits Hildegard on Mondays 10–12: held on 23.11., planned 7.12., declined 14.12., planned 21.12."""
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    volunteer = make_volunteer(first_name="Jürgen", last_name="Kowalski")
    pairing = make_pairing(volunteer=volunteer, senior=make_senior(first_name="Hildegard", last_name="Brinkmann"))
    held = make_appointment(pairing=pairing, on=date(2026, 11, 23), status="stattgefunden", actual_minutes=120)
    planned = make_appointment(pairing=pairing, on=date(2026, 12, 7))
    declined = make_appointment(pairing=pairing, on=date(2026, 12, 14))
    make_appointment(pairing=pairing, on=date(2026, 12, 21))
    operations.decline(declined, now=NOW, reason="Arzttermin")
    db.session.commit()
    return {"volunteer": volunteer, "held": held.id, "planned": planned.id, "declined": declined.id}


def test_mein_bereich_on_a_phone(new_page, world, app_ctx):
    page = new_page(width=WIDTH, height=HEIGHT, touch=True)
    page.goto(urlsplit(link_url("confirm", world["planned"], volunteer_id=world["volunteer"].id)).path)
    page.get_by_role("button", name="Link zu „Mein Bereich“ per E-Mail schicken").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Link verschickt")
    body = db.session.scalar(sa.select(OutboxMessage.body_text).where(OutboxMessage.kind == "mein_bereich"))
    area = urlsplit(re.search(r"http\S+/mein-bereich/\S+", body).group(0)).path

    page.goto(area)
    expect(page).to_have_title("Mein Bereich · Seniorenbegleitservice")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Bereich")
    for name in ("Ihre nächsten Besuche", "Vergangene Besuche und Stunden", "Abwesenheit melden"):
        expect(page.get_by_role("heading", level=2, name=name)).to_be_visible()
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("navigation", name="Auf dieser Seite")).to_be_visible()
    expect(page.get_by_text("Brinkmann")).to_have_count(0)  # no surname on a page without login
    assert _overflow(page) == 0
    page.screenshot(path="/tmp/mein-bereich-390.png", full_page=True)

    # Take the decline of 14.12. back: no stand-in has said yes yet.
    undo = page.get_by_role("button", name="Absage zurücknehmen – ich komme doch")
    box = undo.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= WIDTH, box
    undo.tap()
    expect(page.get_by_text("Ihre Absage ist zurückgenommen: Sie besuchen Hildegard B. wie geplant.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Appointment, world["declined"]).status == "bestaetigt"

    # Correct the hours of 23.11.: 1 h 30 min and 8 km.
    visit = page.locator(f"#besuch-{world['held']}")
    visit.get_by_text("Stunden oder Kilometer korrigieren").tap()
    visit.get_by_label("Dauer").select_option(label="1 Std. 30 Min.")
    visit.get_by_label("Gefahrene Kilometer (freiwillig)").fill("8")
    visit.get_by_role("button", name="Speichern").tap()
    expect(page.get_by_text("Gespeichert: Besuch am 23.11.2026 – 1 Std. 30 Min.")).to_be_visible()
    expect(page.locator(f"#besuch-{world['held']}")).to_contain_text("Stattgefunden: 1 Std. 30 Min., 8 km")
    db.session.expire_all()
    held = db.session.get(Appointment, world["held"])
    assert (held.actual_minutes, held.km) == (90, Decimal("8"))

    # Ill on 7.12.: the planned visit leaves the schedule, the coordination sees the absence in the inbox.
    page.get_by_label("Von (erster Tag)").fill("2026-12-07")
    page.get_by_label("Bis (letzter Tag)").fill("2026-12-07")
    page.get_by_label("Krankheit").check()
    page.get_by_role("button", name="Abwesenheit melden").tap()
    expect(page.get_by_text("Ihre Abwesenheit vom 07.12.2026 bis 07.12.2026 ist eingetragen.")).to_be_visible()
    expect(page.get_by_text("Krankheit: 07.12.2026 bis 07.12.2026")).to_be_visible()
    assert _overflow(page) == 0
    db.session.expire_all()
    assert db.session.get(Appointment, world["planned"]) is None
    assert db.session.scalar(sa.select(VolunteerAbsence.reported_at)) == NOW

    coordinator = new_page(role="coordinator")
    coordinator.goto("/")
    section = coordinator.locator("#abwesenheiten")
    expect(section).to_contain_text("Abwesenheit gemeldet (von Ehrenamtlichen)")
    expect(section).to_contain_text("Jürgen Kowalski")
    expect(section).to_contain_text("Krankheit vom 07.12.2026 bis 07.12.2026")
