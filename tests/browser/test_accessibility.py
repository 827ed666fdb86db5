"""Every page a volunteer reads passes axe-core's WCAG 2.1 A/AA rules (zero violations) on a 390 px phone, in German,
Turkish and Arabic (right to left); nothing sticks out sideways. Screenshots of the pages go to $SCREENSHOTS (or the
test's temporary folder) for a look."""

import os
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from begleitservice.appointments import operations
from begleitservice.appointments.links.tokens import area_url, link_url
from begleitservice.extensions import db
from begleitservice.groups import operations as group_operations
from begleitservice.models.scheduling import CoverOffer
from tests.factories import make_appointment, make_group, make_pairing, make_senior, make_volunteer

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 30 November 2026, 8:00 in Dortmund
DIRECTION = {"de": "ltr", "tr": "ltr", "ar": "rtl"}


def _path(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def links(app_ctx, monkeypatch):
    """``links(language)``: the link paths of one volunteer who reads ``language`` – confirm and decline a planned
    visit, report a past one, a cover offer for a colleague's declined visit, and Mein Bereich."""
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)

    def build(language: str) -> dict:
        volunteer = make_volunteer(first_name="Ayşe", last_name="Demir", language=language, offers_demenzgruppe=True)
        pairing = make_pairing(volunteer=volunteer, senior=make_senior(first_name="Hildegard", last_name="Brinkmann"))
        group_operations.generate_sessions(
            make_group(district_name="Eving"), first=date(2026, 12, 1), last=date(2026, 12, 31)
        )
        make_appointment(pairing=pairing, on=date(2026, 11, 23), status="stattgefunden", actual_minutes=120)
        past = make_appointment(pairing=pairing, on=date(2026, 11, 27))
        planned = make_appointment(pairing=pairing, on=date(2026, 12, 7))
        colleague = make_pairing(volunteer=make_volunteer(first_name="Bert"), senior=make_senior(first_name="Ida"))
        to_cover = make_appointment(pairing=colleague, on=date(2026, 12, 9))
        operations.decline(to_cover, now=NOW, reason="krank")
        offer = CoverOffer(appointment=to_cover, volunteer=volunteer, offered_at=NOW)
        db.session.add(offer)
        db.session.commit()
        return {
            "confirm": _path(link_url("confirm", planned.id, volunteer_id=volunteer.id)),
            "decline": _path(link_url("decline", planned.id, volunteer_id=volunteer.id)),
            "report": _path(link_url("report", past.id, volunteer_id=volunteer.id)),
            "cover": _path(link_url("cover", offer.id)),
            "area": _path(area_url(volunteer)),
            "group_sessions": _path(area_url(volunteer)) + "/gruppentermine/2026/12",
        }

    return build


