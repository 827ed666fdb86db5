"""Reconciling stored appointments with a (changed) rule on a rolling horizon."""

from dataclasses import replace
from datetime import date, time, timedelta

from scheduling.model import Absence, Status
from scheduling.recurrence import horizon_end, reconcile
from scheduling.rules import VisitRule
from tests.scheduling.sched_factories import apply_plan, berlin, make_appointment


def weekly(weekdays=(0,), start=time(10)) -> VisitRule:
    """Weekly visits of two hours from Monday 02.03.2026."""
    return VisitRule.same_time(weekdays, start, 120, date(2026, 3, 2))


MONDAY_10 = weekly()
NOW = berlin(2026, 3, 2, 8)  # Monday 02.03.2026, 08:00 in Dortmund


def settle(rule, appointments, now, **options):
    """Reconcile and apply, asserting a second reconcile has nothing left to do."""
    result = apply_plan(appointments, reconcile(rule, appointments, now=now, **options))
    again = reconcile(rule, result, now=now, **options)
    assert not again.has_changes, again
    return result


def slots(appointments):
    return sorted((a.on, a.start) for a in appointments)


def test_first_run_fills_the_horizon_and_skips_ostermontag():
    plan = reconcile(MONDAY_10, [], now=NOW)
    assert plan.horizon_end == date(2026, 4, 27) == horizon_end(date(2026, 3, 2))
    assert [o.on for o in plan.create] == [date(2026, 3, 2) + timedelta(weeks=w) for w in range(9) if w != 5]
    assert [s.reason for s in plan.skipped] == ["Feiertag: Ostermontag"]
    assert not plan.update and not plan.delete


def test_reconcile_is_idempotent_and_the_horizon_rolls():
    appointments = settle(MONDAY_10, [], NOW)
    later = berlin(2026, 3, 9, 8)
    plan = reconcile(MONDAY_10, appointments, now=later)
    assert [o.on for o in plan.create] == [date(2026, 5, 4)]
    assert not plan.delete and not plan.update
    assert len(settle(MONDAY_10, appointments, later)) == len(appointments) + 1


def test_configurable_horizon():
    plan = reconcile(MONDAY_10, [], now=NOW, horizon_weeks=2)
    assert [o.on for o in plan.create] == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]


def test_no_visit_today_once_its_start_has_passed():
    plan = reconcile(MONDAY_10, [], now=berlin(2026, 3, 2, 10), horizon_weeks=1)
    assert [o.on for o in plan.create] == [date(2026, 3, 9)]


def test_rule_change_moves_future_planned_only():
    appointments = settle(MONDAY_10, [], NOW)
    by_day = {a.on: a for a in appointments}
    confirmed = replace(by_day[date(2026, 3, 16)], status=Status.BESTAETIGT)
    cancelled = replace(by_day[date(2026, 3, 23)], status=Status.ABGESAGT)
    one_off = make_appointment(date(2026, 4, 2), "15:00", "16:00", is_one_off=True)
    appointments = [
        *(by_day[d] for d in by_day if d not in (confirmed.on, cancelled.on)),
        confirmed,
        cancelled,
    ]
    appointments.append(one_off)

    now = berlin(2026, 3, 10, 12)  # Tuesday: the visit of 09.03. is past
    changed = weekly((1,), time(14))
    plan = reconcile(changed, appointments, now=now)

    past = by_day[date(2026, 3, 9)]
    assert past in plan.keep and confirmed in plan.keep and cancelled in plan.keep and one_off in plan.keep
    moved = {m.appointment.on: (m.on, m.start, m.end) for m in plan.update}
    assert moved[date(2026, 3, 30)] == (date(2026, 3, 31), time(14), time(16))
    assert set(moved) == {date(2026, 3, 2) + timedelta(weeks=w) for w in (4, 6, 7, 8)}
    # The past visit of 09.03. and the confirmed/cancelled ones stand in for their week: no extra Tuesday.
    assert [o.on for o in plan.create] == [date(2026, 3, 10) + timedelta(weeks=w) for w in (4, 8)]
    assert not plan.delete

    result = settle(changed, appointments, now)
    assert one_off in result and confirmed in result and past in result


def test_weekday_added_creates_and_weekday_removed_deletes():
    appointments = settle(MONDAY_10, [], NOW)
    both = settle(weekly((0, 3)), appointments, NOW)
    assert len(both) == 2 * len(appointments)  # Gründonnerstag 02.04. is a working day in NRW
    plan = reconcile(weekly((3,)), both, now=NOW)
    assert [a.on.weekday() for a in plan.delete] == [0] * len(appointments)
    assert not plan.create and not plan.update


