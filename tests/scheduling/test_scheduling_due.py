"""Due notifications: each kind, repeats prevented by markers, the 48-hour boundary."""

from datetime import date, timedelta

from scheduling.due import (
    CertificateStatus,
    DueKind,
    Recipient,
    due_certificate_reminders,
    due_confirmation_requests,
    due_escalations,
    due_hours_requests,
    due_reminders,
    group_by_volunteer,
    marker,
    weekly_summary,
)
from scheduling.model import Status
from tests.scheduling.sched_factories import berlin, make_appointment

# Thursday 12.11.2026, 09:00 in Dortmund.
NOW = berlin(2026, 11, 12, 9)


def ids(items):
    return [item.appointment.id for item in items]


def test_confirmation_request_from_seven_days_before_and_only_once():
    in_7 = make_appointment(date(2026, 11, 19), id=1)
    in_8 = make_appointment(date(2026, 11, 20), id=2)
    confirmed = make_appointment(date(2026, 11, 14), id=3, status=Status.BESTAETIGT)
    past = make_appointment(date(2026, 11, 11), id=4)
    items = due_confirmation_requests([in_8, in_7, confirmed, past], now=NOW, sent=set())
    assert ids(items) == [1]
    assert items[0].key == "confirmation_request:1" == marker(DueKind.CONFIRMATION_REQUEST, 1)
    assert items[0].recipient is Recipient.VOLUNTEER
    assert items[0].detail == "Bitte Termin bestätigen: Donnerstag, 19.11.2026, 10:00–12:00 Uhr"
    assert due_confirmation_requests([in_7], now=NOW, sent={items[0].key}) == []
    assert ids(due_confirmation_requests([in_8], now=NOW, sent=set(), days_before=8)) == [2]


def test_reminder_the_day_before_for_planned_or_confirmed():
    tomorrow = make_appointment(date(2026, 11, 13), id=1)
    confirmed = make_appointment(date(2026, 11, 13), "15:00", "16:00", id=2, status=Status.BESTAETIGT)
    cancelled = make_appointment(date(2026, 11, 13), id=3, status=Status.ABGESAGT)
    later = make_appointment(date(2026, 11, 14), id=4)
    today_started = make_appointment(date(2026, 11, 12), "08:00", "10:00", id=5)
    items = due_reminders([tomorrow, confirmed, cancelled, later, today_started], now=NOW, sent=set())
    assert ids(items) == [1, 2]
    assert ids(due_reminders([tomorrow, confirmed], now=NOW, sent={"reminder:1"})) == [2]


def test_escalation_boundary_is_exactly_48_hours():
    appointment = make_appointment(date(2026, 11, 14), id=7)  # Saturday 10:00
    at_48 = berlin(2026, 11, 12, 10)
    assert ids(due_escalations([appointment], now=at_48, sent=set())) == [7]
    assert due_escalations([appointment], now=at_48 - timedelta(seconds=1), sent=set()) == []
    item = due_escalations([appointment], now=at_48, sent=set())[0]
    assert item.recipient is Recipient.COORDINATION
    assert due_escalations([appointment], now=at_48, sent={item.key}) == []
    confirmed = make_appointment(date(2026, 11, 14), id=8, status=Status.BESTAETIGT)
    assert due_escalations([confirmed], now=at_48, sent=set()) == []


def test_escalation_counts_real_hours_across_dst_end():
    # Monday 26.10.2026 10:00 CET; 48 real hours earlier is Saturday 24.10. 11:00 CEST.
    appointment = make_appointment(date(2026, 10, 26), id=9)
    assert ids(due_escalations([appointment], now=berlin(2026, 10, 24, 11), sent=set())) == [9]
    assert due_escalations([appointment], now=berlin(2026, 10, 24, 10, 59), sent=set()) == []


def test_hours_request_after_end_without_actual_hours():
    ended = make_appointment(date(2026, 11, 11), id=1)
    reported = make_appointment(date(2026, 11, 10), id=2, status=Status.STATTGEFUNDEN, actual_minutes=120)
    cancelled = make_appointment(date(2026, 11, 9), id=3, status=Status.AUSGEFALLEN)
    running = make_appointment(date(2026, 11, 12), "08:00", "10:00", id=4)
    old = make_appointment(date(2026, 10, 1), id=5)
    items = due_hours_requests([ended, reported, cancelled, running, old], now=NOW, sent=set())
    assert ids(items) == [1]
    assert items[0].detail == "Bitte geleistete Stunden eintragen: Mittwoch, 11.11.2026, 10:00–12:00 Uhr"
    assert ids(due_hours_requests([running], now=berlin(2026, 11, 12, 10), sent=set())) == [4]
    assert due_hours_requests([ended], now=NOW, sent={"hours_request:1"}) == []


def test_certificate_reminder_after_five_years_at_most_every_30_days():
    old = CertificateStatus(1, date(2021, 11, 12))
    fresh = CertificateStatus(2, date(2021, 11, 13))
    missing = CertificateStatus(3, None)
    reminded = CertificateStatus(4, date(2020, 1, 1), last_reminded_at=NOW - timedelta(days=29))
    reminded_long_ago = CertificateStatus(5, date(2020, 1, 1), last_reminded_at=NOW - timedelta(days=30))
    items = due_certificate_reminders([old, fresh, missing, reminded, reminded_long_ago], now=NOW)
    assert [i.volunteer_id for i in items] == [1, 3, 5]
    assert items[0].detail == "Führungszeugnis vom 12.11.2021 ist seit 12.11.2026 älter als 5 Jahre."
    assert items[1].detail == "Kein Führungszeugnis erfasst."
    assert [i.volunteer_id for i in due_certificate_reminders([fresh], now=NOW, lead_days=30)] == [2]
    assert due_certificate_reminders([missing], now=NOW, include_missing=False) == []
    assert due_certificate_reminders([old], now=NOW, valid_years=6) == []


def test_weekly_summary_once_per_week_lists_unconfirmed():
    planned = make_appointment(date(2026, 11, 20), id=1)
    confirmed = make_appointment(date(2026, 11, 16), id=2, status=Status.BESTAETIGT)
    far = make_appointment(date(2026, 12, 20), id=3)
    summary = weekly_summary([far, confirmed, planned], now=NOW, sent=set())
    assert summary.key == "weekly_summary:2026-W46"
    assert summary.week_label == "KW 46/2026"
    assert summary.unconfirmed == (planned,)
    assert weekly_summary([planned], now=NOW + timedelta(days=3), sent={summary.key}) is None
    assert weekly_summary([planned], now=NOW + timedelta(days=4), sent={summary.key}) is not None
    assert weekly_summary([confirmed], now=NOW, sent=set()) is None
    assert weekly_summary([], now=NOW, sent=set(), send_empty=True).unconfirmed == ()


def test_items_group_by_volunteer():
    a = make_appointment(date(2026, 11, 13), id=1, volunteer_id=5)
    b = make_appointment(date(2026, 11, 13), "15:00", "16:00", id=2, volunteer_id=6)
    c = make_appointment(date(2026, 11, 14), id=3, volunteer_id=5)
    grouped = group_by_volunteer(due_confirmation_requests([a, b, c], now=NOW, sent=set()))
    assert {k: ids(v) for k, v in grouped.items()} == {5: [1, 3], 6: [2]}
