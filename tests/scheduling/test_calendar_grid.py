"""Week and month grids: whole weeks from Monday, NRW holidays, absences by name, visits or counts per day."""

from datetime import date

from scheduling import Absence, Span, build_calendar, grid_bounds, period_bounds
from tests.scheduling.sched_factories import make_appointment

TODAY = date(2026, 12, 10)


def test_month_fills_whole_weeks_and_marks_the_days_outside():
    grid = build_calendar(Span.MONTH, date(2026, 12, 17), today=TODAY, appointments=[])
    assert grid.title == "Dezember 2026"
    assert (grid.first, grid.last) == (date(2026, 12, 1), date(2026, 12, 31))
    assert grid.weeks[0][0].on == date(2026, 11, 30) and not grid.weeks[0][0].in_period
    assert grid.weeks[-1][-1].on == date(2027, 1, 3)
    assert all(len(week) == 7 for week in grid.weeks) and len(grid.weeks) == 5
    assert (grid.previous, grid.following) == (date(2026, 11, 1), date(2027, 1, 1))
    assert [day.on for week in grid.weeks for day in week if day.is_today] == [TODAY]


def test_week_has_one_row_and_moves_by_weeks():
    grid = build_calendar(Span.WEEK, date(2026, 12, 10), today=TODAY, appointments=[])
    assert grid.title == "KW 50/2026: 07.12.–13.12.2026"
    assert len(grid.weeks) == 1 and grid.weeks[0][0].label == "Mo 07.12."
    assert (grid.previous, grid.following) == (date(2026, 11, 30), date(2026, 12, 14))


def test_nrw_holidays_are_named_in_their_cells():
    grid = build_calendar(Span.MONTH, date(2026, 12, 1), today=TODAY, appointments=[])
    names = {day.on: day.holiday for week in grid.weeks for day in week if day.holiday}
    assert names == {
        date(2026, 12, 25): "Erster Weihnachtstag",
        date(2026, 12, 26): "Zweiter Weihnachtstag",
        date(2027, 1, 1): "Neujahr",  # in the last row, which runs into January
    }
    june = build_calendar(Span.MONTH, date(2026, 6, 1), today=TODAY, appointments=[])
    assert "Fronleichnam" in {day.holiday for week in june.weeks for day in week}


def test_visits_sorted_in_their_day_and_counted_within_the_period():
    visits = [
        make_appointment(date(2026, 12, 7), "14:00", "15:00"),
        make_appointment(date(2026, 12, 7), "09:00", "10:00"),
        make_appointment(date(2026, 11, 30), "09:00", "10:00"),  # shown in the first row, not in December
    ]
    grid = build_calendar(Span.MONTH, date(2026, 12, 1), today=TODAY, appointments=visits)
    monday = grid.weeks[1][0]
    assert monday.on == date(2026, 12, 7) and [a.start.hour for a in monday.appointments] == [9, 14]
    assert monday.count == 2 and grid.weeks[0][0].count == 1
    assert grid.total == 2 and grid.shows_visits


def test_counts_only_for_large_periods():
    grid = build_calendar(Span.MONTH, date(2026, 12, 1), today=TODAY, counts={date(2026, 12, 2): 140})
    assert not grid.shows_visits and grid.weeks[0][2].count == 140 and grid.weeks[0][2].appointments == ()
    assert grid.total == 140


def test_absences_named_on_each_day_they_cover_inside_the_grid():
    absences = [
        Absence(date(2026, 11, 20), date(2026, 12, 1), who="Anna Müller"),
        Absence(date(2026, 12, 1), date(2026, 12, 1), who="Bert Schulz"),
    ]
    grid = build_calendar(Span.WEEK, date(2026, 12, 1), today=TODAY, appointments=[], absences=absences)
    monday, tuesday, wednesday = grid.weeks[0][:3]
    assert monday.absent == ("Anna Müller",)
    assert tuesday.absent == ("Anna Müller", "Bert Schulz")
    assert wednesday.absent == ()


def test_bounds_of_period_and_grid():
    assert period_bounds(Span.MONTH, date(2028, 2, 14)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert grid_bounds(Span.MONTH, date(2028, 2, 14)) == (date(2028, 1, 31), date(2028, 3, 5))
    assert grid_bounds(Span.WEEK, date(2026, 12, 13)) == (date(2026, 12, 7), date(2026, 12, 13))
