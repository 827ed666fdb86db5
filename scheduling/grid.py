"""Calendar grids for coordinators: a week or a month as rows of weeks, with holidays, absences, visits or counts.

Pure: the app passes the visits (or only their number per day) and the absences of the shown period.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from scheduling.calendar_nrw import holidays_between
from scheduling.formatting import MONTH_NAMES, WEEKDAY_NAMES, WEEKDAY_SHORT, format_date_range, format_date_short
from scheduling.model import Absence, Appointment
from scheduling.rules import monday_of

log = logging.getLogger(__name__)


class Span(StrEnum):
    """How much a calendar shows at once."""

    WEEK = "woche"
    MONTH = "monat"


@dataclass(frozen=True)
class GridDay:
    """One cell: a day with its holiday, who is away, and its visits (or only their number)."""

    on: date
    label: str
    weekday_name: str
    in_period: bool
    is_today: bool
    holiday: str | None
    absent: tuple[str, ...]
    appointments: tuple[Appointment, ...]
    count: int


@dataclass(frozen=True)
class CalendarGrid:
    """Rows of seven days from Monday covering the period, with the dates to move back and forth."""

    span: Span
    first: date
    last: date
    title: str
    weeks: tuple[tuple[GridDay, ...], ...]
    previous: date
    following: date
    shows_visits: bool

    @property
    def total(self) -> int:
        """Visits in the period (days of the neighbouring months shown for a full row do not count)."""
        return sum(day.count for week in self.weeks for day in week if day.in_period)


def period_bounds(span: Span, anchor: date) -> tuple[date, date]:
    """First and last day of the week or month containing ``anchor``."""
    if span == Span.WEEK:
        monday = monday_of(anchor)
        return monday, monday + timedelta(days=6)
    first = anchor.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def grid_bounds(span: Span, anchor: date) -> tuple[date, date]:
    """First Monday and last Sunday of the rows that show the period (a month fills up whole weeks)."""
    first, last = period_bounds(span, anchor)
    return monday_of(first), monday_of(last) + timedelta(days=6)


def _title(span: Span, first: date, last: date) -> str:
    if span == Span.MONTH:
        return f"{MONTH_NAMES[first.month - 1]} {first.year}"
    year, week, _ = first.isocalendar()
    return f"KW {week}/{year}: {format_date_range(first, last)}"


def _neighbours(span: Span, first: date) -> tuple[date, date]:
    if span == Span.WEEK:
        return first - timedelta(weeks=1), first + timedelta(weeks=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return previous, (first + timedelta(days=32)).replace(day=1)


def build_calendar(
    span: Span,
    anchor: date,
    *,
    today: date,
    appointments: Iterable[Appointment] | None = None,
    counts: Mapping[date, int] | None = None,
    absences: Iterable[Absence] = (),
) -> CalendarGrid:
    """The grid of the week or month containing ``anchor``.

    With ``appointments`` every cell lists its visits (sorted by time); with only ``counts`` (visits per day) the
    cells show numbers, for periods with more visits than a page can list.
    """
    span = Span(span)
    first, last = period_bounds(span, anchor)
    grid_first, grid_last = grid_bounds(span, anchor)
    by_day: dict[date, list[Appointment]] = defaultdict(list)
    if appointments is not None:
        for appointment in appointments:
            by_day[appointment.on].append(appointment)
        counts = Counter({day: len(items) for day, items in by_day.items()})
    counts = counts or {}
    away: dict[date, set[str]] = defaultdict(set)
    for absence in absences:
        day = max(absence.starts_on, grid_first)
        while day <= min(absence.ends_on, grid_last):
            away[day].add(absence.who)
            day += timedelta(days=1)
    holidays = holidays_between(grid_first, grid_last)
    days = []
    day = grid_first
    while day <= grid_last:
        days.append(
            GridDay(
                on=day,
                label=f"{WEEKDAY_SHORT[day.weekday()]} {format_date_short(day)}",
                weekday_name=WEEKDAY_NAMES[day.weekday()],
                in_period=first <= day <= last,
                is_today=day == today,
                holiday=holidays.get(day),
                absent=tuple(sorted(away.get(day, ()))),
                appointments=tuple(
                    sorted(by_day.get(day, ()), key=lambda a: (a.start, a.end, a.volunteer_label, str(a.id)))
                ),
                count=counts.get(day, 0),
            )
        )
        day += timedelta(days=1)
    weeks = tuple(tuple(days[index : index + 7]) for index in range(0, len(days), 7))
    previous, following = _neighbours(span, first)
    return CalendarGrid(
        span=span,
        first=first,
        last=last,
        title=_title(span, first, last),
        weeks=weeks,
        previous=previous,
        following=following,
        shows_visits=appointments is not None,
    )
