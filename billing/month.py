"""A calendar month as a value: the unit of the ledger, the billing run and the invoices."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

MONTH_NAMES_DE = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


@lru_cache(maxsize=4096)
def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, ordered; ``str()`` gives ``11/2026``, ``label`` gives ``November 2026``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")

    @classmethod
    def of(cls, day: date) -> Month:
        """The month containing ``day``."""
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2026-11`` (ISO) or ``11/2026``."""
        if "/" in text:
            m, y = text.split("/")
        else:
            y, m = text.split("-")[:2]
        return cls(int(y), int(m))

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return _last_day(self.year, self.month)

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES_DE[self.month - 1]} {self.year}"

    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def until(self, last: Month) -> list[Month]:
        """This month up to and including ``last``."""
        months, m = [], self
        while m <= last:
            months.append(m)
            m = m.next()
        return months

    def contains(self, day: date) -> bool:
        return day.year == self.year and day.month == self.month

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year}"
