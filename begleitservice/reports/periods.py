"""Report periods: a year, a quarter or dates typed by hand, each with the period of the same length before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..clock import today
from ..inputs import InputError, date_window, german_date, parse_date, parse_int

KINDS = {"jahr": "Jahr", "quartal": "Quartal", "frei": "freier Zeitraum"}
MAX_DAYS = 366 * 5  # a longer custom period is a typing error, not a report


@dataclass(frozen=True)
class Period:
    """The days ``start``..``end`` (both included) and their German name."""

    start: date
    end: date
    kind: str = "frei"

    @property
    def label(self) -> str:
        if self.kind == "jahr":
            return str(self.start.year)
        if self.kind == "quartal":
            return f"{(self.start.month - 1) // 3 + 1}. Quartal {self.start.year}"
        return f"{german_date(self.start)} – {german_date(self.end)}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period before: the year or quarter before, or as many days right before a custom period."""
        if self.kind == "jahr":
            return year_period(self.start.year - 1)
        if self.kind == "quartal":
            first = (
                date(self.start.year - 1, 10, 1)
                if self.start.month == 1
                else self.start.replace(month=self.start.month - 3)
            )
            return quarter_period(first.year, (first.month - 1) // 3 + 1)
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "jahr")


def quarter_period(year: int, quarter: int) -> Period:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(start, end - timedelta(days=1), "quartal")


def year_range() -> tuple[int, int]:
    """Years a report may cover: from the earliest date anyone may type to this year."""
    return date_window("any")[0].year, today().year


def parse_year(text: object) -> int:
    """A report year as four digits within :func:`year_range`; InputError (German) otherwise."""
    first, last = year_range()
    try:
        return parse_int(text, low=first, high=last)
    except InputError:
        raise InputError(
            f"„{str(text)[:20]}“ ist kein mögliches Berichtsjahr: bitte ein Jahr von {first} bis {last}."
        ) from None


def parse_period(args) -> Period:
    """The period of a query string (``zeitraum=jahr&jahr=2026``, ``…=quartal&jahr=…&quartal=3``,
    ``…=frei&von=…&bis=…``); without one the current year. Bad input raises InputError in German."""
    kind = args.get("zeitraum") or "jahr"
    if kind not in KINDS:
        raise InputError("Bitte wählen Sie als Zeitraum Jahr, Quartal oder einen freien Zeitraum.")
    if kind == "frei":
        start, end = parse_date(args.get("von", ""), "any"), parse_date(args.get("bis", ""), "any")
        if end < start:
            raise InputError("Das Ende des Zeitraums liegt vor seinem Beginn.")
        if (end - start).days >= MAX_DAYS:
            raise InputError("Ein freier Zeitraum kann höchstens fünf Jahre umfassen.")
        return Period(start, end)
    year = parse_year(args.get("jahr") or today().year)
    if kind == "jahr":
        return year_period(year)
    try:
        quarter = parse_int(args.get("quartal") or "", low=1, high=4)
    except InputError:
        raise InputError("Bitte wählen Sie ein Quartal von 1 bis 4.") from None
    return quarter_period(year, quarter)
