"""Recurring appointments in the app: horizon, NRW holidays, absences, rule changes, biweekly, replacements."""

from datetime import date, time

import sqlalchemy as sa

from begleitservice.appointments import operations
from begleitservice.extensions import db
from begleitservice.models import Appointment, OutboxMessage, PairingSlot, VolunteerAbsence
from tests.app.test_scheduling_support import berlin, clock_fixture, run, weekly_pairing  # noqa: F401


def dates(pairing) -> list[tuple[date, time, str]]:
    """The pairing's stored appointments as (date, start, status), in order."""
    rows = db.session.execute(
        sa.select(Appointment.on, Appointment.planned_start, Appointment.status)
        .where(Appointment.pairing_id == pairing.id)
        .order_by(Appointment.on, Appointment.planned_start)
    )
    return [tuple(row) for row in rows]


def test_easter_2026_is_skipped_and_shown_with_reasons(app_ctx, coordinator, clock):
    pairing = weekly_pairing(starts_on=date(2026, 3, 23), slots=((0, 600, 120), (4, 600, 120)))
    clock(berlin(2026, 3, 20, 12))
    run("roll_horizon")
    days = [d for d, _, _ in dates(pairing)]
    assert date(2026, 4, 3) not in days  # Karfreitag
    assert date(2026, 4, 6) not in days  # Ostermontag
    assert date(2026, 4, 2) not in days and date(2026, 4, 10) in days and date(2026, 3, 27) in days
    assert days[-1] <= date(2026, 5, 15)  # 8 weeks ahead

    page = coordinator.get(f"/termine/begleitung/{pairing.id}").get_data(as_text=True)
    assert "03.04.2026" in page and "Feiertag: Karfreitag" in page
    assert "06.04.2026" in page and "Feiertag: Ostermontag" in page
    assert "01.05.2026" in page and "Feiertag: Erster Mai" in page  # a Friday in 2026
    assert "Christi Himmelfahrt" not in page  # Thursday 14 May: no visiting day, nothing skipped


def test_one_off_replacement_for_a_skipped_holiday(app_ctx, coordinator, clock):
    pairing = weekly_pairing(starts_on=date(2026, 3, 23), slots=((4, 600, 120),))
    clock(berlin(2026, 3, 20, 12))
    run("roll_horizon")
    response = coordinator.post(
        f"/termine/begleitung/{pairing.id}",
        data={"replaces_on": "2026-04-03", "on": "2026-04-02", "start": "14:00", "end": "16:00"},
        follow_redirects=True,
    )
    assert "Ersatztermin am 02.04.2026 angelegt." in response.get_data(as_text=True)
    one_off = db.session.scalar(sa.select(Appointment).where(Appointment.is_one_off))
    assert (one_off.on, one_off.planned_start, one_off.replaces_on) == (date(2026, 4, 2), time(14), date(2026, 4, 3))
    before = dates(pairing)
    run("roll_horizon")
    assert dates(pairing) == before  # the daily roll keeps the one-off and invents nothing

    response = coordinator.post(
        f"/termine/begleitung/{pairing.id}",
        data={"replaces_on": "2026-04-03", "on": "2026-04-01", "start": "14:00", "end": "16:00"},
    )
    assert "Für diesen Termin gibt es schon einen Ersatztermin." in response.get_data(as_text=True)
    response = coordinator.post(
        f"/termine/begleitung/{pairing.id}",
        data={"replaces_on": "", "on": "2026-03-01", "start": "14:00", "end": "16:00"},
    )
    assert "Ein Ersatztermin muss in der Zukunft liegen." in response.get_data(as_text=True)
    assert dates(pairing) == before


def test_volunteer_absence_skips_dates_with_reason(app_ctx, coordinator, clock):
    pairing = weekly_pairing(starts_on=date(2026, 11, 2))
    pairing.volunteer.absences.append(VolunteerAbsence(starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 20)))
    db.session.commit()
    clock(berlin(2026, 11, 20, 12))
    run("roll_horizon")
    days = [d for d, _, _ in dates(pairing)]
    assert days == [
        date(2026, 11, 23),
        date(2026, 11, 30),
        date(2026, 12, 21),
        date(2026, 12, 28),
        date(2027, 1, 4),
        date(2027, 1, 11),
    ]
    page = coordinator.get(f"/termine/begleitung/{pairing.id}").get_data(as_text=True)
    assert "Abwesenheit der/des Ehrenamtlichen 07.12.–20.12.2026" in page
    assert "07.12.2026" in page and "14.12.2026" in page


