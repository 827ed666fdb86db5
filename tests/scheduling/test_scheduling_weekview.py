"""Week grid: Monday to Sunday, sorted by time, filters."""

from datetime import date

from scheduling.model import Status
from scheduling.weekview import build_week
from tests.scheduling.sched_factories import make_appointment

APPOINTMENTS = [
    make_appointment(date(2026, 12, 31), "14:00", "15:00", id=1, district="Eving", volunteer_id=1),
    make_appointment(date(2026, 12, 31), "09:00", "10:00", id=2, district="Hörde", volunteer_id=2),
    make_appointment(date(2027, 1, 3), "11:00", "12:00", id=3, district="Eving", volunteer_id=2),
    make_appointment(date(2026, 12, 28), "10:00", "11:00", id=4, status=Status.ABGESAGT, volunteer_id=1),
    make_appointment(date(2027, 1, 4), id=5),  # next week
]


def grid(view):
    return [[a.id for a in day.appointments] for day in view.days]


def test_week_grid_from_any_day_of_the_week():
    view = build_week(APPOINTMENTS, week_start=date(2026, 12, 30))
    assert view.week_start == date(2026, 12, 28)
    assert view.days[0].weekday_name == "Montag"
    assert view.days[-1].label == "So 03.01."
    assert view.title == "KW 53/2026: 28.12.2026–03.01.2027"
    assert grid(view) == [[4], [], [], [2, 1], [], [], [3]]
    assert view.days[4].holiday == "Neujahr"
    assert (view.previous_week, view.next_week) == (date(2026, 12, 21), date(2027, 1, 4))
    assert view.count == 4


def test_filters_by_district_volunteer_and_cancelled():
    assert grid(build_week(APPOINTMENTS, week_start=date(2026, 12, 28), district="Eving")) == [
        [4],
        [],
        [],
        [1],
        [],
        [],
        [3],
    ]
    by_volunteer = build_week(APPOINTMENTS, week_start=date(2026, 12, 28), volunteer_id=2)
    assert grid(by_volunteer) == [[], [], [], [2], [], [], [3]]
    several = build_week(APPOINTMENTS, week_start=date(2026, 12, 28), district=["Hörde", "Eving"], volunteer_id=[1])
    assert grid(several) == [[4], [], [], [1], [], [], []]
    active = build_week(APPOINTMENTS, week_start=date(2026, 12, 28), include_cancelled=False)
    assert grid(active)[0] == []
