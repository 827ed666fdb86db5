"""Generating visits from a rule: holidays, absences, biweekly anchoring, end dates, DST."""

from datetime import UTC, date, datetime, time

from scheduling.model import Absence
from scheduling.recurrence import SkipKind, generate
from scheduling.rules import Slot, VisitRule


def rule(weekdays=(0,), start="10:00", minutes=120, starts_on=date(2026, 1, 1), **options) -> VisitRule:
    """A rule with defaults: weekly Monday 10:00–12:00."""
    return VisitRule.same_time(weekdays, time.fromisoformat(start), minutes, starts_on, **options)


def dates(generation):
    return [o.on for o in generation.occurrences]


def test_easter_2026_skips_karfreitag_and_ostermontag_with_reasons():
    generation = generate(rule(weekdays=(0, 4)), first=date(2026, 3, 30), last=date(2026, 4, 12))
    assert dates(generation) == [date(2026, 3, 30), date(2026, 4, 10)]
    assert [(s.on, s.kind, s.reason) for s in generation.skipped] == [
        (date(2026, 4, 3), SkipKind.HOLIDAY, "Feiertag: Karfreitag"),
        (date(2026, 4, 6), SkipKind.HOLIDAY, "Feiertag: Ostermontag"),
    ]
    assert all(o.start == time(10) and o.end == time(12) for o in generation.occurrences)


def test_christmas_and_new_year_are_skipped():
    generation = generate(rule(weekdays=(4, 5)), first=date(2026, 12, 21), last=date(2027, 1, 3))
    assert dates(generation) == [date(2027, 1, 2)]
    assert [s.reason for s in generation.skipped] == [
        "Feiertag: Erster Weihnachtstag",
        "Feiertag: Zweiter Weihnachtstag",
        "Feiertag: Neujahr",
    ]


def test_holidays_can_be_switched_off():
    generation = generate(rule(weekdays=(4,)), first=date(2026, 4, 3), last=date(2026, 4, 3), skip_holidays=False)
    assert dates(generation) == [date(2026, 4, 3)]


def test_absence_skips_dates_with_its_period_in_the_reason():
    absence = Absence(date(2026, 8, 3), date(2026, 8, 14))
    generation = generate(rule(), first=date(2026, 7, 27), last=date(2026, 8, 23), absences=[absence])
    assert dates(generation) == [date(2026, 7, 27), date(2026, 8, 17)]
    assert [(s.on, s.reason) for s in generation.skipped] == [
        (date(2026, 8, 3), "Abwesenheit der/des Ehrenamtlichen 03.08.–14.08.2026"),
        (date(2026, 8, 10), "Abwesenheit der/des Ehrenamtlichen 03.08.–14.08.2026"),
    ]


def test_biweekly_is_anchored_on_the_week_of_the_start_date():
    # Starts on Wednesday 08.04.2026: its week (Monday 06.04.) is a visiting week, Monday itself is too early.
    r = rule(weekdays=(0, 3), starts_on=date(2026, 4, 8), interval_weeks=2)
    generation = generate(r, first=date(2026, 4, 1), last=date(2026, 5, 10))
    assert dates(generation) == [
        date(2026, 4, 9),
        date(2026, 4, 20),
        date(2026, 4, 23),
        date(2026, 5, 4),
        date(2026, 5, 7),
    ]
    # Off weeks (13.04., 27.04.) are not "skipped": nothing to report to the coordinator.
    assert generation.skipped == ()


def test_biweekly_anchor_does_not_depend_on_the_window():
    r = rule(weekdays=(2,), starts_on=date(2026, 1, 7), interval_weeks=2)
    early = dates(generate(r, first=date(2026, 1, 1), last=date(2026, 3, 31)))
    late = dates(generate(r, first=date(2026, 2, 10), last=date(2026, 3, 31)))
    assert late == [d for d in early if d >= date(2026, 2, 10)]
    assert all((d - date(2026, 1, 7)).days % 14 == 0 for d in early)


def test_end_date_is_inclusive_and_start_date_respected():
    r = rule(weekdays=(1,), starts_on=date(2026, 5, 5), ends_on=date(2026, 5, 19))
    assert dates(generate(r, first=date(2026, 4, 1), last=date(2026, 6, 30))) == [
        date(2026, 5, 5),
        date(2026, 5, 12),
        date(2026, 5, 19),
    ]


def test_dst_weeks_keep_local_times():
    spring = generate(rule(), first=date(2026, 3, 23), last=date(2026, 3, 30)).occurrences
    autumn = generate(rule(), first=date(2026, 10, 19), last=date(2026, 10, 26)).occurrences
    assert [o.start for o in spring + autumn] == [time(10)] * 4
    assert [o.starts_at.astimezone(UTC).hour for o in spring] == [9, 8]
    assert [o.starts_at.astimezone(UTC).hour for o in autumn] == [8, 9]
    assert spring[1].starts_at == datetime(2026, 3, 30, 8, tzinfo=UTC)


def test_slots_with_different_times_per_weekday():
    r = VisitRule(
        slots=(Slot.from_minutes(0, 600, 60), Slot.from_minutes(3, 900, 90), Slot.from_minutes(0, 960, 30)),
        starts_on=date(2026, 5, 4),
    )
    occurrences = generate(r, first=date(2026, 5, 4), last=date(2026, 5, 10)).occurrences
    assert [(o.on.day, o.start, o.end) for o in occurrences] == [
        (4, time(10), time(11)),
        (4, time(16), time(16, 30)),
        (7, time(15), time(16, 30)),
    ]
