"""A volunteer confirms a visit on a phone through the link from the email, without logging in; once only."""

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from begleitservice.appointments.links.tokens import link_url
from begleitservice.extensions import db
from begleitservice.models import Appointment, UsedLink
from tests.factories import make_appointment, make_pairing, make_senior, make_volunteer

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
NOW = datetime(2026, 10, 28, 9, 0, tzinfo=UTC)  # 10:00 in Dortmund, five days before the visit


def _body_overflow(page) -> int:
    """How many pixels the page is wider than the screen (0 when nothing sticks out sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def confirm_path(app_ctx, monkeypatch):
    """The path of a fresh confirm link for a planned visit on Monday 2 Nov 2026, 10–12, as the email has it."""
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    volunteer = make_volunteer(first_name="Jürgen", last_name="Kowalski")
    pairing = make_pairing(volunteer=volunteer, senior=make_senior(first_name="Hildegard", last_name="Brinkmann"))
    appointment = make_appointment(pairing=pairing, on=date(2026, 11, 2))
    return appointment.id, urlsplit(link_url("confirm", appointment.id, volunteer_id=volunteer.id)).path


def test_volunteer_confirms_a_visit_on_a_phone_without_login(new_page, confirm_path, app_ctx, monkeypatch):
    appointment_id, path = confirm_path
    page = new_page(width=WIDTH, height=HEIGHT, touch=True)
    page.goto(path)

    expect(page).to_have_title("Termin bestätigen · Seniorenbegleitservice")
    expect(page.get_by_role("heading", level=1)).to_have_text("Termin bestätigen")
    expect(page.get_by_text("Besuch bei Hildegard B. (Eving)")).to_be_visible()
    expect(page.get_by_text("Montag, 02.11.2026, 10:00–12:00 Uhr")).to_be_visible()
    expect(page.get_by_text("Brinkmann")).to_have_count(0)  # no surname on a page without login
    button = page.get_by_role("button", name="Ja, ich komme")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["height"] >= 44, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    assert _body_overflow(page) == 0

    button.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vielen Dank!")
    expect(page.get_by_text("Der Termin ist bestätigt.")).to_be_visible()
    used = page.get_by_text(re.compile(r"^Dieser Link wurde am .+ Uhr benutzt und kann nichts mehr ändern\.$"))
    expect(used).to_be_visible()
    used_text = used.inner_text()
    expect(page.get_by_role("button", name="Ja, ich komme")).to_have_count(0)  # only "Mein Bereich" is left
    assert _body_overflow(page) == 0
    db.session.expire_all()
    confirmed_at = db.session.get(Appointment, appointment_id).confirmed_at
    assert db.session.get(Appointment, appointment_id).status == "bestaetigt" and confirmed_at is not None

    monkeypatch.setitem(app_ctx.config, "NOW", NOW + timedelta(hours=2))  # the same link, opened again later
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Vielen Dank!")
    expect(page.get_by_text("Der Termin ist bestätigt.")).to_be_visible()
    expect(used).to_have_text(used_text)
    expect(page.get_by_role("button", name="Ja, ich komme")).to_have_count(0)  # only "Mein Bereich" is left
    assert _body_overflow(page) == 0
    db.session.expire_all()
    assert db.session.get(Appointment, appointment_id).confirmed_at == confirmed_at
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UsedLink)) == 1
