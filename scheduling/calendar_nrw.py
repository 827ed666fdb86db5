"""Public holidays of North Rhine-Westphalia, from the ``holidays`` package (subdivision NW)."""

from __future__ import annotations

import logging
from datetime import date
from functools import lru_cache

log = logging.getLogger(__name__)

COUNTRY = "DE"
SUBDIVISION = "NW"


@lru_cache(maxsize=64)
def _year_holidays(year: int) -> dict[date, str]:
    """German names of the NRW public holidays of one year (the holidays package loads on first use: it is slow to
    import and most commands never need it)."""
    import holidays

    calendar = holidays.country_holidays(COUNTRY, subdiv=SUBDIVISION, years=year, language="de")
    return dict(calendar.items())


def holiday_name(day: date) -> str | None:
    """German name of the NRW public holiday on ``day``, or None."""
    return _year_holidays(day.year).get(day)


def is_holiday(day: date) -> bool:
    """True when ``day`` is a public holiday in NRW."""
    return holiday_name(day) is not None


def holidays_between(first: date, last: date) -> dict[date, str]:
    """NRW public holidays from ``first`` to ``last``, both inclusive, in date order."""
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in sorted(_year_holidays(year).items()):
            if first <= day <= last:
                found[day] = name
    return found
