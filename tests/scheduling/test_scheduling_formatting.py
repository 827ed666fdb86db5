"""German date and time formatting."""

from datetime import date, time

from scheduling import formatting as f
from tests.scheduling.sched_factories import berlin


def test_dates_and_times():
    day = date(2026, 11, 3)
    assert f.weekday_name(day) == "Dienstag" and f.weekday_name(6) == "Sonntag"
    assert f.format_date(day) == "03.11.2026"
    assert f.format_date_long(day) == "Dienstag, 03.11.2026"
    assert f.format_date_words(day) == "3. November 2026"
    assert f.format_time_range(time(10), time(12)) == "10:00–12:00"
    assert f.format_appointment(day, time(9, 30), time(11)) == "Dienstag, 03.11.2026, 09:30–11:00 Uhr"
    assert f.format_iso_week(date(2027, 1, 1)) == "KW 53/2026"


def test_ranges():
    assert f.format_date_range(date(2026, 8, 3), date(2026, 8, 14)) == "03.08.–14.08.2026"
    assert f.format_date_range(date(2026, 12, 28), date(2027, 1, 3)) == "28.12.2026–03.01.2027"
    assert f.format_date_range(date(2026, 8, 3), date(2026, 8, 3)) == "03.08.2026"


def test_timestamps_are_shown_in_berlin_time():
    assert f.format_datetime(berlin(2026, 7, 1, 9, 5)) == "01.07.2026, 09:05 Uhr"


def test_durations_weekdays_and_labels():
    assert [f.format_duration(m) for m in (45, 120, 90)] == ["45 Min.", "2 Std.", "1 Std. 30 Min."]
    assert [f.format_hours(m) for m in (90, 120, 100)] == ["1,5", "2", "1,67"]
    assert f.format_weekdays([4, 0]) == "Montag und Freitag"
    assert f.format_weekdays([0, 2, 4], adverb=True) == "montags, mittwochs und freitags"
    assert f.senior_short_label("Frau", "müller") == "Frau M."
