"""Calendars: a volunteer's, a senior's, a district's and the whole service's week or month, holidays, absences."""

import re
from datetime import date, time

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import VolunteerAbsence
from tests.app.test_scheduling_support import berlin, clock_fixture  # noqa: F401 (fixture)
from tests.factories import make_appointment, make_pairing, make_senior, make_volunteer


def _visits(count: int, *, volunteer=None, senior=None, on: date = date(2026, 12, 7), hour: int = 8):
    pairing = make_pairing(volunteer=volunteer or make_volunteer(), senior=senior or make_senior())
    for index in range(count):
        make_appointment(pairing=pairing, on=on, planned_start=time(hour, index), planned_end=time(hour + 1, index))
    return pairing


def _cell(page: str, day: str) -> str:
    return page.split(f'id="tag-{day}"', 1)[1].split("</td>", 1)[0]


def test_volunteer_month_lists_own_and_stand_in_visits_holidays_and_absence(app_ctx, coordinator, clock):
    clock(berlin(2026, 12, 1, 8))
    anna = make_volunteer(first_name="Anna", last_name="Müller")
    own = _visits(1, volunteer=anna, senior=make_senior(first_name="Ida"), on=date(2026, 12, 14), hour=10)
    other = _visits(0, volunteer=make_volunteer(first_name="Bert"), senior=make_senior(first_name="Olga"))
    make_appointment(
        pairing=other, on=date(2026, 12, 16), planned_start=time(15), planned_end=time(16), cover_volunteer=anna
    )
    taken = make_appointment(pairing=own, on=date(2026, 12, 21), cover_volunteer=other.volunteer)  # Bert stands in
    db.session.add(VolunteerAbsence(volunteer=anna, starts_on=date(2026, 12, 28), ends_on=date(2026, 12, 30)))
    db.session.commit()

    page = coordinator.get(f"/kalender/ehrenamtliche/{anna.id}?datum=2026-12-01").get_data(as_text=True)
    assert "<caption>Dezember 2026 – Anna Müller</caption>" in page
    assert "10:00–11:00</a>" in _cell(page, "2026-12-14") and "Ida B." in _cell(page, "2026-12-14")
    assert "15:00–16:00</a>" in _cell(page, "2026-12-16") and "Olga B." in _cell(page, "2026-12-16")
    assert f"/termine/{taken.id}" not in page  # a stand-in does that one
    assert "Feiertag: </span>Erster Weihnachtstag" in _cell(page, "2026-12-25")
    assert "abwesend: Anna Müller" in _cell(page, "2026-12-29") and "abwesend" not in _cell(page, "2026-12-31")
    assert "2 Termine" in page
    assert '<th scope="col">Montag</th>' in page and '<th scope="row">49</th>' in page


def test_navigation_previous_next_today_and_week(app_ctx, coordinator, clock):
    clock(berlin(2026, 12, 10, 8))
    anna = make_volunteer()
    page = coordinator.get(f"/kalender/ehrenamtliche/{anna.id}").get_data(as_text=True)
    assert "<caption>Dezember 2026" in page and "heute</span>" in _cell(page, "2026-12-10")
    assert "datum=2026-11-01" in page and "datum=2027-01-01" in page
    week = coordinator.get(f"/kalender/ehrenamtliche/{anna.id}?ansicht=woche&datum=2026-12-10").get_data(as_text=True)
    assert "KW 50/2026: 07.12.–13.12.2026" in week and "Vorwoche" in week
    assert "datum=2026-11-30" in week and "datum=2026-12-14" in week
    assert coordinator.get(f"/kalender/ehrenamtliche/{anna.id}?ansicht=jahr").status_code == 400
    assert coordinator.get(f"/kalender/ehrenamtliche/{anna.id}?datum=31.02.2026").status_code == 400


