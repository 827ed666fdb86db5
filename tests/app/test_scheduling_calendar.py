"""The volunteer's private iCal feed and the coordinators' week view."""

import re
from datetime import date, datetime, time
from urllib.parse import urlsplit

import icalendar
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import Appointment
from scheduling.model import BERLIN
from tests.app.test_scheduling_support import berlin, clock_fixture, run, weekly_pairing  # noqa: F401 (fixture)
from tests.factories import make_senior, make_volunteer


def feed_path(coordinator, volunteer, action: str = "neu") -> str | None:
    """Make (or revoke) the volunteer's calendar link on the coordinator page; the feed's path."""
    page = coordinator.post(
        f"/termine/ehrenamtliche/{volunteer.id}/kalender", data={"action": action}, follow_redirects=True
    ).get_data(as_text=True)
    match = re.search(r'value="(http[^"]+\.ics)"', page)
    return urlsplit(match.group(1)).path if match else None


def test_private_ical_feed_holds_only_the_volunteers_visits(app_ctx, client, coordinator, clock):
    clock(berlin(2026, 11, 30, 8))
    mine = weekly_pairing(starts_on=date(2026, 12, 7))
    weekly_pairing(starts_on=date(2026, 12, 7), slots=((2, 9 * 60, 60),))  # someone else's Wednesdays
    run("roll_horizon")
    first = db.session.scalar(sa.select(Appointment).where(Appointment.pairing_id == mine.id).order_by(Appointment.on))
    first.status = "abgesagt"
    db.session.commit()

    path = feed_path(coordinator, mine.volunteer)
    response = client.get(path)  # no login: the calendar app fetches it
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert len(events) == 8  # Mondays 7 Dec – 25 Jan, none of the Wednesdays
    assert {str(e["summary"]) for e in events[1:]} == {"Besuch bei Hildegard B. (Eving)"}
    assert str(events[0]["summary"]) == "Besuch bei Hildegard B. (Eving) – abgesagt"
    assert str(events[0]["status"]) == "CANCELLED" and str(events[1]["status"]) == "TENTATIVE"
    assert events[1].decoded("dtstart") == datetime(2026, 12, 14, 10, 0, tzinfo=BERLIN)
    assert events[1].decoded("dtend") == datetime(2026, 12, 14, 12, 0, tzinfo=BERLIN)
    assert str(events[1]["uid"]).startswith("termin-") and str(events[1]["location"]) == "Dortmund-Eving"
    assert b"Pflegegrad" not in response.data and b"Demenz" not in response.data


def test_feed_token_wrong_renewed_or_revoked_gives_404(app_ctx, client, coordinator):
    volunteer = make_volunteer()
    assert client.get("/kalender/falsch-falsch-falsch-falsch-falsch.ics").status_code == 404
    old = feed_path(coordinator, volunteer)
    assert client.get(old).status_code == 200
    new = feed_path(coordinator, volunteer)
    assert new != old
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    assert feed_path(coordinator, volunteer, "sperren") is None
    assert client.get(new).status_code == 404
    assert "Es gibt keinen gültigen Kalender-Link." in coordinator.get(
        f"/termine/ehrenamtliche/{volunteer.id}/kalender"
    ).get_data(as_text=True)


def test_week_view_filters_by_district_and_volunteer(app_ctx, coordinator, clock):
    clock(berlin(2026, 12, 20, 12))
    eving = weekly_pairing(starts_on=date(2026, 12, 21))
    hombruch = weekly_pairing(
        starts_on=date(2026, 12, 21),
        slots=((3, 14 * 60, 90),),
        volunteer=make_volunteer(first_name="Karl", last_name="Hombrucher", district_name="Hombruch"),
        senior=make_senior(first_name="Otto", last_name="Zeller", district_name="Hombruch"),
    )
    run("roll_horizon")

    week = coordinator.get("/termine/?von=2026-12-23").get_data(as_text=True)
    assert "KW 52/2026: 21.12.–27.12.2026" in week
    assert "Hildegard B." in week and "Otto Z." in week
    assert "Erster Weihnachtstag" in week and "Zweiter Weihnachtstag" in week  # Thursday visits still on 24th
    assert "Otto Z." not in coordinator.get("/termine/?von=2026-12-23&bezirk=Eving").get_data(as_text=True)
    only_karl = coordinator.get(f"/termine/?von=2026-12-28&ehrenamtliche={hombruch.volunteer_id}").get_data(
        as_text=True
    )
    assert "Otto Z." in only_karl and "Hildegard B." not in only_karl and "Fr 01.01." in only_karl
    both_filters = coordinator.get(
        f"/termine/?von=2026-12-28&bezirk=Hombruch&ehrenamtliche={eving.volunteer_id}"
    ).get_data(as_text=True)
    assert "Hildegard B." not in both_filters and "Otto Z." not in both_filters
    broken = coordinator.get("/termine/?von=kein-datum")
    assert broken.status_code == 400
    assert "„kein-datum“ ist kein Datum" in broken.get_data(as_text=True)


def test_week_view_links_to_the_appointment(app_ctx, coordinator, clock):
    clock(berlin(2026, 12, 1, 8))
    pairing = weekly_pairing(starts_on=date(2026, 12, 7))
    run("roll_horizon")
    appointment = db.session.scalar(sa.select(Appointment).where(Appointment.on == date(2026, 12, 7)))
    week = coordinator.get("/termine/?von=2026-12-07").get_data(as_text=True)
    assert f'href="/termine/{appointment.id}"' in week
    detail = coordinator.get(f"/termine/{appointment.id}").get_data(as_text=True)
    assert "Montag, 07.12.2026" in detail and pairing.volunteer.name in detail
    assert appointment.planned_start == time(10)


def test_coordinator_pages_need_care_role_and_links_need_no_login(app_ctx, client, login):
    accounting = login("accounting")
    for path in ("/termine/", "/termine/postausgang"):
        assert accounting.get(path).status_code == 403
        assert client.get(path).status_code == 302
    assert client.get("/link/bestaetigen/irgendwas").status_code == 400  # public, friendly page