def test_absence_entered_later_removes_planned_but_not_confirmed_visits(app_ctx, coordinator, clock):
    pairing = weekly_pairing(starts_on=date(2026, 11, 2))
    clock(berlin(2026, 11, 20, 12))
    run("roll_horizon")
    confirmed = db.session.scalar(sa.select(Appointment).where(Appointment.on == date(2026, 12, 7)))
    confirmed.status = "bestaetigt"
    pairing.volunteer.absences.append(VolunteerAbsence(starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 20)))
    db.session.commit()
    run("roll_horizon")
    remaining = {d: s for d, _, s in dates(pairing)}
    assert remaining[date(2026, 12, 7)] == "bestaetigt"  # confirmed: stays, the coordinator sees the conflict
    assert date(2026, 12, 14) not in remaining
    page = coordinator.get(f"/termine/begleitung/{pairing.id}").get_data(as_text=True)
    assert "Bitte prüfen: Der Termin am 07.12.2026 (bestätigt) fällt auf einen Tag ohne Besuch" in page
    assert "Abwesenheit der/des Ehrenamtlichen 07.12.–20.12.2026" in page


def test_rule_change_moves_future_planned_only(app_ctx, clock, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "CONFIRMATION_DAYS_BEFORE", 8)
    pairing = weekly_pairing(starts_on=date(2026, 11, 2))
    for day in (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)):
        db.session.add(
            Appointment(
                pairing=pairing,
                on=day,
                planned_start=time(10),
                planned_end=time(12),
                status="stattgefunden",
                actual_minutes=120,
            )
        )
    db.session.commit()
    clock(berlin(2026, 11, 23, 8))
    run("roll_horizon")
    db.session.scalar(sa.select(Appointment).where(Appointment.on == date(2026, 11, 23))).status = "bestaetigt"
    db.session.commit()
    run("confirmation_requests")  # a request for Monday 30 November goes out ...
    assert requests() == ["Bitte bestätigen: Besuch am 30.11.2026"]

    pairing.slots = [PairingSlot(weekday=1, start_minute=14 * 60, duration_minutes=90)]  # now Tuesdays 14:00–15:30
    db.session.commit()
    run("roll_horizon")
    after = dates(pairing)
    assert after[:4] == [
        (date(2026, 11, 2), time(10), "stattgefunden"),
        (date(2026, 11, 9), time(10), "stattgefunden"),
        (date(2026, 11, 16), time(10), "stattgefunden"),
        (date(2026, 11, 23), time(10), "bestaetigt"),  # confirmed: stays on Monday, no extra Tuesday that week
    ]
    assert after[4:7] == [
        (date(2026, 12, 1), time(14), "geplant"),
        (date(2026, 12, 8), time(14), "geplant"),
        (date(2026, 12, 15), time(14), "geplant"),
    ]
    assert all(d.weekday() == 1 for d, _, _ in after[4:])
    moved = db.session.scalar(sa.select(Appointment).where(Appointment.on == date(2026, 12, 1)))
    assert moved.planned_end == time(15, 30)
    run("confirmation_requests")  # ... and the moved visit is asked for afresh
    assert requests()[1:] == ["Bitte bestätigen: Besuch am 01.12.2026"]


def requests() -> list[str]:
    """Subjects of the queued confirmation requests, oldest first."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.subject)
            .where(OutboxMessage.kind == "confirmation_request")
            .order_by(OutboxMessage.id)
        )
    )


def test_biweekly_rule(app_ctx, clock):
    pairing = weekly_pairing(starts_on=date(2026, 11, 2), interval_weeks=2)
    clock(berlin(2026, 11, 1, 12))
    run("roll_horizon")
    assert [d for d, _, _ in dates(pairing)] == [
        date(2026, 11, 2),
        date(2026, 11, 16),
        date(2026, 11, 30),
        date(2026, 12, 14),
    ]


def test_horizon_is_configurable_and_ending_a_pairing_clears_its_future(app_ctx, clock, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "APPOINTMENT_HORIZON_WEEKS", 2)
    pairing = weekly_pairing(starts_on=date(2026, 11, 2))
    clock(berlin(2026, 11, 1, 12))
    run("roll_horizon")
    assert [d for d, _, _ in dates(pairing)] == [date(2026, 11, 2), date(2026, 11, 9)]
    pairing.status = "beendet"
    db.session.commit()
    run("roll_horizon")
    assert dates(pairing) == []


def test_pairing_saved_hook_plans_and_introduces_in_the_callers_unit_of_work(app_ctx, clock):
    clock(berlin(2026, 11, 30, 8))
    pairing = weekly_pairing(starts_on=date(2026, 12, 7))
    operations.pairing_saved(pairing, now=berlin(2026, 11, 30, 8), horizon_weeks=4)
    db.session.rollback()  # the pairing form failed later: nothing planned, nothing mailed
    assert dates(pairing) == [] and db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0

    for _ in range(2):
        operations.pairing_saved(pairing, now=berlin(2026, 11, 30, 8), horizon_weeks=4)
        db.session.commit()
    assert [d for d, _, _ in dates(pairing)] == [
        date(2026, 12, 7),
        date(2026, 12, 14),
        date(2026, 12, 21),
        date(2026, 12, 28),
    ]
    assert list(db.session.scalars(sa.select(OutboxMessage.subject))) == ["Ihre neue Begleitung in Eving"]
