"""The Termine week: one page of visits at a time with per-day counts, a volunteer filter by typed name, type-ahead."""

import re
from datetime import date, time

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import VolunteerStatus
from tests.app.test_scheduling_support import berlin, clock_fixture  # noqa: F401 (fixture)
from tests.factories import make_appointment, make_pairing, make_senior, make_volunteer

MONDAY = date(2026, 12, 7)


def _visits(count: int, *, volunteer=None, on: date = MONDAY, hour: int = 8):
    pairing = make_pairing(volunteer=volunteer or make_volunteer(), senior=make_senior())
    for index in range(count):
        make_appointment(pairing=pairing, on=on, planned_start=time(hour, index), planned_end=time(hour + 1, index))
    return pairing


def test_week_is_paged_with_counts_per_day(app, app_ctx, coordinator, monkeypatch, clock):
    clock(berlin(2026, 12, 1, 8))
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 3)
    _visits(4, on=MONDAY)
    _visits(1, on=date(2026, 12, 9), hour=14)

    first = coordinator.get("/termine/?von=2026-12-07").get_data(as_text=True)
    assert "5 Termine" in first and "Seite 1 von 2 (5 Einträge)" in first
    assert len(re.findall(r'href="/termine/\d+"', first)) == 3
    assert "3 von 4 auf dieser Seite" in first
    assert "Mi 09.12." in first and "page=2#tag-2026-12-09" in first  # the day's link leads to its page
    second = coordinator.get("/termine/?von=2026-12-07&page=2").get_data(as_text=True)
    assert "14:00–15:00" in second and "1 von 4 auf dieser Seite" in second
    assert "Seite 2 von 2" in second


def test_week_filters_by_typed_volunteer_name_including_cover(app_ctx, coordinator, clock):
    clock(berlin(2026, 12, 1, 8))
    anna = make_volunteer(first_name="Anna", last_name="Müller")
    own = _visits(1, volunteer=anna)
    other = _visits(1, volunteer=make_volunteer(first_name="Bert", last_name="Schulz"), hour=11)
    make_appointment(pairing=other, on=MONDAY, planned_start=time(15), planned_end=time(16), cover_volunteer=anna)

    page = coordinator.get("/termine/?von=2026-12-07&name=mueller").get_data(as_text=True)
    assert "2 Termine" in page and "08:00–09:00" in page and "15:00–16:00" in page
    assert "11:00–12:00" not in page  # Schulz's own visit
    assert own.senior.first_name in page
    none = coordinator.get("/termine/?von=2026-12-07&name=niemand").get_data(as_text=True)
    assert "Keine Termine in dieser Woche für diese Auswahl." in none


@pytest.mark.usefixtures("built_pages")
def test_week_statements_do_not_grow_with_visits(app, app_ctx, coordinator, clock):
    clock(berlin(2026, 12, 1, 8))

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with app.app_context():
                assert coordinator.get("/termine/?von=2026-12-07").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    _visits(1)
    few = statements()
    for hour in range(8, 14):
        _visits(3, hour=hour)
    assert statements() == few


def test_volunteer_suggestions_for_type_ahead(app_ctx, coordinator, login):
    make_volunteer(first_name="Anna", last_name="Müller", district_name="Hombruch")
    make_volunteer(first_name="Ahmet", last_name="Müllerschön")
    make_volunteer(first_name="Gone", last_name="Müller", status=VolunteerStatus.AUSGESCHIEDEN)
    make_volunteer(first_name="Bert", last_name="Schulz")

    found = coordinator.get("/volunteers/suche?q=Mull").get_json()
    assert [item["value"] for item in found] == ["Müller, Anna", "Müllerschön, Ahmet"]
    assert found[0]["label"].startswith("Hombruch")
    assert coordinator.get("/volunteers/suche?q=").get_json() == []
    response = coordinator.get("/volunteers/suche?q=" + "x" * 5000)
    assert response.status_code in (200, 400) and "Traceback" not in response.get_data(as_text=True)
    assert login("accounting").get("/volunteers/suche?q=Mull").status_code == 403


def test_week_page_has_the_type_ahead_field(app_ctx, coordinator, clock):
    clock(berlin(2026, 12, 1, 8))
    page = coordinator.get("/termine/?von=2026-12-07").get_data(as_text=True)
    assert 'data-suggest="/volunteers/suche"' in page and "suggest.js" in page
    assert "<option value=" not in page.split("Ehrenamtliche:r", 1)[1].split("</form>", 1)[0]  # no 1,000-name list