def test_senior_calendar_shows_their_visits_and_their_volunteers_absences(app_ctx, coordinator, clock):
    clock(berlin(2026, 12, 1, 8))
    ida = make_senior(first_name="Ida")
    anna = make_volunteer(first_name="Anna", last_name="Müller")
    _visits(1, volunteer=anna, senior=ida, on=date(2026, 12, 8))
    _visits(1, senior=make_senior(first_name="Olga"), on=date(2026, 12, 8), hour=14)
    db.session.add(VolunteerAbsence(volunteer=anna, starts_on=date(2026, 12, 9), ends_on=date(2026, 12, 9)))
    db.session.commit()
    page = coordinator.get(f"/kalender/senioren/{ida.id}?datum=2026-12-01").get_data(as_text=True)
    assert "08:00–09:00" in _cell(page, "2026-12-08") and "Anna Müller" in _cell(page, "2026-12-08")
    assert "14:00" not in page
    assert "abwesend: Anna Müller" in _cell(page, "2026-12-09")


def test_district_filter_and_counts_with_links_when_too_many(app, app_ctx, coordinator, clock, monkeypatch):
    clock(berlin(2026, 12, 1, 8))
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 3)
    _visits(4, senior=make_senior(district_name="Hombruch"), on=date(2026, 12, 7))
    _visits(2, senior=make_senior(district_name="Hombruch"), on=date(2026, 12, 9), hour=14)
    _visits(1, senior=make_senior(district_name="Eving"), on=date(2026, 12, 9), hour=11)

    listed = coordinator.get("/kalender/?datum=2026-12-01&bezirk=Hombruch").get_data(as_text=True)
    assert "6 Termine" in listed and "14:00–15:00" in listed and "11:00" not in listed

    monkeypatch.setitem(app.config, "CALENDAR_MAX_VISITS", 5)
    counted = coordinator.get("/kalender/?datum=2026-12-01&bezirk=Hombruch").get_data(as_text=True)
    assert "zu viele Termine" in counted and "14:00" not in counted
    monday, wednesday = _cell(counted, "2026-12-07"), _cell(counted, "2026-12-09")
    assert ">4 Termine</a>" in monday and "von=2026-12-07" in monday and "page=" not in monday
    # Wednesday starts after Monday's 4 visits: on the Termine page's second page of 3
    link = re.search(r'href="([^"]+)">2 Termine', wednesday)[1].replace("&amp;", "&")
    assert "bezirk=Hombruch" in link and "page=2" in link and link.endswith("#tag-2026-12-09")
    termine = coordinator.get(link.split("#")[0]).get_data(as_text=True)
    assert 'id="tag-2026-12-09"' in termine and "14:00–15:00" in termine


@pytest.mark.usefixtures("built_pages")
def test_calendar_statements_do_not_grow_with_visits(app, app_ctx, coordinator, clock):
    clock(berlin(2026, 12, 1, 8))
    anna = make_volunteer()

    def statements(url: str) -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with app.app_context():
                assert coordinator.get(url).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    urls = ["/kalender/?datum=2026-12-01", f"/kalender/ehrenamtliche/{anna.id}?datum=2026-12-01&ansicht=woche"]
    _visits(1, volunteer=anna)
    few = [statements(url) for url in urls]
    for hour in range(8, 14):
        _visits(3, hour=hour)
        _visits(1, volunteer=anna, hour=hour, on=date(2026, 12, 8))
    db.session.add(VolunteerAbsence(volunteer=anna, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 3)))
    db.session.commit()
    assert [statements(url) for url in urls] == few


def test_calendars_are_linked_from_people_and_termine(app_ctx, coordinator, clock, login):
    clock(berlin(2026, 12, 1, 8))
    pairing = _visits(1)
    volunteer = coordinator.get(f"/volunteers/{pairing.volunteer_id}").get_data(as_text=True)
    assert f'href="/kalender/ehrenamtliche/{pairing.volunteer_id}"' in volunteer
    senior = coordinator.get(f"/seniors/{pairing.senior_id}").get_data(as_text=True)
    assert f'href="/kalender/senioren/{pairing.senior_id}"' in senior
    assert 'href="/kalender/?' in coordinator.get("/termine/?von=2026-12-07").get_data(as_text=True)
    assert login("accounting").get("/kalender/").status_code == 403