@pytest.fixture
def shots(tmp_path):
    """Where the screenshots go: $SCREENSHOTS if set, else the test's temporary folder."""
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check(page, axe, shots: Path, name: str, language: str) -> None:
    """The page is in ``language`` and direction, fits the phone, passes axe; then its screenshot is taken."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", DIRECTION[language])
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow == 0, f"{name}: {overflow} px wider than the phone"
    assert axe(page) == [], name
    switch = page.locator("nav.languages a")
    heights = [switch.nth(i).bounding_box()["height"] for i in range(switch.count())]
    assert len(heights) == 6 and min(heights) >= 44, f"{name}: language links {heights} px high, 44 wanted"
    page.screenshot(path=str(shots / f"{language}-{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["de", "tr", "ar"])
def test_volunteer_pages_pass_axe_on_a_phone(new_page, links, axe, shots, language):
    """Link pages before and after their button, the invalid link, the cover offer, Mein Bereich (with the hours
    form open, after reporting an absence, the signature page), and the page after asking for the Mein Bereich
    link."""
    paths = links(language)
    page = new_page(width=WIDTH, height=HEIGHT, touch=True)

    page.goto(paths["confirm"])
    _check(page, axe, shots, "confirm", language)
    page.locator("form:not(.area-request) button[type=submit]").tap()
    expect(page.locator("h1.ok")).to_be_visible()
    _check(page, axe, shots, "confirm-done", language)

    page.goto(paths["decline"])
    _check(page, axe, shots, "decline", language)

    page.goto(paths["report"])
    _check(page, axe, shots, "report", language)
    page.locator("input[name=km]").fill("abc")
    page.locator("form:not(.area-request) button[type=submit]").tap()
    expect(page.locator("#km-error")).to_be_visible()
    _check(page, axe, shots, "report-error", language)

    page.goto(paths["cover"])
    _check(page, axe, shots, "cover", language)

    page.goto(f"/link/bestaetigen/kaputt?lang={language}")  # no volunteer known: the switch's language
    _check(page, axe, shots, "invalid", language)

    page.goto(paths["area"])
    _check(page, axe, shots, "area", language)
    page.locator("details summary").first.tap()
    _check(page, axe, shots, "area-hours", language)
    page.locator("input[name=starts_on]").fill("2026-12-14")
    page.locator("input[name=ends_on]").fill("2026-12-14")
    page.locator("input[name=kind]").first.check()
    page.locator("#abwesenheit button[type=submit]").tap()
    expect(page.locator(".flash")).to_be_visible()
    _check(page, axe, shots, "area-absence", language)

    page.locator("#unterschrift a.button").first.tap()  # November's Leistungsnachweis for the senior
    expect(page.locator("canvas")).to_be_visible()
    _check(page, axe, shots, "area-sign", language)

    page.goto(paths["group_sessions"])  # the Demenzgruppe's December sessions to answer "kann" / "kann nicht"
    expect(page.locator("form")).not_to_have_count(0)
    _check(page, axe, shots, "area-group-sessions", language)

    page.goto(paths["confirm"])
    page.locator("form.area-request button").tap()
    _check(page, axe, shots, "area-link-sent", language)


def test_axe_finds_what_the_pages_must_not_have(page, axe):
    """The check can fail: a page without language, an image without text and a field without label are reported."""
    page.set_content('<html><body><main><img src="x.png"><input type="text"></main></body></html>')
    found = " ".join(axe(page))
    assert "html-has-lang" in found and "image-alt" in found and "label" in found


@pytest.mark.parametrize("language", ["de", "tr", "ar"])
def test_mails_to_volunteers_pass_axe(app_ctx, monkeypatch, page, axe, shots, language):
    """The HTML part of each mail a volunteer gets (introduction, confirmation, reminder, hours, stand-in offer and
    its outcome) passes axe too, in the volunteer's language and direction."""
    from begleitservice.mail import notices

    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    volunteer = make_volunteer(first_name="Ayşe", last_name="Demir", language=language)
    pairing = make_pairing(volunteer=volunteer, senior=make_senior(first_name="Hildegard", last_name="Brinkmann"))
    visit = make_appointment(pairing=pairing, on=date(2026, 12, 7))
    colleague = make_pairing(volunteer=make_volunteer(first_name="Bert"), senior=make_senior(first_name="Ida"))
    to_cover = make_appointment(pairing=colleague, on=date(2026, 12, 9))
    offer = CoverOffer(appointment=to_cover, volunteer=volunteer, offered_at=NOW)
    db.session.add(offer)
    db.session.flush()
    mails = {
        "introduction": notices.introduction(pairing),
        "confirmation": notices.confirmation_request(visit),
        "reminder": notices.reminder(visit),
        "hours": notices.hours_request(visit),
        "cover-offer": notices.cover_offer(offer),
        "cover-taken": notices.cover_taken(offer),
    }
    db.session.rollback()
    for name, message in mails.items():
        page.set_content(message.body_html)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", DIRECTION[language])
        assert axe(page) == [], name
        page.screenshot(path=str(shots / f"{language}-mail-{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["de", "tr", "ar"])
def test_group_sessions_page_and_mail_pass_axe_on_a_phone(app_ctx, monkeypatch, new_page, axe, shots, language):
    """'Gruppentermine im <Monat>' (the mail asking for it, the page, after saving, after sending nothing) passes
    axe on the phone in the volunteer's language and direction."""
    import sqlalchemy as sa

    from begleitservice.groups import operations as group_ops
    from begleitservice.groups import staffing
    from begleitservice.models import OutboxMessage
    from billing.month import Month
    from tests.factories import make_group

    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    volunteer = make_volunteer(
        first_name="Ayşe", last_name="Demir", language=language, offers_demenzgruppe=True, district_name="Hörde"
    )
    group = make_group(name="Café Vergissmeinnicht")
    group_ops.generate_sessions(group, first=date(2026, 12, 1), last=date(2026, 12, 31))
    assert staffing.ask_volunteers(Month(2026, 12), now=NOW) == 1
    db.session.commit()
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == volunteer.email))

    page = new_page(width=WIDTH, height=HEIGHT, touch=True)
    page.set_content(mail.body_html)
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert axe(page) == [], "mail"
    page.screenshot(path=str(shots / f"{language}-mail-group-sessions.png"), full_page=True)

    page.goto(_path(page.locator("a[href*=gruppentermine]").first.get_attribute("href")))
    expect(page.locator("fieldset")).to_have_count(5)  # the five Wednesdays of December 2026
    _check(page, axe, shots, "group-sessions", language)
    page.locator("button[type=submit]").tap()  # nothing chosen: a message, nothing saved
    expect(page.locator(".flash.error")).to_be_visible()
    _check(page, axe, shots, "group-sessions-error", language)
    page.locator("fieldset input[value=nein]").first.check()
    page.locator("fieldset input[value=ja]").nth(1).check()
    page.locator("button[type=submit]").tap()
    expect(page.locator(".flash.success")).to_be_visible()
    _check(page, axe, shots, "group-sessions-saved", language)