def test_end_date_and_ended_rule_delete_future_planned_only():
    appointments = settle(MONDAY_10, [], NOW)
    appointments[3] = replace(appointments[3], status=Status.BESTAETIGT)
    plan = reconcile(replace(MONDAY_10, ends_on=date(2026, 3, 16)), appointments, now=NOW)
    assert [a.on for a in plan.delete] == [d for d in (a.on for a in appointments) if d > date(2026, 3, 23)]
    assert appointments[3] in plan.keep

    ended = reconcile(None, appointments, now=NOW)
    assert len(ended.delete) == len(appointments) - 1
    assert ended.keep == (appointments[3],)


def test_biweekly_change_of_anchor_moves_within_period():
    biweekly = replace(MONDAY_10, interval_weeks=2)
    appointments = settle(biweekly, [], NOW)
    assert [a.on for a in appointments][:3] == [date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 30)]
    shifted = replace(biweekly, starts_on=date(2026, 3, 9))
    result = settle(shifted, appointments, NOW)
    assert all((a.on - date(2026, 3, 9)).days % 14 == 0 for a in result)


def test_one_off_replacement_is_not_fought():
    appointments = settle(MONDAY_10, [], NOW)
    # Replacement for Ostermontag on Tuesday, and a visit moved by hand from 20.04. to 21.04.
    replacement = make_appointment(date(2026, 4, 7), is_one_off=True, replaces_on=date(2026, 4, 6))
    regular = next(a for a in appointments if a.on == date(2026, 4, 20))
    hand_moved = replace(regular, on=date(2026, 4, 21), is_one_off=True, replaces_on=date(2026, 4, 20))
    appointments = [a for a in appointments if a is not regular] + [replacement, hand_moved]
    plan = reconcile(MONDAY_10, appointments, now=NOW)
    assert not plan.has_changes
    assert replacement in plan.keep and hand_moved in plan.keep


def test_cancelled_series_visit_is_not_recreated():
    appointments = settle(MONDAY_10, [], NOW)
    appointments[2] = replace(appointments[2], status=Status.ABGESAGT)
    assert not reconcile(MONDAY_10, appointments, now=NOW).has_changes


def test_new_absence_deletes_planned_and_flags_confirmed():
    appointments = settle(MONDAY_10, [], NOW)
    appointments[2] = replace(appointments[2], status=Status.BESTAETIGT)  # 16.03.
    absence = Absence(date(2026, 3, 14), date(2026, 3, 29))
    plan = reconcile(MONDAY_10, appointments, now=NOW, absences=[absence])
    assert [a.on for a in plan.delete] == [date(2026, 3, 23)]
    assert not plan.create and not plan.update
    assert [(c.appointment.on, c.reason) for c in plan.conflicts] == [
        (date(2026, 3, 16), "Abwesenheit der/des Ehrenamtlichen 14.03.–29.03.2026")
    ]
    settle(MONDAY_10, appointments, NOW, absences=[absence])


def test_shorter_horizon_keeps_existing_far_appointments():
    appointments = settle(MONDAY_10, [], NOW)
    assert not reconcile(MONDAY_10, appointments, now=NOW, horizon_weeks=2).has_changes


def test_started_visit_is_left_alone_on_rule_change():
    appointments = settle(MONDAY_10, [], NOW)
    plan = reconcile(weekly(start=time(9)), appointments, now=berlin(2026, 3, 2, 10, 30))
    assert appointments[0] in plan.keep
    assert plan.update[0].appointment.on == date(2026, 3, 9)


def test_dst_weeks_reconcile_in_local_time():
    rule = replace(MONDAY_10, starts_on=date(2026, 10, 19))
    now = berlin(2026, 10, 19, 8)
    appointments = settle(rule, [], now)
    assert {a.start for a in appointments} == {time(10)}
    assert slots(appointments)[:2] == [(date(2026, 10, 19), time(10)), (date(2026, 10, 26), time(10))]


def test_one_off_in_a_rule_slot_is_not_duplicated():
    # The app's unique (pairing, date, start) constraint must never be hit by a create or move.
    one_off = make_appointment(date(2026, 3, 9), is_one_off=True)
    plan = reconcile(MONDAY_10, [one_off], now=NOW)
    assert date(2026, 3, 9) not in [o.on for o in plan.create]
    settle(MONDAY_10, [one_off], NOW)


def test_status_values_match_the_app():
    assert Status("bestaetigt") is Status.BESTAETIGT
    assert Status.BESTAETIGT.label == "bestätigt"
