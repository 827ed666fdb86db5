"""The dashboard's tax-free cap warning: exact at the threshold, stand-in visits counted, cost not growing with data."""

from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from tests.factories import make_appointment, make_pairing, make_senior, make_volunteer

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _held(pairing, day: int, minutes: int | None, **kw):
    """A visit that took place on ``day`` November 2026, 10:00 for 90 planned minutes."""
    return make_appointment(
        pairing=pairing,
        on=date(2026, 11, day),
        planned_start=time(10),
        planned_end=time(11, 30),
        status="stattgefunden",
        actual_minutes=minutes,
        **kw,
    )


def _section(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return page[page.index('id="freibetrag-hinweise"') :] if 'id="freibetrag-hinweise"' in page else ""


def test_warning_exactly_at_the_threshold_counts_planned_minutes_and_stand_in_visits(app_ctx, login, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    # 660 €/h: 90 % of the 3,300 € Übungsleiterpauschale (2,970 €) is exactly 270 minutes.
    monkeypatch.setitem(app_ctx.config, "BILLING", {"allowance_per_hour": "660.00"})
    erika = make_volunteer(first_name="Erika", last_name="Engel", offers_entlastung=True)
    fritz = make_volunteer(first_name="Fritz", last_name="Fuchs", offers_entlastung=True)
    own = make_pairing(volunteer=erika, senior=make_senior(pflegegrad=2), service="entlastung")
    other = make_pairing(volunteer=fritz, senior=make_senior(pflegegrad=3), service="entlastung")
    _held(own, 2, 90)
    _held(own, 9, None)  # held, no minutes reported: the planned 90 minutes count
    _held(other, 3, 90, cover_volunteer=erika)  # Erika stood in: hers, not Fritz's
    _held(other, 10, 85)
    _held(other, 17, 90)

    section = _section(login("coordinator"))
    assert "Erika Engel" in section and "2.970,00\xa0€" in section and "Noch 330,00\xa0€" in section
    assert "Fritz Fuchs" not in section  # 175 minutes: 1,925 €


@pytest.mark.usefixtures("built_pages")
def test_cap_warning_statements_do_not_grow_with_volunteers(app, app_ctx, login, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    monkeypatch.setitem(app_ctx.config, "BILLING", {"allowance_per_hour": "660.00"})
    coordinator = login("coordinator")

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with app.app_context():
                assert "Erika Engel" in _section(coordinator)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    erika = make_volunteer(first_name="Erika", last_name="Engel", offers_entlastung=True)
    senior = make_senior(pflegegrad=2)
    pairing = make_pairing(volunteer=erika, senior=senior, service="entlastung")
    for day in (2, 9, 16):
        _held(pairing, day, 90)
    few = statements()
    for _ in range(6):
        other = make_pairing(volunteer=make_volunteer(offers_entlastung=True), senior=senior, service="entlastung")
        _held(other, 4, 60)
        _held(other, 5, 300)  # each one near the cap too: computed exactly, still no more statements
    assert statements() == few
