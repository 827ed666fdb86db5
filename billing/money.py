"""Money and time arithmetic: Decimal only, half-up rounding to the cent, German formatting."""

from __future__ import annotations

from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def to_decimal(value: Decimal | int | str) -> Decimal:
    """A Decimal from a Decimal, int or string; floats are refused (they cannot hold cents exactly)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a Decimal or a string")
    return value if isinstance(value, Decimal) else Decimal(value)


def cents(value: Decimal | int | str) -> Decimal:
    """``value`` rounded half up to the cent (5.875 → 5.88, -5.875 → -5.88)."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def hours(minutes: int) -> Decimal:
    """Hours from minutes, rounded half up to two places for display (50 min → 0.83)."""
    return cents(Decimal(minutes) / 60)


def amount_for(minutes: int, hourly_rate: Decimal) -> Decimal:
    """What ``minutes`` cost at ``hourly_rate``, computed exactly and rounded once, half up to the cent."""
    return cents(hourly_rate * Decimal(minutes) / 60)


def minutes_between(start: time, end: time) -> int:
    """Minutes from ``start`` to ``end`` on the same day (0 if ``end`` is not after ``start``)."""
    return max(0, (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute))


def _grouped(value: Decimal, places: int) -> str:
    text = f"{value:,.{places}f}"  # 1,234.50
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_eur(value: Decimal) -> str:
    """German amount with thousands separator and euro sign: ``1.234,50 €``."""
    return f"{_grouped(cents(value), 2)} €"


def format_decimal(value: Decimal, places: int = 2) -> str:
    """German number without thousands separator (what spreadsheets parse): ``1234,50``."""
    return f"{value:.{places}f}".replace(".", ",")


def format_hours(value: Decimal) -> str:
    """German hours with two places: ``1,50``."""
    return _grouped(value, 2)


def format_date(day: date) -> str:
    """German date: ``03.11.2026``."""
    return day.strftime("%d.%m.%Y")


def format_time(moment: time) -> str:
    """German time: ``14:30``."""
    return moment.strftime("%H:%M")
