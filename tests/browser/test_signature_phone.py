"""The senior signs the month on the volunteer's phone (390 px, touch): strokes with touch pointer events on the
signature field, the volunteer confirms; the stored signature, and its void when a signed line changes."""

import io
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from begleitservice.appointments.links.tokens import area_url
from begleitservice.extensions import db
from begleitservice.models import MonthSignature
from begleitservice.signatures import is_valid
from tests.factories import make_appointment, make_pairing, make_senior, make_volunteer

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # Friday 20 November 2026, 10:00 in Dortmund

STROKE = """async ([x0, y0, points]) => {
  const pause = () => new Promise((done) => setTimeout(done, 20));  // a finger moves at about 60 Hz
  const canvas = document.querySelector('canvas[data-signature]');
  const box = canvas.getBoundingClientRect();
  const fire = (type, x, y) => canvas.dispatchEvent(new PointerEvent(type, {
    bubbles: true, cancelable: true, pointerId: 7, pointerType: 'touch', isPrimary: true,
    clientX: box.left + x, clientY: box.top + y,
    pressure: type === 'pointerup' ? 0 : 0.5, buttons: type === 'pointerup' ? 0 : 1,
  }));
  fire('pointerdown', x0, y0);
  for (const [x, y] of points) { await pause(); fire('pointermove', x, y); }
  const [xl, yl] = points[points.length - 1];
  fire('pointerup', xl, yl);
}"""


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def held_month(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    volunteer = make_volunteer(first_name="Jürgen", last_name="Kowalski")
    pairing = make_pairing(volunteer=volunteer, senior=make_senior(first_name="Hildegard", last_name="Brinkmann"))
    visits = [
        make_appointment(pairing=pairing, on=date(2026, 11, day), status="stattgefunden", actual_minutes=120)
        for day in (2, 9, 16)
    ]
    return volunteer, visits


def test_signing_a_month_with_touch_on_a_phone(new_page, held_month, app_ctx, axe):
    volunteer, visits = held_month
    page = new_page(width=WIDTH, height=HEIGHT, touch=True)
    area = urlsplit(area_url(volunteer)).path
    page.goto(area)
    section = page.locator("#unterschrift")
    expect(section).to_contain_text("Hildegard B. – November 2026")
    expect(section).to_contain_text("Noch nicht unterschrieben.")
    section.get_by_role("link", name="Unterschreiben lassen").tap()

    expect(page.get_by_role("heading", level=1)).to_have_text("Leistungsnachweis November 2026")
    pad = page.locator("canvas[data-signature]")
    box = pad.bounding_box()
    assert box["width"] >= 280 and box["x"] + box["width"] <= WIDTH, box  # the column's full width
    assert _overflow(page) == 0
    assert axe(page) == []

    # Sending without a stroke: a German message, nothing stored.
    page.get_by_label("Name der Person, die unterschreibt").fill("Hildegard Brinkmann")
    page.get_by_label("Ich bestätige: Die Unterschrift wurde eben auf meinem Handy geleistet.").check()
    page.get_by_role("button", name="Unterschrift speichern").tap()
    expect(page.get_by_text("Bitte lassen Sie im Feld unterschreiben.")).to_be_visible()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthSignature)) == 0
    assert axe(page) == []

    page.locator("canvas[data-signature]").evaluate("c => c.scrollIntoView()")
    page.evaluate(STROKE, [20, 150, [[60, 90], [110, 60], [160, 120], [210, 70], [260, 140], [320, 60]]])
    page.evaluate(STROKE, [40, 180, [[120, 185], [220, 180], [300, 175]]])
    assert page.locator("input[name=signature]").input_value().startswith("data:image/png;base64,")
    page.get_by_label("Ich bestätige: Die Unterschrift wurde eben auf meinem Handy geleistet.").check()
    page.screenshot(path="/tmp/signature-390.png", full_page=True)
    page.get_by_role("button", name="Unterschrift speichern").tap()
    expect(page.get_by_text("Vielen Dank! Die Unterschrift ist gespeichert.")).to_be_visible()
    expect(page.get_by_text("Digital unterschrieben am 20.11.2026, 10:00 Uhr von Hildegard Brinkmann.")).to_be_visible()
    expect(page.get_by_role("img", name="Unterschrift von Hildegard Brinkmann")).to_be_visible()
    page.screenshot(path="/tmp/signature-done-390.png", full_page=True)
    assert axe(page) == []

    db.session.expire_all()
    signature = db.session.scalar(sa.select(MonthSignature))
    assert (signature.signer_name, signature.signed_at, signature.line_count) == ("Hildegard Brinkmann", NOW, 3)
    with Image.open(io.BytesIO(signature.image)) as image:
        assert image.format == "PNG" and image.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()
    assert is_valid(signature)

    # The volunteer corrects the hours of 16 November: the signature no longer holds.
    page.goto(area)
    visit = page.locator(f"#besuch-{visits[2].id}")
    visit.get_by_text("Stunden oder Kilometer korrigieren").tap()
    visit.get_by_label("Dauer").select_option(label="1 Std. 30 Min.")
    visit.get_by_role("button", name="Speichern").tap()
    expect(page.locator("#unterschrift")).to_contain_text("Unterschrift ungültig: Angaben wurden geändert.")
    db.session.expire_all()
    assert not is_valid(db.session.scalar(sa.select(MonthSignature)))


@pytest.mark.parametrize("language, direction", [("tr", "ltr"), ("ar", "rtl")])
def test_the_signature_page_in_turkish_and_arabic(new_page, held_month, axe, language, direction):
    volunteer, _visits = held_month
    page = new_page(width=WIDTH, height=HEIGHT, touch=True)
    senior_id = _visits[0].pairing.senior_id
    page.goto(f"{urlsplit(area_url(volunteer)).path}/unterschrift/{senior_id}/2026/11?lang={language}")
    assert page.evaluate("document.documentElement.dir") == direction
    expect(page.get_by_role("button", name="Unterschrift speichern")).to_have_count(0)  # translated
    expect(page.locator("canvas[data-signature]")).to_be_visible()
    assert _overflow(page) == 0
    assert axe(page) == []
    page.screenshot(path=f"/tmp/signature-{language}-390.png", full_page=True)
