"""Week grid for coordinators: Monday to Sunday, visits sorted by time, filterable."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from scheduling.calendar_nrw import holiday_name
from scheduling.formatting import WEEKDAY_NAMES, WEEKDAY_SHORT, format_date_range, format_date_short
from scheduling.model import Appointment
from scheduling.rules import monday_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DayColumn:
    """One day of the grid."""

    on: date
    weekday_name: str
    label: str
    holiday: str | None
    appointments: tuple[Appointment, ...]


@dataclass(frozen=True)
class WeekView:
    """Seven day columns from Monday, with navigation dates."""

    week_start: date
    title: str
    days: tuple[DayColumn, ...]
    previous_week: date
    next_week: date

    @property
    def count(self) -> int:
        """Number of appointments shown."""
        return sum(len(day.appointments) for day in self.days)


def _as_set(value: object | Collection[object] | None) -> set[object] | None:
    if value is None:
        return None
    if isinstance(value, str | int) or not isinstance(value, Collection):
        return {value}
    return set(value)


def build_week(
    appointments: Iterable[Appointment],
    *,
    week_start: date,
    district: str | Collection[str] | None = None,
    volunteer_id: int | str | Collection[int | str] | None = None,
    include_cancelled: bool = True,
) -> WeekView:
    """Grid of the week containing ``week_start``; None filters mean 'all'."""
    monday = monday_of(week_start)
    sunday = monday + timedelta(days=6)
    districts = _as_set(district)
    volunteers = _as_set(volunteer_id)
    by_day: dict[date, list[Appointment]] = {monday + timedelta(days=i): [] for i in range(7)}
    for appointment in appointments:
        if appointment.on not in by_day:
            continue
        if districts is not None and appointment.district not in districts:
            continue
        if volunteers is not None and appointment.volunteer_id not in volunteers:
            continue
        if not include_cancelled and appointment.is_cancelled:
            continue
        by_day[appointment.on].append(appointment)
    days = tuple(
        DayColumn(
            on=day,
            weekday_name=WEEKDAY_NAMES[day.weekday()],
            label=f"{WEEKDAY_SHORT[day.weekday()]} {format_date_short(day)}",
            holiday=holiday_name(day),
            appointments=tuple(sorted(items, key=lambda a: (a.start, a.end, a.volunteer_label, str(a.id)))),
        )
        for day, items in by_day.items()
    )
    year, week, _ = monday.isocalendar()
    title = f"KW {week}/{year}: {format_date_range(monday, sunday)}"
    return WeekView(monday, title, days, monday - timedelta(weeks=1), monday + timedelta(weeks=1))
