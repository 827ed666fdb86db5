"""Saving a pairing or a volunteer's absence makes the appointments follow, in the same unit of work."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import Appointment, OutboxMessage, Pairing
from tests.factories import make_senior, make_volunteer

NOW = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)  # Monday before Easter 2026


def _appointment_dates(pairing_id: int) -> list[date]:
    return list(
        db.session.scalars(
            sa.select(Appointment.on).where(Appointment.pairing_id == pairing_id).order_by(Appointment.on)
        )
    )


def test_new_pairing_gets_its_appointments_and_the_introduction_mail(app_ctx, coordinator, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    monkeypatch.setitem(app_ctx.config, "TODAY", NOW.date())
    volunteer = make_volunteer(availability=((4, 9 * 60, 18 * 60),))
    senior = make_senior()
    response = coordinator.post(
        "/pairings/neu",
        data={
            "volunteer_id": volunteer.id,
            "senior_id": senior.id,
            "service": "besuchsdienst",
            "slots": "Fr 10:00-12:00",
            "interval_weeks": "1",
            "starts_on": "2026-03-23",
            "status": "aktiv",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    pairing = db.session.scalar(sa.select(Pairing))
    dates = _appointment_dates(pairing.id)
    assert date(2026, 3, 27) in dates
    assert date(2026, 4, 3) not in dates  # Karfreitag
    assert date(2026, 4, 10) in dates
    assert date(2026, 5, 1) not in dates  # 1. Mai
    assert len(dates) == 6  # eight Fridays to the horizon, less Karfreitag and 1. Mai
    mails = db.session.scalars(sa.select(OutboxMessage)).all()
    assert [m.recipient for m in mails] == [volunteer.email]


def test_an_absence_removes_the_planned_visits_in_it(app_ctx, coordinator, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    monkeypatch.setitem(app_ctx.config, "TODAY", NOW.date())
    volunteer = make_volunteer(availability=((4, 9 * 60, 18 * 60),))
    coordinator.post(
        "/pairings/neu",
        data={
            "volunteer_id": volunteer.id,
            "senior_id": make_senior().id,
            "service": "besuchsdienst",
            "slots": "Fr 10:00-12:00",
            "interval_weeks": "1",
            "starts_on": "2026-03-23",
            "status": "aktiv",
        },
    )
    pairing_id = db.session.scalar(sa.select(Pairing.id))
    assert date(2026, 4, 17) in _appointment_dates(pairing_id)
    response = coordinator.post(
        f"/volunteers/{volunteer.id}/abwesenheiten",
        data={"starts_on": "2026-04-13", "ends_on": "2026-04-24", "reason": "Urlaub"},
    )
    assert response.status_code == 302
    dates = _appointment_dates(pairing_id)
    assert date(2026, 4, 17) not in dates and date(2026, 4, 24) not in dates
    assert date(2026, 4, 10) in dates and date(2026, 5, 1) not in dates  # 1. Mai is a holiday
    assert date(2026, 5, 8) in dates
